package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway/fabric"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
)

var (
	heightOnce sync.Once
	heightRd   *qscc.Reader
	heightErr  error
)

// LedgerHeight is the channel's height on the regulator's peer, read through qscc; it never writes.
func LedgerHeight(t testing.TB) uint64 {
	t.Helper()
	heightOnce.Do(func() {
		s := System(t)
		gw, _, err := s.Dial(string(api.MSPRegulator), "auditor1", client.WithEvaluateTimeout(10*time.Second))
		if err != nil {
			heightErr = err
			return
		}
		heightRd = qscc.NewReader(gw, s.Channel)
	})
	if heightErr != nil {
		t.Fatal(heightErr)
	}
	h, err := heightRd.Height()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// KeepsOnlyRefusals runs f, whose submissions must all be refused, and checks the rule refusals (409)
// it returns. A refusal under a rule is a decision kept under its request id (I3): each is one
// committed transaction that writes only that. It fails unless every refusal named a transaction that
// every peer has committed valid in the block it named, and no other transaction committed valid
// meanwhile.
func KeepsOnlyRefusals(t testing.TB, what string, f func() []APIError) {
	t.Helper()
	before := LedgerHeight(t)
	refusals := f()
	var last uint64
	kept := map[string]bool{}
	for _, e := range refusals {
		if e.TxID == "" || e.BlockNumber == 0 {
			t.Fatalf("%s: a refusal under a rule named no committed transaction: %+v", what, e)
		}
		last = max(last, e.BlockNumber)
		kept[e.TxID] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := System(t).WaitForBlock(ctx, last); err != nil {
		t.Fatal(err)
	}
	for _, e := range refusals {
		tx, err := heightRd.Transaction(e.TxID)
		if err != nil || !tx.Valid || tx.BlockNumber != e.BlockNumber {
			t.Fatalf("%s: the refusal's transaction %s is not committed valid in block %d: %+v %v", what, e.TxID, e.BlockNumber, tx, err)
		}
	}
	validSince(t, what, before, kept)
}

// validSince fails if a block from before on holds a valid transaction other than those allowed. A
// stray copy of an earlier transaction (the gateway sends a transaction again while it sees no commit)
// is ordered, but invalid (DUPLICATE_TXID): it writes nothing.
func validSince(t testing.TB, what string, before uint64, allowed map[string]bool) {
	t.Helper()
	after := LedgerHeight(t)
	for b := before; b < after; b++ {
		txs, err := heightRd.Block(b)
		if err != nil {
			t.Fatalf("%s: block %d: %v", what, b, err)
		}
		for _, tx := range txs {
			if tx.Valid && !allowed[tx.TxID] {
				t.Fatalf("%s: block %d holds a valid transaction %s by %s that nothing here should have written", what, b, tx.TxID, tx.CreatorMSP)
			}
		}
	}
}

// WritesNothing runs f, which must only be refused before the chaincode decides anything (403, 404,
// 422, 400 …: a rule's 409 is kept, see [KeepsOnlyRefusals]), and fails if a transaction committed
// valid meanwhile. The integration packages run one at a time and their tests one at a time, so no
// other client writes meanwhile.
func WritesNothing(t testing.TB, what string, f func()) {
	t.Helper()
	before := LedgerHeight(t)
	f()
	validSince(t, what, before, nil)
}

// OpenTerms opens the chaincode's answer to GetPledgeTerms(pledgeID), sealed to the certificate key of
// mspID's user, with that user's private key (as the user's gateway does), and decodes it.
func OpenTerms(t testing.TB, mspID, user, pledgeID string, answer []byte) api.TermsView {
	t.Helper()
	org, err := System(t).Org(mspID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := org.User(user)
	if err != nil {
		t.Fatal(err)
	}
	key, err := fabric.LoadKey(u.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := fabric.OpenSealed(key, api.GetPledgeTerms.Name, []string{pledgeID}, answer)
	if err != nil {
		t.Fatalf("GetPledgeTerms by %s %s: %v", mspID, user, err)
	}
	var v api.TermsView
	if err := json.Unmarshal(plain, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// AwaitGateways waits until every organization's gateway answers reads with block in them. A
// gateway answers reads from its read model, which applies a block a moment after its peer commits
// it and after the gateway's own block listener hears of it; a read without IPLedger-After-Block is
// valid at the height it states, which may lack a block another organization's gateway just
// submitted. One read with IPLedger-After-Block at each gateway waits (woken by the block, not by
// polling) until its read model holds the block, or its peer does when the chaincode answers; the
// reads after it see the block too, as both only move forward. A gateway still behind after its
// wait (503) is asked again, at most 10 times.
func AwaitGateways(t testing.TB, block uint64) {
	t.Helper()
	for _, o := range System(t).Organizations {
		if o.Gateway == "" {
			continue
		}
		user := ""
		for _, u := range o.Users {
			if u.APIKeyFile != "" && u.Role != "admin" {
				user = u.Name
				break
			}
		}
		if user == "" {
			continue
		}
		c := As(t, o.MSPID, user)
		for attempt := 1; ; attempt++ {
			r := c.Do("GET", "/v1/assets/"+Uniq("AWAIT-BLOCK"), nil, "IPLedger-After-Block", fmt.Sprint(block))
			if r.Status != http.StatusServiceUnavailable {
				break
			}
			if attempt == 10 {
				t.Fatalf("%s's gateway has not applied block %d after %d waits: %s", o.MSPID, block, attempt, r)
			}
		}
	}
}
