package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
	"golang.org/x/time/rate"
)

// HTTPServer is the gateway's HTTP server for h, with the timeouts of l: a client that sends its
// headers or its body too slowly, or does not read its answer, is cut off; an idle keep-alive
// connection is closed. Event streams extend their own write deadline at each write
// (limits.streamWriteTimeout) and so outlive WriteTimeout.
func HTTPServer(h http.Handler, l gateway.LimitsConfig) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout, ReadTimeout: l.ReadTimeout,
		WriteTimeout: l.WriteTimeout, IdleTimeout: l.IdleTimeout}
}

// limiter holds the token buckets of the rate limits and the count of open event streams per key.
// A zero rate limits nothing (the handler tests); the gateway always runs with the configured limits.
type limiter struct {
	perKey, perAddress *buckets
	streamsPerKey      int

	mu      sync.Mutex
	streams map[string]int // open event streams by key; a key without any is not kept
}

func newLimiter(l gateway.LimitsConfig) *limiter {
	return &limiter{perKey: newBuckets(l.PerKey, l.MaxAddresses), perAddress: newBuckets(l.PerAddress, l.MaxAddresses),
		streamsPerKey: l.StreamsPerKey, streams: map[string]int{}}
}

// buckets are token buckets by name (an API key's hash, a client address), at most max of them
// (limits.maxAddresses). When a new name finds them full, the idle ones (their bucket full again,
// which is what a new bucket would be: dropping them loses nothing) are dropped, at most once a
// second; failing that, the least recently used.
type buckets struct {
	limit rate.Limit
	burst int
	max   int

	mu    sync.Mutex
	lru   *simplelru.LRU[string, *rate.Limiter]
	swept time.Time
}

func newBuckets(r gateway.RateConfig, size int) *buckets {
	if r.Rate <= 0 {
		return nil
	}
	if size <= 0 {
		size = gateway.DefaultLimits.MaxAddresses
	}
	lru, _ := simplelru.NewLRU[string, *rate.Limiter](size, nil) // size > 0: no error
	return &buckets{limit: rate.Limit(r.Rate), burst: max(r.Burst, 1), max: size, lru: lru}
}

// get returns the bucket of name, making it (full) on first use.
func (b *buckets) get(name string, now time.Time) *rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l, ok := b.lru.Get(name); ok {
		return l
	}
	if b.lru.Len() >= b.max && now.Sub(b.swept) >= time.Second {
		b.swept = now
		for _, k := range b.lru.Keys() {
			if l, ok := b.lru.Peek(k); ok && l.TokensAt(now) >= float64(b.burst) {
				b.lru.Remove(k)
			}
		}
	}
	l := rate.NewLimiter(b.limit, b.burst)
	b.lru.Add(name, l) // evicts the least recently used when still full
	return l
}

// len is the number of buckets kept.
func (b *buckets) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lru.Len()
}

// take spends a token of name's bucket, or says how long until one is there.
func (b *buckets) take(name string, now time.Time) (wait time.Duration, ok bool) {
	r := b.get(name, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

// short says how long until name's bucket has a token, without spending one (0: it has one now).
func (b *buckets) short(name string, now time.Time) time.Duration {
	t := b.get(name, now).TokensAt(now)
	if t >= 1 {
		return 0
	}
	return time.Duration((1 - t) / float64(b.limit) * float64(time.Second))
}

// spend takes a token of name's bucket even when there is none (the bucket goes into debt): the
// request it pays for has been served already.
func (b *buckets) spend(name string, now time.Time) { b.get(name, now).ReserveN(now, 1) }

// exempt are the routes no limit applies to: the probes of health and the metrics scrape.
func exempt(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

// limitAddress is the rate limit of requests that carry no valid API key, by client address: a
// request that ends without an authenticated caller (no key, a wrong key, or a route outside /v1)
// spends a token, and once the address's bucket is empty only a request with a valid key passes (the
// lookup is one SHA-256 and a comparison per key). Requests with a valid key are limited by their key
// ([Server.limitKey]) instead, so that the users of one organization behind one address (a NAT, a
// proxy, the host itself) neither share a bucket nor are shut out by a neighbour's flood of wrong keys.
func (s *Server) limitAddress(c *gin.Context) {
	b := s.limits.perAddress
	if b == nil || exempt(c.Request.URL.Path) {
		return
	}
	addr := clientAddress(c.Request)
	if wait := b.short(addr, time.Now()); wait > 0 && !s.validKey(c) {
		tooMany(c, wait, fmt.Sprintf("too many requests without a valid API key from %s (at most %g a second, burst %d)",
			addr, float64(b.limit), b.burst))
		return
	}
	c.Next()
	if _, ok := c.Get(ctxCaller); !ok {
		b.spend(addr, time.Now())
	}
}

// validKey tells whether the request carries a valid API key (as [Server.authenticate] reads it).
func (s *Server) validKey(c *gin.Context) bool {
	if s.opts.Keyring == nil {
		return false
	}
	scheme, key, ok := strings.Cut(c.GetHeader("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	_, state := s.opts.Keyring.Check(strings.TrimSpace(key))
	return state == gateway.KeyValid
}

// limitKey is the rate limit of each API key (after authentication).
func (s *Server) limitKey(c *gin.Context) {
	b := s.limits.perKey
	if b == nil {
		return
	}
	if wait, ok := b.take(keyOf(c), time.Now()); !ok {
		tooMany(c, wait, fmt.Sprintf("too many requests with this API key (at most %g a second, burst %d)", float64(b.limit), b.burst))
	}
}

// openStream counts an event stream of the caller's key, or refuses it over the cap; release ends it.
func (s *Server) openStream(c *gin.Context) (release func(), ok bool) {
	l := s.limits
	if l.streamsPerKey <= 0 {
		return func() {}, true
	}
	key := keyOf(c)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.streams[key] >= l.streamsPerKey {
		tooMany(c, streamRetry, fmt.Sprintf("this API key has %d event streams open, the most this gateway allows "+
			"(limits.streamsPerKey): close one, or resume later with Last-Event-ID", l.streams[key]))
		return nil, false
	}
	l.streams[key]++
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.streams[key]--; l.streams[key] <= 0 {
			delete(l.streams, key)
		}
	}, true
}

// streamRetry is the Retry-After of a stream refused over the cap: when a slot frees is not known.
const streamRetry = 10 * time.Second

// tooMany answers 429 RATE_LIMITED with Retry-After in whole seconds (at least 1).
func tooMany(c *gin.Context, wait time.Duration, message string) {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	c.Header("Retry-After", strconv.Itoa(secs))
	abort(c, &api.Error{Code: api.CodeRateLimited, Message: fmt.Sprintf("%s: retry after %d s", message, secs),
		Details: map[string]string{"retryAfter": strconv.Itoa(secs)}})
}

// keyOf names the caller's API key for the limits: a hash of it, never the key itself.
func keyOf(c *gin.Context) string {
	_, key, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	sum := sha256.Sum256([]byte(strings.TrimSpace(key)))
	return hex.EncodeToString(sum[:16])
}

// clientAddress is the IP address of the TCP peer, an IPv6 address by its /64 (one host is commonly
// given a whole /64, and could otherwise take a new bucket with each address of it). Forwarding
// headers are not trusted: the gateway is served directly, and anyone can write them.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			return p.String()
		}
	}
	return addr.String()
}
