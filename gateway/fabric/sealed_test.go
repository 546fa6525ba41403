package fabric

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/seal"
)

// TestOpenSealed_TheGatewayOpensTermsSealedToItsIdentity: the gateway opens GetPledgeTerms' answer with
// the identity's key file, and refuses an answer in clear (a chaincode that does not seal). The
// statistics and the evaluation are sealed too: their amounts are sums of private terms (and the
// evaluation's of reports' values); so is a valuation report's value (F2).
func TestOpenSealed_TheGatewayOpensTermsSealedToItsIdentity(t *testing.T) {
	if len(sealedAnswers) != 4 || !sealedAnswers[api.GetPledgeTerms.Name] || !sealedAnswers[api.GetStatistics.Name] ||
		!sealedAnswers[api.GetValuationValue.Name] || !sealedAnswers[api.GetEvaluation.Name] {
		t.Fatalf("sealed answers %v, want GetPledgeTerms, GetStatistics, GetValuationValue and GetEvaluation only", sealedAnswers)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadKey(file)
	if err != nil {
		t.Fatal(err)
	}
	view := []byte(`{"pledgeId":"PL-1","terms":{"amount":"5000000.00"},"verified":true}`)
	s, err := seal.Seal(&key.PublicKey, view, seal.Context(api.GetPledgeTerms.Name, "PL-1"))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := json.Marshal(s)
	if got, err := OpenSealed(loaded, api.GetPledgeTerms.Name, []string{"PL-1"}, answer); err != nil || string(got) != string(view) {
		t.Fatalf("open: %s %v", got, err)
	}
	if _, err := OpenSealed(loaded, api.GetPledgeTerms.Name, []string{"PL-2"}, answer); err == nil {
		t.Fatal("the answer to PL-1 opened as PL-2's")
	}
	if _, err := OpenSealed(loaded, api.GetPledgeTerms.Name, []string{"PL-1"}, view); err == nil || !strings.Contains(err.Error(), "in clear") {
		t.Fatalf("an answer in clear: %v", err)
	}
}
