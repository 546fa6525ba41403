package rules

import (
	"slices"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func (e *env) requestTransfer(c Caller, in api.TransferRequest) (*api.Transfer, error) {
	e.t.Helper()
	out, err := e.submit(c, nil, func(s *Service) (string, error) { return s.RequestTransfer(e.req(), js(in)) })
	if err != nil {
		return nil, err
	}
	var t api.Transfer
	mustDecode(e.t, out, &t)
	return &t, nil
}

func trade(assetID string, owners ...api.Owner) api.TransferRequest {
	if len(owners) == 0 {
		owners = []api.Owner{buyer}
	}
	return api.TransferRequest{AssetID: assetID, Kind: "assignment", NewOwners: owners, Origin: "trade", TradeRef: "WHIPE-2025-0001"}
}

func TestT1_TransferRequestedThenRecorded(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	cases := []struct {
		name   string
		caller Caller
		in     api.TransferRequest
		code   api.Code
		reason string
	}{
		{"exchange after a trade", trader, trade("P1"), "", ""},
		{"IP office for an owner", examiner, api.TransferRequest{AssetID: "P1", Kind: "assignment", NewOwners: []api.Owner{buyer}, Origin: "owner-request"}, "", ""},
		{"a bank may not request", bank1, trade("P1"), api.CodeForbidden, "T1"},
		{"the regulator may not request", auditor, trade("P1"), api.CodeForbidden, "V3"},
		{"a trade comes from the exchange", examiner, trade("P1"), api.CodeInvalidArgument, "origin"},
		{"an owner's request goes through the IP office", trader, api.TransferRequest{AssetID: "P1", Kind: "assignment", NewOwners: []api.Owner{buyer}, Origin: "owner-request"}, api.CodeInvalidArgument, "origin"},
		{"a trade needs its reference", trader, api.TransferRequest{AssetID: "P1", Kind: "assignment", NewOwners: []api.Owner{buyer}, Origin: "trade"}, api.CodeInvalidArgument, "tradeRef"},
		{"kind", trader, api.TransferRequest{AssetID: "P1", Kind: "gift", NewOwners: []api.Owner{buyer}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "kind"},
		{"new owners' shares", trader, trade("P1", beta), api.CodeInvalidArgument, "newOwners"},
		{"unknown right", trader, trade("P9"), api.CodeNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.requestTransfer(tc.caller, tc.in)
			wantCode(t, err, tc.code, tc.reason)
		})
	}
	tr, _ := e.requestTransfer(trader, trade("P1"))
	if tr.Status != api.TransferRequested || tr.FromOwners[0].ID != acme.ID || e.asset("P1").Owners[0].ID != acme.ID {
		t.Fatalf("a request changed the title: %+v", tr)
	}
	_, err := e.submit(trader, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
	wantCode(t, err, api.CodeForbidden, "T1")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, `{"x":1}`) })
	wantCode(t, err, api.CodeInvalidArgument, "x")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), "TR-none", "{}") })
	wantCode(t, err, api.CodeNotFound)
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))
	a := e.asset("P1")
	if a.Owners[0].ID != buyer.ID || a.TitleTxID != a.LastChange.TxID {
		t.Fatalf("title not changed: %+v", a)
	}
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
	wantCode(t, err, "T1", "wrong-status")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RefuseTransfer(e.req(), tr.ID, `{"reasons":["x"]}`) })
	wantCode(t, err, "T1", "wrong-status")

	refused, _ := e.requestTransfer(trader, trade("P1", acme))
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RefuseTransfer(e.req(), refused.ID, `{"reasons":[]}`) })
	wantCode(t, err, api.CodeInvalidArgument, "reasons")
	out := e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RefuseTransfer(e.req(), refused.ID, `{"reasons":["T1.contract-unsigned"]}`)
	}))
	var got api.Transfer
	mustDecode(t, out, &got)
	if got.Status != api.TransferRefused || got.RefusalReasons[0] != "T1.contract-unsigned" || e.asset("P1").Owners[0].ID != buyer.ID {
		t.Fatalf("refusal: %+v", got)
	}
}

func TestT2_NoTransferWhileFrozenDisputedOrPledgedWithoutConsent(t *testing.T) {
	for _, tc := range []struct{ name, patch, reason string }{
		{"frozen", freezeOrder, "frozen"},
		{"disputed", `{"dispute":{"active":true,"ref":"case 7"}}`, "disputed"},
	} {
		t.Run(tc.name+" at request", func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1"))
			e.updateOrFreeze("P1", tc.patch)
			_, err := e.requestTransfer(trader, trade("P1"))
			wantCode(t, err, "T2", tc.reason)
		})
		t.Run(tc.name+" at recording", func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1"))
			tr, err := e.requestTransfer(trader, trade("P1"))
			wantCode(t, err, "")
			e.updateOrFreeze("P1", tc.patch)
			_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
			wantCode(t, err, "T2", tc.reason)
		})
	}
	t.Run("pledged", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		p := e.pledged(bank1, "R1", "P1")
		tr, _ := e.requestTransfer(trader, trade("P1"))
		_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
		wantCode(t, err, "T2", "consent-missing")
		e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
			return s.ConsentToTransfer(e.req(), tr.ID, js(api.ConsentInput{PledgeID: p.ID, ProceedsUse: "escrow"}))
		}))
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
		wantCode(t, err, "")
		// The pledge follows the right: it still encumbers it under the new owner.
		if a := e.asset("P1"); a.Owners[0].ID != buyer.ID || len(a.Encumbrances) != 1 {
			t.Fatalf("after transfer: %+v", a)
		}
	})
}

func TestT3_OfTwoConflictingTransfersExactlyOneSucceeds(t *testing.T) {
	t.Run("in sequence", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		other := api.Owner{ID: "OTHER", Name: "Other Buyer", Share: 10000}
		a, _ := e.requestTransfer(trader, trade("P1"))
		b, _ := e.requestTransfer(trader, trade("P1", other))
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), b.ID, "{}") }))
		_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), a.ID, "{}") })
		wantCode(t, err, "T3", "title-changed")
		if e.asset("P1").Owners[0].ID != other.ID {
			t.Fatalf("the losing transfer changed the title")
		}
	})
	t.Run("a licence requested from the old owners after an assignment", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		lic := trade("P1", api.Owner{ID: "LICENSEE", Name: "Licensee Co.", Share: 10000})
		lic.Kind, lic.License = "license", ordinaryLicense()
		l, err := e.requestTransfer(trader, lic)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := e.requestTransfer(trader, trade("P1", api.Owner{ID: "NEW1", Name: "New Owner", Share: 10000}))
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), a.ID, "{}") }))
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), l.ID, "{}") })
		wantCode(t, err, "T3", "title-changed")
		if n := len(e.asset("P1").Licenses); n != 0 {
			t.Fatalf("the new owner's right carries %d licences it never granted", n)
		}
	})
	t.Run("racing in one block", func(t *testing.T) {
		// Both recordings are endorsed against the same state. Each reads and writes the right's key, so
		// the peers' MVCC check at commit lets only the first in the block through.
		e := newEnv(t)
		e.register(patent("P1"))
		a, _ := e.requestTransfer(trader, trade("P1"))
		b, _ := e.requestTransfer(trader, trade("P1", api.Owner{ID: "OTHER", Name: "Other", Share: 10000}))
		var writeSets [][]string
		for _, tr := range []*api.Transfer{a, b} {
			e.l.Begin(e.nextTx(), e.now)
			if _, err := New(e.l, Tx{ID: "race", Time: e.now, Caller: examiner}).RecordTransfer("race-"+tr.ID, tr.ID, "{}"); err != nil {
				t.Fatal(err)
			}
			writeSets = append(writeSets, e.l.Writes())
			e.l.Begin("", e.now) // discard: endorsement only
		}
		key := assetKey("P1")
		if !slices.Contains(writeSets[0], key) || !slices.Contains(writeSets[1], key) {
			t.Fatalf("both recordings must write the right's key %q: %v", key, writeSets)
		}
	})
}

// TestT3_AStaleRequestIsRefusedAfterXToYToX: a request made while X first owned the right is stale
// once the title moved, even when it came back to X: the owners read the same, the title does not.
func TestT3_AStaleRequestIsRefusedAfterXToYToX(t *testing.T) {
	// The owners read the same again, but the title is not the one the stale request was made against.
	e := newEnv(t)
	reg := e.register(patent("P1"))
	y := api.Owner{ID: "Y-CO", Name: "Y Co.", Share: 10000}
	stale, _ := e.requestTransfer(trader, trade("P1", api.Owner{ID: "STALE", Name: "Stale Buyer", Share: 10000}))
	if stale.TitleTxID != reg.TitleTxID || stale.TitleTxID == "" {
		t.Fatalf("the request does not name the title it was made against: %q, right's %q", stale.TitleTxID, reg.TitleTxID)
	}
	toY, _ := e.requestTransfer(trader, trade("P1", y))
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), toY.ID, "{}") }))
	back, _ := e.requestTransfer(trader, trade("P1", acme))
	if back.TitleTxID == reg.TitleTxID {
		t.Fatalf("a request after the assignment names the old title")
	}
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), back.ID, "{}") }))
	if a := e.asset("P1"); !slices.Equal(a.Owners, reg.Owners) || a.TitleTxID == reg.TitleTxID {
		t.Fatalf("after X to Y to X: %+v", a)
	}
	_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), stale.ID, "{}") })
	wantCode(t, err, "T3", "title-changed")
	if a := e.asset("P1"); a.Owners[0].ID != acme.ID {
		t.Fatalf("the stale request changed the title: %+v", a.Owners)
	}
	fresh, _ := e.requestTransfer(trader, trade("P1", y))
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), fresh.ID, "{}") }), "")
}

func TestT1_ListTransfers(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.register(patent("P2"))
	byTrade, _ := e.requestTransfer(trader, trade("P1"))
	byOwner, _ := e.requestTransfer(examiner, api.TransferRequest{AssetID: "P1", Kind: "license",
		License: ordinaryLicense(), NewOwners: []api.Owner{buyer}, Origin: "owner-request"})
	other, _ := e.requestTransfer(trader, trade("P2"))
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RefuseTransfer(e.req(), byTrade.ID, `{"reasons":["T1.documents"]}`)
	}))
	list := func(c Caller, assetID, status, requestedBy string, size int32, bookmark string) (api.TransferPage, error) {
		var page api.TransferPage
		out, err := e.query(c, func(s *Service) (string, error) {
			return s.ListTransfers(assetID, status, requestedBy, size, bookmark)
		})
		if err == nil {
			mustDecode(t, out, &page)
		}
		return page, err
	}
	ids := func(p api.TransferPage) []string {
		var out []string
		for _, tr := range p.Items {
			out = append(out, tr.ID)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s ...string) []string { slices.Sort(s); return s }
	cases := []struct {
		name                         string
		assetID, status, requestedBy string
		want                         []string
	}{
		{"all", "", "", "", sorted(byTrade.ID, byOwner.ID, other.ID)},
		{"by right", "P1", "", "", sorted(byTrade.ID, byOwner.ID)},
		{"by requesting organization", "", "", "ExchangeMSP", sorted(byTrade.ID, other.ID)},
		{"by status", "", "requested", "", sorted(byOwner.ID, other.ID)},
		{"the exchange's open requests", "", "requested", "ExchangeMSP", []string{other.ID}},
		{"by right and requesting organization", "P1", "", "IPOfficeMSP", []string{byOwner.ID}},
		{"nothing matches", "P2", "refused", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := list(auditor, tc.assetID, tc.status, tc.requestedBy, 0, "")
			if err != nil || !slices.Equal(ids(page), tc.want) || page.Count != len(tc.want) || page.Bookmark != "" {
				t.Fatalf("got %v (count %d, bookmark %q), %v; want %v", ids(page), page.Count, page.Bookmark, err, tc.want)
			}
		})
	}
	if byOwner.RequestedBy != api.MSPIPOffice || other.RequestedBy != api.MSPExchange {
		t.Fatalf("requestedBy not recorded: %s %s", byOwner.RequestedBy, other.RequestedBy)
	}
	t.Run("pages", func(t *testing.T) {
		first, err := list(bank1, "", "", "", 2, "")
		if err != nil || first.Count != 2 || first.Bookmark == "" {
			t.Fatalf("first page %+v %v", first, err)
		}
		rest, err := list(bank1, "", "", "", 2, first.Bookmark)
		if err != nil || rest.Count != 1 || rest.Bookmark != "" {
			t.Fatalf("second page %+v %v", rest, err)
		}
	})
	for _, bad := range []struct {
		name                         string
		assetID, status, requestedBy string
		field                        string
	}{
		{"unknown status", "", "pending", "", "status"},
		{"unknown organization", "", "", "Guarantor9MSP", "requestedBy"},
		{"bad right id", "P 1", "", "", "assetId"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := list(auditor, bad.assetID, bad.status, bad.requestedBy, 0, "")
			wantCode(t, err, api.CodeInvalidArgument, bad.field)
		})
	}
	_, err := list(Caller{MSP: "OtherMSP", Role: api.RoleAdmin}, "", "", "", 0, "")
	wantCode(t, err, api.CodeForbidden, "A3")
}
