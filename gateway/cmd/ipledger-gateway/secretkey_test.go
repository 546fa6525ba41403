package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The terms salt key is made once (0600) and read at every start after; a file that is there but is
// not a key (another length, unreadable) is an error, never replaced: replacing it would change the
// salt of every request id without a word.
func TestSecretKey_MadeOnceNeverReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "terms-salt.key")
	first, err := secretKey(path)
	if err != nil || len(first) != 32 {
		t.Fatalf("first start: %d bytes, %v", len(first), err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v %v", fi.Mode(), err)
	}
	again, err := secretKey(path)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("a restart reads another key: %v", err)
	}

	// The key copied from another gateway hex-encoded: 64 bytes. Refused, and left as it is.
	copied := []byte(hex.EncodeToString(first))
	if err := os.WriteFile(path, copied, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := secretKey(path); err == nil || !strings.Contains(err.Error(), "not 32") {
		t.Fatalf("a key of 64 bytes: %v", err)
	}
	if raw, _ := os.ReadFile(path); !bytes.Equal(raw, copied) {
		t.Fatal("the file that was not a key was replaced")
	}

	// A key the gateway cannot read: refused, and left as it is.
	if err := os.WriteFile(path, first, 0o000); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o000); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 { // root reads it whatever its mode
		if _, err := secretKey(path); err == nil {
			t.Fatal("an unreadable key file was taken")
		}
		_ = os.Chmod(path, 0o600)
		if raw, _ := os.ReadFile(path); !bytes.Equal(raw, first) {
			t.Fatal("the unreadable key file was replaced")
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".terms-salt-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
