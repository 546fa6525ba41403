package gateway

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// KeyRecord is one API key of the keys file (Config.KeysFile): the SHA-256 of the key, never the key,
// bound to one of the gateway's identities. `scripts/ipledger key issue|expire|rotate|revoke` (netctl)
// writes the file; the gateway reads it at start and on every reload (SIGHUP).
type KeyRecord struct {
	// ID names the key in lists and commands (k- and 12 hex digits); it is not secret.
	ID string `yaml:"id"`
	// Identity is the name of the identity the key acts as (one of Config.Identities).
	Identity string `yaml:"identity"`
	// SHA256 is the hex SHA-256 of the key.
	SHA256 string `yaml:"sha256"`
	// Created is when the key was issued.
	Created time.Time `yaml:"created"`
	// Expires, when set, is the instant from which the key is refused (401, "the API key has expired").
	Expires *time.Time `yaml:"expires,omitempty"`
	// Revoked keys are refused (401, "the API key has been revoked"); RevokedAt says since when.
	Revoked   bool       `yaml:"revoked,omitempty"`
	RevokedAt *time.Time `yaml:"revokedAt,omitempty"`
	// ReplacedBy is the key that a rotation issued in this one's place.
	ReplacedBy string `yaml:"replacedBy,omitempty"`
	// Note says where the key came from: "dev" for the key netctl keeps in the user's api-key file on
	// a one-machine development network, "issued" or "rotated" otherwise.
	Note string `yaml:"note,omitempty"`
}

// State is the key's state at instant now: valid, expired or revoked.
func (r KeyRecord) State(now time.Time) KeyState {
	switch {
	case r.Revoked:
		return KeyRevoked
	case r.Expires != nil && !now.Before(*r.Expires):
		return KeyExpired
	default:
		return KeyValid
	}
}

// HashTail is the last four hex digits of the key's hash: enough to tell keys apart in a list, nothing
// to guess the key from.
func (r KeyRecord) HashTail() string {
	if len(r.SHA256) < 4 {
		return r.SHA256
	}
	return r.SHA256[len(r.SHA256)-4:]
}

// KeyState is what a key is worth at the gateway.
type KeyState int

// The states of an API key. KeyUnknown: no key of the gateway has this hash.
const (
	KeyUnknown KeyState = iota
	KeyValid
	KeyExpired
	KeyRevoked
)

func (s KeyState) String() string {
	return [...]string{"unknown", "valid", "expired", "revoked"}[s]
}

// Keys is the content of a keys file.
type Keys struct {
	Keys []KeyRecord `yaml:"keys"`
}

// LoadKeys reads a keys file; a file that does not exist is an empty one.
func LoadKeys(path string) (*Keys, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Keys{}, nil
	}
	if err != nil {
		return nil, err
	}
	var k Keys
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&k); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &k, nil
}

// Save writes the keys file whole (mode 0600, replaced by a rename, so that a gateway reading it at
// that moment reads the old file or the new one).
func (k *Keys) Save(path string) error {
	raw, err := yaml.Marshal(k)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Find returns the record with id, or nil.
func (k *Keys) Find(id string) *KeyRecord {
	for i := range k.Keys {
		if k.Keys[i].ID == id {
			return &k.Keys[i]
		}
	}
	return nil
}

// Validate reports records without an id or identity, hashes that are not SHA-256, and ids or
// hashes that repeat.
func (k *Keys) Validate() error {
	var errs []error
	ids, hashes := map[string]int{}, map[string]int{}
	for i, r := range k.Keys {
		p := fmt.Sprintf("keys[%d]", i)
		if r.ID == "" || r.Identity == "" {
			errs = append(errs, fmt.Errorf("%s: id and identity are required", p))
		}
		if raw, err := hex.DecodeString(r.SHA256); err != nil || len(raw) != sha256.Size {
			errs = append(errs, fmt.Errorf("%s (%s): sha256 must be 64 hex digits", p, r.ID))
		}
		if j, dup := ids[r.ID]; dup {
			errs = append(errs, fmt.Errorf("%s: id %s is keys[%d]'s too", p, r.ID, j))
		}
		if j, dup := hashes[strings.ToLower(r.SHA256)]; dup {
			errs = append(errs, fmt.Errorf("%s (%s): the same key as keys[%d]", p, r.ID, j))
		}
		ids[r.ID], hashes[strings.ToLower(r.SHA256)] = i, i
	}
	return errors.Join(errs...)
}

// NewAPIKey makes a key (ipl_ and 256 random bits, base64url) and its record for identity; the key is
// returned once, to be shown to its holder, and is kept nowhere.
func NewAPIKey(identity, note string, now time.Time, expires *time.Time) (string, KeyRecord, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", KeyRecord{}, err
	}
	key := "ipl_" + base64.RawURLEncoding.EncodeToString(b)
	return key, RecordOf(key, identity, note, now, expires), nil
}

// RecordOf is the record of an existing key (its hash, a fresh id).
func RecordOf(key, identity, note string, now time.Time, expires *time.Time) KeyRecord {
	sum := sha256.Sum256([]byte(key))
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	return KeyRecord{ID: "k-" + hex.EncodeToString(id), Identity: identity, SHA256: hex.EncodeToString(sum[:]),
		Created: now.UTC().Truncate(time.Second), Expires: expires, Note: note}
}
