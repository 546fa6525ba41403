//go:build integration

// Package gatewaytest drives the HTTP gateways of the real network that `scripts/ipledger test`
// starts: every endpoint, through the gateways of all five organizations, each acting with its own
// API keys. IPLEDGER_SYSTEM_FILE names the network's system.json.
package gatewaytest

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/itest"
)

// client calls one organization's gateway as one of its users.
type client struct{ *itest.Caller }

type reply = itest.Reply

func as(t *testing.T, mspID, user string) *client { return &client{itest.As(t, mspID, user)} }

// must fails unless the reply has the status.
func must(t *testing.T, r reply, status int, what string) reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
	return r
}

// refused fails unless the reply is an error with the status and code.
func refused(t *testing.T, r reply, status int, code, what string) {
	t.Helper()
	if r.Status != status || r.Err().Code != code {
		t.Fatalf("%s: %d %s, want %d %s: %s", what, r.Status, r.Err().Code, status, code, r.Body)
	}
}

// eventually repeats a read until it answers want: another organization's peer commits a block a
// moment after the submitter's.
func (c *client) eventually(path string, want int, ok func(reply) bool) reply {
	c.T.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := c.Do("GET", path, nil)
		if r.Status == want && (ok == nil || ok(r)) {
			return r
		}
		if time.Now().After(deadline) {
			c.T.Fatalf("GET %s at %s: %d %s", path, c.Org, r.Status, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// settled waits until every organization's peer has committed the submission's transaction. A
// submission is answered once the submitter's own peer committed it; the next step of a workflow,
// submitted by another organization and endorsed by others, needs their peers to have it too.
func settled(t *testing.T, r reply) reply {
	t.Helper()
	tx := r.Str(t, "txId")
	for _, msp := range peerOrgs {
		as(t, msp, staff[msp]).eventually("/v1/transactions/"+tx, 200, nil)
	}
	return r
}

// pledge is Bank One's application under the name its amend step changes.
func pledge(assetID string) map[string]any {
	p := itest.Application(assetID)
	p["pledgeeName"] = "Bank One"
	return p
}

// newAsset registers an IP right through the IP office's gateway.
func newAsset(t *testing.T) string {
	t.Helper()
	id := itest.Uniq("CN-GW")
	r := settled(t, must(t, as(t, "IPOfficeMSP", "examiner1").Do("POST", "/v1/assets", itest.Patent(id)), 201, "register asset"))
	return r.Str(t, "id")
}

// registeredPledge applies for a pledge through Bank1's gateway and registers it through the IP office's.
func registeredPledge(t *testing.T, assetID string) string {
	t.Helper()
	p := settled(t, must(t, as(t, "Bank1MSP", "officer1").Do("POST", "/v1/pledges", pledge(assetID)), 201, "apply pledge")).Str(t, "id")
	settled(t, must(t, as(t, "IPOfficeMSP", "examiner1").Do("POST", "/v1/pledges/"+p+"/register",
		map[string]any{"registrationNumber": "Y-" + p}), 200, "register pledge"))
	return p
}

var peerOrgs = []string{"Bank1MSP", "Bank2MSP", "ExchangeMSP", "IPOfficeMSP", "RegulatorMSP"}

// staff is a user of each organization's gateway (an admin has no API key: it acts with netctl).
var staff = map[string]string{"Bank1MSP": "officer1", "Bank2MSP": "officer1", "ExchangeMSP": "trader1",
	"IPOfficeMSP": "examiner1", "RegulatorMSP": "auditor1"}

func TestGateway_OperationsOnEveryOrganization(t *testing.T) {
	for _, msp := range peerOrgs {
		c := as(t, msp, staff[msp])
		must(t, c.Do("GET", "/healthz", nil), 200, msp+" healthz")
		if r := must(t, c.Do("GET", "/readyz", nil), 200, msp+" readyz"); !strings.HasPrefix(r.Str(t, "chaincode"), "ipledger-cc/") {
			t.Fatalf("%s readyz %s", msp, r.Body)
		}
		if r := must(t, c.Do("GET", "/openapi.json", nil), 200, msp+" openapi"); r.Obj(t)["openapi"] != "3.0.3" {
			t.Fatalf("%s openapi.json", msp)
		}
		// /metrics: not on the API's listener; on the operations listener, to the organization's
		// client certificates only.
		must(t, c.Do("GET", "/metrics", nil), 404, msp+" metrics on the API's listener")
		if r, err := itest.Ops(t, msp, "/healthz", false); err != nil || r.Status != 200 {
			t.Fatalf("%s operations /healthz without a client certificate: %v %v", msp, r, err)
		}
		if r, err := itest.Ops(t, msp, "/metrics", false); err != nil || r.Status != 401 {
			t.Fatalf("%s operations /metrics without a client certificate: %v %v; want 401", msp, r, err)
		}
		if m := itest.Metrics(t, msp); !strings.Contains(m, "ipledger_gateway_http_requests_total") {
			t.Fatalf("%s metrics lack the request counter", msp)
		}
	}
	// Another organization's admin certificate is not the organization's: Bank2's admin reads no
	// metrics of Bank1's gateway.
	sys := itest.System(t)
	b1, _ := sys.Org("Bank1MSP")
	b2, _ := sys.Org("Bank2MSP")
	pair, err := tls.LoadX509KeyPair(b2.OpsClientCert, b2.OpsClientKey)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := itest.HTTPClient(b1.GatewayCACert)
	if err != nil {
		t.Fatal(err)
	}
	tr := hc.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &pair, nil }
	defer tr.CloseIdleConnections()
	if res, err := (&http.Client{Timeout: 30 * time.Second, Transport: tr}).Get(b1.GatewayOps + "/metrics"); err == nil {
		res.Body.Close()
		t.Fatalf("Bank1's gateway /metrics answered %s to Bank2's admin certificate; want the handshake refused", res.Status)
	}
}

func TestGateway_AuthenticationIsPerOrganization(t *testing.T) {
	bank1, ipo := as(t, "Bank1MSP", "officer1"), as(t, "IPOfficeMSP", "examiner1")
	anon := *bank1.Caller
	anon.Key = ""
	refused(t, anon.Do("GET", "/v1/assets/X", nil), 401, "UNAUTHENTICATED", "no key")
	foreign := *ipo.Caller
	foreign.Key = bank1.Key // Bank1's key means nothing at the IP office's gateway
	refused(t, foreign.Do("GET", "/v1/assets/X", nil), 401, "UNAUTHENTICATED", "another organization's key")
}

func TestGateway_ValidationAndErrors(t *testing.T) {
	ipo := as(t, "IPOfficeMSP", "examiner1")
	refused(t, ipo.Do("POST", "/v1/assets", `{"id":`), 400, "MALFORMED", "malformed JSON")
	bad := itest.Patent(itest.Uniq("CN-GW"))
	bad["owners"] = []any{map[string]any{"id": "X1", "name": "X", "share": "all"}}
	r := ipo.Do("POST", "/v1/assets", bad)
	refused(t, r, 422, "INVALID_ARGUMENT", "wrong type")
	if !strings.Contains(string(r.Body), "owners[0].share") {
		t.Fatalf("no field path: %s", r.Body)
	}
	bad = itest.Patent(itest.Uniq("CN-GW"))
	bad["colour"] = "red"
	refused(t, ipo.Do("POST", "/v1/assets", bad), 422, "INVALID_ARGUMENT", "unknown field")
	// Validated by the chaincode, not by the document: shares must sum to 10000.
	bad = itest.Patent(itest.Uniq("CN-GW"))
	bad["owners"] = []any{map[string]any{"id": "X1", "name": "X", "share": 5000}}
	r = ipo.Do("POST", "/v1/assets", bad)
	refused(t, r, 422, "INVALID_ARGUMENT", "chaincode validation")
	refused(t, ipo.Do("GET", "/v1/assets/CN-NOPE-0", nil), 404, "NOT_FOUND", "unknown asset")
	refused(t, ipo.Do("GET", "/v1/transactions/"+strings.Repeat("0", 64), nil), 404, "NOT_FOUND", "unknown tx")
	// A1: only the IP office registers rights; V3: the regulator writes nothing.
	refused(t, as(t, "Bank1MSP", "officer1").Do("POST", "/v1/assets", itest.Patent(itest.Uniq("CN-GW"))), 403, "FORBIDDEN", "bank registers")
	refused(t, as(t, "RegulatorMSP", "auditor1").Do("POST", "/v1/assets", itest.Patent(itest.Uniq("CN-GW"))), 403, "FORBIDDEN", "regulator writes")
}

func TestGateway_I3_IdempotencyKey(t *testing.T) {
	ipo := as(t, "IPOfficeMSP", "examiner1")
	id, key := itest.Uniq("CN-GW"), itest.Uniq("idem")
	first := must(t, ipo.Do("POST", "/v1/assets", itest.Patent(id), "Idempotency-Key", key), 201, "first")
	again := must(t, ipo.Do("POST", "/v1/assets", itest.Patent(id), "Idempotency-Key", key), 201, "repeat")
	if again.Str(t, "id") != id || again.Header.Get("Idempotency-Key") != key {
		t.Fatalf("repeat %s", again.Body)
	}
	var a, b struct {
		Result struct {
			TitleTxID string `json:"titleTxId"`
			Version   int    `json:"version"`
		} `json:"result"`
	}
	_ = json.Unmarshal(first.Body, &a)
	_ = json.Unmarshal(again.Body, &b)
	if a.Result != b.Result || a.Result.Version != 1 {
		t.Fatalf("the repeat did not return the first outcome: %s vs %s", first.Body, again.Body)
	}
	other := itest.Patent(id)
	other["title"] = "Another title"
	refused(t, ipo.Do("POST", "/v1/assets", other, "Idempotency-Key", key), 409, "I3", "same key, other request")
	// Without a key a retry would be a second request: the gateway refuses it.
	refused(t, ipo.Do("POST", "/v1/assets", itest.Patent(itest.Uniq("CN-GW")), "Idempotency-Key", ""), 422, "INVALID_ARGUMENT", "no key")
}

// A repeated request is answered from the ledger without a transaction (I3): 100 repeats of one
// application, by two users of the bank (request ids are the bank's, and so is the salt the gateway
// gives terms sent without one), answer its first decision and leave the ledger's height as it was. A
// refusal under a rule is a decision too: kept, and answered again after its ground is gone.
func TestGateway_I3_RepeatsWriteNoTransactionAndRefusalsAreKept(t *testing.T) {
	ipo, officer, other := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "Bank1MSP", "officer2")
	assetID := newAsset(t)
	key := itest.Uniq("apply")
	first := settled(t, must(t, officer.Do("POST", "/v1/pledges", pledge(assetID), "Idempotency-Key", key), 201, "apply"))
	firstTx, pledgeID := first.Str(t, "txId"), first.Str(t, "id")
	before := itest.LedgerHeight(t)
	for i := range 100 {
		c := officer
		if i%2 == 1 {
			c = other
		}
		r := must(t, c.Do("POST", "/v1/pledges", pledge(assetID), "Idempotency-Key", key), 201, "repeat by "+c.User)
		var out struct {
			ID     string `json:"id"`
			Replay bool   `json:"replay"`
			TxID   string `json:"txId"`
		}
		if err := json.Unmarshal(r.Body, &out); err != nil || !out.Replay || out.TxID != firstTx || out.ID != pledgeID ||
			r.Block() != first.Block() || r.Header.Get("Location") != "/v1/pledges/"+pledgeID {
			t.Fatalf("repeat %d by %s: %s (first %s)", i, c.User, r.Body, first.Body)
		}
	}
	after := itest.LedgerHeight(t)
	if after != before {
		t.Fatalf("100 repeats grew the ledger from %d to %d blocks", before, after)
	}
	t.Logf("100 repeats of one application (officer1 and officer2 of Bank1): ledger height %d before, %d after", before, after)

	frozen := newAsset(t)
	settled(t, must(t, ipo.Do("POST", "/v1/assets/"+frozen+"/freezes", itest.Freeze(itest.Court, "(2026)E01ZB9")), 200, "freeze"))
	fkey := itest.Uniq("apply-frozen")
	r := officer.Do("POST", "/v1/pledges", pledge(frozen), "Idempotency-Key", fkey)
	refused(t, r, 409, "P4", "apply on a frozen right")
	refusalTx := r.Err().TxID
	settled(t, must(t, ipo.Do("POST", "/v1/assets/"+frozen+"/freezes/1/lift", map[string]any{"ref": "(2026)E01ZB9-1"}), 200, "unfreeze"))
	again := officer.Do("POST", "/v1/pledges", pledge(frozen), "Idempotency-Key", fkey)
	refused(t, again, 409, "P4", "the refused request, repeated once the freeze is lifted")
	if refusalTx == "" || again.Err().TxID != refusalTx || again.Err().Details["reason"] != "frozen" ||
		r.Err().BlockNumber == 0 || again.Err().BlockNumber != r.Err().BlockNumber {
		t.Fatalf("the refusal was not kept: first %s, repeat %s", r.Body, again.Body)
	}
	// A new request is examined anew.
	must(t, officer.Do("POST", "/v1/pledges", pledge(frozen)), 201, "a new application once the freeze is lifted")
}

// The whole life of a pledge and a transfer, each step through the gateway of the organization whose
// job it is, every read through other organizations' gateways. This is the one life-cycle test of
// the integration suite (network/e2e holds the refusal grounds, the HTTP authorization matrix and
// bad input).
func TestGateway_PledgeAndTransferLifecycle(t *testing.T) {
	ipo, bank1, bank2 := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "Bank2MSP", "officer1")
	exch, reg := as(t, "ExchangeMSP", "trader1"), as(t, "RegulatorMSP", "auditor1")
	steps := map[string]string{} // tx id -> step, of the writes the regulator must find in the histories (I2)
	step := func(name string, r reply) reply {
		t.Helper()
		steps[r.Str(t, "txId")] = name
		return r
	}

	assetID := step("register asset", settled(t, must(t, ipo.Do("POST", "/v1/assets", itest.Patent(itest.Uniq("CN-GW"))), 201, "register asset"))).Str(t, "id")
	exch.eventually("/v1/assets/"+assetID, 200, nil)
	reg.eventually("/v1/assets/"+assetID+"/history", 200, nil)

	// Apply (Bank1): the terms stay private (V2).
	ap := step("apply", settled(t, must(t, bank1.Do("POST", "/v1/pledges", pledge(assetID)), 201, "apply")))
	pledgeID := ap.Str(t, "id")
	if ap.Header.Get("Location") != "/v1/pledges/"+pledgeID || strings.Contains(string(ap.Body), "5000000") {
		t.Fatalf("apply answer %s", ap.Body)
	}
	hasTerms := func(r reply) bool { _, ok := r.Obj(t)["privateTerms"]; return ok }
	for _, c := range []*client{bank1, reg, ipo} {
		r := c.eventually("/v1/pledges/"+pledgeID, 200, nil)
		if !hasTerms(r) || !strings.Contains(string(r.Body), `"verified":true`) || !strings.Contains(string(r.Body), "5000000.00") {
			t.Fatalf("%s should see the verified terms: %s", c.Org, r.Body)
		}
	}
	for _, c := range []*client{bank2, exch} {
		if r := c.eventually("/v1/pledges/"+pledgeID, 200, nil); hasTerms(r) || strings.Contains(string(r.Body), "5000000") {
			t.Fatalf("%s sees private terms: %s", c.Org, r.Body)
		}
	}
	// Register (IP office, endorsed by the IP office and the pledgee: state-based endorsement).
	registered := step("register pledge", settled(t, must(t, ipo.Do("POST", "/v1/pledges/"+pledgeID+"/register", map[string]any{"registrationNumber": "Y-" + pledgeID}), 200, "register")))
	// P4/P5: a patent carries one active pledge.
	r := bank2.Do("POST", "/v1/pledges", pledge(assetID))
	if r.Status != 409 || (r.Err().Code != "P4" && r.Err().Code != "P5") {
		t.Fatalf("second pledge on a patent: %d %s", r.Status, r.Body)
	}
	// Lifecycle by the pledgee; another bank may not.
	// A change or extension is filed by the pledgee and takes effect when the IP office records it (P6);
	// a new amount comes with the supplementary contract's hash.
	record := func(name string, filed reply) {
		t.Helper()
		change, _ := filed.Obj(t)["result"].(map[string]any)["pendingChangeId"].(string)
		step(name, settled(t, must(t, ipo.Do("POST", "/v1/pledges/"+pledgeID+"/changes/"+change+"/record", map[string]any{}), 200, name)))
	}
	record("record amendment", step("amend", settled(t, must(t, bank1.Do("POST", "/v1/pledges/"+pledgeID+"/amend", map[string]any{"pledgeeName": "Bank One Wuhan",
		"contractHash": strings.Repeat("cd", 32),
		"terms":        map[string]any{"amount": "4500000.00", "currency": "CNY", "interestRate": "3.65", "scope": "principal"}}), 200, "amend"))))
	record("record extension", step("extend", settled(t, must(t, bank1.Do("POST", "/v1/pledges/"+pledgeID+"/extend", map[string]any{"debtTermEnd": "2028-06-30"}), 200, "extend"))))
	refused(t, bank2.Do("POST", "/v1/pledges/"+pledgeID+"/release", map[string]any{"reason": "not mine"}), 403, "FORBIDDEN", "other bank releases")
	reg.eventually("/v1/pledges/"+pledgeID, 200, func(r reply) bool { return strings.Contains(string(r.Body), "4500000.00") })
	must(t, reg.Do("GET", "/v1/pledges/"+pledgeID+"/history", nil), 200, "pledge history")
	must(t, ipo.Do("GET", "/v1/pledges?assetId="+assetID, nil), 200, "list by asset")
	must(t, reg.Do("GET", "/v1/pledges?pledgee=Bank1MSP&pageSize=5", nil), 200, "list by pledgee")
	must(t, ipo.Do("GET", "/v1/pledges?overdue=true", nil), 200, "overdue")

	// A court's freeze (IP office, C1): a transfer is refused while frozen (T2).
	step("freeze", settled(t, must(t, ipo.Do("POST", "/v1/assets/"+assetID+"/freezes", itest.Freeze(itest.Court, "(2025)E01-1")), 200, "freeze")))
	refused(t, exch.Do("POST", "/v1/transfers", itest.TradeTransfer(assetID)), 409, "T2", "transfer while frozen")
	step("unfreeze", settled(t, must(t, ipo.Do("POST", "/v1/assets/"+assetID+"/freezes/1/lift", map[string]any{"ref": "(2025)E01-1-1"}), 200, "unfreeze")))

	// Transfer (exchange) of a pledged right: recorded only with the pledgee's consent (P7, T2).
	tr := step("request transfer", settled(t, must(t, exch.Do("POST", "/v1/transfers", itest.TradeTransfer(assetID)), 201, "request transfer")))
	transferID := tr.Str(t, "id")
	ipo.eventually("/v1/transfers/"+transferID, 200, nil)
	// The exchange's open requests on this right list it, as the peer's indexes find it.
	open := must(t, exch.Do("GET", "/v1/transfers?assetId="+assetID+"&requestedBy=ExchangeMSP&status=requested", nil), 200, "list transfers")
	var page struct {
		Count int `json:"count"`
		Items []struct {
			ID          string `json:"id"`
			RequestedBy string `json:"requestedBy"`
		} `json:"items"`
	}
	if err := json.Unmarshal(open.Body, &page); err != nil || page.Count != 1 || page.Items[0].ID != transferID ||
		page.Items[0].RequestedBy != "ExchangeMSP" {
		t.Fatalf("the exchange's open requests on %s: %s (%v)", assetID, open.Body, err)
	}
	itest.KeepsOnlyRefusals(t, "record without consent", func() []itest.APIError {
		r := ipo.Do("POST", "/v1/transfers/"+transferID+"/record", nil)
		refused(t, r, 409, "T2", "record without consent")
		if e := r.Err(); e.Message == "" || e.Details["reason"] != "consent-missing" || e.Details["pledgeId"] != pledgeID {
			t.Fatalf("T2 refusal without its message, reason or pledge: %s", r.Body)
		}
		return []itest.APIError{r.Err()}
	})
	step("consent", settled(t, must(t, bank1.Do("POST", "/v1/transfers/"+transferID+"/consent", map[string]any{"pledgeId": pledgeID, "proceedsUse": "escrow"}), 200, "consent")))
	rec := step("record transfer", settled(t, must(t, ipo.Do("POST", "/v1/transfers/"+transferID+"/record", map[string]any{}), 200, "record")))
	recordTx := rec.Str(t, "txId")
	var recorded struct {
		Result struct {
			Consents []struct {
				PledgeID    string `json:"pledgeId"`
				ProceedsUse string `json:"proceedsUse"`
				MSP         string `json:"msp"`
			} `json:"consents"`
		} `json:"result"`
	}
	_ = json.Unmarshal(rec.Body, &recorded)
	if c := recorded.Result.Consents; len(c) != 1 || c[0].PledgeID != pledgeID || c[0].ProceedsUse != "escrow" || c[0].MSP != "Bank1MSP" {
		t.Fatalf("recorded transfer lacks the escrow consent: %s", rec.Body)
	}

	// The regulator (I2): every writing step so far is in a history, with tx id, organization,
	// submitter and time.
	seen := map[string]bool{}
	for _, path := range []string{"/v1/assets/" + assetID + "/history", "/v1/pledges/" + pledgeID + "/history",
		"/v1/transfers/" + transferID + "/history"} {
		var hist struct {
			Items []struct {
				TxID, MSP, Submitter, Time string
			} `json:"items"`
		}
		if err := json.Unmarshal(must(t, reg.Do("GET", path, nil), 200, path).Body, &hist); err != nil {
			t.Fatal(err)
		}
		for _, it := range hist.Items {
			if it.TxID == "" || it.MSP == "" || it.Submitter == "" || it.Time == "" {
				t.Fatalf("history item without tx id, organization, submitter or time: %+v", it)
			}
			seen[it.TxID] = true
		}
	}
	for tx, name := range steps {
		if !seen[tx] {
			t.Fatalf("step %q (tx %s) is in no history the regulator reads", name, tx)
		}
	}

	// Verify (exchange): the new title and the pledge, with proof from the ledger.
	v := exch.eventually("/v1/verify/"+assetID, 200, func(r reply) bool { return strings.Contains(string(r.Body), recordTx) })
	var ver struct {
		Statement struct {
			Owners []struct {
				ID string `json:"id"`
			} `json:"owners"`
			TitleTxID string `json:"titleTxId"`
		} `json:"statement"`
		Proof struct {
			LedgerHeight uint64 `json:"ledgerHeight"`
			VerifiedBy   string `json:"verifiedBy"`
			Title        struct {
				TxID          string   `json:"txId"`
				BlockNumber   uint64   `json:"blockNumber"`
				Valid         bool     `json:"valid"`
				EndorsingOrgs []string `json:"endorsingOrgs"`
			} `json:"title"`
			Encumbrances []struct {
				PledgeID      string   `json:"pledgeId"`
				Rank          int      `json:"rank"`
				TxID          string   `json:"txId"`
				BlockNumber   uint64   `json:"blockNumber"`
				Valid         bool     `json:"valid"`
				EndorsingOrgs []string `json:"endorsingOrgs"`
			} `json:"encumbrances"`
		} `json:"proof"`
	}
	if err := json.Unmarshal(v.Body, &ver); err != nil {
		t.Fatal(err)
	}
	p := ver.Proof
	if ver.Statement.Owners[0].ID != "91420100MA4K0002" || p.Title.TxID != recordTx || !p.Title.Valid ||
		p.Title.BlockNumber == 0 || p.LedgerHeight <= p.Title.BlockNumber || p.VerifiedBy != "ExchangeMSP" ||
		!slices.Contains(p.Title.EndorsingOrgs, "IPOfficeMSP") || len(p.Title.EndorsingOrgs) < 2 {
		t.Fatalf("verification %s", v.Body)
	}
	if len(p.Encumbrances) != 1 || p.Encumbrances[0].PledgeID != pledgeID || p.Encumbrances[0].Rank != 1 ||
		p.Encumbrances[0].TxID != registered.Str(t, "txId") || p.Encumbrances[0].BlockNumber != registered.Block() || !p.Encumbrances[0].Valid ||
		!slices.Contains(p.Encumbrances[0].EndorsingOrgs, "IPOfficeMSP") || !slices.Contains(p.Encumbrances[0].EndorsingOrgs, "Bank1MSP") {
		t.Fatalf("encumbrance proof %s", v.Body)
	}
	// The transaction itself (regulator).
	tx := reg.eventually("/v1/transactions/"+recordTx, 200, nil).Obj(t)
	if tx["validationCode"] != "VALID" || tx["creatorMsp"] != "IPOfficeMSP" || tx["blockNumber"].(float64) == 0 {
		t.Fatalf("transaction %v", tx)
	}

	// Default (pledgee) and disposal (exchange, P8); refuse, revoke and release on pledges of their own.
	settled(t, must(t, bank1.Do("POST", "/v1/pledges/"+pledgeID+"/default", map[string]any{"reason": "overdue",
		"claim": map[string]any{"amount": "4500000.00", "currency": "CNY"}}), 200, "default"))
	must(t, exch.Do("POST", "/v1/pledges/"+pledgeID+"/dispose", map[string]any{"method": "auction",
		"buyers": []any{map[string]any{"id": "91420100MA4K0009", "name": "Hubei Photonics", "share": 10000}},
		"price":  "6000000.00", "currency": "CNY", "proceeds": []any{map[string]any{"pledgeId": pledgeID, "amount": "4500000.00"}},
		"surplus": "1500000.00", "saleRef": itest.Uniq("AUC")}), 200, "dispose")
	applied := settled(t, must(t, bank1.Do("POST", "/v1/pledges", pledge(newAsset(t))), 201, "apply 2")).Str(t, "id")
	must(t, ipo.Do("POST", "/v1/pledges/"+applied+"/refuse", map[string]any{"reasons": []string{"P4-fees"}}), 200, "refuse pledge")
	must(t, ipo.Do("POST", "/v1/pledges/"+registeredPledge(t, newAsset(t))+"/revoke", map[string]any{"reason": "forged"}), 200, "revoke")
	must(t, bank1.Do("POST", "/v1/pledges/"+registeredPledge(t, newAsset(t))+"/release", map[string]any{"reason": "repaid"}), 200, "release")
	t2 := settled(t, must(t, exch.Do("POST", "/v1/transfers", itest.TradeTransfer(newAsset(t))), 201, "request 2")).Str(t, "id")
	must(t, ipo.Do("POST", "/v1/transfers/"+t2+"/refuse", map[string]any{"reasons": []string{"T1-incomplete"}}), 200, "refuse transfer")
}

func TestGateway_RespondAsync(t *testing.T) {
	ipo, reg := as(t, "IPOfficeMSP", "examiner1"), as(t, "RegulatorMSP", "auditor1")
	id := newAsset(t)
	r := must(t, ipo.Do("PATCH", "/v1/assets/"+id, map[string]any{"feesPaidThrough": "2031-01-15"}, "Prefer", "respond-async"), 202, "async")
	txID := r.Str(t, "txId")
	if r.Header.Get("Location") != "/v1/transactions/"+txID || r.Str(t, "status") != "submitted" {
		t.Fatalf("async answer %s", r.Body)
	}
	reg.eventually("/v1/transactions/"+txID, 200, nil)
}

// T3: of two conflicting transfers, exactly one is recorded however they race; concurrent changes of
// one right all commit, through the gateway's read-conflict retries.
func TestGateway_T3_RacesAndRetries(t *testing.T) {
	ipo, exch := as(t, "IPOfficeMSP", "examiner1"), as(t, "ExchangeMSP", "trader1")
	id := newAsset(t)
	a := settled(t, must(t, exch.Do("POST", "/v1/transfers", itest.TradeTransfer(id)), 201, "transfer a")).Str(t, "id")
	b := settled(t, must(t, exch.Do("POST", "/v1/transfers", itest.TradeTransfer(id)), 201, "transfer b")).Str(t, "id")
	var wg sync.WaitGroup
	results := make([]reply, 2)
	for i, tr := range []string{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = ipo.Do("POST", "/v1/transfers/"+tr+"/record", nil)
		}()
	}
	wg.Wait()
	ok, lost := 0, 0
	for _, r := range results {
		switch {
		case r.Status == 200:
			ok++
		case r.Status == 409 && r.Err().Code == "T3":
			lost++
		default:
			t.Fatalf("record: %d %s", r.Status, r.Body)
		}
	}
	if ok != 1 || lost != 1 {
		t.Fatalf("%d recorded, %d refused under T3", ok, lost)
	}

	const n = 6
	patches := make([]reply, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			patches[i] = ipo.Do("PATCH", "/v1/assets/"+id, map[string]any{"title": fmt.Sprintf("Title %d", i)})
		}()
	}
	wg.Wait()
	retried := 0
	for _, r := range patches {
		must(t, r, 200, "concurrent patch")
		if r.Obj(t)["attempts"].(float64) > 1 {
			retried++
		}
	}
	t.Logf("%d of %d concurrent changes needed a new proposal", retried, n)
	m := itest.Metrics(t, "IPOfficeMSP")
	if retried > 0 && !strings.Contains(m, "ipledger_gateway_submission_retries_total") {
		t.Fatal("retries not in the metrics")
	}
	if !strings.Contains(m, `ipledger_gateway_submissions_total{function="UpdateAsset",msp="IPOfficeMSP",outcome="committed"}`) {
		t.Fatal("submission outcomes not in the metrics")
	}
}

// sse reads server-sent events until stop says so or the time is up.
func sse(t *testing.T, c *client, query, lastID string, stop func(map[string]string) bool) []map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.Base+"/v1/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+c.Key)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("events: %d", res.StatusCode)
	}
	var out []map[string]string
	cur := map[string]string{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" && len(cur) > 0 {
			out = append(out, cur)
			if stop(cur) {
				return out
			}
			cur = map[string]string{}
			continue
		}
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, ":") {
			cur[k] = v
		}
	}
	t.Fatalf("event stream ended after %d events", len(out))
	return nil
}

func TestGateway_EventsResumeWithLastEventID(t *testing.T) {
	reg, bank2 := as(t, "RegulatorMSP", "auditor1"), as(t, "Bank2MSP", "officer1")
	first, second := newAsset(t), newAsset(t)
	// From the start of the ledger to the registration of first, through the regulator's gateway.
	evs := sse(t, reg, "?from=0", "", func(e map[string]string) bool { return strings.Contains(e["data"], `"id":"`+first+`"`) })
	last := evs[len(evs)-1]
	if last["event"] != "AssetRegistered" || !strings.Contains(last["id"], ":") {
		t.Fatalf("event %v", last)
	}
	// Resume after it through Bank2's gateway: the next AssetRegistered of ours is second's.
	rest := sse(t, bank2, "", last["id"], func(e map[string]string) bool { return strings.Contains(e["data"], second) })
	for _, e := range rest {
		if e["id"] == last["id"] || strings.Contains(e["data"], `"id":"`+first+`"`) {
			t.Fatalf("resumed stream repeated %v", e)
		}
	}
}
