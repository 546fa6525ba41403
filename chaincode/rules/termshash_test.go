package rules

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// termsHashDoc is docs/terms-hash.md.
func termsHashDoc(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "terms-hash.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

var codeBlock = regexp.MustCompile("(?s)```(\\w*)\n(.*?)\n```")

// TestV2_TermsHashVectorsInTheDocs checks every test vector of docs/terms-hash.md against the code:
// the terms as sent parse, their canonical bytes are the documented ones (as text and in hex), and
// their hash is the documented one. The vectors must keep covering what other languages get wrong.
func TestV2_TermsHashVectorsInTheDocs(t *testing.T) {
	doc := termsHashDoc(t)
	start, end := strings.Index(doc, "\n## Test vectors\n"), strings.Index(doc, "\n## Hashes made before RFC 8785\n")
	if start < 0 || end < start {
		t.Fatal("docs/terms-hash.md lacks its Test vectors section")
	}
	vectors := strings.Split(doc[start:end], "\n### Vector ")[1:]
	if len(vectors) < 5 {
		t.Fatalf("want at least 5 vectors, found %d", len(vectors))
	}
	var all []byte
	for i, v := range vectors {
		blocks := codeBlock.FindAllStringSubmatch(v, -1)
		if len(blocks) != 4 {
			t.Fatalf("vector %d: want 4 code blocks (sent, canonical, hex, hash), found %d", i+1, len(blocks))
		}
		sent, canonical := blocks[0][2], []byte(blocks[1][2])
		hexBytes, err := hex.DecodeString(strings.Join(strings.Fields(blocks[2][2]), ""))
		if err != nil {
			t.Fatalf("vector %d: hex block: %v", i+1, err)
		}
		hash := strings.TrimSpace(blocks[3][2])
		terms, err := ParseTerms([]byte(sent))
		if err != nil {
			t.Fatalf("vector %d: the terms are refused: %v", i+1, err)
		}
		got := CanonicalTerms(terms)
		if !bytes.Equal(got, canonical) || !bytes.Equal(got, hexBytes) {
			t.Fatalf("vector %d: canonical bytes differ:\ndoc:  %s\nhex:  %x\ncode: %s", i+1, canonical, hexBytes, got)
		}
		sum := sha256.Sum256(canonical)
		if hex.EncodeToString(sum[:]) != hash || TermsHash(terms) != hash {
			t.Fatalf("vector %d: documented hash %s, code %s", i+1, hash, TermsHash(terms))
		}
		all = append(all, got...)
	}
	for what, b := range map[string]string{"Chinese text": "本", "<": "<", ">": ">", "&": "&", "U+2028": "\u2028",
		"U+2029": "\u2029", `\"`: `\"`, `\\`: `\\`, `\n`: `\n`, "a character outside the BMP": "🔒", "valuation": `"valuation":{`,
		"maximumAmount": `"maximumAmount":`} {
		if !bytes.Contains(all, []byte(b)) {
			t.Errorf("no vector covers %s", what)
		}
	}
}

// TestV2_TermsHashesMadeBeforeRFC8785StillVerify: a pledge whose public hash was made with Go's
// encoding/json (as before RFC 8785) still verifies, named "go-json"; a new one is "rfc8785"; and the
// legacy hashes docs/terms-hash.md quotes are those of its vectors.
func TestV2_TermsHashesMadeBeforeRFC8785StillVerify(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	terms := termsA
	terms.Conditions = "LTV <= 60% & rate > 3.1%\u2028reviewed"
	out := e.must(e.submit(bank1, withTerms(terms), func(s *Service) (string, error) { return s.ApplyPledge(e.req(), js(application("P1"))) }))
	var p api.Pledge
	mustDecode(t, out, &p)
	view := func() api.TermsView {
		var v api.TermsView
		mustDecode(t, e.must(e.query(examiner, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })), &v)
		return v
	}
	if v := view(); !v.Verified || v.TermsEncoding != TermsEncoding || p.TermsHash != TermsHash(terms) {
		t.Fatalf("a new pledge: %+v (hash %s)", v, p.TermsHash)
	}
	legacy := legacyTermsHash(terms)
	if legacy == p.TermsHash {
		t.Fatal("the terms chosen hash alike under both encodings: the test proves nothing")
	}
	// The record as the chaincode wrote it before: the public hash of Go's encoding.
	p.TermsHash = legacy
	e.l.state[pledgeKey(p.ID)] = []byte(js(p))
	if v := view(); !v.Verified || v.TermsEncoding != LegacyTermsEncoding {
		t.Fatalf("a pledge hashed before: %+v", v)
	}
	// Neither encoding: not verified, no encoding named.
	p.TermsHash = strings.Repeat("0", 64)
	e.l.state[pledgeKey(p.ID)] = []byte(js(p))
	if v := view(); v.Verified || v.TermsEncoding != "" {
		t.Fatalf("a hash of other terms: %+v", v)
	}
	doc := termsHashDoc(t)
	for _, n := range []string{"3", "4"} {
		i := strings.Index(doc, "\n### Vector "+n+":")
		sent := codeBlock.FindStringSubmatch(doc[i:])[2]
		vt, err := ParseTerms([]byte(sent))
		if err != nil {
			t.Fatal(err)
		}
		quoted := regexp.MustCompile("vector " + n + "\\s+(?:hashed\\s+)?`([0-9a-f]{64})`").FindStringSubmatch(doc)
		if quoted == nil || quoted[1] != legacyTermsHash(vt) || quoted[1] == TermsHash(vt) {
			t.Fatalf("vector %s: the legacy hash the doc quotes %v, Go's encoding gives %s", n, quoted, legacyTermsHash(vt))
		}
	}
}

// TestV2_WeakSaltsAreRefused: each trivially weak form of salt is refused with its reason, and random
// salts are not.
func TestV2_WeakSaltsAreRefused(t *testing.T) {
	weak := map[string]string{
		strings.Repeat("0", 32):                                      "weak-salt",
		strings.Repeat("00", 15) + "01":                              "weak-salt",
		strings.Repeat("deadbeef", 4):                                "weak-salt",
		strings.Repeat("0123456789abcdef", 2):                        "weak-salt",
		"000102030405060708090a0b0c0d0e0f":                           "weak-salt",
		"fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0":                           "weak-salt",
		"00020406080a0c0e10121416181a1c1e":                           "weak-salt",
		strings.Repeat("a1b2c3d4e5f60718293a", 3) + "a1b2":           "weak-salt",
		"705c367a1a77d424319c090b86b8a5f":                            "salt-format", // odd
		"705c367a1a77d424319c090b86b8a5":                             "salt-format", // 15 bytes
		"705C367A1A77D424319C090B86B8A5FF":                           "salt-format",
		strings.Repeat("705c367a1a77d424319c090b86b8a5ff", 4) + "00": "salt-format",
		"": "salt-format",
	}
	for salt, reason := range weak {
		terms := termsA
		terms.Salt = salt
		_, err := ParseTerms([]byte(js(terms)))
		e, ok := api.AsError(err)
		if !ok || e.Code != api.CodeInvalidArgument || e.Details["field"] != "terms.salt" || e.Details["rule"] != "V2" ||
			e.Details["reason"] != reason {
			t.Errorf("salt %q: %v, want INVALID_ARGUMENT V2 %s", salt, err, reason)
		}
	}
	const draws = 100000
	b := make([]byte, 16)
	for range draws {
		_, _ = rand.Read(b)
		if why := weakSalt(b); why != "" {
			t.Fatalf("a random salt %x is refused: %s", b, why)
		}
	}
	long := make([]byte, 64)
	_, _ = rand.Read(long)
	terms := termsA
	terms.Salt = hex.EncodeToString(long)
	if _, err := ParseTerms([]byte(js(terms))); err != nil {
		t.Fatalf("a random salt of 64 bytes: %v", err)
	}
	t.Logf("FIGURE weak salt forms refused: %d; random 16-byte salts accepted: %d of %d", len(weak), draws, draws)
}
