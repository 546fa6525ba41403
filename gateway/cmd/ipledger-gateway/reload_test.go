package main

import (
	"os"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/gateway"
)

const hashB = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752" // sha256("test2")

// ledgerPart stands for the ledger: at its swap it records who the keyring says the moved API key is.
type ledgerPart struct {
	keys *gateway.Keyring
	seen string
}

func (p *ledgerPart) PrepareSwap(*gateway.Config) (func(), error) {
	return func() {
		c, _ := p.keys.Authenticate("test")
		p.seen = c.Name
	}, nil
}

// When a reload moves an API key from one identity to another, the keyring is swapped before the
// ledger: no request authenticated by the old binding meets the new identities.
func TestReloadParts_TheKeyringSwapsBeforeTheLedger(t *testing.T) {
	path := writeConfig(t, "insecureHTTP: true\n")
	none := func(string) string { return "" }
	start, err := gateway.LoadConfig(path, none)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := gateway.NewKeyring(start.MSPID, start.Identities)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// officer1 gets another key; its old one ("test") goes to officer2.
	officer1 := "apiKeySha256: " + hashA + "}\n"
	next := strings.Replace(string(raw), officer1, "apiKeySha256: "+hashB+"}\n"+
		"  - {name: officer2, role: loan-officer, certificate: cert2.pem, privateKey: key2.pem, "+officer1, 1)
	if err := os.WriteFile(path, []byte(next), 0o600); err != nil {
		t.Fatal(err)
	}
	ledger := &ledgerPart{keys: keys}
	if _, _, err := gateway.Reload(path, none, start, reloadParts(keys, ledger)...); err != nil {
		t.Fatal(err)
	}
	if ledger.seen != "officer2" {
		t.Fatalf("at the ledger's swap the moved key still authenticated as %q: a request between the two swaps "+
			"would act as officer1 with its new certificate", ledger.seen)
	}
}
