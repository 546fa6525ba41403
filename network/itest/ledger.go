package itest

import (
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

// WritesNothing runs f, which must only be refused, and fails if the ledger grew meanwhile. The
// integration packages run one at a time and their tests one at a time, so no other client writes
// meanwhile.
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
