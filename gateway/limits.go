package gateway

import (
	"errors"
	"fmt"
	"time"
)

// LimitsConfig bounds what one client can take of the gateway and of its organization's peer: rate
// limits (token buckets), event streams, replay, and the HTTP server's timeouts. A zero field takes the
// default below (docs/operations.md, "The gateways": Limits).
type LimitsConfig struct {
	// PerKey is the token bucket of each API key: requests a second and the burst above that
	// (default 100/s, burst 200). Over it: 429 with Retry-After.
	PerKey RateConfig `yaml:"perKey,omitempty"`
	// PerAddress is the bucket of each client address (the TCP peer's IP), spent by every request
	// that carries no valid API key; an address over it is served only with a valid key (default
	// 10/s, burst 20).
	PerAddress RateConfig `yaml:"perAddress,omitempty"`
	// MaxAddresses bounds the addresses whose buckets are kept (default 10000): idle ones (their
	// buckets full again) are dropped first, then the least recently seen.
	MaxAddresses int `yaml:"maxAddresses,omitempty"`
	// StreamsPerKey caps the event streams (/v1/events) open at once with one API key (default 4).
	StreamsPerKey int `yaml:"streamsPerKey,omitempty"`
	// MaxReplayBlocks is how far back, in blocks from the ledger's height, a stream may start with
	// from= or Last-Event-ID (default 10000); further back is refused (422).
	MaxReplayBlocks uint64 `yaml:"maxReplayBlocks,omitempty"`
	// The HTTP server's timeouts (defaults 10s, 30s, 2m, 2m). WriteTimeout bounds every answer but an
	// event stream's, which is given StreamWriteTimeout for each write instead; it must outlast a
	// submission (commitTimeout + 2 × endorseTimeout + the 10s IPLedger-After-Block wait).
	ReadHeaderTimeout time.Duration `yaml:"readHeaderTimeout,omitempty"`
	ReadTimeout       time.Duration `yaml:"readTimeout,omitempty"`
	WriteTimeout      time.Duration `yaml:"writeTimeout,omitempty"`
	IdleTimeout       time.Duration `yaml:"idleTimeout,omitempty"`
	// StreamWriteTimeout bounds each write of an event stream (default 30s): a client that stops
	// reading is cut off.
	StreamWriteTimeout time.Duration `yaml:"streamWriteTimeout,omitempty"`
}

// RateConfig is a token bucket: Rate requests a second on average, Burst at once.
type RateConfig struct {
	Rate  float64 `yaml:"rate,omitempty"`
	Burst int     `yaml:"burst,omitempty"`
}

// AfterBlockWait is the longest a request waits for the block named by IPLedger-After-Block.
const AfterBlockWait = 10 * time.Second

// DefaultLimits are the limits of a configuration that sets none.
var DefaultLimits = LimitsConfig{
	PerKey: RateConfig{Rate: 100, Burst: 200}, PerAddress: RateConfig{Rate: 10, Burst: 20},
	MaxAddresses: 10000, StreamsPerKey: 4, MaxReplayBlocks: 10000,
	ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 2 * time.Minute,
	IdleTimeout: 2 * time.Minute, StreamWriteTimeout: 30 * time.Second,
}

// setDefaults fills every zero field from [DefaultLimits].
func (l *LimitsConfig) setDefaults() {
	d := DefaultLimits
	for _, r := range []struct{ v, d *RateConfig }{{&l.PerKey, &d.PerKey}, {&l.PerAddress, &d.PerAddress}} {
		if r.v.Rate == 0 {
			r.v.Rate = r.d.Rate
		}
		if r.v.Burst == 0 {
			r.v.Burst = max(r.d.Burst, int(2*r.v.Rate))
		}
	}
	if l.MaxAddresses == 0 {
		l.MaxAddresses = d.MaxAddresses
	}
	if l.StreamsPerKey == 0 {
		l.StreamsPerKey = d.StreamsPerKey
	}
	if l.MaxReplayBlocks == 0 {
		l.MaxReplayBlocks = d.MaxReplayBlocks
	}
	for _, t := range []struct{ v, d *time.Duration }{{&l.ReadHeaderTimeout, &d.ReadHeaderTimeout},
		{&l.ReadTimeout, &d.ReadTimeout}, {&l.WriteTimeout, &d.WriteTimeout}, {&l.IdleTimeout, &d.IdleTimeout},
		{&l.StreamWriteTimeout, &d.StreamWriteTimeout}} {
		if *t.v == 0 {
			*t.v = *t.d
		}
	}
}

// validate reports impossible limits: negative ones, and a write timeout that would cut off a
// submission the gateway is still waiting for.
func (l *LimitsConfig) validate(c *Config) []error {
	var errs []error
	if l.PerKey.Rate < 0 || l.PerAddress.Rate < 0 || l.PerKey.Burst < 1 || l.PerAddress.Burst < 1 {
		errs = append(errs, errors.New("limits: perKey and perAddress need a positive rate and a burst of at least 1"))
	}
	if l.MaxAddresses < 1 || l.StreamsPerKey < 1 {
		errs = append(errs, errors.New("limits: maxAddresses and streamsPerKey must be at least 1"))
	}
	if l.ReadHeaderTimeout < 0 || l.ReadTimeout < 0 || l.IdleTimeout < 0 || l.StreamWriteTimeout < 0 {
		errs = append(errs, errors.New("limits: timeouts must not be negative"))
	}
	if need := c.CommitTimeout + 2*c.EndorseTimeout + AfterBlockWait; l.WriteTimeout < need {
		errs = append(errs, fmt.Errorf("limits.writeTimeout %s would cut off a submission still under way: it must be at least "+
			"commitTimeout + 2 × endorseTimeout + %s = %s", l.WriteTimeout, AfterBlockWait, need))
	}
	return errs
}
