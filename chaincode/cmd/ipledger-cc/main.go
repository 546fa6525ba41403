// Command ipledger-cc is the IPLedger chaincode, run as an external chaincode server
// (chaincode as a service): the peers connect to it.
//
// Environment:
//
//	CHAINCODE_SERVER_ADDRESS     listen address, e.g. 127.0.0.1:9999 (required)
//	CHAINCODE_ID                 the chaincode package id (or CORE_CHAINCODE_ID_NAME; required)
//	CHAINCODE_TLS_DISABLED       "true" to serve without TLS (default: TLS on)
//	CHAINCODE_TLS_CERT           PEM file of the server certificate (required with TLS)
//	CHAINCODE_TLS_KEY            PEM file of the server key (required with TLS)
//	CHAINCODE_TLS_CLIENT_CACERT  PEM file of the CA of the peers' client certificates; when set,
//	                             peers must present a client certificate signed by it
//	CHAINCODE_LOG_LEVEL          debug, info (default), warn or error
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/ipledger/ipledger/chaincode/contract"
	"github.com/ipledger/ipledger/chaincode/rules"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel(os.Getenv("CHAINCODE_LOG_LEVEL"))}))
	if err := rules.CheckBuildSettings(); err != nil {
		log.Error("bad build", "err", err)
		os.Exit(2)
	}
	server, err := newServer(os.Getenv)
	if err != nil {
		log.Error("bad configuration", "err", err)
		os.Exit(2)
	}
	log.Info("starting chaincode server", "version", rules.Version, "address", server.Address,
		"ccid", server.CCID, "tls", !server.TLSProps.Disabled, "clientAuth", len(server.TLSProps.ClientCACerts) > 0)
	if err := server.Start(); err != nil {
		log.Error("chaincode server stopped", "err", err)
		os.Exit(1)
	}
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// newServer builds the chaincode server from the environment, read through getenv.
func newServer(getenv func(string) string) (*shim.ChaincodeServer, error) {
	var problems []string
	addr := getenv("CHAINCODE_SERVER_ADDRESS")
	if addr == "" {
		problems = append(problems, "CHAINCODE_SERVER_ADDRESS is not set")
	}
	ccid := getenv("CHAINCODE_ID")
	if ccid == "" {
		ccid = getenv("CORE_CHAINCODE_ID_NAME")
	}
	if ccid == "" {
		problems = append(problems, "CHAINCODE_ID (or CORE_CHAINCODE_ID_NAME) is not set")
	}
	tlsProps := shim.TLSProperties{}
	if v := getenv("CHAINCODE_TLS_DISABLED"); v != "" {
		disabled, err := strconv.ParseBool(v)
		if err != nil {
			problems = append(problems, fmt.Sprintf("CHAINCODE_TLS_DISABLED=%q is not true or false", v))
		}
		tlsProps.Disabled = disabled
	}
	if !tlsProps.Disabled {
		for _, f := range []struct {
			env  string
			dst  *[]byte
			must bool
		}{
			{"CHAINCODE_TLS_CERT", &tlsProps.Cert, true},
			{"CHAINCODE_TLS_KEY", &tlsProps.Key, true},
			{"CHAINCODE_TLS_CLIENT_CACERT", &tlsProps.ClientCACerts, false},
		} {
			path := getenv(f.env)
			if path == "" {
				if f.must {
					problems = append(problems, f.env+" is not set (or set CHAINCODE_TLS_DISABLED=true)")
				}
				continue
			}
			b, err := os.ReadFile(path)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", f.env, err))
				continue
			}
			if !strings.Contains(string(b), "-----BEGIN ") {
				problems = append(problems, fmt.Sprintf("%s: %s is not a PEM file", f.env, path))
				continue
			}
			*f.dst = b
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	cc, err := contract.NewChaincode()
	if err != nil {
		return nil, fmt.Errorf("building the contract: %w", err)
	}
	return &shim.ChaincodeServer{CCID: ccid, Address: addr, CC: cc, TLSProps: tlsProps}, nil
}
