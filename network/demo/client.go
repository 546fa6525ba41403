package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ipledger/ipledger/gateway/apiclient"
)

// keyPrefix begins every Idempotency-Key the demo sends. The keys are fixed, one per request of the
// data set: a run that stopped part-way and is started again (--force) sends the same keys, and the
// ledger answers what it already decided without writing twice (I3). A changed data set must change
// the prefix.
const keyPrefix = "demo-v1."

// actor calls one organization's gateway as one of its users.
type actor struct {
	org    string // MSP id
	user   string
	client *apiclient.Client
}

// caller sends the demo's requests, each carrying IPLedger-After-Block with the highest block a
// previous answer named, so that every gateway reads what the one before wrote.
type caller struct {
	mu    sync.Mutex
	after uint64
}

// submitted is a submission's answer.
type submitted struct {
	ID          string          `json:"id"`
	BlockNumber uint64          `json:"blockNumber"`
	Replay      bool            `json:"replay"`
	Result      json.RawMessage `json:"result"`
}

// APIError is a request the gateway answered with an error.
type APIError struct {
	Step, Method, Path string
	Status             int
	Body               string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: %s %s answered %d: %.600s", e.Step, e.Method, e.Path, e.Status, e.Body)
}

func (c *caller) seen(block uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if block > c.after {
		c.after = block
	}
}

func (c *caller) afterBlock() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.after == 0 {
		return nil
	}
	return []string{"IPLedger-After-Block", strconv.FormatUint(c.after, 10)}
}

// retryable tells whether an answer may change when the same request is sent again: the network was
// unavailable (503), the transaction was not committed in time (504: the same key finds it), or a
// limit was reached (429).
func retryable(status int) bool {
	return status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout || status == http.StatusTooManyRequests
}

// do sends one request, again with the same Idempotency-Key while the answer is retryable (up to 6
// times, waiting longer each time), and returns the 2xx answer's body.
func (c *caller) do(ctx context.Context, a actor, step, method, path string, body any) ([]byte, error) {
	var headers []string
	if method != http.MethodGet {
		headers = append(headers, "Idempotency-Key", keyPrefix+step)
	}
	var last error
	for attempt := 1; attempt <= 6; attempt++ {
		res, err := a.client.Do(ctx, method, path, body, append(headers, c.afterBlock()...)...)
		switch {
		case err != nil:
			last = fmt.Errorf("%s: %s %s: %w", step, method, path, err)
		case res.OK():
			return res.Body, nil
		case retryable(res.Status):
			last = &APIError{step, method, path, res.Status, string(res.Body)}
		default:
			return nil, &APIError{step, method, path, res.Status, string(res.Body)}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt) * time.Second):
		}
	}
	return nil, last
}

// submit sends a submission and decodes its answer; its block becomes the one later requests wait for.
func (c *caller) submit(ctx context.Context, a actor, step, method, path string, body any) (*submitted, error) {
	raw, err := c.do(ctx, a, step, method, path, body)
	if err != nil {
		return nil, err
	}
	var s submitted
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: answer %.200s: %w", step, raw, err)
	}
	c.seen(s.BlockNumber)
	return &s, nil
}

// get reads a JSON answer into v.
func (c *caller) get(ctx context.Context, a actor, path string, v any) error {
	raw, err := c.do(ctx, a, "read "+path, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// pledgeList is one page of GET /v1/pledges.
type pledgeList struct {
	Bookmark string `json:"bookmark"`
	Items    []struct {
		ID               string   `json:"id"`
		Status           string   `json:"status"`
		AssetIDs         []string `json:"assetIds"`
		ExaminationDueBy string   `json:"examinationDueBy"`
		Pledgee          struct {
			MSP string `json:"msp"`
		} `json:"pledgee"`
	} `json:"items"`
}

// listPledges reads every page of GET /v1/pledges?<query>.
func (c *caller) listPledges(ctx context.Context, a actor, query string) (pledgeList, error) {
	var all pledgeList
	bookmark := ""
	for {
		path := "/v1/pledges?" + query + "&pageSize=100"
		if bookmark != "" {
			path += "&bookmark=" + url.QueryEscape(bookmark)
		}
		var page pledgeList
		if err := c.get(ctx, a, path, &page); err != nil {
			return all, err
		}
		all.Items = append(all.Items, page.Items...)
		if page.Bookmark == "" {
			return all, nil
		}
		bookmark = page.Bookmark
	}
}

// errLedgerTooLong is the gateway's refusal to replay events from block 0 of a long ledger.
var errLedgerTooLong = errors.New("the ledger is longer than the gateway replays events for")

// firstRight reads the ledger's chaincode events from block 0 at a gateway and returns the first
// right registered on it ("" when none). No API lists every right; the events are the ledger's own
// record of every change. The replay ends at the first right, or when no event came for idle: the
// stream has no end, and the blocks of a fresh network (configuration, chaincode definition) carry no
// chaincode event to mark its last block.
func firstRight(ctx context.Context, a actor, idle time.Duration) (string, uint64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res, err := openEvents(ctx, a)
	if err != nil {
		return "", 0, err
	}
	defer res.Body.Close()
	var quiet bool
	var mu sync.Mutex
	timer := time.AfterFunc(idle, func() { mu.Lock(); quiet = true; mu.Unlock(); cancel() })
	defer timer.Stop()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	var event string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
			timer.Reset(idle)
		case strings.HasPrefix(line, "data: ") && (event == "AssetRegistered" || event == "AssetsImported"):
			var d struct {
				BlockNumber uint64 `json:"blockNumber"`
				Payload     struct {
					ID       string   `json:"id"`
					AssetIDs []string `json:"assetIds"`
				} `json:"payload"`
			}
			_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d)
			id := d.Payload.ID
			if id == "" && len(d.Payload.AssetIDs) > 0 {
				id = d.Payload.AssetIDs[0]
			}
			if id == "" {
				id = "?"
			}
			return id, d.BlockNumber, nil
		case line == "":
			event = ""
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if quiet {
		return "", 0, nil
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		return "", 0, err
	}
	return "", 0, ctx.Err()
}

// openEvents opens the event stream from block 0 at a's gateway.
func openEvents(ctx context.Context, a actor) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.client.BaseURL+"/v1/events?from=0", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.client.Key)
	req.Header.Set("Accept", "text/event-stream")
	hc := *a.client.HTTP
	hc.Timeout = 0 // a stream: the caller's idle timer ends it
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusOK {
		return res, nil
	}
	res.Body.Close()
	if res.StatusCode == http.StatusUnprocessableEntity {
		return nil, errLedgerTooLong
	}
	return nil, fmt.Errorf("GET /v1/events?from=0 answered %d", res.StatusCode)
}
