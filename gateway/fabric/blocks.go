package fabric

import (
	"context"
	"errors"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// The channel's height, for the waits of IPLedger-After-Block, comes from one stream of filtered
// block events from the organization's own peer, shared by every request: a wait asks the peer
// nothing. The peer's deliver service sends a block once it is in both its block store and its state
// database (kvledger commits both under the lock its block iterator reads under), so a request woken
// by block n reads a state that holds block n's writes.

// followBlocks raises l.heights as the peer delivers blocks until ctx ends, reopening the stream when
// it breaks (a peer restart) after a pause growing from 100 ms to 5 s.
func (l *Ledger) followBlocks(ctx context.Context) {
	defer close(l.followed)
	pause := 100 * time.Millisecond
	for ctx.Err() == nil {
		delivered, err := l.followOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if delivered {
			pause = 100 * time.Millisecond
		}
		l.log.Warn("block events: the stream from the peer broke; reopening (requests waiting for a block wait meanwhile)",
			"peer", l.cfg.Peer.Address, "err", err, "retryIn", pause.String())
		if sleepCtx(ctx, pause) != nil {
			return
		}
		pause = min(2*pause, 5*time.Second)
	}
}

// followOnce reads the height once (qscc), then follows the blocks from the newest one on, which the
// peer delivers at once, so that no block falls between the two. It returns when the stream ends,
// saying whether any block came.
func (l *Ledger) followOnce(ctx context.Context) (delivered bool, err error) {
	ids := l.ids.Load()
	s, ok := ids.byName[ids.first]
	if !ok {
		return false, errors.New("no identity to follow the blocks as")
	}
	h, err := s.qscc.Height()
	if err != nil {
		return false, classify(err, "")
	}
	l.heights.Raise(h)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	blocks, err := s.network.FilteredBlockEvents(sctx, client.WithStartBlock(max(h, 1)-1))
	if err != nil {
		return false, classify(err, "")
	}
	for b := range blocks {
		l.heights.Raise(b.GetNumber() + 1)
		delivered = true
	}
	return delivered, errors.New("the block event stream ended")
}

// AwaitBlock returns once the peer has delivered block (or any later one), with the height known
// then; when ctx ends first, the height last known and ctx's error.
func (l *Ledger) AwaitBlock(ctx context.Context, block uint64) (uint64, error) {
	return l.heights.Await(ctx, block)
}

// BlocksWithPrivateData streams the committed blocks from block from on, with the private data the
// peer gives the first configured identity: the peer filters it by each collection's member policy
// against that identity (Fabric core/peer/deliverevents.go), so only the organization's collections
// come. The read model follows it (gateway/readmodel).
func (l *Ledger) BlocksWithPrivateData(ctx context.Context, from uint64) (<-chan *peer.BlockAndPrivateData, error) {
	ids := l.ids.Load()
	s, ok := ids.byName[ids.first]
	if !ok {
		return nil, errors.New("no identity to read the blocks as")
	}
	blocks, err := s.network.BlockAndPrivateDataEvents(ctx, client.WithStartBlock(from))
	if err != nil {
		return nil, classify(err, "")
	}
	return blocks, nil
}

// ChainHeight asks the peer for the channel's height (qscc), as the first configured identity.
func (l *Ledger) ChainHeight(ctx context.Context) (uint64, error) {
	ids := l.ids.Load()
	return l.Height(ctx, ids.first)
}

// KnownHeight is the channel's height as the block-event stream last raised it, asking nothing.
func (l *Ledger) KnownHeight() uint64 { return l.heights.Height() }
