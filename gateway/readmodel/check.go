package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
)

// Evaluator evaluates a read-only operation of the chaincode on the organization's peer.
type Evaluator func(ctx context.Context, function string, args ...string) ([]byte, error)

// Kinds of difference the checker reports.
const (
	Missing = "missing" // the ledger has the key, the read model does not
	Extra   = "extra"   // the read model has a key the ledger does not
	Differs = "differs" // both have it, with other values
)

// Difference is one key on which the read model and the chaincode's state disagree: Collection "" is
// the public state, else the hash of that private collection's value.
type Difference struct {
	Key        string `json:"key"`
	Collection string `json:"collection,omitempty"`
	Kind       string `json:"kind"`
	Ledger     string `json:"ledgerSha256,omitempty"`
	ReadModel  string `json:"readModelSha256,omitempty"`
}

// CheckOptions say what to compare: every key (Sample 0) or Sample keys of the read model picked at
// random, the private collections whose hashes are compared for each pledge (the banks' terms), and
// those compared for each valuation report (ValuationCollections: valuation-<agency>-<bank>, F2).
type CheckOptions struct {
	Sample               int
	Collections          []string
	ValuationCollections []string
	PageSize             int
	// Rechecks is how many times keys that differ are read again, on both sides, once the read model
	// has the peer's height (blocks committed during the check make such differences); default 3.
	Rechecks int
}

// CheckReport is what a check found.
type CheckReport struct {
	Height      uint64       `json:"height"`
	Keys        int          `json:"keysCompared"`
	Private     int          `json:"privateCompared"`
	Sampled     bool         `json:"sampled"`
	Differences []Difference `json:"differences"`
}

// checker compares one store with the chaincode as one caller.
type checker struct {
	s         *Store
	caller    rules.Caller
	chaincode Evaluator
	height    func(context.Context) (uint64, error)
	opt       CheckOptions
}

// Check compares the read model with the chaincode's state: every key of every family the chaincode
// writes (the chaincode's own enumeration, ListStateKeys, on both sides, so both list in the same
// order), and for each pledge the hashes of its private terms in opt.Collections (GetStateDigests:
// the peer's private data hashes, known member or not); or, with opt.Sample, that many keys of the
// read model picked at random (which cannot find a key the read model lacks). The chaincode reads at
// the peer's height, the read model at its own: the check first waits until the read model has the
// peer's height, and reads the keys that differ again once it has caught up with the blocks committed
// meanwhile; what still differs is reported. A private value the peer committed without (missing at
// commit, fetched later by reconciliation: see missing.go) has no hash in the read model, so it is
// reported Missing; a rebuild, which fetches the blocks again with the private data the peer has by
// then, repairs it.
func Check(ctx context.Context, s *Store, caller rules.Caller, chaincode Evaluator, peerHeight func(context.Context) (uint64, error),
	opt CheckOptions) (*CheckReport, error) {
	if opt.PageSize <= 0 {
		opt.PageSize = api.MaxKeyPageSize
	}
	if opt.Rechecks <= 0 {
		opt.Rechecks = 3
	}
	c := &checker{s: s, caller: caller, chaincode: chaincode, height: peerHeight, opt: opt}
	if err := c.catchUp(ctx); err != nil {
		return nil, err
	}
	rep := &CheckReport{Height: s.Height(), Sampled: opt.Sample > 0, Differences: []Difference{}}
	var diffs []Difference
	var err error
	if opt.Sample > 0 {
		diffs, err = c.sample(ctx, rep)
	} else {
		diffs, err = c.all(ctx, rep)
	}
	if err != nil {
		return nil, err
	}
	for range opt.Rechecks {
		if len(diffs) == 0 {
			break
		}
		if err := c.catchUp(ctx); err != nil {
			return nil, err
		}
		if diffs, err = c.recheck(ctx, diffs); err != nil {
			return nil, err
		}
	}
	rep.Height = s.Height()
	if diffs != nil {
		rep.Differences = diffs
	}
	return rep, nil
}

// catchUpPolls bound the checker's wait for the read model (600 reads of its height, 100 ms apart).
const catchUpPolls = 600

// catchUp waits until the read model has the peer's present height. Another process (the gateway)
// applies the blocks, so nothing in this one is woken by them: the store's height is read from its
// database, catchUpPolls times at most.
func (c *checker) catchUp(ctx context.Context) error {
	h, err := c.height(ctx)
	if err != nil {
		return fmt.Errorf("the peer's height: %w", err)
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for range catchUpPolls {
		have, err := c.s.RefreshHeight(ctx)
		if err != nil {
			return err
		}
		if have >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return fmt.Errorf("the read model did not reach the peer's height %d (it has %d; is its gateway running?)", h, c.s.Height())
}

// local evaluates an operation on the read model.
func (c *checker) local(ctx context.Context, function string, args ...string) ([]byte, error) {
	var out []byte
	_, err := c.s.Read(ctx, func(v *View) error {
		var err error
		out, err = v.Evaluate(c.caller, function, args...)
		return err
	})
	return out, err
}

// keyPages iterates one family's pages of (key, hash) on one side.
type keyPages struct {
	eval     Evaluator
	family   string
	size     int
	items    []api.StateKey
	bookmark string
	done     bool
}

func (p *keyPages) peek(ctx context.Context) (*api.StateKey, error) {
	for len(p.items) == 0 && !p.done {
		raw, err := p.eval(ctx, api.ListStateKeys.Name, p.family, strconv.Itoa(p.size), p.bookmark)
		if err != nil {
			return nil, fmt.Errorf("ListStateKeys %q: %w", p.family, err)
		}
		var page api.StateKeyPage
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, fmt.Errorf("ListStateKeys %q: %w", p.family, err)
		}
		p.items, p.bookmark, p.done = page.Items, page.Bookmark, page.Bookmark == ""
	}
	if len(p.items) == 0 {
		return nil, nil
	}
	return &p.items[0], nil
}

func (p *keyPages) pop() { p.items = p.items[1:] }

// collectionsOf are the private collections whose hashes are compared for a key: the terms
// collections for a pledge, the valuation collections for a valuation report, none for the others.
func (c *checker) collectionsOf(key string) []string {
	switch family, _, _ := rules.SplitCompositeKey(key); family {
	case "pledge":
		return c.opt.Collections
	case "valuation":
		return c.opt.ValuationCollections
	}
	return nil
}

// privateDigests compares the private hashes of keys, each family's keys with its collections.
func (c *checker) privateDigests(ctx context.Context, keys []string, rep *CheckReport) ([]Difference, error) {
	var diffs []Difference
	byColls := map[string][]string{}
	var order []string
	for _, k := range keys {
		colls := c.collectionsOf(k)
		if len(colls) == 0 {
			continue
		}
		id := strings.Join(colls, "\x00")
		if _, ok := byColls[id]; !ok {
			order = append(order, id)
		}
		byColls[id] = append(byColls[id], k)
	}
	for _, id := range order {
		keys := byColls[id]
		more, err := c.digests(ctx, keys, c.collectionsOf(keys[0]), false, rep)
		if err != nil {
			return nil, err
		}
		diffs = append(diffs, more...)
	}
	return diffs, nil
}

// all compares every family, merging the two sorted enumerations, and the private hashes of every
// pledge and valuation report.
func (c *checker) all(ctx context.Context, rep *CheckReport) ([]Difference, error) {
	var diffs []Difference
	var private []string
	for _, family := range append([]string{""}, api.StateFamilies...) {
		l := &keyPages{eval: c.chaincode, family: family, size: c.opt.PageSize}
		r := &keyPages{eval: c.local, family: family, size: c.opt.PageSize}
		for {
			a, err := l.peek(ctx)
			if err != nil {
				return nil, err
			}
			b, err := r.peek(ctx)
			if err != nil {
				return nil, err
			}
			if a == nil && b == nil {
				break
			}
			rep.Keys++
			switch {
			case b == nil || (a != nil && a.Key < b.Key):
				diffs = append(diffs, Difference{Key: a.Key, Kind: Missing, Ledger: a.SHA256})
				l.pop()
			case a == nil || b.Key < a.Key:
				diffs = append(diffs, Difference{Key: b.Key, Kind: Extra, ReadModel: b.SHA256})
				r.pop()
			default:
				if a.SHA256 != b.SHA256 {
					diffs = append(diffs, Difference{Key: a.Key, Kind: Differs, Ledger: a.SHA256, ReadModel: b.SHA256})
				}
				if family == "pledge" || family == "valuation" {
					private = append(private, a.Key)
				}
				l.pop()
				r.pop()
			}
		}
	}
	more, err := c.privateDigests(ctx, private, rep)
	if err != nil {
		return nil, err
	}
	return append(diffs, more...), nil
}

// sample compares the digests of Sample keys of the read model picked at random.
func (c *checker) sample(ctx context.Context, rep *CheckReport) ([]Difference, error) {
	rows, err := c.s.r.QueryContext(ctx, `SELECT key FROM rm_state WHERE ns = $1 AND coll = '' ORDER BY RANDOM() LIMIT $2`,
		Namespace, c.opt.Sample)
	if err != nil {
		return nil, err
	}
	var keys []string
	for rows.Next() {
		var k []byte
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		keys = append(keys, string(k))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rep.Keys = len(keys)
	diffs, err := c.digests(ctx, keys, nil, true, rep)
	if err != nil {
		return nil, err
	}
	more, err := c.privateDigests(ctx, keys, rep)
	if err != nil {
		return nil, err
	}
	return append(diffs, more...), nil
}

// recheck reads the keys that differed again on both sides.
func (c *checker) recheck(ctx context.Context, diffs []Difference) ([]Difference, error) {
	var keys, private []string
	seen, seenPrivate := map[string]bool{}, map[string]bool{}
	for _, d := range diffs {
		if d.Collection != "" && !seenPrivate[d.Key] {
			seenPrivate[d.Key] = true
			private = append(private, d.Key)
		} else if d.Collection == "" && !seen[d.Key] {
			seen[d.Key] = true
			keys = append(keys, d.Key)
		}
	}
	var rep CheckReport
	var out []Difference
	if len(keys) > 0 {
		more, err := c.digests(ctx, keys, nil, true, &rep)
		if err != nil {
			return nil, err
		}
		out = more
	}
	more, err := c.privateDigests(ctx, private, &rep)
	if err != nil {
		return nil, err
	}
	return append(out, more...), nil
}

// digests compares GetStateDigests on both sides for keys: their public values (public) and their
// hashes in collections.
func (c *checker) digests(ctx context.Context, keys []string, collections []string, public bool, rep *CheckReport) ([]Difference, error) {
	colls := "[]"
	if len(collections) > 0 {
		raw, _ := json.Marshal(collections)
		colls = string(raw)
	}
	var diffs []Difference
	for i := 0; i < len(keys); i += api.MaxDigestKeys {
		batch, _ := json.Marshal(keys[i:min(i+api.MaxDigestKeys, len(keys))])
		var sides [2]api.KeyDigests
		for j, eval := range []Evaluator{c.chaincode, c.local} {
			raw, err := eval(ctx, api.GetStateDigests.Name, string(batch), colls)
			if err != nil {
				return nil, fmt.Errorf("GetStateDigests: %w", err)
			}
			if err := json.Unmarshal(raw, &sides[j]); err != nil {
				return nil, fmt.Errorf("GetStateDigests: %w", err)
			}
		}
		if len(sides[0].Items) != len(sides[1].Items) {
			return nil, fmt.Errorf("GetStateDigests: %d digests from the chaincode, %d from the read model", len(sides[0].Items), len(sides[1].Items))
		}
		for k, a := range sides[0].Items {
			b := sides[1].Items[k]
			if d, ok := differ(a.Key, "", a.Exists, b.Exists, a.SHA256, b.SHA256); public && ok {
				diffs = append(diffs, d)
			}
			for n, pa := range a.Private {
				if n >= len(b.Private) {
					break
				}
				pb := b.Private[n]
				rep.Private++
				if d, ok := differ(a.Key, pa.Collection, pa.Exists, pb.Exists, pa.SHA256, pb.SHA256); ok {
					diffs = append(diffs, d)
				}
			}
		}
	}
	return diffs, nil
}

// differ is the difference between the ledger's (a) and the read model's (b) digest of one value.
func differ(key, coll string, inA, inB bool, a, b string) (Difference, bool) {
	switch {
	case inA && !inB:
		return Difference{Key: key, Collection: coll, Kind: Missing, Ledger: a}, true
	case !inA && inB:
		return Difference{Key: key, Collection: coll, Kind: Extra, ReadModel: b}, true
	case inA && a != b:
		return Difference{Key: key, Collection: coll, Kind: Differs, Ledger: a, ReadModel: b}, true
	}
	return Difference{}, false
}
