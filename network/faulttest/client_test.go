//go:build integration

package faulttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/network/netctl"
)

// client calls one organization's HTTP gateway as one of its users.
type client struct{ api *apiclient.Client }

func newClient(t *testing.T, sys *netctl.System, msp, user string) *client {
	t.Helper()
	api, err := sys.APIClient(msp, user) // HTTPS, trusting the organization's CA
	if err != nil {
		t.Fatal(err)
	}
	api.HTTP.Timeout = 45 * time.Second
	return &client{api: api}
}

// response is one HTTP answer; status 0 means the request did not get an answer at all.
type response struct {
	status int
	body   []byte
	err    error
}

func (r response) String() string {
	if r.err != nil {
		return r.err.Error()
	}
	return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body))
}

func (c *client) do(ctx context.Context, method, path, idemKey string, body any, headers ...string) response {
	if idemKey != "" {
		headers = append(headers, "Idempotency-Key", idemKey)
	}
	r, err := c.api.Do(ctx, method, path, body, headers...)
	if err != nil {
		return response{err: err}
	}
	return response{status: r.Status, body: r.Body}
}

// retryable is what a careful client retries with the same Idempotency-Key: no answer at all, or the
// gateway saying the network is unavailable or the commit is late.
func retryable(r response) bool {
	return r.err != nil || r.status == http.StatusBadGateway || r.status == http.StatusServiceUnavailable ||
		r.status == http.StatusGatewayTimeout
}

// submit posts with one Idempotency-Key, retrying while the answer is retryable, for up to budget.
// Every answer is passed to observe.
func (c *client) submit(ctx context.Context, path, idemKey string, body any, budget time.Duration, observe func(response), headers ...string) response {
	deadline := time.Now().Add(budget)
	for delay := 200 * time.Millisecond; ; delay = min(2*delay, 2*time.Second) {
		r := c.do(ctx, http.MethodPost, path, idemKey, body, headers...)
		if observe != nil {
			observe(r)
		}
		if !retryable(r) || time.Now().Add(delay).After(deadline) || ctx.Err() != nil {
			return r
		}
		time.Sleep(delay)
	}
}

func execIpledger(args ...string) (string, error) {
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "ipledger"), args...).CombinedOutput()
	return string(out), err
}

// ipledger runs the project's entry point against the test network (same data directory and ports,
// from the environment the test command set).
func ipledger(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "ipledger"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ipledger %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// acked is what the gateways acknowledged with a 2xx during a load.
type acked struct {
	mu       sync.Mutex
	assets   []string
	pledges  map[string]string // asset id → pledge id
	maxBlock uint64            // the highest block an acknowledgement named
}

// load runs mixed submissions from workers until stop is closed: the IP office registers a patent,
// then Bank1 applies to pledge it, each request with its own Idempotency-Key, retried like a careful
// client would. It returns what was acknowledged and every answer seen.
type loadResult struct {
	acked            *acked
	attempts, errors atomic.Int64
	statuses         sync.Map // status code → *atomic.Int64
	samples          sync.Map // status code → first body seen
}

func (l *loadResult) observe(r response) {
	l.attempts.Add(1)
	code := r.status
	if r.err != nil {
		l.errors.Add(1)
	}
	v, _ := l.statuses.LoadOrStore(code, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	l.samples.LoadOrStore(code, r.String())
}

func (l *loadResult) summary() string {
	var parts []string
	l.statuses.Range(func(k, v any) bool {
		parts = append(parts, fmt.Sprintf("%v×%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	return fmt.Sprintf("%d attempts (%s), %d assets and %d pledges acknowledged", l.attempts.Load(),
		strings.Join(parts, " "), len(l.acked.assets), len(l.acked.pledges))
}

var runSeq atomic.Int64

func runLoad(ctx context.Context, t *testing.T, sys *netctl.System, workers int, stop <-chan struct{}) *loadResult {
	t.Helper()
	ipo := newClient(t, sys, string(api.MSPIPOffice), "examiner1")
	bank := newClient(t, sys, string(api.MSPBank1), "officer1")
	res := &loadResult{acked: &acked{pledges: map[string]string{}}}
	run := fmt.Sprintf("F%d%d", time.Now().Unix()%100000, runSeq.Add(1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("CN-%s-%d-%d", run, w, i)
				a := api.AssetInput{ID: id, Kind: api.KindPatentInvention, Number: "ZL" + id, Title: "Fault test patent",
					Owners:          []api.Owner{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co.", Share: 10000}},
					ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15", FeesPaidThrough: "2035-01-15"}
				r := ipo.submit(ctx, "/v1/assets", "asset-"+id, a, 20*time.Second, res.observe)
				if r.status/100 != 2 {
					continue
				}
				var registered struct {
					BlockNumber uint64 `json:"blockNumber"`
				}
				if err := json.Unmarshal(r.body, &registered); err != nil {
					t.Errorf("POST /v1/assets answered %s", r)
					continue
				}
				res.acked.mu.Lock()
				res.acked.assets = append(res.acked.assets, id)
				res.acked.maxBlock = max(res.acked.maxBlock, registered.BlockNumber)
				res.acked.mu.Unlock()
				app := map[string]any{"assetIds": []string{id}, "pledgors": []api.Party{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co."}},
					"pledgeeName": "Bank One Hubei Branch", "debtKind": "loan", "debtTermStart": "2025-01-01", "debtTermEnd": "2027-12-31",
					"contractHash": strings.Repeat("cd", 32),
					"terms":        map[string]string{"amount": "1000000.00", "currency": "CNY", "interestRate": "3.5", "scope": "principal"}}
				// Bank1's peer may not have the IP office's block yet: its gateway waits for it.
				r = bank.submit(ctx, "/v1/pledges", "pledge-"+id, app, 20*time.Second, res.observe,
					"IPLedger-After-Block", strconv.FormatUint(registered.BlockNumber, 10))
				if r.status/100 != 2 {
					continue
				}
				var out struct {
					ID          string `json:"id"`
					BlockNumber uint64 `json:"blockNumber"`
				}
				if err := json.Unmarshal(r.body, &out); err != nil || out.ID == "" {
					t.Errorf("POST /v1/pledges answered %s", r)
					continue
				}
				res.acked.mu.Lock()
				res.acked.pledges[id] = out.ID
				res.acked.maxBlock = max(res.acked.maxBlock, out.BlockNumber)
				res.acked.mu.Unlock()
			}
		}()
	}
	<-stop
	wg.Wait()
	return res
}

// checkAcked proves that every acknowledged submission is on the ledger exactly once: each right
// exists with one registration in its history, and each right has exactly the one pledge whose id the
// gateway acknowledged, however many times its application was retried.
func checkAcked(ctx context.Context, t *testing.T, sys *netctl.System, a *acked) {
	t.Helper()
	// Read from the regulator's peer once it has every acknowledged block.
	if err := sys.WaitForBlock(ctx, a.maxBlock); err != nil {
		t.Fatal(err)
	}
	reader := newClient(t, sys, string(api.MSPRegulator), "auditor1")
	for _, id := range a.assets {
		r := reader.do(ctx, http.MethodGet, "/v1/assets/"+id+"/history", "", nil)
		if r.status != http.StatusOK {
			t.Errorf("acknowledged right %s: history answered %s", id, r)
			continue
		}
		var history struct {
			Items []struct {
				Action string `json:"action"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.body, &history); err != nil {
			t.Errorf("history of %s: %v", id, err)
			continue
		}
		registrations := 0
		for _, item := range history.Items {
			if item.Action == "AssetRegistered" {
				registrations++
			}
		}
		if registrations != 1 {
			t.Errorf("acknowledged right %s registered %d times", id, registrations)
		}
	}
	for assetID, pledgeID := range a.pledges {
		r := reader.do(ctx, http.MethodGet, "/v1/pledges?assetId="+assetID, "", nil)
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &page) != nil {
			t.Errorf("pledges of %s: %s", assetID, r)
			continue
		}
		if len(page.Items) != 1 || page.Items[0].ID != pledgeID {
			t.Errorf("right %s has pledges %+v; the gateway acknowledged exactly %s", assetID, page.Items, pledgeID)
		}
	}
	t.Logf("checked on the ledger: %d acknowledged rights, %d acknowledged pledges, none missing, none twice",
		len(a.assets), len(a.pledges))
}

// waitFor polls check until it passes or the timeout ends.
func waitFor(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(250 * time.Millisecond)
	}
}
