package httpapi

import (
	"context"
	"errors"
	"sync"
	"time"
)

// readiness caches the chaincode Ping behind /readyz. /readyz is unauthenticated: were each probe a
// proposal to the peer, anyone who reaches the gateway could make the peer work at will. A result
// serves every probe for interval; the first probe after it starts one Ping, detached from any
// request (a probe that goes away does not cancel it), and waits for it (at most the Ping's timeout);
// the probes that come while it runs answer from the last result. So a flood of probes makes at most
// one Ping per interval, and no probe makes none when nobody asks.
//
// A result counts only if its Ping began at or after the read model's definition height (the block
// that committed the chaincode's last new definition, gateway.ReadModel.DefinitionHeight): once the
// read model applied an upgrade, the next probe pings at once, whatever the interval, and waits for
// it (a Ping begun before the upgrade is waited for, then another begun).
type readiness struct {
	interval   time.Duration
	timeout    time.Duration
	ping       func(context.Context) (string, error)
	now        func() time.Time
	definition func() uint64 // nil: no read model (always 0)

	mu         sync.Mutex
	last       *readyResult  // nil before the first Ping ended
	inflight   chan struct{} // closed when the Ping in flight ends; nil when none is
	inflightAt uint64        // the definition height when the Ping in flight began
}

// readyResult is one Ping's outcome, when it ended, and the read model's definition height when it
// began.
type readyResult struct {
	version    string
	err        error
	at         time.Time
	definition uint64
}

var errNotChecked = errors.New("readiness not checked yet")

// get returns a result no older than the interval, of a Ping begun at or after the definition
// height, pinging when it has none; ctx bounds the wait (then the last result, which may not count).
func (r *readiness) get(ctx context.Context) readyResult {
	def := r.definitionHeight()
	r.mu.Lock()
	for {
		if r.last != nil && r.last.definition >= def && r.now().Sub(r.last.at) < r.interval {
			res := *r.last
			r.mu.Unlock()
			return res
		}
		if r.inflight != nil && r.last != nil && r.last.definition >= def {
			res := *r.last // a Ping is on its way: the last result answers meanwhile
			r.mu.Unlock()
			return res
		}
		if r.inflight == nil {
			r.inflight, r.inflightAt = make(chan struct{}), r.definitionHeight()
			go r.refresh(r.inflight, r.inflightAt)
		}
		if r.inflightAt >= def {
			break
		}
		// A Ping begun before the definition changed: wait for it, then begin another.
		done := r.inflight
		r.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return r.lastResult()
		}
		r.mu.Lock()
	}
	done := r.inflight
	r.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return r.lastResult()
}

func (r *readiness) lastResult() readyResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		return readyResult{err: errNotChecked, at: r.now()}
	}
	return *r.last
}

func (r *readiness) definitionHeight() uint64 {
	if r.definition == nil {
		return 0
	}
	return r.definition()
}

func (r *readiness) refresh(done chan struct{}, definition uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	version, err := r.ping(ctx)
	cancel()
	r.mu.Lock()
	r.last = &readyResult{version: version, err: err, at: r.now(), definition: definition}
	r.inflight = nil
	r.mu.Unlock()
	close(done)
}
