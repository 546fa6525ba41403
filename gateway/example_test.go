package gateway_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ipledger/ipledger/gateway"
)

// A gateway's configuration as `scripts/ipledger up` writes it, abridged: what the file leaves out
// takes its default, the environment (IPLEDGER_GATEWAY_*) overrides scalar settings, and relative
// paths are relative to the file's directory.
func ExampleLoadConfig() {
	dir, err := os.MkdirTemp("", "gateway-config")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Each identity is bound to the SHA-256 of its API key; the key itself is not in the file.
	keyHash := sha256.Sum256([]byte("ipl_demo"))
	yaml := `listen: 127.0.0.1:7025
mspId: Bank1MSP
peer: {address: 127.0.0.1:7022, tlsCACert: tls/ca.pem}
channel: ipledger
chaincode: ipledger
tls: {certificate: tls/server.pem, privateKey: tls/server.key}
identities:
  - {name: officer1, role: loan-officer, certificate: users/officer1/cert.pem, privateKey: users/officer1/key.pem,
     apiKeySha256: ` + hex.EncodeToString(keyHash[:]) + `}
`
	path := filepath.Join(dir, "gateway.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		log.Fatal(err)
	}

	// In the gateway getenv is os.Getenv; here a fixed environment with two overrides.
	env := map[string]string{"IPLEDGER_GATEWAY_LISTEN": "127.0.0.1:8025", "IPLEDGER_GATEWAY_COMMITTIMEOUT": "45s"}
	cfg, err := gateway.LoadConfig(path, func(name string) string { return env[name] })
	if err != nil {
		log.Fatal(err)
	}
	rel := func(p string) string { // the paths are absolute: shown relative to the temporary directory
		r, err := filepath.Rel(dir, p)
		if err != nil {
			log.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	fmt.Println("listen:", cfg.Listen)
	fmt.Println("msp:", cfg.MSPID, "peer:", cfg.Peer.Address)
	fmt.Println("commit timeout:", cfg.CommitTimeout, "endorse timeout:", cfg.EndorseTimeout)
	fmt.Println("max body bytes:", cfg.MaxBodyBytes, "max retries:", cfg.MaxRetries, "log level:", cfg.LogLevel)
	fmt.Println("peer TLS CA:", rel(cfg.Peer.TLSCACert))
	fmt.Println("officer1 certificate:", rel(cfg.Identities[0].Certificate))
	fmt.Println("HTTPS certificate:", rel(cfg.TLS.Certificate))
	// Output:
	// listen: 127.0.0.1:8025
	// msp: Bank1MSP peer: 127.0.0.1:7022
	// commit timeout: 45s endorse timeout: 15s
	// max body bytes: 1048576 max retries: 5 log level: info
	// peer TLS CA: tls/ca.pem
	// officer1 certificate: users/officer1/cert.pem
	// HTTPS certificate: tls/server.pem
}
