package gateway

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A key is valid until its expiry instant, and refused from it on, without any reload; a revoked key
// is refused whatever its expiry; a key of an identity the gateway does not serve counts as revoked;
// an unknown key is unknown. Every refusal carries no caller.
func TestKeyring_EachKeyState(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	exp := t0.Add(time.Hour)
	valid := RecordOf("ipl_a", "officer1", "issued", t0, nil)
	expiring := RecordOf("ipl_b", "officer1", "issued", t0, &exp)
	revoked := RecordOf("ipl_c", "officer1", "issued", t0, nil)
	revoked.Revoked = true
	orphan := RecordOf("ipl_d", "officer9", "issued", t0, nil)
	k, err := NewKeyring("Bank1MSP", []IdentityConfig{{Name: "officer1", Role: "loan-officer"}}, valid, expiring, revoked, orphan)
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	k.now = func() time.Time { return now }
	check := func(key string, want KeyState) {
		t.Helper()
		c, s := k.Check(key)
		if s != want {
			t.Fatalf("%s at %s: %s, want %s", key, now.Format(time.RFC3339), s, want)
		}
		if (s == KeyValid) != (c.Name == "officer1") {
			t.Fatalf("%s: %s with caller %+v", key, s, c)
		}
		if s == KeyValid && (c.KeyID == "" || c.MSPID != "Bank1MSP" || c.Role != "loan-officer") {
			t.Fatalf("%s: caller %+v", key, c)
		}
	}
	check("ipl_a", KeyValid)
	check("ipl_b", KeyValid)
	check("ipl_c", KeyRevoked)
	check("ipl_d", KeyRevoked)
	check("ipl_e", KeyUnknown)
	check("", KeyUnknown)
	now = exp.Add(-time.Nanosecond)
	check("ipl_b", KeyValid)
	now = exp
	check("ipl_b", KeyExpired)
	check("ipl_a", KeyValid)
	if _, ok := k.Authenticate("ipl_b"); ok {
		t.Fatal("Authenticate admits an expired key")
	}
	if c, _ := k.Check("ipl_a"); c.KeyID != valid.ID {
		t.Fatalf("key id %q, want %q", c.KeyID, valid.ID)
	}
}

func TestKeys_FileRoundTripAndRefusals(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.yaml")
	if k, err := LoadKeys(path); err != nil || len(k.Keys) != 0 {
		t.Fatalf("a missing keys file: %v %v", k, err)
	}
	key, rec, err := NewAPIKey("officer1", "issued", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "ipl_") || len(key) < 40 || strings.Contains(rec.SHA256, key) || rec.HashTail() != rec.SHA256[60:] {
		t.Fatalf("key %q record %+v", key, rec)
	}
	ks := &Keys{Keys: []KeyRecord{rec}}
	if err := ks.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keys file mode: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), key) {
		t.Fatal("the key itself is in the keys file")
	}
	back, err := LoadKeys(path)
	if err != nil || len(back.Keys) != 1 || back.Find(rec.ID) == nil || back.Keys[0].SHA256 != rec.SHA256 {
		t.Fatalf("read back %+v %v", back, err)
	}
	for name, body := range map[string]string{
		"no identity":   "keys:\n  - {id: k-1, sha256: " + hashA + "}\n",
		"bad hash":      "keys:\n  - {id: k-1, identity: a, sha256: abc}\n",
		"repeated id":   "keys:\n  - {id: k-1, identity: a, sha256: " + hashA + "}\n  - {id: k-1, identity: a, sha256: " + hashB + "}\n",
		"repeated key":  "keys:\n  - {id: k-1, identity: a, sha256: " + hashA + "}\n  - {id: k-2, identity: b, sha256: " + hashA + "}\n",
		"unknown field": "keys:\n  - {id: k-1, identity: a, sha256: " + hashA + ", key: ipl_x}\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadKeys(path); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// A change of the keys file is taken by a reload: a key issued is admitted, a key revoked is refused
// as revoked; a keys file that does not load leaves the keys in force.
func TestReload_TakesTheKeysFile(t *testing.T) {
	none := func(string) string { return "" }
	path := writeConfig(t, configYAML+"keysFile: keys.yaml\n")
	keysPath := filepath.Join(filepath.Dir(path), "keys.yaml")
	start, err := LoadConfig(path, none)
	if err != nil {
		t.Fatal(err)
	}
	if start.KeysFile != keysPath || len(start.Keys) != 0 || start.ReadyInterval != 5*time.Second {
		t.Fatalf("keysFile %q keys %d readyInterval %s", start.KeysFile, len(start.Keys), start.ReadyInterval)
	}
	k, err := NewKeyring(start.MSPID, start.Identities, start.Keys...)
	if err != nil {
		t.Fatal(err)
	}
	key, rec, err := NewAPIKey("officer1", "issued", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, s := k.Check(key); s != KeyUnknown {
		t.Fatalf("before issue: %s", s)
	}
	ks := &Keys{Keys: []KeyRecord{rec}}
	if err := ks.Save(keysPath); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Reload(path, none, start, k); err != nil {
		t.Fatal(err)
	}
	if c, s := k.Check(key); s != KeyValid || c.KeyID != rec.ID {
		t.Fatalf("after issue and reload: %s %+v", s, c)
	}
	if _, s := k.Check("test"); s != KeyValid {
		t.Fatalf("the identity's own apiKeySha256 beside the keys file: %s", s)
	}
	ks.Keys[0].Revoked = true
	if err := ks.Save(keysPath); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Reload(path, none, start, k); err != nil {
		t.Fatal(err)
	}
	if _, s := k.Check(key); s != KeyRevoked {
		t.Fatalf("after revoke and reload: %s", s)
	}
	if err := os.WriteFile(keysPath, []byte("keys: [{id: x}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Reload(path, none, start, k); err == nil || !strings.Contains(err.Error(), "keysFile") {
		t.Fatalf("a broken keys file: %v", err)
	}
	if _, s := k.Check(key); s != KeyRevoked {
		t.Fatalf("a refused reload changed the keys: %s", s)
	}
}
