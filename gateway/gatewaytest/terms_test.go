//go:build integration

package gatewaytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	fabclient "github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/seal"
	"github.com/ipledger/ipledger/network/itest"
)

// randomHex is n random bytes in hex.
func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestGateway_V2_ASubmittedTermsQueryWritesNoTermsIntoABlock: a member of Bank1 that submits
// GetPledgeTerms through a bare fabric-gateway client (not evaluating it, as its gateway does) gets
// no term into any block. Endorsed by the peers discovery picks, the submission fails (each endorser
// seals its answer with its own randomness); endorsed by its own peer alone, it is ordered, and its
// block holds the sealed answer only. Every block from before the application on is scanned, bytes
// and all, for the amount, the salt and the scope. Through the HTTP API the pledgee, the IP office and
// the regulator still read the terms; Bank2 does not.
func TestGateway_V2_ASubmittedTermsQueryWritesNoTermsIntoABlock(t *testing.T) {
	sys := itest.System(t)
	cents, _ := rand.Int(rand.Reader, big.NewInt(1e11))
	amount := fmt.Sprintf("%d.%02d", 1e9+cents.Int64()/100, cents.Int64()%100) // 10 digits, 2 decimals: unique
	salt, scope := randomHex(t, 16), "scope-"+randomHex(t, 8)
	secrets := map[string]string{"amount": amount, "salt": salt, "scope": scope}

	bank1 := as(t, "Bank1MSP", "officer1")
	start := itest.LedgerHeight(t)
	app := pledge(newAsset(t))
	app["terms"] = map[string]any{"amount": amount, "currency": "CNY", "interestRate": "3.85", "scope": scope, "salt": salt}
	pledgeID := settled(t, must(t, bank1.Do("POST", "/v1/pledges", app), 201, "apply pledge")).Str(t, "id")

	gw, conn, err := sys.Dial("Bank1MSP", "officer1", fabclient.WithEndorseTimeout(30*time.Second),
		fabclient.WithCommitStatusTimeout(60*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close(); conn.Close() })
	contract := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)

	// Endorsers chosen by discovery: their sealed answers differ, so the gateway refuses to submit.
	_, discoveryErr := contract.Submit(api.GetPledgeTerms.Name, fabclient.WithArguments(pledgeID))
	t.Logf("FIGURE submitted GetPledgeTerms, endorsers by discovery: %v", short(discoveryErr))

	// Bank1's own peer alone: ordered, so its answer is in a block.
	proposal, err := contract.NewProposal(api.GetPledgeTerms.Name, fabclient.WithArguments(pledgeID),
		fabclient.WithEndorsingOrganizations("Bank1MSP"))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := proposal.Endorse()
	if err != nil {
		t.Fatalf("endorse GetPledgeTerms on Bank1's peer: %v", err)
	}
	if sealed, ok := seal.Parse(tx.Result()); !ok || bytes.Contains(tx.Result(), []byte(amount)) {
		t.Fatalf("the endorsed answer is not sealed: %s", tx.Result())
	} else if v := itest.OpenTerms(t, "Bank1MSP", "officer1", pledgeID, tx.Result()); v.Terms.Amount != amount || sealed.Recipient == "" {
		t.Fatalf("the sealed answer opens to %+v", v)
	}
	commit, err := tx.Submit()
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	status, err := commit.Status()
	if err != nil {
		t.Fatalf("commit status: %v", err)
	}
	t.Logf("FIGURE submitted GetPledgeTerms endorsed by Bank1 alone: block %d, validation %s", status.BlockNumber, status.Code)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := sys.WaitForBlock(ctx, status.BlockNumber); err != nil {
		t.Fatal(err)
	}

	qscc := gw.GetNetwork(sys.Channel).GetContract("qscc")
	end := itest.LedgerHeight(t)
	var scanned int
	for b := start; b < end; b++ {
		raw, err := qscc.Evaluate("GetBlockByNumber", fabclient.WithArguments(sys.Channel, strconv.FormatUint(b, 10)))
		if err != nil {
			t.Fatalf("block %d: %v", b, err)
		}
		scanned += len(raw)
		for what, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Fatalf("block %d holds the terms' %s in clear (%s)", b, what, s)
			}
		}
		if b == status.BlockNumber && (!bytes.Contains(raw, []byte(tx.TransactionID())) || !bytes.Contains(raw, []byte(seal.Algorithm))) {
			t.Fatalf("block %d does not hold the submitted query %s with its sealed answer: the scan proves nothing", b, tx.TransactionID())
		}
	}
	t.Logf("FIGURE blocks scanned for the terms: %d (%d bytes), none holds the amount, salt or scope", end-start, scanned)

	// The HTTP API still shows the terms to the entitled, opened by their own gateways.
	for _, who := range [][2]string{{"Bank1MSP", "officer1"}, {"IPOfficeMSP", "examiner1"}, {"RegulatorMSP", "auditor1"}} {
		r := must(t, as(t, who[0], who[1]).Do("GET", "/v1/pledges/"+pledgeID, nil), 200, who[0]+" reads the pledge")
		pt, _ := r.Obj(t)["privateTerms"].(map[string]any)
		terms, _ := pt["terms"].(map[string]any)
		if terms["amount"] != amount || terms["salt"] != salt || pt["verified"] != true || pt["termsEncoding"] != "rfc8785" {
			t.Fatalf("%s: privateTerms %v", who[0], pt)
		}
	}
	r := must(t, as(t, "Bank2MSP", "officer1").Do("GET", "/v1/pledges/"+pledgeID, nil), 200, "Bank2 reads the pledge")
	if _, has := r.Obj(t)["privateTerms"]; has || bytes.Contains(r.Body, []byte(amount)) {
		t.Fatalf("Bank2 sees the terms: %s", r.Body)
	}
}

// TestGateway_V2_AWeakSaltIsRefused: a client's all-zero salt is refused by the chaincode (422,
// weak-salt, rule V2) and writes nothing; the same request with a random salt passes.
func TestGateway_V2_AWeakSaltIsRefused(t *testing.T) {
	bank1 := as(t, "Bank1MSP", "officer1")
	app := pledge(newAsset(t))
	terms := itest.Terms("5000000.00")
	terms["salt"] = "00000000000000000000000000000000"
	app["terms"] = terms
	itest.WritesNothing(t, "a weak salt", func() {
		r := bank1.Do("POST", "/v1/pledges", app, "Idempotency-Key", "weak-salt-"+randomHex(t, 8))
		refused(t, r, 422, "INVALID_ARGUMENT", "an all-zero salt")
		if e := r.Err(); e.Details["reason"] != "weak-salt" || e.Details["rule"] != "V2" || e.Details["field"] != "terms.salt" {
			t.Fatalf("an all-zero salt: %s", r.Body)
		}
	})
	terms["salt"] = randomHex(t, 16)
	must(t, bank1.Do("POST", "/v1/pledges", app), 201, "the same application with a random salt")
}

// short says how a submission ended, in one line, for a figure.
func short(err error) string {
	var e *fabclient.EndorseError
	switch {
	case err == nil:
		return "accepted"
	case errors.As(err, &e) && strings.Contains(e.Error(), "ProposalResponsePayloads do not match"):
		return "refused at endorsement: ProposalResponsePayloads do not match"
	}
	return strings.ReplaceAll(fmt.Sprintf("%.300s", err.Error()), "\n", " ")
}
