package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/gowebpki/jcs"
	api "github.com/ipledger/ipledger/chaincode/api"
)

// Encodings of private terms that a terms hash may have been computed over (V2).
const (
	// TermsEncoding is the canonical encoding every terms hash is made with: RFC 8785, the JSON
	// Canonicalization Scheme (members sorted by name, no white space, strings escaped as ECMAScript's
	// JSON.stringify does: only '"', '\' and control characters). Any language reproduces it.
	TermsEncoding = "rfc8785"
	// LegacyTermsEncoding is the encoding hashes were made with before: Go's encoding/json, which also
	// writes '<', '>', '&', U+2028 and U+2029 as \u escapes. A record hashed so keeps its hash; the
	// chaincode still verifies it (docs/terms-hash.md).
	LegacyTermsEncoding = "go-json"
)

// CanonicalTerms is the byte string a terms hash is the SHA-256 of: the RFC 8785 canonical JSON of the
// terms as parsed (money in canonical form, absent optional members left out), salt included.
func CanonicalTerms(t api.Terms) []byte {
	b, err := json.Marshal(t) // only strings and objects of strings: cannot fail
	if err != nil {
		panic(err)
	}
	c, err := jcs.Transform(b)
	if err != nil { // json.Marshal's output is well-formed I-JSON
		panic(err)
	}
	return c
}

// TermsHash is the public fingerprint of private terms: the SHA-256, in lower-case hex, of their
// canonical JSON ([CanonicalTerms], RFC 8785), salt included (V2).
func TermsHash(t api.Terms) string {
	sum := sha256.Sum256(CanonicalTerms(t))
	return hex.EncodeToString(sum[:])
}

// legacyTermsHash is the hash of the terms under [LegacyTermsEncoding].
func legacyTermsHash(t api.Terms) string {
	b, _ := json.Marshal(t)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// termsEncodingOf names the encoding under which t hashes to hash, or "" when it hashes to it under
// none. Accepting both is unambiguous: each encoding's bytes are JSON that decodes to the terms it
// encodes, so equal bytes (and, short of a SHA-256 collision, equal hashes) mean equal terms.
func termsEncodingOf(t api.Terms, hash string) string {
	switch hash {
	case TermsHash(t):
		return TermsEncoding
	case legacyTermsHash(t):
		return LegacyTermsEncoding
	}
	return ""
}
