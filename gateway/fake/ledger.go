// Package fake is an in-memory [gateway.Ledger] for handler tests: it records every call and answers
// with what the test set.
package fake

import (
	"context"
	"net/http"
	"sync"

	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/network/qscc"
)

// Submitted is one recorded submission.
type Submitted struct {
	Identity string
	gateway.Submission
}

// Evaluated is one recorded evaluation.
type Evaluated struct {
	Identity string
	Function string
	Args     []string
}

// Ledger answers from its fields. The zero value commits every submission in block 7 with result "{}".
type Ledger struct {
	mu sync.Mutex
	// OnSubmit answers submissions (default: committed).
	OnSubmit func(identity string, s gateway.Submission) (*gateway.Receipt, error)
	// OnEvaluate answers evaluations (default: NOT_FOUND).
	OnEvaluate func(identity, function string, args ...string) ([]byte, error)
	// Transactions are the committed transactions by id.
	Transactions map[string]*qscc.Transaction
	// LedgerHeight is the answer of Height.
	LedgerHeight uint64
	// Stream is delivered by Events, after From; then the channel stays open until ctx ends.
	Stream []gateway.Event
	// PingErr fails Ping.
	PingErr error
	// Checkpoints are the durable streams' positions by identity/stream.
	Checkpoints map[string]gateway.Checkpoint

	submitted []Submitted
	evaluated []Evaluated
	from      []*gateway.Checkpoint
}

// Submit records s and answers with OnSubmit.
func (l *Ledger) Submit(_ context.Context, identity string, s gateway.Submission) (*gateway.Receipt, error) {
	l.mu.Lock()
	l.submitted = append(l.submitted, Submitted{Identity: identity, Submission: s})
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
func (l *Ledger) Evaluate(_ context.Context, identity, function string, args ...string) ([]byte, error) {
	l.mu.Lock()
	l.evaluated = append(l.evaluated, Evaluated{Identity: identity, Function: function, Args: args})
	on := l.OnEvaluate
	l.mu.Unlock()
	if on != nil {
		return on(identity, function, args...)
	}
	return nil, gateway.Errorf(http.StatusNotFound, gateway.CodeNotFound, "not found")
}

// Transaction answers from Transactions.
func (l *Ledger) Transaction(_ context.Context, _, txID string) (*qscc.Transaction, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tx, ok := l.Transactions[txID]; ok {
		return tx, nil
	}
	return nil, &gateway.Error{Status: http.StatusNotFound, Code: gateway.CodeNotFound, Message: "no such transaction", TxID: txID}
}

// Height answers LedgerHeight.
func (l *Ledger) Height(context.Context, string) (uint64, error) { return l.LedgerHeight, nil }

// Events delivers the Stream events after from.
func (l *Ledger) Events(ctx context.Context, _ string, from *gateway.Checkpoint) (<-chan gateway.Event, error) {
	l.mu.Lock()
	l.from = append(l.from, from)
	stream := append([]gateway.Event(nil), l.Stream...)
	l.mu.Unlock()
	out := make(chan gateway.Event)
	go func() {
		defer close(out)
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
func (l *Ledger) OpenCheckpoint(identity, stream string) (gateway.Checkpointer, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Checkpoints == nil {
		l.Checkpoints = map[string]gateway.Checkpoint{}
	}
	return &checkpointer{l: l, key: identity + "/" + stream}, nil
}

type checkpointer struct {
	l   *Ledger
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
func (l *Ledger) Ping(context.Context) (string, error) {
	if l.PingErr != nil {
		return "", l.PingErr
	}
	return "ipledger-cc/fake", nil
}

// Append adds events to the stream of later Events calls.
func (l *Ledger) Append(events ...gateway.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Stream = append(l.Stream, events...)
}

// Submitted returns the recorded submissions.
func (l *Ledger) Submitted() []Submitted {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Submitted(nil), l.submitted...)
}

// Evaluated returns the recorded evaluations.
func (l *Ledger) Evaluated() []Evaluated {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Evaluated(nil), l.evaluated...)
}

// From returns the start positions Events was called with.
func (l *Ledger) From() []*gateway.Checkpoint {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*gateway.Checkpoint(nil), l.from...)
}

var _ gateway.Ledger = (*Ledger)(nil)
