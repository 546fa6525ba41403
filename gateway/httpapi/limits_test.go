package httpapi

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
)

// assetLedger answers every evaluation with an asset.
func assetLedger() *fakeLedger {
	return &fakeLedger{OnEvaluate: func(string, string, ...string) ([]byte, error) { return []byte(`{"id":"CN1"}`), nil }}
}

// tooManyRequests fails unless r is a 429 RATE_LIMITED with a Retry-After of whole seconds, at least 1.
func tooManyRequests(t *testing.T, r response, what string) {
	t.Helper()
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("%s: %d %s, want 429", what, r.status, r.body)
	}
	if code, msg, _ := r.errorCode(t); code != string(api.CodeRateLimited) || !strings.Contains(msg, "retry after") {
		t.Errorf("%s: %s %q", what, code, msg)
	}
	if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("%s: Retry-After %q", what, r.header.Get("Retry-After"))
	}
}

func TestRateLimit_PerKey_429WithRetryAfterAndOtherKeysUntouched(t *testing.T) {
	ts := newServerFor(t, assetLedger(), "Bank1MSP", Options{Limits: gateway.LimitsConfig{
		PerKey: gateway.RateConfig{Rate: 0.5, Burst: 3}, PerAddress: gateway.RateConfig{Rate: 0.5, Burst: 1}}})
	for i := range 3 {
		if r := do(t, ts, "GET", "/v1/assets/CN1", ""); r.status != 200 {
			t.Fatalf("request %d within the burst: %d %s", i, r.status, r.body)
		}
	}
	r := do(t, ts, "GET", "/v1/assets/CN1", "")
	tooManyRequests(t, r, "the fourth request of the key")
	// One token every 2 s: the next is at most 2 s away.
	if s, _ := strconv.Atoi(r.header.Get("Retry-After")); s > 2 {
		t.Errorf("Retry-After %d s, a token comes within 2 s", s)
	}
	// Another key of the same address has its own bucket, and authenticated requests do not spend the
	// address's (its burst is 1: three requests above would have emptied it).
	for i := range 3 {
		if r := do(t, ts, "GET", "/v1/assets/CN1", "", "Authorization", "Bearer ipl_admin-key"); r.status != 200 {
			t.Fatalf("another key, request %d: %d %s", i, r.status, r.body)
		}
	}
	// The probes are never limited.
	for range 5 {
		if r := do(t, ts, "GET", "/healthz", ""); r.status != 200 {
			t.Fatalf("healthz: %d %s", r.status, r.body)
		}
	}
}

// fromAddress is a client whose connections come from the given loopback address.
func fromAddress(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func get(t *testing.T, c *http.Client, url, key string) response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

func TestRateLimit_PerAddress_RequestsWithoutAValidKeyRefused_AValidKeyFromThatAddressServed(t *testing.T) {
	ts := newServerFor(t, assetLedger(), "Bank1MSP", Options{Limits: gateway.LimitsConfig{
		PerKey: gateway.RateConfig{Rate: 100, Burst: 100}, PerAddress: gateway.RateConfig{Rate: 0.2, Burst: 2}}})
	a, b := fromAddress("127.0.0.2"), fromAddress("127.0.0.3")
	url := ts.URL + "/v1/assets/CN1"
	for _, key := range []string{"ipl_wrong", ""} {
		if r := get(t, a, url, key); r.status != 401 {
			t.Fatalf("within the address's burst: %d %s", r.status, r.body)
		}
	}
	tooManyRequests(t, get(t, a, url, "ipl_wrong"), "a third wrong key from the address")
	// A neighbour's flood of wrong keys does not shut out a valid key from the same address (a NAT, a
	// proxy, the host itself): it is limited by its own key's bucket, and spends nothing of the address's.
	for i := 0; i < 3; i++ {
		if r := get(t, a, url, officerKey); r.status != 200 {
			t.Fatalf("a valid key from an address over its limit: %d %s", r.status, r.body)
		}
	}
	tooManyRequests(t, get(t, a, url, "ipl_wrong"), "a wrong key after the valid ones")
	// Unauthenticated routes spend from the same bucket.
	tooManyRequests(t, get(t, a, ts.URL+"/openapi.json", ""), "the document from an address over its limit")
	// Another address is untouched; the probes are never limited.
	if r := get(t, b, url, "ipl_wrong"); r.status != 401 {
		t.Errorf("another address: %d %s", r.status, r.body)
	}
	if r := get(t, a, ts.URL+"/healthz", ""); r.status != 200 {
		t.Errorf("healthz from the limited address: %d", r.status)
	}
}

func TestRateLimit_BucketsAreBoundedIdleOnesDroppedFirst(t *testing.T) {
	b := newBuckets(gateway.RateConfig{Rate: 1, Burst: 2}, 3)
	now := time.Now()
	b.spend("busy", now) // not full: kept while others come and go
	for i := range 50 {
		b.get("addr"+strconv.Itoa(i), now.Add(time.Duration(i)*2*time.Second))
		if n := b.len(); n > 3 {
			t.Fatalf("%d buckets kept, at most 3", n)
		}
	}
	if _, ok := b.lru.Peek("addr49"); !ok {
		t.Error("the newest bucket was dropped")
	}
	// An address dropped comes back with a full bucket, as it would have refilled anyway.
	if w := b.short("addr0", now.Add(200*time.Second)); w != 0 {
		t.Errorf("a forgotten address waits %v", w)
	}
}

// openEvents opens an event stream with key and returns the function that closes it, or the refusal.
func openEvents(t *testing.T, ctx context.Context, ts *httptest.Server, query, key string, headers ...string) (func(), response) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode == 200 {
		t.Cleanup(func() { res.Body.Close() })
		return func() { res.Body.Close() }, response{status: 200}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return nil, response{status: res.StatusCode, header: res.Header, body: raw}
}

func TestEvents_StreamsPerKeyCapped(t *testing.T) {
	l := &fakeLedger{LedgerHeight: 10, StreamEnded: make(chan struct{}, 8)}
	ts := newServerFor(t, l, "Bank1MSP", Options{Limits: gateway.LimitsConfig{StreamsPerKey: 2}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	closeFirst, r := openEvents(t, ctx, ts, "", officerKey)
	if r.status != 200 {
		t.Fatalf("first stream: %d", r.status)
	}
	if _, r := openEvents(t, ctx, ts, "", officerKey); r.status != 200 {
		t.Fatalf("second stream: %d", r.status)
	}
	_, r = openEvents(t, ctx, ts, "", officerKey)
	tooManyRequests(t, r, "a third stream of the key")
	if _, msg, _ := r.errorCode(t); !strings.Contains(msg, "streamsPerKey") {
		t.Errorf("the refusal does not name the setting: %q", msg)
	}
	// A named stream over the cap is refused before its checkpoint file is opened.
	_, r = openEvents(t, ctx, ts, "?stream=audit", officerKey)
	tooManyRequests(t, r, "a third, named stream of the key")
	l.mu.Lock()
	opened := l.CheckpointsOpened
	l.mu.Unlock()
	if opened != 0 {
		t.Errorf("a stream refused over the cap opened %d checkpoints", opened)
	}
	if _, r := openEvents(t, ctx, ts, "", "ipl_admin-key"); r.status != 200 {
		t.Fatalf("another key's stream: %d %s", r.status, r.body)
	}
	// A stream closed frees its place.
	closeFirst()
	<-l.StreamEnded // the server saw the client go; its handler releases the place as it returns
	for attempt := 1; ; attempt++ {
		_, r := openEvents(t, ctx, ts, "", officerKey)
		if r.status == 200 {
			break
		}
		if attempt == 100 {
			t.Fatalf("a closed stream's place is not freed: %d %s", r.status, r.body)
		}
		runtime.Gosched()
	}
}

func TestEvents_ReplayBounded(t *testing.T) {
	l := &fakeLedger{LedgerHeight: 100, Checkpoints: map[string]gateway.Checkpoint{"officer1/old": {BlockNumber: 3, TransactionID: "aa"}}}
	ts := newServerFor(t, l, "Bank1MSP", Options{Limits: gateway.LimitsConfig{MaxReplayBlocks: 10}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, c := range []struct{ query, lastID, field string }{{"?from=0", "", "from"}, {"?from=89", "", "from"}, {"", "50:ab", "Last-Event-ID"}} {
		_, r := openEvents(t, ctx, ts, c.query, officerKey, "Last-Event-ID", c.lastID)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("%s %s: %d %s, want 422", c.query, c.lastID, r.status, r.body)
		}
		code, msg, _ := r.errorCode(t)
		if code != string(api.CodeInvalidArgument) || !strings.Contains(msg, "maxReplayBlocks") || !strings.Contains(msg, "block 90") ||
			!strings.HasPrefix(msg, c.field+":") {
			t.Errorf("%s %s: %s %q", c.query, c.lastID, code, msg)
		}
	}
	// Within the bound, and a named stream's own checkpoint however old: served.
	for _, q := range []string{"?from=90", "?from=500", "?stream=old"} {
		if _, r := openEvents(t, ctx, ts, q, officerKey); r.status != 200 {
			t.Errorf("%s: %d %s", q, r.status, r.body)
		}
	}
}

func TestHTTPServer_SlowHeadersCutOff(t *testing.T) {
	lim := gateway.DefaultLimits
	lim.ReadHeaderTimeout = 200 * time.Millisecond
	srv := HTTPServer(http.NotFoundHandler(), lim)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	// Half a request's headers, then nothing: a slowloris client.
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: gateway\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.Copy(io.Discard, conn) // returns when the server closes the connection
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection is still open after %v", time.Since(start))
	}
	t.Logf("FIGURE slow-header client cut off after %d ms (readHeaderTimeout 200 ms)", time.Since(start).Milliseconds())
	if srv.ReadTimeout != lim.ReadTimeout || srv.WriteTimeout != lim.WriteTimeout || srv.IdleTimeout != lim.IdleTimeout {
		t.Errorf("timeouts %v %v %v", srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
}

// An event stream outlives the server's WriteTimeout: each write extends its own deadline.
func TestEvents_StreamOutlivesTheServersWriteTimeout(t *testing.T) {
	keys, _ := gateway.NewKeyring("Bank1MSP", []gateway.IdentityConfig{{Name: "officer1", APIKeySHA256: hashOf(officerKey)}})
	lim := gateway.DefaultLimits
	lim.WriteTimeout, lim.StreamWriteTimeout = 300*time.Millisecond, time.Second
	s, err := New(Options{Ledger: &fakeLedger{LedgerHeight: 3}, Keyring: keys, MSPID: "Bank1MSP", Heartbeat: 50 * time.Millisecond,
		Limits: lim, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := HTTPServer(s, lim)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+officerKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	start, beats := time.Now(), 0
	for time.Since(start) < 1200*time.Millisecond {
		if !sc.Scan() {
			t.Fatalf("the stream ended after %v (%d keep-alives; writeTimeout 300 ms): %v", time.Since(start), beats, sc.Err())
		}
		if sc.Text() == ": keep-alive" {
			beats++
		}
	}
	if beats < 10 {
		t.Errorf("%d keep-alives in 1.2 s at a 50 ms heartbeat", beats)
	}
}

func TestAfterBlock_WokenByABlockEventWithoutPolling(t *testing.T) {
	l := assetLedger()
	l.LedgerHeight = 5
	ts := newServerFor(t, l, "Bank1MSP", Options{AfterBlockTimeout: 10 * time.Second})
	done := make(chan response, 1)
	start := time.Now()
	go func() { done <- do(t, ts, "GET", "/v1/assets/CN1", "", HeaderAfterBlock, "7") }()
	time.Sleep(100 * time.Millisecond)
	l.Block(7) // blocks 0-6: block 7 not yet
	select {
	case r := <-done:
		t.Fatalf("answered before block 7 was committed: %d %s", r.status, r.body)
	case <-time.After(100 * time.Millisecond):
	}
	l.Block(8)
	select {
	case r := <-done:
		if r.status != 200 {
			t.Fatalf("after block 7: %d %s", r.status, r.body)
		}
		t.Logf("FIGURE after-block wait answered %d ms after the request (block event at about 200 ms)", time.Since(start).Milliseconds())
	case <-time.After(5 * time.Second):
		t.Fatal("the block event did not wake the wait")
	}
	if n := l.HeightCalls(); n != 0 {
		t.Errorf("the wait asked the ledger's height %d times: it should wait on block events only", n)
	}
}

func TestHeights_AwaitEndsWithTheContext(t *testing.T) {
	h := gateway.NewHeights()
	h.Raise(4)
	if n, err := h.Await(context.Background(), 3); n != 4 || err != nil {
		t.Fatalf("block 3 of 4: %d %v", n, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if n, err := h.Await(ctx, 4); n != 4 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("block 4 never comes: %d %v", n, err)
	}
}

// The per-address bucket takes an IPv6 address by its /64: a host cannot take a new bucket with each
// address of its prefix. An IPv4-mapped address is its IPv4 address.
func TestClientAddress_IPv6ByItsPrefix(t *testing.T) {
	for remote, want := range map[string]string{
		"[2001:db8:1:2:aaaa::1]:5000": "2001:db8:1:2::/64",
		"[2001:db8:1:2:bbbb::9]:5001": "2001:db8:1:2::/64",
		"[::ffff:10.0.0.7]:5000":      "10.0.0.7",
		"127.0.0.1:4000":              "127.0.0.1",
		"[2001:db8:1:3::1]:5000":      "2001:db8:1:3::/64",
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		if got := clientAddress(r); got != want {
			t.Errorf("%s: %s, want %s", remote, got, want)
		}
	}
}
