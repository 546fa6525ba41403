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
			return s.ListTransfers(assetID, status, requestedBy, size, bookmark, "", "")
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

// transferList runs ListTransfers for c with every filter, following the bookmarks of pages of size
// (0: one page of the default size), and returns the ids found, sorted, and the last page.
func (e *env) transferList(c Caller, assetID, status, requestedBy, kind, consentOf string, size int32) ([]string, api.TransferPage, error) {
	e.t.Helper()
	var ids []string
	var page api.TransferPage
	bookmark := ""
	for range 50 {
		out, err := e.query(c, func(s *Service) (string, error) {
			return s.ListTransfers(assetID, status, requestedBy, size, bookmark, kind, consentOf)
		})
		if err != nil {
			return nil, page, err
		}
		page = api.TransferPage{}
		mustDecode(e.t, out, &page)
		for _, tr := range page.Items {
			ids = append(ids, tr.ID)
		}
		if bookmark = page.Bookmark; bookmark == "" || size == 0 {
			break
		}
	}
	slices.Sort(ids)
	return ids, page, nil
}

// TestListTransfers_ConsentOfIsTheRequestsWaitingForThatBanksConsent: consentOf lists the transfers
// still requested on a right with an active pledge of that bank that has not consented, as
// RecordTransfer decides (P7, T2): not once the bank consented for each of its pledges on the right,
// not a transfer ordered by a court (no consent needed, C3), not one decided, not one on a right
// without that bank's pledge; a right pledged to two banks waits for each until each consented.
func TestListTransfers_ConsentOfIsTheRequestsWaitingForThatBanksConsent(t *testing.T) {
	e := newEnv(t)
	for _, a := range []api.AssetInput{patent("P1"), patent("P2"), patent("P3"), trademark("T1", "", 9)} {
		e.register(a)
	}
	pl1 := e.pledged(bank1, "R1", "P1")
	tm1 := e.pledged(bank1, "R2", "T1")
	e.pledged(bank2, "R3", "T1")
	e.pledged(bank1, "R4", "P3")
	request := func(c Caller, in api.TransferRequest) string {
		t.Helper()
		tr, err := e.requestTransfer(c, in)
		if err != nil {
			t.Fatalf("request %+v: %v", in, err)
		}
		return tr.ID
	}
	onP1 := request(trader, trade("P1"))
	licence := request(examiner, api.TransferRequest{AssetID: "P1", Kind: "license", License: ordinaryLicense(),
		NewOwners: []api.Owner{buyer}, Origin: "owner-request"})
	onT1 := request(trader, trade("T1"))
	unpledged := request(trader, trade("P2"))
	refused := request(trader, trade("P1"))
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RefuseTransfer(e.req(), refused, `{"reasons":["T1.documents"]}`)
	}))
	e.freeze("P3", court1, "(2025)E01ZB1")
	byCourt := request(examiner, courtTransfer("P3", "court-order", court1, "(2025)E01Zhi5", false))

	sorted := func(s ...string) []string { slices.Sort(s); return s }
	want := func(name string, c Caller, assetID, status, kind, consentOf string, size int32, ids ...string) {
		t.Helper()
		got, page, err := e.transferList(c, assetID, status, "", kind, consentOf, size)
		if err != nil || !slices.Equal(got, sorted(ids...)) {
			t.Fatalf("%s: got %v, %v; want %v", name, got, err, sorted(ids...))
		}
		if string(page.ConsentOf) != consentOf || page.Kind != kind {
			t.Fatalf("%s: the page states consentOf %q and kind %q, want %q and %q", name, page.ConsentOf, page.Kind, consentOf, kind)
		}
	}
	want("Bank1's", auditor, "", "", "", "Bank1MSP", 0, onP1, licence, onT1)
	want("Bank1's, as Bank1 asks", bank1, "", "", "", "Bank1MSP", 0, onP1, licence, onT1)
	want("Bank1's in pages of 2", bank1, "", "", "", "Bank1MSP", 2, onP1, licence, onT1)
	want("Bank2's", bank2, "", "", "", "Bank2MSP", 0, onT1)
	want("a bank with no pledge", auditor, "", "", "", "Bank9MSP", 0)
	want("Bank1's on one right", auditor, "P1", "", "", "Bank1MSP", 0, onP1, licence)
	want("Bank1's licences", auditor, "", "", "license", "Bank1MSP", 0, licence)
	want("Bank1's and recorded", auditor, "", "recorded", "", "Bank1MSP", 0)

	// Bank1 consents for its pledge on T1: T1 still waits for Bank2, no longer for Bank1.
	e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.ConsentToTransfer(e.req(), onT1, js(api.ConsentInput{PledgeID: tm1.ID, ProceedsUse: "escrow"}))
	}))
	want("Bank1's after its consent", bank1, "", "", "", "Bank1MSP", 0, onP1, licence)
	want("Bank2's after Bank1's consent", bank2, "", "", "", "Bank2MSP", 0, onT1)
	// RecordTransfer agrees: T1's transfer is refused for Bank2's missing consent.
	err := e.submitErr(examiner, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), onT1, "{}") })
	if ae, ok := api.AsError(err); !ok || ae.Code != "T2" || ae.Details["pledgeeMsp"] != string(api.MSPBank2) {
		t.Fatalf("recording T1's transfer without Bank2's consent: %v", err)
	}
	// Released, the pledge on P1 waits for no consent: nothing is Bank1's any more.
	e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.ReleasePledge(e.req(), pl1.ID, js(api.Reason{Reason: "repaid"}))
	}))
	want("Bank1's after the release", bank1, "", "", "", "Bank1MSP", 0)
	want("every request, none filtered", auditor, "", "requested", "", "", 0, onP1, licence, onT1, unpledged, byCourt)

	for _, bad := range []struct{ kind, consentOf, field string }{
		{"", "ExchangeMSP", "consentOf"},
		{"", "Bank1", "consentOf"},
		{"sale", "", "kind"},
		{"License", "", "kind"},
	} {
		_, _, err := e.transferList(auditor, "", "", "", bad.kind, bad.consentOf, 0)
		wantCode(t, err, api.CodeInvalidArgument, bad.field)
	}
}

// TestListTransfers_ByKind: kind keeps the assignments or the licences, with any other filter.
func TestListTransfers_ByKind(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.register(patent("P2"))
	assign, _ := e.requestTransfer(trader, trade("P1"))
	licence, _ := e.requestTransfer(examiner, api.TransferRequest{AssetID: "P1", Kind: "license",
		License: ordinaryLicense(), NewOwners: []api.Owner{buyer}, Origin: "owner-request"})
	other, _ := e.requestTransfer(trader, trade("P2"))
	for _, tc := range []struct {
		name, assetID, requestedBy, kind string
		want                             []string
	}{
		{"licences", "", "", "license", []string{licence.ID}},
		{"assignments", "", "", "assignment", sortedIDs(assign.ID, other.ID)},
		{"licences of a right", "P1", "", "license", []string{licence.ID}},
		{"assignments of a right", "P1", "", "assignment", []string{assign.ID}},
		{"the exchange's licences", "", "ExchangeMSP", "license", nil},
		{"the IP office's licences", "", "IPOfficeMSP", "license", []string{licence.ID}},
	} {
		got, page, err := e.transferList(bank2, tc.assetID, "", tc.requestedBy, tc.kind, "", 0)
		if err != nil || !slices.Equal(got, tc.want) || page.Kind != tc.kind || page.Count != len(tc.want) {
			t.Errorf("%s: got %v (kind %q, count %d), %v; want %v", tc.name, got, page.Kind, page.Count, err, tc.want)
		}
	}
}

func sortedIDs(s ...string) []string { slices.Sort(s); return s }
