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

func listAll(t *testing.T, c *itest.Caller, query string, headers []string) []string {
	t.Helper()
	var ids []string
	bookmark := ""
	for {
		path := "/v1/pledges?" + query + "&pageSize=100"
		if bookmark != "" {
			path += "&bookmark=" + url.QueryEscape(bookmark)
		}
		var page struct {
			Bookmark string `json:"bookmark"`
			Items    []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		get(t, c, path, headers, &page)
		for _, p := range page.Items {
			ids = append(ids, p.ID)
		}
		if page.Bookmark == "" {
			return ids
		}
		bookmark = page.Bookmark
	}
}
