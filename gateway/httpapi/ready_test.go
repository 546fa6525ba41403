package httpapi

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// pingCounter is a ledger whose Ping is counted and can be made to fail.
type pingCounter struct {
	*fakeLedger
	pings atomic.Int64
	fail  atomic.Bool
}

func (p *pingCounter) Ping(context.Context) (string, error) {
	p.pings.Add(1)
	if p.fail.Load() {
		return "", errors.New("connection refused")
	}
	return "ipledger-cc/fake", nil
}

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// /readyz is unauthenticated: 1,000 probes at once, and 1,000 more within the interval, make one
// chaincode Ping; after the interval the next probes make exactly one more, and a failed Ping is
// answered 503 to every probe of its interval, again with no Ping per probe.
func TestReadyz_AFloodOfProbesMakesAtMostOnePingPerInterval(t *testing.T) {
	l := &pingCounter{fakeLedger: &fakeLedger{}}
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := New(Options{Ledger: l, Keyring: testKeyring(t), MSPID: "Bank1MSP", ReadyInterval: 5 * time.Second, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	s.probe.now = clock.now
	flood := func(round string, want int) {
		t.Helper()
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for range 1000 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code := serve(s, "GET", "/readyz")
				mu.Lock()
				statuses[code]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[want] != 1000 {
			t.Fatalf("%s: answers %v, want 1000 × %d", round, statuses, want)
		}
	}
	flood("first 1,000 probes", 200)
	if n := l.pings.Load(); n != 1 {
		t.Fatalf("1,000 probes made %d Pings, want 1", n)
	}
	clock.add(4 * time.Second)
	flood("1,000 probes 4s later", 200)
	if n := l.pings.Load(); n != 1 {
		t.Fatalf("2,000 probes within 5s made %d Pings, want 1", n)
	}
	l.fail.Store(true)
	clock.add(2 * time.Second) // past the interval: the peer is down now
	if code := serve(s, "GET", "/readyz"); code != 503 {
		t.Fatalf("the probe after the interval, the peer down: %d, want 503", code)
	}
	flood("1,000 probes, the peer down", 503)
	if n := l.pings.Load(); n != 2 {
		t.Fatalf("after the interval 1,001 probes made %d Pings in all, want 2", n)
	}
	t.Logf("FIGURE readyz: 3,001 probes over two 5s intervals made %d chaincode Pings", l.pings.Load())
}

// Probes that come while a Ping is in flight answer from the last result, not with another Ping.
func TestReadyz_ProbesDuringAPingAnswerTheLastResult(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{})
	var pings atomic.Int64
	clock := &fakeClock{t: time.Unix(0, 0)}
	r := &readiness{interval: time.Second, timeout: time.Minute, now: clock.now,
		ping: func(ctx context.Context) (string, error) {
			if pings.Add(1) > 1 {
				close(started)
				<-release
			}
			return "v", nil
		}}
	if res := r.get(context.Background()); res.err != nil || res.version != "v" {
		t.Fatalf("first probe: %+v", res)
	}
	clock.add(2 * time.Second)
	first := make(chan readyResult)
	go func() { first <- r.get(context.Background()) }() // starts the second Ping, which blocks
	<-started
	for range 100 {
		if res := r.get(context.Background()); res.err != nil || !res.at.Equal(time.Unix(0, 0)) {
			t.Fatalf("a probe during the Ping: %+v, want the last result", res)
		}
	}
	close(release)
	<-first
	if n := pings.Load(); n != 2 {
		t.Fatalf("%d Pings, want 2", n)
	}
}
