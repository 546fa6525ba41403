package readmodel

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
)

// Model is a followed store as the gateway's HTTP API uses it ([gateway.ReadModel]): reads as the
// gateway's identities, each the rules' caller its certificate makes.
type Model struct {
	*Follower
	mspID   string
	callers atomic.Pointer[map[string]identity]
}

// identity is a gateway identity as the read model answers for it: the rules' caller, and when its
// certificate stops being valid (the peer refuses it from then on; so does the read model).
type identity struct {
	caller   rules.Caller
	notAfter time.Time
}

// ErrCertificateExpired is a read as an identity whose certificate has expired: the read model does
// not answer it; the chaincode's peer refuses it with its own reason.
var ErrCertificateExpired = errors.New("the identity's certificate has expired")

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
	callers := map[string]identity{}
	for _, id := range cfg.Identities {
		c, err := CallerOfFile(cfg.MSPID, id.Certificate)
		if err != nil {
			return nil, fmt.Errorf("read model: identity %s: %w", id.Name, err)
		}
		notAfter, err := notAfterOf(id.Certificate)
		if err != nil {
			return nil, fmt.Errorf("read model: identity %s: %w", id.Name, err)
		}
		callers[id.Name] = identity{caller: c, notAfter: notAfter}
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
	id, ok := (*m.callers.Load())[identity]
	if !ok {
		return 0, &api.Error{Code: api.CodeUnauthenticated, Message: "unknown identity"}
	}
	if time.Now().After(id.notAfter) {
		return 0, ErrCertificateExpired // not an *api.Error: the gateway asks the chaincode, whose peer refuses it
	}
	return m.store.Read(ctx, func(v *View) error { return fn(callerView{v, id.caller}) })
}

type callerView struct {
	v      *View
	caller rules.Caller
}

func (c callerView) Evaluate(function string, args ...string) ([]byte, error) {
	return c.v.Evaluate(c.caller, function, args...)
}

func (c callerView) Transaction(txID string) (*api.Transaction, error) { return c.v.Transaction(txID) }

// notAfterOf is the end of validity of the PEM certificate in file.
func notAfterOf(file string) (time.Time, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return time.Time{}, err
	}
	b, _ := pem.Decode(raw)
	if b == nil {
		return time.Time{}, fmt.Errorf("%s holds no PEM certificate", file)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", file, err)
	}
	return c.NotAfter, nil
}
