//go:build integration

package demo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/ipledger/ipledger/network/demo"
	"github.com/ipledger/ipledger/network/itest"
)

// The demo against the network under test (IPLEDGER_SYSTEM_FILE). The integration tests before it
// have put rights on that ledger, so the first run is forced; the second, unforced, must refuse; a
// third, forced, is answered from the ledger (the same Idempotency-Keys) with the same records.
func TestDemo_FillsEveryStatusAndRefusesASecondRun(t *testing.T) {
	sys := itest.System(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rep, err := demo.Run(ctx, demo.Config{System: sys, Force: true, Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rep.Rights); n < 20 || n > 40 {
		t.Errorf("%d rights, want 20 to 40", n)
	}
	reg := itest.As(t, "RegulatorMSP", "auditor1")
	after := []string{"IPLedger-After-Block", itoa(rep.Block)}

	// Every status of the API, at both banks, listed by GET /v1/pledges?status=.
	for _, status := range demo.Statuses {
		ids := listAll(t, reg, "status="+status, after)
		banks := map[string]bool{}
		for _, id := range rep.Pledges[status] {
			if !slices.Contains(ids, id) {
				t.Errorf("status %s: the demo's pledge %s is not listed by GET /v1/pledges?status=%s", status, id, status)
			}
			banks[rep.Banks[id]] = true
		}
		if !banks["Bank1MSP"] || !banks["Bank2MSP"] {
			t.Errorf("status %s: the demo's pledges %v are not at both banks", status, rep.Pledges[status])
		}
	}

	// The package: one registered pledge of several rights.
	var pkg struct {
		Status   string   `json:"status"`
		AssetIDs []string `json:"assetIds"`
	}
	get(t, reg, "/v1/pledges/"+rep.Package, after, &pkg)
	if pkg.Status != "registered" || len(pkg.AssetIDs) < 2 {
		t.Errorf("package %s: status %s, %d rights; want registered, several", rep.Package, pkg.Status, len(pkg.AssetIDs))
	}

	// The transfer of a pledged right: consented by its pledgee bank, recorded.
	var tr struct {
		Status   string `json:"status"`
		Consents []struct {
			MSP      string `json:"msp"`
			PledgeID string `json:"pledgeId"`
		} `json:"consents"`
	}
	get(t, reg, "/v1/transfers/"+rep.Transfer, after, &tr)
	if tr.Status != "recorded" || len(tr.Consents) == 0 {
		t.Errorf("transfer %s: status %s, consents %+v; want recorded with a consent", rep.Transfer, tr.Status, tr.Consents)
	}

	// The licences are on their rights; the frozen right has a freeze in effect and one waiting.
	for _, l := range rep.Licences {
		var lt struct {
			AssetID string `json:"assetId"`
			Kind    string `json:"kind"`
			Status  string `json:"status"`
		}
		get(t, reg, "/v1/transfers/"+l, after, &lt)
		var a struct {
			Licenses []struct {
				TransferID string `json:"transferId"`
			} `json:"licenses"`
		}
		get(t, reg, "/v1/assets/"+url.PathEscape(lt.AssetID), after, &a)
		if lt.Kind != "license" || lt.Status != "recorded" || !slices.ContainsFunc(a.Licenses, func(x struct {
			TransferID string `json:"transferId"`
		}) bool {
			return x.TransferID == l
		}) {
			t.Errorf("licence %s: kind %s, status %s, not among the right's licences %+v", l, lt.Kind, lt.Status, a.Licenses)
		}
	}
	var frozen struct {
		Freeze struct {
			Active bool `json:"active"`
		} `json:"freeze"`
		CourtMeasures []struct {
			Status string `json:"status"`
		} `json:"courtMeasures"`
	}
	get(t, reg, "/v1/assets/"+url.PathEscape(rep.Frozen), after, &frozen)
	if !frozen.Freeze.Active || len(frozen.CourtMeasures) != 2 || frozen.CourtMeasures[1].Status != "waiting" {
		t.Errorf("right %s: freeze %+v, measures %+v; want in effect, and a second waiting", rep.Frozen, frozen.Freeze, frozen.CourtMeasures)
	}

	// The applications left waiting become overdue at their examination time (P9).
	for id, due := range rep.Applied {
		at, err := time.Parse(time.RFC3339Nano, due)
		if err != nil {
			t.Fatalf("pledge %s: examinationDueBy %q: %v", id, due, err)
		}
		ids := listAll(t, reg, "overdue=true&asOf="+url.QueryEscape(at.Format(time.RFC3339)), after)
		if !slices.Contains(ids, id) {
			t.Errorf("pledge %s, due %s: not listed by overdue=true as of then", id, due)
		}
	}

	// Transfers waiting: each bank's "needs my consent" lists the one waiting for it; the IP office's
	// requested list has those and the one consented; one refused.
	ipo := itest.As(t, "IPOfficeMSP", "examiner1")
	for _, bank := range []string{"Bank1MSP", "Bank2MSP"} {
		id := rep.WaitingConsent[bank]
		ids := listTransfers(t, itest.As(t, bank, "officer1"), "consentOf="+bank, after)
		if id == "" || !slices.Contains(ids, id) {
			t.Errorf("%s: its consentOf list %v has not the demo's transfer %q waiting for its consent", bank, ids, id)
		}
	}
	requested := listTransfers(t, ipo, "status=requested", after)
	for _, id := range []string{rep.WaitingConsent["Bank1MSP"], rep.WaitingConsent["Bank2MSP"], rep.Consented, rep.LicenceRequested} {
		if id == "" || !slices.Contains(requested, id) {
			t.Errorf("transfer %q is not listed by GET /v1/transfers?status=requested %v", id, requested)
		}
	}
	if slices.Contains(listTransfers(t, ipo, "consentOf=Bank1MSP", after), rep.Consented) {
		t.Errorf("transfer %s, consented by Bank 1, still waits for its consent", rep.Consented)
	}
	var consented, refusedTr, licReq struct {
		Status   string `json:"status"`
		Kind     string `json:"kind"`
		Consents []struct {
			MSP string `json:"msp"`
		} `json:"consents"`
	}
	get(t, reg, "/v1/transfers/"+rep.Consented, after, &consented)
	if consented.Status != "requested" || len(consented.Consents) != 1 || consented.Consents[0].MSP != "Bank1MSP" {
		t.Errorf("transfer %s: status %s, consents %+v; want requested, consented by Bank 1", rep.Consented, consented.Status, consented.Consents)
	}
	get(t, reg, "/v1/transfers/"+rep.RefusedTransfer, after, &refusedTr)
	if refusedTr.Status != "refused" {
		t.Errorf("transfer %s: status %s, want refused", rep.RefusedTransfer, refusedTr.Status)
	}
	get(t, reg, "/v1/transfers/"+rep.LicenceRequested, after, &licReq)
	if licReq.Kind != "license" || licReq.Status != "requested" {
		t.Errorf("licence %s: kind %s, status %s; want a licence requested", rep.LicenceRequested, licReq.Kind, licReq.Status)
	}
	// The terminated licence: on its right, with its termination.
	var term struct {
		Licenses []struct {
			TransferID  string `json:"transferId"`
			Termination *struct {
				Date string `json:"date"`
			} `json:"termination"`
		} `json:"licenses"`
	}
	get(t, reg, "/v1/assets/"+url.PathEscape(rep.TerminatedRight), after, &term)
	terminated := false
	for _, l := range term.Licenses {
		terminated = terminated || (l.TransferID == rep.LicenceTerminated && l.Termination != nil && l.Termination.Date != "")
	}
	if rep.LicenceTerminated == "" || !terminated {
		t.Errorf("right %s: licences %+v; want licence %q terminated", rep.TerminatedRight, term.Licenses, rep.LicenceTerminated)
	}

	// Changes: the pledge whose change table has every state, and the changes waiting for the IP
	// office as its queue finds them (registered pledges with a pending change).
	var changed struct {
		PendingChangeID string `json:"pendingChangeId"`
		Changes         []struct {
			Kind   string `json:"kind"`
			Status string `json:"status"`
		} `json:"changes"`
	}
	get(t, reg, "/v1/pledges/"+rep.Changed, after, &changed)
	states := map[string]bool{}
	for _, c := range changed.Changes {
		states[c.Kind+":"+c.Status] = true
	}
	if !states["amendment:recorded"] || !states["extension:refused"] || !states["amendment:filed"] || changed.PendingChangeID == "" {
		t.Errorf("pledge %s: changes %+v, pending %q; want an amendment recorded, an extension refused, an amendment filed and pending",
			rep.Changed, changed.Changes, changed.PendingChangeID)
	}
	var waiting []string
	kinds := map[string]bool{}
	for _, p := range listPledges(t, ipo, "status=registered", after) {
		if p.PendingChangeID == "" {
			continue
		}
		waiting = append(waiting, p.ID)
		for _, c := range p.Changes {
			if c.ID == p.PendingChangeID {
				kinds[c.Kind] = true
			}
		}
	}
	for _, id := range rep.ChangesWaiting {
		if !slices.Contains(waiting, id) {
			t.Errorf("pledge %s: not among the registered pledges with a change waiting %v", id, waiting)
		}
	}
	if len(rep.ChangesWaiting) != 2 || !kinds["amendment"] || !kinds["extension"] {
		t.Errorf("changes waiting: pledges %v, kinds %v; want an amendment and an extension", rep.ChangesWaiting, kinds)
	}

	// A second run refuses the ledger, which has rights now.
	if _, err := demo.Run(ctx, demo.Config{System: sys, Out: testWriter{t}}); !errors.Is(err, demo.ErrNotEmpty) {
		t.Fatalf("second run: %v, want ErrNotEmpty", err)
	}
	// Forced again, every request is answered from the ledger: the same records, no new block.
	again, err := demo.Run(ctx, demo.Config{System: sys, Force: true, Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	if again.Package != rep.Package || again.Transfer != rep.Transfer || !slices.Equal(again.Disposals, rep.Disposals) {
		t.Errorf("forced rerun made other records: package %s/%s, transfer %s/%s, disposals %v/%v",
			again.Package, rep.Package, again.Transfer, rep.Transfer, again.Disposals, rep.Disposals)
	}
	if again.Consented != rep.Consented || again.RefusedTransfer != rep.RefusedTransfer || again.LicenceTerminated != rep.LicenceTerminated ||
		again.LicenceRequested != rep.LicenceRequested || again.WaitingConsent["Bank1MSP"] != rep.WaitingConsent["Bank1MSP"] ||
		again.WaitingConsent["Bank2MSP"] != rep.WaitingConsent["Bank2MSP"] {
		t.Errorf("forced rerun made other transfers: %+v, want %+v", again, rep)
	}
	if again.Block != rep.Block {
		t.Errorf("forced rerun: its answers name block %d, the first run's %d: a request was not a replay", again.Block, rep.Block)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

func itoa(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func get(t *testing.T, c *itest.Caller, path string, headers []string, v any) {
	t.Helper()
	r := c.Do("GET", path, nil, headers...)
	if r.Status != 200 {
		t.Fatalf("GET %s: %s", path, r)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

type pledgeItem struct {
	ID              string `json:"id"`
	PendingChangeID string `json:"pendingChangeId"`
	Changes         []struct {
		ID   string `json:"id"`
		Kind string `json:"kind"`
	} `json:"changes"`
}

func listAll(t *testing.T, c *itest.Caller, query string, headers []string) []string {
	t.Helper()
	var ids []string
	for _, p := range listPledges(t, c, query, headers) {
		ids = append(ids, p.ID)
	}
	return ids
}

func listPledges(t *testing.T, c *itest.Caller, query string, headers []string) []pledgeItem {
	t.Helper()
	return listPages[pledgeItem](t, c, "/v1/pledges?"+query, headers)
}

func listTransfers(t *testing.T, c *itest.Caller, query string, headers []string) []string {
	t.Helper()
	var ids []string
	for _, x := range listPages[struct {
		ID string `json:"id"`
	}](t, c, "/v1/transfers?"+query, headers) {
		ids = append(ids, x.ID)
	}
	return ids
}

// listPages reads every page of a list.
func listPages[T any](t *testing.T, c *itest.Caller, list string, headers []string) []T {
	t.Helper()
	var all []T
	bookmark := ""
	for {
		path := list + "&pageSize=100"
		if bookmark != "" {
			path += "&bookmark=" + url.QueryEscape(bookmark)
		}
		var page struct {
			Bookmark string `json:"bookmark"`
			Items    []T    `json:"items"`
		}
		get(t, c, path, headers, &page)
		all = append(all, page.Items...)
		if page.Bookmark == "" {
			return all
		}
		bookmark = page.Bookmark
	}
}
