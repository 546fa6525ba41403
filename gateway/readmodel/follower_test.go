package readmodel

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/gateway"
)

// fakePeer delivers its blocks from the asked block on; a stream breaks after breakAfter blocks
// (0: it stays open until ctx ends).
type fakePeer struct {
	mu         sync.Mutex
	blocks     []*peer.BlockAndPrivateData
	breakAfter int
	froms      []uint64
}

func (p *fakePeer) BlocksWithPrivateData(ctx context.Context, from uint64) (<-chan *peer.BlockAndPrivateData, error) {
	p.mu.Lock()
	p.froms = append(p.froms, from)
	blocks, brk := p.blocks, p.breakAfter
	p.mu.Unlock()
	out := make(chan *peer.BlockAndPrivateData)
	go func() {
		defer close(out)
		sent := 0
		for i := int(from); i < len(blocks); i++ {
			if brk > 0 && sent == brk {
				return
			}
			select {
			case out <- blocks[i]:
				sent++
			case <-ctx.Done():
				return
			}
		}
		<-ctx.Done()
	}()
	return out, nil
}

func (p *fakePeer) ChainHeight(context.Context) (uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return uint64(len(p.blocks)), nil
}

func (p *fakePeer) KnownHeight() uint64 { h, _ := p.ChainHeight(context.Background()); return h }

// follow runs a follower of p into s until the test ends (a stop on an error fails it) and waits
// until the store has height h.
func follow(t *testing.T, s *Store, p *fakePeer, h uint64) *Follower {
	t.Helper()
	f := NewFollower(s, p, quiet(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the follower stopped on: %v", err)
		}
	})
	if got, err := s.AwaitHeight(ctx, h); err != nil || got != h {
		t.Fatalf("height %d: %v", got, err)
	}
	return f
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// The follower applies the peer's blocks in order, reopens a broken stream from the store's height
// (counted), becomes Ready once caught up, and wakes AwaitHeight with each block.
func TestFollower_ReopensFromTheStoresHeightAndBecomesReady(t *testing.T) {
	s := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")})
	p := &fakePeer{breakAfter: 2, blocks: []*peer.BlockAndPrivateData{configBlock(0)}}
	for i := 1; i < 5; i++ {
		p.blocks = append(p.blocks, block(uint64(i), []txSpec{{id: txid(i), creator: "Bank1MSP", at: t0,
			writes: []kv{{key: "k", value: []byte{byte(i)}}}}}, nil))
	}
	f := follow(t, s, p, 5)
	// The store's height moves inside Apply; the follower marks itself caught up just after.
	select {
	case <-f.Caught():
	case <-time.After(time.Minute):
		t.Fatal("the follower applied every block but never marked itself caught up")
	}
	if !f.Ready() || f.Lag() != 0 {
		t.Errorf("caught up: ready %v, lag %d", f.Ready(), f.Lag())
	}
	p.mu.Lock()
	froms := append([]uint64(nil), p.froms...)
	p.mu.Unlock()
	if len(froms) < 3 || froms[0] != 0 || froms[1] != 2 || froms[2] != 4 {
		t.Errorf("streams opened from %v, want 0, 2, 4 (the store's height each time)", froms)
	}
	if f.Reopened() < 2 || f.Applied() != 5 {
		t.Errorf("reopened %d, applied %d", f.Reopened(), f.Applied())
	}
	t.Logf("FIGURE follower: %d blocks applied over %d streams", f.Applied(), len(froms))
}

// A block the follower cannot read stops it with that error; it is not skipped and the read model
// is no longer Ready.
func TestFollower_StopsOnABlockItCannotRead(t *testing.T) {
	s := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")})
	bad := block(1, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0}}, nil)
	bad.Block.Data.Data[0] = []byte{0xff, 0xff}
	p := &fakePeer{blocks: []*peer.BlockAndPrivateData{configBlock(0), bad, configBlock(2)}}
	f := NewFollower(s, p, quiet(), nil)
	err := f.Run(context.Background())
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Block != 1 || f.Err() == nil || f.Ready() {
		t.Fatalf("run: %v; err %v; ready %v", err, f.Err(), f.Ready())
	}
	if s.Height() != 1 {
		t.Fatalf("height %d after stopping on block 1", s.Height())
	}
}

// A valid transaction writing the _lifecycle namespace's definition of the chaincode followed (an
// upgrade commits "namespaces/fields/ipledger/Sequence" and the other fields) raises the follower's
// definition height to the block's + 1; an approval's or another chaincode's definition, or an
// invalid transaction's, does not.
func TestFollower_DetectsANewDefinitionOfTheChaincode(t *testing.T) {
	s := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")})
	seq := func(name string) []kv {
		return []kv{{key: "namespaces/metadata/" + name, value: []byte("ChaincodeDefinition")},
			{key: "namespaces/fields/" + name + "/Sequence", value: []byte{2}}}
	}
	lc := LifecycleNamespace
	blocks := []*peer.BlockAndPrivateData{
		configBlock(0),
		block(1, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0, writes: []kv{{key: "k", value: []byte("v")}}}}, nil),
		block(2, []txSpec{{id: txid(2), creator: "IPOfficeMSP", at: t0, ns: lc, writes: seq("ipledger")}}, nil),
		block(3, []txSpec{{id: txid(3), creator: "IPOfficeMSP", at: t0, ns: lc, writes: seq("ipledger2")},
			{id: txid(4), creator: "IPOfficeMSP", at: t0, ns: lc, writes: seq("ipledger"), code: peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE},
			// an organization's approval: its implicit collection only
			{id: txid(5), creator: "Bank1MSP", at: t0, ns: lc, writes: []kv{{coll: "_implicit_org_Bank1MSP", key: "namespaces/fields/ipledger#3/Sequence", value: []byte{3}}}}}, nil),
	}
	for i, want := range []bool{false, false, true, false} {
		u, err := Parse(blocks[i], Namespace)
		if err != nil || u.Definition != want {
			t.Errorf("block %d: definition %v (%v), want %v", i, u != nil && u.Definition, err, want)
		}
	}
	p := &fakePeer{blocks: blocks}
	f := follow(t, s, p, 4)
	if d := f.DefinitionHeight(); d != 3 {
		t.Errorf("definition height %d, want 3 (the upgrade in block 2)", d)
	}
	t.Logf("FIGURE definition height after 4 blocks, one an upgrade: %d", f.DefinitionHeight())
}
