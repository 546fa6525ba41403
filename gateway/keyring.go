package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"
)

// Caller is the identity an API key is bound to.
type Caller struct {
	// Name is the enrolled identity's name in this organization, e.g. officer1.
	Name string
	// Role is its ipledger.role (informative: the chaincode reads the role from the certificate).
	Role string
	// MSPID is the organization.
	MSPID string
}

// Keyring finds the identity bound to an API key. It holds only the keys' SHA-256 hashes and compares
// them in constant time, trying every key so that the time taken does not depend on which one matched.
// Its keys can be replaced while it serves ([Keyring.PrepareSwap]): a lookup sees either the old set or
// the new one, never a mix.
type Keyring struct {
	mspID   string // the organization's, read once at start as the ledger's is
	entries atomic.Pointer[[]keyEntry]
}

type keyEntry struct {
	hash   [sha256.Size]byte
	caller Caller
}

// NewKeyring builds a keyring from the configured identities.
func NewKeyring(mspID string, ids []IdentityConfig) (*Keyring, error) {
	entries, err := keyEntries(mspID, ids)
	if err != nil {
		return nil, err
	}
	k := &Keyring{mspID: mspID}
	k.entries.Store(&entries)
	return k, nil
}

func keyEntries(mspID string, ids []IdentityConfig) ([]keyEntry, error) {
	var entries []keyEntry
	for _, id := range ids {
		raw, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(id.APIKeySHA256)))
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("identity %s: apiKeySha256 is not a hex SHA-256", id.Name)
		}
		var e keyEntry
		copy(e.hash[:], raw)
		e.caller = Caller{Name: id.Name, Role: id.Role, MSPID: mspID}
		entries = append(entries, e)
	}
	return entries, nil
}

// PrepareSwap builds the keys of cfg's identities; the returned function makes them the keyring's.
// The organization stays the one the keyring was made for (mspId is read at start only).
func (k *Keyring) PrepareSwap(cfg *Config) (func(), error) {
	entries, err := keyEntries(k.mspID, cfg.Identities)
	if err != nil {
		return nil, err
	}
	return func() { k.entries.Store(&entries) }, nil
}

// Authenticate returns the identity bound to key, or false.
func (k *Keyring) Authenticate(key string) (Caller, bool) {
	if key == "" {
		return Caller{}, false
	}
	entries := *k.entries.Load()
	sum := sha256.Sum256([]byte(key))
	found := -1
	for i := range entries {
		if subtle.ConstantTimeCompare(sum[:], entries[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Caller{}, false
	}
	return entries[found].caller, true
}
