package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/network/netctl"
)

// HTTP drives the same operations through the IP office's and Bank1's HTTP gateways, as their
// examiner and loan officer.
type HTTP struct {
	client          *http.Client
	ipoffice, bank1 endpoint
}

type endpoint struct{ base, key string }

// NewHTTP connects to the gateways of a running network.
func NewHTTP(sys *netctl.System, maxConns int) (*HTTP, error) {
	ep := func(msp, user string) (endpoint, error) {
		o, err := sys.Org(msp)
		if err != nil {
			return endpoint{}, err
		}
		if o.Gateway == "" {
			return endpoint{}, fmt.Errorf("%s has no HTTP gateway in this network", msp)
		}
		u, err := o.User(user)
		if err != nil {
			return endpoint{}, err
		}
		key, err := os.ReadFile(u.APIKeyFile)
		if err != nil {
			return endpoint{}, err
		}
		return endpoint{base: o.Gateway, key: strings.TrimSpace(string(key))}, nil
	}
	h := &HTTP{client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 2 * maxConns, MaxIdleConnsPerHost: maxConns, IdleConnTimeout: time.Minute}}}
	var err error
	if h.ipoffice, err = ep(rules.MSPIPOffice, "examiner1"); err != nil {
		return nil, err
	}
	if h.bank1, err = ep(rules.MSPBank1, "officer1"); err != nil {
		return nil, err
	}
	return h, nil
}

// Name is "http".
func (h *HTTP) Name() string { return "http" }

// Close releases idle connections.
func (h *HTTP) Close() { h.client.CloseIdleConnections() }

// do sends one request and decodes a 2xx answer into out (when not nil).
func (h *HTTP) do(ctx context.Context, ep endpoint, method, path, requestID string, body, out any, headers ...string) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader([]byte(mustJSON(body)))
	}
	req, err := http.NewRequestWithContext(ctx, method, ep.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+ep.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if requestID != "" {
		req.Header.Set("Idempotency-Key", requestID)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// RegisterAsset posts /v1/assets.
func (h *HTTP) RegisterAsset(ctx context.Context, requestID string, a rules.AssetInput) (uint64, error) {
	var res struct {
		BlockNumber uint64 `json:"blockNumber"`
	}
	err := h.do(ctx, h.ipoffice, http.MethodPost, "/v1/assets", requestID, a, &res)
	return res.BlockNumber, err
}

// submitted is the part of a submission's answer the benchmark uses.
type submitted struct {
	ID          string `json:"id"`
	BlockNumber uint64 `json:"blockNumber"`
}

func after(block uint64) []string {
	return []string{"IPLedger-After-Block", strconv.FormatUint(block, 10)}
}

// ApplyPledge posts /v1/pledges with the terms in the body (the gateway puts them in the transient
// map) and IPLedger-After-Block, so Bank1's gateway waits until its peer has the right.
func (h *HTTP) ApplyPledge(ctx context.Context, requestID string, app rules.PledgeApplication, terms rules.Terms, afterBlock uint64) (string, uint64, error) {
	body := struct {
		rules.PledgeApplication
		Terms rules.Terms `json:"terms"`
	}{app, terms}
	var res submitted
	if err := h.do(ctx, h.bank1, http.MethodPost, "/v1/pledges", requestID, body, &res, after(afterBlock)...); err != nil {
		return "", 0, err
	}
	if res.ID == "" {
		return "", 0, fmt.Errorf("POST /v1/pledges answered no id")
	}
	return res.ID, res.BlockNumber, nil
}

// RegisterPledge posts /v1/pledges/{id}/register.
func (h *HTTP) RegisterPledge(ctx context.Context, requestID, pledgeID, regNo string, afterBlock uint64) (uint64, error) {
	var res submitted
	err := h.do(ctx, h.ipoffice, http.MethodPost, "/v1/pledges/"+pledgeID+"/register", requestID,
		map[string]string{"registrationNumber": regNo}, &res, after(afterBlock)...)
	return res.BlockNumber, err
}

// ReleasePledge posts /v1/pledges/{id}/release.
func (h *HTTP) ReleasePledge(ctx context.Context, requestID, pledgeID string, afterBlock uint64) (uint64, error) {
	var res submitted
	err := h.do(ctx, h.bank1, http.MethodPost, "/v1/pledges/"+pledgeID+"/release", requestID,
		map[string]string{"reason": "loan repaid"}, &res, after(afterBlock)...)
	return res.BlockNumber, err
}

// Verify gets /v1/verify/{assetId}.
func (h *HTTP) Verify(ctx context.Context, assetID string) error {
	return h.do(ctx, h.ipoffice, http.MethodGet, "/v1/verify/"+assetID, "", nil, nil)
}

// History gets /v1/assets/{id}/history.
func (h *HTTP) History(ctx context.Context, assetID string) error {
	return h.do(ctx, h.ipoffice, http.MethodGet, "/v1/assets/"+assetID+"/history", "", nil, nil)
}
