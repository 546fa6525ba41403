package httpapi

// rulesLedger is a [gateway.Ledger] that runs the real chaincode rules (chaincode/rules) over their
// in-memory ledger: what the HTTP layer sends is decoded, checked and answered by the same code as on a
// peer, without Fabric. Each submission is one transaction in a block of its own. The organizations'
// gateways of one test share a world; each gateway's ledger knows its MSP and its identities' roles.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
)

// rulesWorld is the ledger every organization's gateway of a test shares.
type rulesWorld struct {
	mu       sync.Mutex
	mem      *rules.MemLedger
	blocks   uint64
	txBlocks map[string]uint64 // the block of each committed transaction
	now      time.Time
	subs     []gateway.Submission // every submission the gateways sent, in order
}

func newRulesWorld() *rulesWorld {
	// Monday 3 March 2025, 10:00 UTC+8: the examples' dates are valid then.
	return &rulesWorld{mem: rules.NewMemLedger(), blocks: 1, txBlocks: map[string]uint64{},
		now: time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)}
}

// rulesLedger is one organization's view of a rulesWorld.
type rulesLedger struct {
	fakeLedger // events, checkpoints, transactions: unused by the examples
	w          *rulesWorld
	msp        api.MSPID
	roles      map[string]api.Role // identity name → role
	org        string              // for submitter names, e.g. "bank1"
}

var _ gateway.Ledger = (*rulesLedger)(nil)

func (l *rulesLedger) caller(identity string) rules.Caller {
	return rules.Caller{MSP: l.msp, Role: l.roles[identity],
		Submitter: fmt.Sprintf("x509::CN=%s,OU=client::CN=ca.%s", identity, l.org)}
}

// call runs a rules method by its catalogue name with string arguments (integers for int32 ones).
func call(s *rules.Service, function string, args []string) (string, error) {
	m := reflect.ValueOf(s).MethodByName(function)
	if !m.IsValid() || m.Type().NumIn() != len(args) {
		return "", api.Malformed("unknown transaction", "function", function)
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		if m.Type().In(i).Kind() == reflect.Int32 {
			n, _ := strconv.ParseInt(a, 10, 32)
			in[i] = reflect.ValueOf(int32(n))
			continue
		}
		in[i] = reflect.ValueOf(a)
	}
	out := m.Call(in)
	err, _ := out[1].Interface().(error)
	return out[0].String(), err
}

func (w *rulesWorld) nextTx() (string, time.Time) {
	w.blocks++
	w.now = w.now.Add(time.Minute)
	sum := sha256.Sum256([]byte(fmt.Sprint("tx", w.blocks)))
	return hex.EncodeToString(sum[:]), w.now
}

// Submit runs the submission's rules as one transaction and answers as gateway/fabric does: a result
// or a refusal under a rule is committed in a block of its own (the refusal kept under the request id,
// I3) and answered, a replay is answered from the first transaction without a new one, and anything
// else (forbidden, not found, invalid) is the error, with nothing written.
func (l *rulesLedger) Submit(_ context.Context, identity string, sub gateway.Submission) (*gateway.Receipt, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	l.w.subs = append(l.w.subs, sub)
	txID, at := l.w.nextTx()
	l.w.mem.Begin(txID, at)
	s := rules.New(l.w.mem, rules.Tx{ID: txID, Time: at, Caller: l.caller(identity), Transient: sub.Transient})
	raw, err := s.Outcome(call(s, sub.Function, append([]string{sub.RequestID}, sub.Args...)))
	o, ok := api.ParseOutcome([]byte(raw))
	if err != nil || !ok || o.Replay {
		l.w.mem.Begin("", time.Time{})
		l.w.blocks--
	}
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, fmt.Errorf("%s answered no outcome: %s", sub.Function, raw)
	case o.Replay && o.Refusal != nil:
		r := *o.Refusal
		r.TxID, r.BlockNumber = o.TxID, l.w.txBlocks[o.TxID]
		return nil, &r
	case o.Replay:
		return &gateway.Receipt{TxID: o.TxID, BlockNumber: l.w.txBlocks[o.TxID], Committed: true, Replay: true, Result: o.Result}, nil
	}
	l.w.mem.Commit()
	block := l.w.blocks - 1
	l.w.txBlocks[txID] = block
	if o.Refusal != nil {
		r := *o.Refusal
		r.TxID, r.BlockNumber = txID, block
		return nil, &r
	}
	return &gateway.Receipt{TxID: txID, BlockNumber: block, Committed: true, Result: o.Result, Attempts: 1}, nil
}

// Evaluate runs a query's rules over the committed state.
func (l *rulesLedger) Evaluate(_ context.Context, identity, function string, args ...string) ([]byte, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	l.w.mem.Begin("query", l.w.now)
	l.w.mem.ReadOnly = true
	defer func() { l.w.mem.ReadOnly = false; l.w.mem.Begin("", time.Time{}) }()
	out, err := call(rules.New(l.w.mem, rules.Tx{ID: "query", Time: l.w.now, Caller: l.caller(identity)}), function, args)
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}

// Height is the number of blocks committed.
func (l *rulesLedger) Height(context.Context, string) (uint64, error) {
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	return l.w.blocks, nil
}

// AwaitBlock answers at once when the block is committed; a later block never comes by itself.
func (l *rulesLedger) AwaitBlock(ctx context.Context, block uint64) (uint64, error) {
	h, _ := l.Height(ctx, "")
	if h > block {
		return h, nil
	}
	<-ctx.Done()
	return h, ctx.Err()
}
