package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
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
type Keyring struct {
	entries []keyEntry
}

type keyEntry struct {
	hash   [sha256.Size]byte
	caller Caller
}

// NewKeyring builds a keyring from the configured identities.
func NewKeyring(mspID string, ids []IdentityConfig) (*Keyring, error) {
	k := &Keyring{}
	for _, id := range ids {
		raw, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(id.APIKeySHA256)))
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("identity %s: apiKeySha256 is not a hex SHA-256", id.Name)
		}
		var e keyEntry
		copy(e.hash[:], raw)
		e.caller = Caller{Name: id.Name, Role: id.Role, MSPID: mspID}
		k.entries = append(k.entries, e)
	}
	return k, nil
}

// Authenticate returns the identity bound to key, or false.
func (k *Keyring) Authenticate(key string) (Caller, bool) {
	if key == "" {
		return Caller{}, false
	}
	sum := sha256.Sum256([]byte(key))
	found := -1
	for i := range k.entries {
		if subtle.ConstantTimeCompare(sum[:], k.entries[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Caller{}, false
	}
	return k.entries[found].caller, true
}
