package itest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/api"
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
// every peer has committed valid in the block it named, and the ledger grew by no more blocks than
// there were refusals (nothing else was written meanwhile).
func KeepsOnlyRefusals(t testing.TB, what string, f func() []APIError) {
	t.Helper()
	before := LedgerHeight(t)
	refusals := f()
	var last uint64
	for _, e := range refusals {
		if e.TxID == "" || e.BlockNumber == 0 {
			t.Fatalf("%s: a refusal under a rule named no committed transaction: %+v", what, e)
		}
		last = max(last, e.BlockNumber)
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
	if after := LedgerHeight(t); after > before+uint64(len(refusals)) {
		t.Fatalf("%s: the ledger grew from %d to %d blocks with %d refusals", what, before, after, len(refusals))
	}
}

// WritesNothing runs f, which must only be refused before the chaincode decides anything (403, 404,
// 422, 400 …: a rule's 409 is kept, see [KeepsOnlyRefusals]), and fails if the ledger grew meanwhile.
// The integration packages run one at a time and their tests one at a time, so no other client
// writes meanwhile.
func WritesNothing(t testing.TB, what string, f func()) {
	t.Helper()
	before := LedgerHeight(t)
	f()
	// A refused submission is never sent for ordering; give a stray one time to show up all the same.
	time.Sleep(300 * time.Millisecond)
	if after := LedgerHeight(t); after != before {
		t.Fatalf("%s: the ledger grew from %d to %d blocks", what, before, after)
	}
}
