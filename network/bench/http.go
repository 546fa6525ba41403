package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/network/netctl"
)

// HTTP drives the same operations through the IP office's and Bank1's HTTP gateways, as their
// examiner and loan officer.
type HTTP struct {
	ipoffice, bank1 *apiclient.Client
	transports      []*http.Transport
}

// NewHTTP connects to the gateways of a running network, over HTTPS, each trusting only its
// organization's CA.
func NewHTTP(sys *netctl.System, maxConns int) (*HTTP, error) {
	h := &HTTP{}
	for _, c := range []struct {
		msp, user string
		to        **apiclient.Client
	}{{string(api.MSPIPOffice), "examiner1", &h.ipoffice}, {string(api.MSPBank1), "officer1", &h.bank1}} {
		client, err := sys.APIClient(c.msp, c.user)
		if err != nil {
			return nil, err
		}
		t := client.HTTP.Transport.(*http.Transport)
		t.MaxIdleConns, t.MaxIdleConnsPerHost, t.IdleConnTimeout = maxConns, maxConns, time.Minute
		client.HTTP.Timeout = 60 * time.Second
		h.transports = append(h.transports, t)
		*c.to = client
	}
	return h, nil
}

// Name is "http".
func (h *HTTP) Name() string { return "http" }

// Close releases idle connections.
func (h *HTTP) Close() {
	for _, t := range h.transports {
		t.CloseIdleConnections()
	}
}

// do sends one request and decodes a 2xx answer into out (when not nil).
func (h *HTTP) do(ctx context.Context, c *apiclient.Client, method, path, requestID string, body, out any, headers ...string) error {
	if requestID != "" {
		headers = append(headers, "Idempotency-Key", requestID)
	}
	r, err := c.Do(ctx, method, path, body, headers...)
	if err != nil {
		return err
	}
	if !r.OK() {
		return fmt.Errorf("%s %s: %s", method, path, r)
	}
	if out != nil {
		return r.Decode(out)
	}
	return nil
}

// RegisterAsset posts /v1/assets.
func (h *HTTP) RegisterAsset(ctx context.Context, requestID string, a api.AssetInput) (uint64, error) {
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
func (h *HTTP) ApplyPledge(ctx context.Context, requestID string, app api.PledgeApplication, terms api.Terms, afterBlock uint64) (string, uint64, error) {
	body := struct {
		api.PledgeApplication
		Terms api.Terms `json:"terms"`
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

// ReadSourceHeader names where a gateway's read answer came from: read-model or chaincode.
const ReadSourceHeader = "IPLedger-Read-Source"

// VerifySource gets /v1/verify/{assetId} and answers where the gateway read it from.
func (h *HTTP) VerifySource(ctx context.Context, assetID string) (string, error) {
	r, err := h.ipoffice.Do(ctx, http.MethodGet, "/v1/verify/"+assetID, nil)
	if err != nil {
		return "", err
	}
	if !r.OK() {
		return r.Header.Get(ReadSourceHeader), fmt.Errorf("GET /v1/verify/%s: %s", assetID, r)
	}
	return r.Header.Get(ReadSourceHeader), nil
}

// SearchParties gets /v1/parties by code or by a part of a name.
func (h *HTTP) SearchParties(ctx context.Context, id, name string) error {
	q := url.Values{}
	if id != "" {
		q.Set("id", id)
	}
	if name != "" {
		q.Set("name", name)
	}
	return h.do(ctx, h.ipoffice, http.MethodGet, "/v1/parties?"+q.Encode(), "", nil, nil)
}

// AwaitReadModel returns once the IP office's gateway answers reads with block in its read model
// (IPLedger-After-Block on a read waits for it).
func (h *HTTP) AwaitReadModel(ctx context.Context, block uint64) error {
	return h.do(ctx, h.ipoffice, http.MethodGet, "/v1/parties?id=91420100MA00000000", "", nil, nil, after(block)...)
}
