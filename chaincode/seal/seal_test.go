package seal

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
)

func TestSealOpensOnlyWithTheRecipientsKeyAndContext(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		key, _ := ecdsa.GenerateKey(curve, rand.Reader)
		other, _ := ecdsa.GenerateKey(curve, rand.Reader)
		msg := []byte(`{"terms":{"amount":"5000000.00"}}`)
		aad := Context("GetPledgeTerms", "PL-1")
		s, err := Seal(&key.PublicKey, msg, aad)
		if err != nil {
			t.Fatal(err)
		}
		s2, _ := Seal(&key.PublicKey, msg, aad)
		if s.Ciphertext == s2.Ciphertext || s.EphemeralKey == s2.EphemeralKey {
			t.Fatal("two seals of one answer are alike: the sealing is not randomized")
		}
		if bytes.Contains([]byte(s.Ciphertext+s.EphemeralKey+s.Nonce), []byte("5000000")) {
			t.Fatal("the amount shows")
		}
		got, err := Open(key, s, Context("ipledger:GetPledgeTerms", "PL-1"))
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("%s: open: %s %v", curve.Params().Name, got, err)
		}
		if _, err := Open(other, s, aad); err == nil {
			t.Fatal("opened with another key")
		}
		if _, err := Open(key, s, Context("GetPledgeTerms", "PL-2")); err == nil {
			t.Fatal("opened as the answer to another query")
		}
		tampered := *s
		tampered.Ciphertext = s2.Ciphertext
		if _, err := Open(key, &tampered, aad); err == nil {
			t.Fatal("opened a tampered answer")
		}
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := Seal(pub, []byte("x"), nil); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("an Ed25519 key: %v", err)
	}
}
