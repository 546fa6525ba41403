// Command kvcc is a benchmark fixture, not part of IPLedger: the trivial key-value chaincode the
// benchmark (`scripts/ipledger bench --workload register`) measures IPLedger's registrations against,
// on the same network with the same number of endorsements. Its one transaction, Put(key, value),
// writes one key if it is new and nothing else: no rule, no index, no key-level policy, no event. It
// runs as a chaincode server (chaincode as a service) like ipledger-cc, one per organization, deployed
// by netctl's DeployExtraChaincode.
//
// Environment (as ipledger-cc's):
//
//	CHAINCODE_SERVER_ADDRESS     listen address (required)
//	CHAINCODE_ID                 the chaincode package id (or CORE_CHAINCODE_ID_NAME; required)
//	CHAINCODE_TLS_CERT           PEM file of the server certificate (required)
//	CHAINCODE_TLS_KEY            PEM file of the server key (required)
//	CHAINCODE_TLS_CLIENT_CACERT  PEM file of the CA of the peers' client certificates (required)
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// kv is the chaincode.
type kv struct{}

// Init does nothing: a chaincode of Fabric 2 and later is not initialized by the lifecycle.
func (kv) Init(shim.ChaincodeStubInterface) *peer.Response { return shim.Success(nil) }

// Invoke serves Put(key, value), which writes a new key (a key that exists is refused, as a right
// that exists is: one read, one write), and Get(key).
func (kv) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	fn, args := stub.GetFunctionAndParameters()
	switch {
	case fn == "Put" && len(args) == 2:
		old, err := stub.GetState(args[0])
		if err != nil {
			return shim.Error(err.Error())
		}
		if old != nil {
			return shim.Error(fmt.Sprintf("key %q exists", args[0]))
		}
		if err := stub.PutState(args[0], []byte(args[1])); err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(nil)
	case fn == "Get" && len(args) == 1:
		v, err := stub.GetState(args[0])
		if err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(v)
	}
	return shim.Error(fmt.Sprintf("unknown call %s with %d arguments: Put(key, value) or Get(key)", fn, len(args)))
}

func main() {
	if err := serve(os.Getenv); err != nil {
		log.Fatal(err)
	}
}

func serve(getenv func(string) string) error {
	ccid := getenv("CHAINCODE_ID")
	if ccid == "" {
		ccid = getenv("CORE_CHAINCODE_ID_NAME")
	}
	files := map[string][]byte{}
	for _, env := range []string{"CHAINCODE_TLS_CERT", "CHAINCODE_TLS_KEY", "CHAINCODE_TLS_CLIENT_CACERT"} {
		raw, err := os.ReadFile(getenv(env))
		if err != nil {
			return fmt.Errorf("%s: %w", env, err)
		}
		files[env] = raw
	}
	if getenv("CHAINCODE_SERVER_ADDRESS") == "" || ccid == "" {
		return fmt.Errorf("CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID must be set")
	}
	s := &shim.ChaincodeServer{CCID: ccid, Address: getenv("CHAINCODE_SERVER_ADDRESS"), CC: kv{},
		TLSProps: shim.TLSProperties{Key: files["CHAINCODE_TLS_KEY"], Cert: files["CHAINCODE_TLS_CERT"],
			ClientCACerts: files["CHAINCODE_TLS_CLIENT_CACERT"]}}
	log.Printf("kvcc (benchmark fixture) serving %s at %s", ccid, s.Address)
	return s.Start()
}
