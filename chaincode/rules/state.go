package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// The checker's reads: a read model is compared with the chaincode's state by enumerating every key
// of the namespace with the hash of its value (ListStateKeys) and by the digests of given keys, their
// private values' included (GetStateDigests). Any member may call them: every member's identity
// reads the same public state through the queries already (A3, V1), and a private value's hash is on
// every peer and in every block (V2 keeps the values, not their hashes, private).

// collectionPattern is the form of a collection's name that GetStateDigests accepts.
var collectionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ListStateKeys lists one page of the keys of one family of the public state (api.StateFamilies), or
// of the simple keys (family ""), in key order, each with the SHA-256 of its value. pageSize is 1 to
// api.MaxKeyPageSize (0 for api.DefaultKeyPageSize); the bookmark is the peer's ("" for the first page;
// "" in the answer after the last).
func (s *Service) ListStateKeys(family string, size int32, bookmark string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	if family != "" && !slices.Contains(api.StateFamilies, family) {
		return "", api.Invalid("family", `must be "" (the simple keys) or one of the families of the state: `+
			strings.Join(api.StateFamilies, ", "))
	}
	n := size
	switch {
	case n == 0:
		n = api.DefaultKeyPageSize
	case n < 0 || n > api.MaxKeyPageSize:
		return "", api.Invalid("pageSize", fmt.Sprintf("must be from 1 to %d (0 for %d)", api.MaxKeyPageSize, api.DefaultKeyPageSize))
	}
	if len(bookmark) > 4096 {
		return "", api.Invalid("bookmark", "is too long")
	}
	var page []KV
	var next string
	var err error
	if family == "" {
		page, next, err = s.l.SimpleKeysPage(n, bookmark)
	} else {
		page, next, err = s.l.ScanValuesPage(family, nil, n, bookmark)
	}
	if err != nil {
		return "", internal("scan", err)
	}
	out := api.StateKeyPage{Bookmark: next, Count: len(page), Family: family, Items: make([]api.StateKey, 0, len(page))}
	for _, kv := range page {
		sum := sha256.Sum256(kv.Value)
		out.Items = append(out.Items, api.StateKey{Key: kv.Key, SHA256: hex.EncodeToString(sum[:])})
	}
	return marshal(out)
}

// GetStateDigests answers, for each key of keys (a JSON array of 1 to api.MaxDigestKeys keys, as
// ListStateKeys lists them), whether it exists in the public state and the SHA-256 of its value, and
// for each collection of collections (a JSON array of at most api.MaxDigestCollections names, may be
// "" or "[]") the hash of its private value under the same key.
func (s *Service) GetStateDigests(keys, collections string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	var ks, cs []string
	if err := DecodeStrict("keys", keys, &ks); err != nil {
		return "", err
	}
	if collections != "" {
		if err := DecodeStrict("collections", collections, &cs); err != nil {
			return "", err
		}
	}
	var c check
	c.count("keys", len(ks), 1, api.MaxDigestKeys)
	c.count("collections", len(cs), 0, api.MaxDigestCollections)
	for i, name := range cs {
		if !collectionPattern.MatchString(name) {
			c.fail(fmt.Sprintf("collections[%d]", i), "must be a collection's name: "+collectionPattern.String())
		}
	}
	if c.err != nil {
		return "", c.err
	}
	out := api.KeyDigests{Items: make([]api.KeyDigest, 0, len(ks))}
	for _, k := range ks {
		d, err := s.digest(k, cs)
		if err != nil {
			return "", err
		}
		out.Items = append(out.Items, d)
	}
	return marshal(out)
}

func (s *Service) digest(key string, collections []string) (api.KeyDigest, error) {
	d := api.KeyDigest{Key: key}
	if key == "" {
		return d, api.Invalid("keys", "a key is never empty")
	}
	v, err := s.l.GetState(key)
	if err != nil {
		return d, internal("get state", err)
	}
	if v != nil {
		sum := sha256.Sum256(v)
		d.Exists, d.SHA256 = true, hex.EncodeToString(sum[:])
	}
	for _, coll := range collections {
		h, err := s.l.GetPrivateHash(coll, key)
		if err != nil {
			return d, internal("get private data hash", err)
		}
		pd := api.PrivateDigest{Collection: coll, Exists: h != nil}
		if h != nil {
			pd.SHA256 = hex.EncodeToString(h)
		}
		d.Private = append(d.Private, pd)
	}
	return d, nil
}
