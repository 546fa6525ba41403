package readmodel

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// Source is the organization's own peer as the follower reads it.
type Source interface {
	// BlocksWithPrivateData streams the committed blocks from block from on, each with the private
	// data the peer gives the requesting identity (only of collections its organization is a member
	// of). The channel closes when ctx ends or the stream breaks.
	BlocksWithPrivateData(ctx context.Context, from uint64) (<-chan *peer.BlockAndPrivateData, error)
	// ChainHeight asks the peer for its height (qscc).
	ChainHeight(ctx context.Context) (uint64, error)
	// KnownHeight is the peer's height as last seen without asking (0 when unknown).
	KnownHeight() uint64
}

// Observer is told what the follower does, for metrics.
type Observer interface {
	BlockApplied(height uint64, took time.Duration)
	StreamReopened()
	FollowerStopped()
}

type nopObserver struct{}

func (nopObserver) BlockApplied(uint64, time.Duration) {}
func (nopObserver) StreamReopened()                    {}
func (nopObserver) FollowerStopped()                   {}

// Follower applies the peer's committed blocks to a store in order, from the store's height on.
type Follower struct {
	store *Store
	src   Source
	log   *slog.Logger
	obs   Observer

	target   atomic.Uint64 // the peer's height when the follower started
	ready    atomic.Bool
	readyC   chan struct{} // closed when ready is set
	reopened atomic.Int64
	applied  atomic.Int64
	defined  atomic.Uint64 // the height after the last block applied that changed the chaincode's definition

	mu      sync.Mutex
	stopErr error
}

// NewFollower follows src into store. obs may be nil.
func NewFollower(store *Store, src Source, log *slog.Logger, obs Observer) *Follower {
	if obs == nil {
		obs = nopObserver{}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Follower{store: store, src: src, log: log, obs: obs, readyC: make(chan struct{})}
}

// Store is the store followed.
func (f *Follower) Store() *Store { return f.store }

// Ready says whether the store has caught up, at least once since the follower started, to the
// height the peer had then, and the follower has not stopped.
func (f *Follower) Ready() bool { return f.ready.Load() && f.Err() == nil }

// Caught is closed once the store has caught up as Ready says, after the block that made it so is
// counted in Applied. Unlike Ready, it stays closed after the follower stops on a block it cannot
// read (Err).
func (f *Follower) Caught() <-chan struct{} { return f.readyC }

// Height is the store's height.
func (f *Follower) Height() uint64 { return f.store.Height() }

// Lag is how many blocks the peer, as last seen, has that the store has not applied.
func (f *Follower) Lag() uint64 {
	p, h := f.src.KnownHeight(), f.store.Height()
	if p > h {
		return p - h
	}
	return 0
}

// Reopened counts the times the block stream was opened again after it broke.
func (f *Follower) Reopened() int64 { return f.reopened.Load() }

// Applied counts the blocks applied since the follower started.
func (f *Follower) Applied() int64 { return f.applied.Load() }

// DefinitionHeight is the height after the last block, applied since the follower started, that
// committed a new definition of the chaincode (an upgrade); 0 when none. It is raised before the
// block is applied, so no read at the block's height or above sees the old value.
func (f *Follower) DefinitionHeight() uint64 { return f.defined.Load() }

// Err is the error the follower stopped on (a block it cannot read), nil while it follows.
func (f *Follower) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopErr
}

// Run follows until ctx ends (nil) or a block cannot be read (that error: the follower stops, it
// never skips a block). A broken stream or a failed database write is retried from the store's
// height after a pause growing from 100 ms to 5 s; each is counted and logged.
func (f *Follower) Run(ctx context.Context) error {
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		if f.target.Load() == 0 {
			if h, err := f.src.ChainHeight(ctx); err == nil {
				f.target.Store(max(h, 1))
				f.checkReady()
			} else {
				f.log.Warn("read model: cannot read the peer's height; retrying", "err", err, "retryIn", pause.String())
			}
		}
		if f.target.Load() != 0 {
			n, err := f.followOnce(ctx)
			var pe *ParseError
			if errors.As(err, &pe) {
				f.mu.Lock()
				f.stopErr = err
				f.mu.Unlock()
				f.obs.FollowerStopped()
				f.log.Error("read model: stopped on a block it cannot read; reads go to the chaincode. "+
					"Report it with the block number; the gateway follows again from this block when restarted",
					"block", pe.Block, "err", err)
				return err
			}
			if ctx.Err() != nil {
				return nil //nolint:nilerr // the stream ended because the follower was stopped: not a failure
			}
			if n > 0 {
				pause = 100 * time.Millisecond
			}
			f.reopened.Add(1)
			f.obs.StreamReopened()
			f.log.Warn("read model: the block stream from the peer broke; reopening from the read model's height",
				"height", f.store.Height(), "attempt", f.reopened.Load(), "err", err, "retryIn", pause.String())
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		pause = min(2*pause, 5*time.Second)
	}
	return nil
}

func (f *Follower) checkReady() {
	if !f.ready.Load() && f.store.Height() >= f.target.Load() && f.ready.CompareAndSwap(false, true) {
		close(f.readyC)
		f.log.Info("read model: caught up with the peer", "height", f.store.Height())
	}
}

// followOnce applies the blocks of one stream until it breaks; it returns how many it applied.
func (f *Follower) followOnce(ctx context.Context) (int, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks, err := f.src.BlocksWithPrivateData(sctx, f.store.Height())
	if err != nil {
		return 0, err
	}
	n := 0
	for b := range blocks {
		began := time.Now()
		u, err := Parse(b, Namespace)
		if err != nil {
			return n, err
		}
		if u.Definition && u.Number >= f.store.Height() && f.defined.Load() < u.Number+1 {
			f.defined.Store(u.Number + 1)
			f.log.Info("read model: the block commits a new definition of the chaincode; reads go to the chaincode "+
				"until its Ping confirms the rules version again", "block", u.Number)
		}
		applied, err := f.store.Apply(ctx, u)
		if err != nil {
			return n, err
		}
		if applied {
			n++
			f.applied.Add(1)
			f.obs.BlockApplied(f.store.Height(), time.Since(began))
		}
		f.checkReady()
	}
	return n, errors.New("the block stream ended")
}
