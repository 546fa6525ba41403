package httpapi

// fakeLedger is an in-memory [gateway.Ledger] for the handler tests: it records every call and answers
// with what the test set.

import (
	"context"
	"sync"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/ipledger/ipledger/gateway"
)

// Submitted is one recorded submission.
type fakeSubmitted struct {
	Identity string
	gateway.Submission
}

// Evaluated is one recorded evaluation.
type fakeEvaluated struct {
	Identity string
	Function string
	Args     []string
}

// fakeLedger answers from its fields. The zero value commits every submission in block 7 with result "{}".
type fakeLedger struct {
	mu sync.Mutex
	// OnSubmit answers submissions (default: committed).
	OnSubmit func(identity string, s gateway.Submission) (*gateway.Receipt, error)
	// OnEvaluate answers evaluations (default: NOT_FOUND).
	OnEvaluate func(identity, function string, args ...string) ([]byte, error)
	// Transactions are the committed transactions by id.
	Transactions map[string]*api.Transaction
	// LedgerHeight is the answer of Height.
	LedgerHeight uint64
	// Stream is delivered by Events, after From; then the channel stays open until ctx ends.
	Stream []gateway.Event
	// PingErr fails Ping.
	PingErr error
	// Checkpoints are the durable streams' positions by identity/stream.
	Checkpoints       map[string]gateway.Checkpoint
	CheckpointsOpened int // OpenCheckpoint calls
	// StreamEnded, when set, is told each time an event stream ends (its request's context done).
	StreamEnded chan struct{}

	submitted []fakeSubmitted
	evaluated []fakeEvaluated
	from      []*gateway.Checkpoint
	heights   *gateway.Heights // the block events AwaitBlock waits on, from LedgerHeight up
	heightN   int              // calls of Height
}

// Submit records s and answers with OnSubmit.
func (l *fakeLedger) Submit(_ context.Context, identity string, s gateway.Submission) (*gateway.Receipt, error) {
	l.mu.Lock()
	l.submitted = append(l.submitted, fakeSubmitted{Identity: identity, Submission: s})
	on := l.OnSubmit
	l.mu.Unlock()
	if on != nil {
		return on(identity, s)
	}
	r := &gateway.Receipt{TxID: "tx-" + s.RequestID, Result: []byte(`{}`), Attempts: 1}
	if !s.Async {
		r.BlockNumber, r.Committed = 7, true
	}
	return r, nil
}

// Evaluate records the call and answers with OnEvaluate.
func (l *fakeLedger) Evaluate(_ context.Context, identity, function string, args ...string) ([]byte, error) {
	l.mu.Lock()
	l.evaluated = append(l.evaluated, fakeEvaluated{Identity: identity, Function: function, Args: args})
	on := l.OnEvaluate
	l.mu.Unlock()
	if on != nil {
		return on(identity, function, args...)
	}
	return nil, api.Errorf(api.CodeNotFound, "not found")
}

// Transaction answers from Transactions.
func (l *fakeLedger) Transaction(_ context.Context, _, txID string) (*api.Transaction, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tx, ok := l.Transactions[txID]; ok {
		return tx, nil
	}
	return nil, &api.Error{Code: api.CodeNotFound, Message: "no such transaction", TxID: txID}
}

// Height answers LedgerHeight.
func (l *fakeLedger) Height(context.Context, string) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.heightN++
	return l.LedgerHeight, nil
}

// HeightCalls is the number of Height calls so far.
func (l *fakeLedger) HeightCalls() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.heightN
}

// AwaitBlock waits for block events ([fakeLedger.Block]) from LedgerHeight up; it never calls Height.
func (l *fakeLedger) AwaitBlock(ctx context.Context, block uint64) (uint64, error) {
	return l.blocks().Await(ctx, block)
}

// Block is a block event: the peer's ledger now holds height blocks.
func (l *fakeLedger) Block(height uint64) { l.blocks().Raise(height) }

func (l *fakeLedger) blocks() *gateway.Heights {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.heights == nil {
		l.heights = gateway.NewHeights()
	}
	l.heights.Raise(l.LedgerHeight)
	return l.heights
}

// Events delivers the Stream events after from.
func (l *fakeLedger) Events(ctx context.Context, _ string, from *gateway.Checkpoint) (<-chan gateway.Event, error) {
	l.mu.Lock()
	l.from = append(l.from, from)
	stream := append([]gateway.Event(nil), l.Stream...)
	l.mu.Unlock()
	out := make(chan gateway.Event)
	ended := l.StreamEnded
	go func() {
		defer close(out)
		if ended != nil {
			defer func() {
				select {
				case ended <- struct{}{}:
				default: // nobody waits for this one
				}
			}()
		}
		skipping := from != nil && from.TransactionID != ""
		for _, e := range stream {
			if from != nil && e.BlockNumber < from.BlockNumber {
				continue
			}
			if skipping && e.BlockNumber == from.BlockNumber {
				if e.TransactionID == from.TransactionID {
					skipping = false
				}
				continue
			}
			select {
			case out <- e:
			case <-ctx.Done():
				return
			}
		}
		<-ctx.Done()
	}()
	return out, nil
}

// OpenCheckpoint keeps the stream's position in Checkpoints.
func (l *fakeLedger) OpenCheckpoint(identity, stream string) (gateway.Checkpointer, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Checkpoints == nil {
		l.Checkpoints = map[string]gateway.Checkpoint{}
	}
	l.CheckpointsOpened++
	return &checkpointer{l: l, key: identity + "/" + stream}, nil
}

type checkpointer struct {
	l   *fakeLedger
	key string
}

func (c *checkpointer) Checkpoint() gateway.Checkpoint {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	return c.l.Checkpoints[c.key]
}

func (c *checkpointer) Save(e gateway.Event) error {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	c.l.Checkpoints[c.key] = gateway.Checkpoint{BlockNumber: e.BlockNumber, TransactionID: e.TransactionID}
	return nil
}

func (c *checkpointer) Close() error { return nil }

// Ping answers PingErr or a version.
func (l *fakeLedger) Ping(context.Context) (string, error) {
	if l.PingErr != nil {
		return "", l.PingErr
	}
	return "ipledger-cc/fake", nil
}

// Append adds events to the stream of later Events calls.
func (l *fakeLedger) Append(events ...gateway.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Stream = append(l.Stream, events...)
}

// Submitted returns the recorded submissions.
func (l *fakeLedger) Submitted() []fakeSubmitted {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]fakeSubmitted(nil), l.submitted...)
}

// Evaluated returns the recorded evaluations.
func (l *fakeLedger) Evaluated() []fakeEvaluated {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]fakeEvaluated(nil), l.evaluated...)
}

// From returns the start positions Events was called with.
func (l *fakeLedger) From() []*gateway.Checkpoint {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*gateway.Checkpoint(nil), l.from...)
}

var _ gateway.Ledger = (*fakeLedger)(nil)
