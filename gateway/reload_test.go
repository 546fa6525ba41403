package gateway

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

const hashB = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752" // sha256("test2")

// part is a Swapper that refuses when told to, and records what it took.
type part struct {
	refuse error
	took   []string
}

func (p *part) PrepareSwap(cfg *Config) (func(), error) {
	if p.refuse != nil {
		return nil, p.refuse
	}
	return func() {
		p.took = nil
		for _, id := range cfg.Identities {
			p.took = append(p.took, id.Name)
		}
	}, nil
}

// A reload swaps the API keys and identities into every part at once; a file that does not load, or a
// part that refuses, leaves every part as it was.
func TestReload_AllPartsOrNone(t *testing.T) {
	none := func(string) string { return "" }
	path := writeConfig(t, configYAML)
	start, err := LoadConfig(path, none)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := NewKeyring(start.MSPID, start.Identities)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := keys.Authenticate("test"); !ok {
		t.Fatal("the first key is not accepted")
	}
	// officer1's key replaced by another, officer2 added.
	next := strings.Replace(configYAML, hashA, hashB, 1) +
		"  - {name: officer2, role: loan-officer, certificate: u/c2.pem, privateKey: u/k2.pem, apiKeySha256: " + hashA + "}\n"
	if err := os.WriteFile(path, []byte(next), 0o600); err != nil {
		t.Fatal(err)
	}
	refusing := &part{refuse: errors.New("identity officer2: open u/c2.pem: no such file or directory")}
	if _, _, err := Reload(path, none, start, keys, refusing); err == nil || !strings.Contains(err.Error(), "u/c2.pem") {
		t.Fatalf("a refused reload: %v", err)
	}
	if c, ok := keys.Authenticate("test"); !ok || c.Name != "officer1" {
		t.Fatal("a refused reload changed the keyring")
	}
	ledger := &part{}
	cfg, restart, err := Reload(path, none, start, keys, ledger)
	if err != nil {
		t.Fatal(err)
	}
	if len(restart) != 0 || len(cfg.Identities) != 2 || !slices.Equal(ledger.took, []string{"officer1", "officer2"}) {
		t.Fatalf("reload: restart %v, identities %v, ledger took %v", restart, cfg.Identities, ledger.took)
	}
	if c, ok := keys.Authenticate("test"); !ok || c.Name != "officer2" {
		t.Fatalf("the key now bound to officer2: %+v %v", c, ok)
	}
	if c, ok := keys.Authenticate("test2"); !ok || c.Name != "officer1" {
		t.Fatalf("officer1's new key: %+v %v", c, ok)
	}
	// A file that does not load: nothing changes.
	if err := os.WriteFile(path, []byte("listen: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Reload(path, none, start, keys, ledger); err == nil {
		t.Fatal("a malformed file was reloaded")
	}
	if c, ok := keys.Authenticate("test2"); !ok || c.Name != "officer1" || len(ledger.took) != 2 {
		t.Fatal("a malformed file changed the gateway")
	}
	// Settings read at start only are named, not taken.
	if err := os.WriteFile(path, []byte(strings.Replace(configYAML, "127.0.0.1:7025", "127.0.0.1:7026", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, restart, err := Reload(path, none, start, keys, ledger); err != nil || !slices.Equal(restart, []string{"listen"}) {
		t.Fatalf("a changed listen address: %v %v", restart, err)
	}
}
