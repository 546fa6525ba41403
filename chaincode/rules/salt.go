package rules

import (
	"encoding/hex"
	"fmt"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// MinSaltDistinctBytes is the fewest distinct byte values a salt may hold (V2). Sixteen random bytes
// hold fewer than 8 distinct values with probability 6.4e-13, so an honest salt is not refused.
const MinSaltDistinctBytes = 8

// salt checks the salt of private terms (V2). It keeps the public termsHash from being inverted by
// trying amounts: it must be 16 to 64 bytes, written as 32 to 128 lower-case hex digits, and not
// trivially weak ([weakSalt]). A salt refused is INVALID_ARGUMENT on field terms.salt, details.rule V2
// and details.reason salt-format or weak-salt; nothing is decided, so the request may be sent again
// under its request id with a good salt.
func (c *check) salt(field, s string) {
	if c.err != nil {
		return
	}
	if !saltPattern.MatchString(s) {
		c.err = saltRefusal("salt-format", field, "must be 32 to 128 lower-case hex digits (16 to 64 bytes, an even number of "+
			"digits), drawn at random; leave it out and the gateway draws one")
		return
	}
	b, _ := hex.DecodeString(s)
	if why := weakSalt(b); why != "" {
		c.err = saltRefusal("weak-salt", field, why+": draw at least 16 bytes from a cryptographically secure random "+
			"generator, or leave the salt out and the gateway draws one")
	}
}

func saltRefusal(reason, field, msg string) *api.Error {
	e := api.Invalid(field, msg)
	e.Details["rule"], e.Details["reason"] = "V2", reason
	return e
}

// weakSalt says why a salt is trivially weak, or "" when it is not. It catches accidents, not every
// chosen value: a salt with fewer than [MinSaltDistinctBytes] distinct bytes (all zeros, "deadbeef"
// repeated), a block repeated (a period of at most half its length), or a counter (every byte the
// previous plus one constant, modulo 256). A random salt of 16 bytes is refused with probability below
// 1e-12 (docs/terms-hash.md).
func weakSalt(b []byte) string {
	seen := map[byte]bool{}
	for _, x := range b {
		seen[x] = true
	}
	if len(seen) < MinSaltDistinctBytes {
		return fmt.Sprintf("is too weak: it holds %d distinct byte values, at least %d are required", len(seen), MinSaltDistinctBytes)
	}
	for p := 1; p <= len(b)/2; p++ {
		if periodic(b, p) {
			return fmt.Sprintf("is too weak: a block of %d bytes repeated", p)
		}
	}
	step, counter := b[1]-b[0], true
	for i := 2; i < len(b) && counter; i++ {
		counter = b[i]-b[i-1] == step
	}
	if counter {
		return "is too weak: a counting sequence"
	}
	return ""
}

func periodic(b []byte, p int) bool {
	for i := p; i < len(b); i++ {
		if b[i] != b[i-p] {
			return false
		}
	}
	return true
}
