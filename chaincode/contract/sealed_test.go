package contract

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/seal"
)

// terms runs GetPledgeTerms as who, checks that the answer is sealed, and opens it with who's key.
func (h *harness) terms(who, pledgeID string) api.TermsView {
	h.t.Helper()
	out := h.ok(who, nil, api.GetPledgeTerms.Name, pledgeID)
	s, ok := seal.Parse([]byte(out))
	if !ok {
		h.t.Fatalf("GetPledgeTerms by %s: not a sealed answer: %s", who, out)
	}
	key, _ := creatorKeys.Load(string(h.ids[who]))
	plain, err := seal.Open(key.(*ecdsa.PrivateKey), s, seal.Context(api.GetPledgeTerms.Name, pledgeID))
	if err != nil {
		h.t.Fatalf("GetPledgeTerms by %s: %v", who, err)
	}
	var v api.TermsView
	if err := json.Unmarshal(plain, &v); err != nil {
		h.t.Fatal(err)
	}
	return v
}

// TestV2_GetPledgeTermsAnswersOnlyCiphertext: the chaincode's answer to GetPledgeTerms (what a
// submitted query would write into a block) holds no term in clear, only the sealed fields; it opens
// with the caller's key, for that query only, and not with another entitled caller's key. A caller
// whose certificate key cannot be sealed to is refused (V2), not answered in clear.
func TestV2_GetPledgeTermsAnswersOnlyCiphertext(t *testing.T) {
	h := newHarness(t)
	h.ok("examiner", nil, "RegisterAsset", "r1", patentP1)
	var p api.Pledge
	if err := json.Unmarshal([]byte(h.ok("bank1", terms(), "ApplyPledge", "p1", application())), &p); err != nil {
		t.Fatal(err)
	}
	var sent api.Terms
	if err := json.Unmarshal(terms()["terms"], &sent); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"bank1", "examiner", "auditor"} {
		out := h.ok(who, nil, api.GetPledgeTerms.Name, p.ID)
		var fields map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &fields); err != nil {
			t.Fatal(err)
		}
		if keys := slices.Sorted(maps.Keys(fields)); !slices.Equal(keys, []string{"alg", "ciphertext", "epk", "nonce", "recipient"}) {
			t.Fatalf("%s: the answer's fields %v", who, keys)
		}
		for _, secret := range []string{sent.Amount, "5000000", sent.Salt, sent.Scope, sent.InterestRate, `"terms"`, p.TermsHash} {
			if strings.Contains(out, secret) {
				t.Fatalf("%s: the answer shows %q in clear: %s", who, secret, out)
			}
		}
		if v := h.terms(who, p.ID); !v.Verified || v.Terms != sent || v.TermsEncoding != "rfc8785" {
			t.Fatalf("%s: opened %+v", who, v)
		}
	}
	bank1Answer, _ := seal.Parse([]byte(h.ok("bank1", nil, api.GetPledgeTerms.Name, p.ID)))
	examinerKey, _ := creatorKeys.Load(string(h.ids["examiner"]))
	if _, err := seal.Open(examinerKey.(*ecdsa.PrivateKey), bank1Answer, seal.Context(api.GetPledgeTerms.Name, p.ID)); err == nil {
		t.Fatal("Bank1's answer opens with the IP office's key")
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	h.ids["edBank1"] = creatorWithKey(t, string(api.MSPBank1), "officer9", string(api.RoleLoanOfficer), pub, priv)
	if e := h.refusal("edBank1", nil, api.CodeForbidden, api.GetPledgeTerms.Name, p.ID); e.Details["reason"] != "caller-key-unsupported" {
		t.Fatalf("an Ed25519 caller: %+v", e)
	}
	h.refused("trader", nil, api.CodeForbidden, api.GetPledgeTerms.Name, p.ID)
}
