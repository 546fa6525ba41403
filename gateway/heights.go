package gateway

import (
	"context"
	"sync"
)

// Heights is the channel's height as one block-event listener sees it: the listener raises it as the
// peer delivers blocks ([Heights.Raise]), and any number of requests wait for a block
// ([Heights.Await]) without asking the peer anything. A waiter is woken when the height grows, and
// returns once it is above its block.
type Heights struct {
	mu      sync.Mutex
	height  uint64
	changed chan struct{} // closed (and replaced) whenever height grows
}

// NewHeights starts at height 0: nothing known yet.
func NewHeights() *Heights { return &Heights{changed: make(chan struct{})} }

// Raise records that the ledger holds n blocks (blocks 0 … n-1). A lower n changes nothing.
func (h *Heights) Raise(n uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n <= h.height {
		return
	}
	h.height = n
	close(h.changed)
	h.changed = make(chan struct{})
}

// Height is the last height raised (0 before the first block event).
func (h *Heights) Height() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.height
}

// Await returns once the ledger holds block (its height is above it), with the height; or, when ctx
// ends first, the height last known and ctx's error.
func (h *Heights) Await(ctx context.Context, block uint64) (uint64, error) {
	for {
		h.mu.Lock()
		height, changed := h.height, h.changed
		h.mu.Unlock()
		if height > block {
			return height, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return height, ctx.Err()
		}
	}
}
