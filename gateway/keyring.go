package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// Caller is the identity an API key is bound to.
type Caller struct {
	// Name is the enrolled identity's name in this organization, e.g. officer1.
	Name string
	// Role is its ipledger.role (informative: the chaincode reads the role from the certificate).
	Role string
	// MSPID is the organization.
	MSPID string
	// KeyID names the API key the request came with (the keys file's id, or config:<name> for a key
	// given in the identity's apiKeySha256).
	KeyID string
}

// Keyring finds the identity bound to an API key. It holds only the keys' SHA-256 hashes and compares
// them in constant time, trying every key so that the time taken does not depend on which one matched.
// Its keys can be replaced while it serves ([Keyring.PrepareSwap]): a lookup sees either the old set or
// the new one, never a mix. Expiry is checked at each request against the clock, so an expiry takes
// effect at its instant without any reload.
type Keyring struct {
	mspID   string // the organization's, read once at start as the ledger's is
	entries atomic.Pointer[[]keyEntry]
	now     func() time.Time
}

type keyEntry struct {
	hash    [sha256.Size]byte
	caller  Caller
	expires *time.Time
	revoked bool
}

// NewKeyring builds a keyring from the configured identities (their apiKeySha256) and the records of
// the keys file.
func NewKeyring(mspID string, ids []IdentityConfig, keys ...KeyRecord) (*Keyring, error) {
	entries, err := keyEntries(mspID, ids, keys)
	if err != nil {
		return nil, err
	}
	k := &Keyring{mspID: mspID, now: time.Now}
	k.entries.Store(&entries)
	return k, nil
}

// keyEntries binds each key to its identity. A record whose identity the gateway does not serve (a
// user revoked and dropped from the configuration) is kept as revoked: its holder is told so.
func keyEntries(mspID string, ids []IdentityConfig, keys []KeyRecord) ([]keyEntry, error) {
	var entries []keyEntry
	byName := map[string]IdentityConfig{}
	for _, id := range ids {
		byName[id.Name] = id
		if id.APIKeySHA256 == "" {
			continue
		}
		e, err := entryOf(id.APIKeySHA256)
		if err != nil {
			return nil, fmt.Errorf("identity %s: apiKeySha256 %w", id.Name, err)
		}
		e.caller = Caller{Name: id.Name, Role: id.Role, MSPID: mspID, KeyID: "config:" + id.Name}
		entries = append(entries, e)
	}
	for _, r := range keys {
		e, err := entryOf(r.SHA256)
		if err != nil {
			return nil, fmt.Errorf("key %s: sha256 %w", r.ID, err)
		}
		id, served := byName[r.Identity]
		e.caller = Caller{Name: r.Identity, Role: id.Role, MSPID: mspID, KeyID: r.ID}
		e.expires, e.revoked = r.Expires, r.Revoked || !served
		entries = append(entries, e)
	}
	return entries, nil
}

func entryOf(hexHash string) (keyEntry, error) {
	raw, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(hexHash)))
	if err != nil || len(raw) != sha256.Size {
		return keyEntry{}, fmt.Errorf("is not a hex SHA-256")
	}
	var e keyEntry
	copy(e.hash[:], raw)
	return e, nil
}

// PrepareSwap builds the keys of cfg's identities and keys file; the returned function makes them the
// keyring's. The organization stays the one the keyring was made for (mspId is read at start only).
func (k *Keyring) PrepareSwap(cfg *Config) (func(), error) {
	entries, err := keyEntries(k.mspID, cfg.Identities, cfg.Keys)
	if err != nil {
		return nil, err
	}
	return func() { k.entries.Store(&entries) }, nil
}

// Authenticate returns the identity bound to key, or false when the key is unknown, expired or revoked.
func (k *Keyring) Authenticate(key string) (Caller, bool) {
	c, s := k.Check(key)
	return c, s == KeyValid
}

// Check returns the identity bound to key and the key's state now; the caller is set only for a
// valid key.
func (k *Keyring) Check(key string) (Caller, KeyState) {
	if key == "" {
		return Caller{}, KeyUnknown
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
		return Caller{}, KeyUnknown
	}
	e := entries[found]
	switch {
	case e.revoked:
		return Caller{}, KeyRevoked
	case e.expires != nil && !k.now().Before(*e.expires):
		return Caller{}, KeyExpired
	}
	return e.caller, KeyValid
}
