package readmodel

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
)

// Model is a followed store as the gateway's HTTP API uses it ([gateway.ReadModel]): reads as the
// gateway's identities, each the rules' caller its certificate makes.
type Model struct {
	*Follower
	mspID   string
	callers atomic.Pointer[map[string]rules.Caller]
}

var (
	_ gateway.ReadModel = (*Model)(nil)
	_ gateway.Swapper   = (*Model)(nil)
)

// NewModel serves reads from f's store as the identities of cfg.
func NewModel(f *Follower, cfg *gateway.Config) (*Model, error) {
	m := &Model{Follower: f, mspID: cfg.MSPID}
	commit, err := m.PrepareSwap(cfg)
	if err != nil {
		return nil, err
	}
	commit()
	return m, nil
}

// PrepareSwap reads the identities' certificates of cfg (a reload).
func (m *Model) PrepareSwap(cfg *gateway.Config) (func(), error) {
	callers := map[string]rules.Caller{}
	for _, id := range cfg.Identities {
		c, err := CallerOfFile(cfg.MSPID, id.Certificate)
		if err != nil {
			return nil, fmt.Errorf("read model: identity %s: %w", id.Name, err)
		}
		callers[id.Name] = c
	}
	return func() { m.callers.Store(&callers) }, nil
}

// RulesVersion is the version of the rules this gateway was built with.
func (m *Model) RulesVersion() string { return rules.Version }

// AwaitHeight waits for the store's height.
func (m *Model) AwaitHeight(ctx context.Context, h uint64) (uint64, error) {
	return m.store.AwaitHeight(ctx, h)
}

// Read runs fn in one read transaction as identity.
func (m *Model) Read(ctx context.Context, identity string, fn func(gateway.ReadView) error) (uint64, error) {
	caller, ok := (*m.callers.Load())[identity]
	if !ok {
		return 0, &api.Error{Code: api.CodeUnauthenticated, Message: "unknown identity"}
	}
	return m.store.Read(ctx, func(v *View) error { return fn(callerView{v, caller}) })
}

type callerView struct {
	v      *View
	caller rules.Caller
}

func (c callerView) Evaluate(function string, args ...string) ([]byte, error) {
	return c.v.Evaluate(c.caller, function, args...)
}

func (c callerView) Transaction(txID string) (*api.Transaction, error) { return c.v.Transaction(txID) }
