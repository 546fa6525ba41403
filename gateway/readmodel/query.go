package readmodel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
)

// Namespace is the chaincode whose state a read model replicates.
const Namespace = "ipledger"

// View is one read transaction of the store: every read in it sees the same height.
type View struct {
	s      *Store
	ctx    context.Context
	tx     *sql.Tx
	ns     string
	height uint64
	now    time.Time
}

// Height is the height the view reads at: the answers it gives are valid at it.
func (v *View) Height() uint64 { return v.height }

// Read runs fn in one read transaction (REPEATABLE READ READ ONLY on PostgreSQL; a WAL snapshot on
// SQLite) and returns the height read inside it, the height every answer of fn is valid at.
func (s *Store) Read(ctx context.Context, fn func(v *View) error) (uint64, error) {
	opts := &sql.TxOptions{}
	if s.driver == "postgres" {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.r.BeginTx(ctx, opts)
	if err != nil {
		return 0, fmt.Errorf("read model: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var h int64
	switch err := tx.QueryRowContext(ctx, `SELECT value FROM rm_meta WHERE name = 'height'`).Scan(&h); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return 0, fmt.Errorf("read model: height: %w", err)
	}
	v := &View{s: s, ctx: ctx, tx: tx, ns: Namespace, height: uint64(h), now: time.Now()}
	if err := fn(v); err != nil {
		return v.height, err
	}
	return v.height, nil
}

// Evaluate runs a read-only operation of the catalogue as the chaincode does: the rules over this
// view, for caller, at the view's time. Errors are the *api.Error the chaincode would give.
func (v *View) Evaluate(caller rules.Caller, function string, args ...string) ([]byte, error) {
	m, ok := methods[function]
	if !ok {
		return nil, api.Malformed("unknown transaction", "function", function)
	}
	l := &ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}
	svc := rules.New(l, rules.Tx{Time: v.now, Caller: caller})
	out, err := m.call(svc, args)
	if l.missing != nil {
		return nil, l.missing // the rules read a private value the read model lacks: the chaincode answers
	}
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}

// Transaction is a transaction of the channel as its block records it: the value qscc gives.
func (v *View) Transaction(txID string) (*api.Transaction, error) {
	// A cached transaction is one applied before; one of a block above this view's height is not
	// in the view.
	if t, ok := v.s.txs.Get(txID); ok && t.BlockNumber < v.height {
		t.EndorsingOrgs = slices.Clone(t.EndorsingOrgs)
		return &t, nil
	}
	var t api.Transaction
	var endorsers string
	var ts int64
	err := v.tx.QueryRowContext(v.ctx, `SELECT txid, block, code, chaincode, creator, endorsers, ts FROM rm_tx WHERE txid = $1`,
		txID).Scan(&t.TxID, &t.BlockNumber, &t.ValidationCode, &t.Chaincode, &t.CreatorMSP, &endorsers, &ts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &api.Error{Code: api.CodeNotFound, TxID: txID,
			Message: "no committed transaction with this id (it may still be pending)",
			Details: map[string]string{"readModelHeight": itoa(v.height)}}
	}
	if err != nil {
		return nil, fmt.Errorf("read model: transaction %s: %w", txID, err)
	}
	t.Valid = t.ValidationCode == "VALID"
	t.Time = time.Unix(0, ts).UTC()
	t.EndorsingOrgs = []string{}
	if endorsers != "" {
		t.EndorsingOrgs = strings.Split(endorsers, ",")
	}
	v.s.txs.Add(txID, t)
	out := t
	out.EndorsingOrgs = slices.Clone(t.EndorsingOrgs)
	return &out, nil
}

// method is a read-only operation bound to its *rules.Service method.
type method struct {
	fn   reflect.Value
	args []reflect.Kind // string or int32
}

// methods are the read-only operations of the catalogue, except Ping (no rules) and PlanSubmission
// (a dry run of a submission, for the chaincode only), by name.
var methods = func() map[string]method {
	out := map[string]method{}
	t := reflect.TypeFor[*rules.Service]()
	for _, op := range api.Operations {
		if !op.ReadOnly || op.Name == api.Ping.Name || op.Name == api.PlanSubmission.Name {
			continue
		}
		m, ok := t.MethodByName(op.Name)
		if !ok {
			continue // TestEveryReadOnlyOperationResolves names it
		}
		var kinds []reflect.Kind
		for i := 1; i < m.Type.NumIn(); i++ {
			kinds = append(kinds, m.Type.In(i).Kind())
		}
		out[op.Name] = method{fn: m.Func, args: kinds}
	}
	return out
}()

// call converts args as the contract API does (an int32 from its decimal text) and calls the method.
func (m method) call(s *rules.Service, args []string) (string, error) {
	if len(args) != len(m.args) {
		return "", api.Malformed(fmt.Sprintf("expected %d arguments, got %d", len(m.args), len(args)))
	}
	in := []reflect.Value{reflect.ValueOf(s)}
	for i, k := range m.args {
		switch k {
		case reflect.String:
			in = append(in, reflect.ValueOf(args[i]))
		case reflect.Int32:
			n, err := strconv.ParseInt(args[i], 10, 32)
			if err != nil {
				return "", api.Malformed(fmt.Sprintf("argument %d: %q is not an int32", i+1, args[i]))
			}
			in = append(in, reflect.ValueOf(int32(n)))
		default:
			return "", fmt.Errorf("read model: argument %d of kind %s is not supported", i+1, k)
		}
	}
	out := m.fn.Call(in)
	res := out[0].String()
	if err, _ := out[1].Interface().(error); err != nil {
		return "", asAPIError(err)
	}
	return res, nil
}

// asAPIError turns an error into the *api.Error the chaincode's client would read: the rules' errors
// are already; anything else is the contract's internal error.
func asAPIError(err error) error {
	var e *api.Error
	if errors.As(err, &e) {
		// The chaincode sends the error as JSON: what the gateway reads back is the same value
		// without its Cause.
		raw, _ := json.Marshal(e)
		var out api.Error
		if json.Unmarshal(raw, &out) == nil {
			return &out
		}
		return e
	}
	return &api.Error{Code: api.CodeInternal, Message: "internal error", Cause: err}
}

// ReadOnlyOperations are the operation names Evaluate resolves.
func ReadOnlyOperations() []string {
	var out []string
	for _, op := range api.Operations {
		if _, ok := methods[op.Name]; ok {
			out = append(out, op.Name)
		}
	}
	return out
}
