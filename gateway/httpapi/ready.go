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
type readiness struct {
	interval time.Duration
	timeout  time.Duration
	ping     func(context.Context) (string, error)
	now      func() time.Time

	mu       sync.Mutex
	last     *readyResult  // nil before the first Ping ended
	inflight chan struct{} // closed when the Ping in flight ends; nil when none is
}

// readyResult is one Ping's outcome and when it ended.
type readyResult struct {
	version string
	err     error
	at      time.Time
}

var errNotChecked = errors.New("readiness not checked yet")

// get returns a result no older than the interval, pinging when it has none; ctx bounds the wait.
func (r *readiness) get(ctx context.Context) readyResult {
	r.mu.Lock()
	if r.last != nil && r.now().Sub(r.last.at) < r.interval {
		res := *r.last
		r.mu.Unlock()
		return res
	}
	if r.inflight != nil && r.last != nil {
		res := *r.last // a Ping is on its way: the last result answers meanwhile
		r.mu.Unlock()
		return res
	}
	if r.inflight == nil {
		r.inflight = make(chan struct{})
		go r.refresh(r.inflight)
	}
	done := r.inflight
	r.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		return readyResult{err: errNotChecked, at: r.now()}
	}
	return *r.last
}

func (r *readiness) refresh(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	version, err := r.ping(ctx)
	cancel()
	r.mu.Lock()
	r.last = &readyResult{version: version, err: err, at: r.now()}
	r.inflight = nil
	r.mu.Unlock()
	close(done)
}
