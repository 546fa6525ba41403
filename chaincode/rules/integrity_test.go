package rules

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func TestV1_PledgePublicPartIsVisibleToMembers(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "Y2025000001", "P1")
	out := e.must(e.query(trader, func(s *Service) (string, error) { return s.GetPledge(p.ID) }))
	for _, want := range []string{`"pledgors":[{"id":"91420100MA4K0001X"`, `"assetIds":["P1"]`, `"ranks":[{"assetId":"P1","rank":1}]`,
		`"registrationNumber":"Y2025000001"`, `"status":"registered"`, `"debtTermEnd":"2027-03-01"`, `"termsHash":"` + TermsHash(termsA)} {
		if !strings.Contains(out, want) {
			t.Fatalf("public record lacks %s: %s", want, out)
		}
	}
	for _, secret := range []string{termsA.Amount, termsA.Salt, termsA.InterestRate, "amount"} {
		if strings.Contains(out, secret) {
			t.Fatalf("public record shows %q: %s", secret, out)
		}
	}
	_, err := e.query(stranger, func(s *Service) (string, error) { return s.GetPledge(p.ID) })
	wantCode(t, err, api.CodeForbidden)
	_, err = e.query(trader, func(s *Service) (string, error) { return s.GetPledge("PL-none") })
	wantCode(t, err, api.CodeNotFound)
	// Paginated lists by right, pledgee and status.
	e.register(patent("P2"))
	e.register(patent("P3"))
	e.pledged(bank1, "Y2", "P2")
	e.pledged(bank2, "Y3", "P3")
	page := func(f func(*Service) (string, error)) api.PledgePage {
		var pg api.PledgePage
		mustDecode(t, e.must(e.query(bank2, f)), &pg)
		return pg
	}
	if pg := page(func(s *Service) (string, error) { return s.ListPledgesByAsset("P1", 10, "") }); pg.Count != 1 || pg.Items[0].ID != p.ID {
		t.Fatalf("by asset: %+v", pg)
	}
	first := page(func(s *Service) (string, error) { return s.ListPledgesByPledgee(string(api.MSPBank1), 1, "") })
	second := page(func(s *Service) (string, error) {
		return s.ListPledgesByPledgee(string(api.MSPBank1), 1, first.Bookmark)
	})
	if first.Count != 1 || first.Bookmark == "" || second.Count != 1 || second.Bookmark != "" || first.Items[0].ID == second.Items[0].ID {
		t.Fatalf("by pledgee, paged: %+v / %+v", first, second)
	}
	if pg := page(func(s *Service) (string, error) { return s.ListPledgesByStatus(string(api.PledgeRegistered), 0, "") }); pg.Count != 3 {
		t.Fatalf("by status: %+v", pg)
	}
	for _, bad := range []func(*Service) (string, error){
		func(s *Service) (string, error) { return s.ListPledgesByStatus("pending", 0, "") },
		func(s *Service) (string, error) { return s.ListPledgesByPledgee(string(api.MSPExchange), 0, "") },
		func(s *Service) (string, error) { return s.ListPledgesByAsset("a b", 0, "") },
		func(s *Service) (string, error) { return s.ListPledgesByAsset("P1", 101, "") },
		func(s *Service) (string, error) { return s.ListPledgesByAsset("P1", -1, "") },
		func(s *Service) (string, error) { return s.ListPledgesByAsset("P1", 1, strings.Repeat("b", 1025)) },
	} {
		_, err := e.query(bank2, bad)
		wantCode(t, err, api.CodeInvalidArgument)
	}
	// The statement lists title, encumbrances, obstacles and pending transfers.
	e.must(e.submit(trader, nil, func(s *Service) (string, error) { return s.RequestTransfer(e.req(), js(trade("P1"))) }))
	e.freeze("P1", court1, "court-1")
	e.update("P1", `{"dispute":{"active":true},"legalStatus":"lapsed"}`)
	var st api.Statement
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetStatement("P1") })), &st)
	if st.Unencumbered || len(st.Encumbrances) != 1 || len(st.PendingTransfers) != 1 || st.TitleTxID == "" ||
		!slices.Equal(st.Obstacles, []string{"legal-status:lapsed", "frozen", "disputed", "pledge-consent-required:" + p.ID}) {
		t.Fatalf("statement: %+v", st)
	}
	_, err = e.query(trader, func(s *Service) (string, error) { return s.GetStatement("P404") })
	wantCode(t, err, api.CodeNotFound)
	_, err = e.query(trader, func(s *Service) (string, error) { return s.GetStatement("") })
	wantCode(t, err, api.CodeInvalidArgument)
	_, err = e.query(noRole, func(s *Service) (string, error) { return s.GetStatement("P1") })
	wantCode(t, err, api.CodeForbidden)
}

func TestV2_PrivateTermsOnlyForPledgeeIPOfficeAndRegulator(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p, err := e.apply(bank1, application("P1"))
	wantCode(t, err, "")
	raw := e.l.Private("termsBank1MSP", pledgeKey(p.ID))
	if raw == nil || len(e.l.Private("termsBank2MSP", pledgeKey(p.ID))) != 0 {
		t.Fatalf("terms not in the pledgee's collection only")
	}
	var rec PrivateTerms
	mustDecode(t, string(raw), &rec)
	if rec.Terms != termsA || rec.TermsHash != p.TermsHash || p.TermsHash != TermsHash(termsA) {
		t.Fatalf("private record: %+v", rec)
	}
	for _, ev := range e.l.Events {
		if strings.Contains(string(ev.Payload), termsA.Amount) || strings.Contains(string(ev.Payload), termsA.Salt) {
			t.Fatalf("event leaks terms: %s", ev.Payload)
		}
	}
	for _, c := range []Caller{bank1, bank1Adm, examiner, auditor, regAdmin} {
		var v api.TermsView
		mustDecode(t, e.must(e.query(c, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })), &v)
		if !v.Verified || v.Terms.Amount != termsA.Amount {
			t.Fatalf("%s: %+v", c.MSP, v)
		}
	}
	// Other members are refused before the collection is read: their peers could not read it.
	e.l.NonMemberOf["termsBank1MSP"] = true
	for _, c := range []Caller{bank2, trader} {
		_, err := e.query(c, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })
		wantCode(t, err, api.CodeForbidden, "V2")
	}
	_, err = e.query(examiner, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })
	wantCode(t, err, api.CodeInternal) // on a non-member peer the read itself fails
	delete(e.l.NonMemberOf, "termsBank1MSP")
	_, err = e.query(stranger, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })
	wantCode(t, err, api.CodeForbidden)
	_, err = e.query(examiner, func(s *Service) (string, error) { return s.GetPledgeTerms("PL-none") })
	wantCode(t, err, api.CodeNotFound)
	// Tampered terms no longer verify against the public hash.
	rec.Terms.Amount = "1.00"
	e.l.private["termsBank1MSP"][pledgeKey(p.ID)] = []byte(js(rec))
	var v api.TermsView
	mustDecode(t, e.must(e.query(examiner, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })), &v)
	if v.Verified {
		t.Fatalf("tampered terms verified")
	}
}

func TestV3_RegulatorReadsEverythingWritesNothing(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	tr, _ := e.requestTransfer(trader, trade("P1"))
	writes := map[string]func(*Service) (string, error){
		"RegisterAsset":      func(s *Service) (string, error) { return s.RegisterAsset("r", js(patent("P2"))) },
		"UpdateAsset":        func(s *Service) (string, error) { return s.UpdateAsset("r", "P1", `{"title":"x"}`) },
		"ApplyPledge":        func(s *Service) (string, error) { return s.ApplyPledge("r", js(application("P1"))) },
		"RegisterPledge":     func(s *Service) (string, error) { return s.RegisterPledge("r", p.ID, `{"registrationNumber":"X"}`) },
		"RefusePledge":       func(s *Service) (string, error) { return s.RefusePledge("r", p.ID, `{"reasons":["x"]}`) },
		"RevokePledge":       func(s *Service) (string, error) { return s.RevokePledge("r", p.ID, `{"reason":"x"}`) },
		"AmendPledge":        func(s *Service) (string, error) { return s.AmendPledge("r", p.ID, `{"pledgeeName":"x"}`) },
		"ExtendPledge":       func(s *Service) (string, error) { return s.ExtendPledge("r", p.ID, `{"debtTermEnd":"2030-01-01"}`) },
		"RecordPledgeChange": func(s *Service) (string, error) { return s.RecordPledgeChange("r", p.ID, "CH-1", `{}`) },
		"RefusePledgeChange": func(s *Service) (string, error) { return s.RefusePledgeChange("r", p.ID, "CH-1", `{"reasons":["x"]}`) },
		"ReleasePledge":      func(s *Service) (string, error) { return s.ReleasePledge("r", p.ID, `{"reason":"x"}`) },
		"DeclareDefault":     func(s *Service) (string, error) { return s.DeclareDefault("r", p.ID, defaultIn("x", "1")) },
		"DisposePledge":      func(s *Service) (string, error) { return s.DisposePledge("r", p.ID, `{}`) },
		"RequestTransfer":    func(s *Service) (string, error) { return s.RequestTransfer("r", js(trade("P1"))) },
		"ConsentToTransfer":  func(s *Service) (string, error) { return s.ConsentToTransfer("r", tr.ID, `{}`) },
		"RecordTransfer":     func(s *Service) (string, error) { return s.RecordTransfer("r", tr.ID, `{}`) },
		"RefuseTransfer":     func(s *Service) (string, error) { return s.RefuseTransfer("r", tr.ID, `{"reasons":["x"]}`) },
	}
	before := len(e.l.Keys())
	for name, w := range writes {
		for _, c := range []Caller{auditor, regAdmin} {
			_, err := e.submit(c, withTerms(termsA), w)
			if e, ok := api.AsError(err); !ok || e.Code != api.CodeForbidden || e.Details["rule"] != "V3" {
				t.Fatalf("%s by %s: %v", name, c.Role, err)
			}
		}
	}
	if len(e.l.Keys()) != before {
		t.Fatalf("the regulator wrote")
	}
	for _, r := range []func(*Service) (string, error){
		func(s *Service) (string, error) { return s.GetPledgeHistory(p.ID) },
		func(s *Service) (string, error) { return s.GetTransferHistory(tr.ID) },
		func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) },
		func(s *Service) (string, error) { return s.ListPledgesByStatus(string(api.PledgeRegistered), 0, "") },
	} {
		e.must(e.query(auditor, r))
	}
}

func TestI1_StateBasedEndorsementOnEveryKey(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "fam", 9))
	p := e.pledged(bank2, "R1", "T1")
	if _, err := e.requestTransfer(trader, trade("T1")); err != nil {
		t.Fatal(err)
	}
	want := map[string]api.Endorsement{}
	for _, k := range e.l.Keys() {
		typ, attrs, err := SplitCompositeKey(k)
		if err != nil {
			t.Fatal(err)
		}
		pol, ok := e.l.Policy(k)
		if !ok {
			t.Fatalf("key %s %v has no key-level endorsement policy", typ, attrs)
		}
		switch {
		case strings.HasPrefix(typ, "pledge"):
			want[k] = api.PledgeEndorsement(api.MSPBank2)
		default:
			want[k] = api.RightEndorsement
		}
		if pol.String() != want[k].String() {
			t.Fatalf("key %s %v: policy %s, want %s", typ, attrs, pol, want[k])
		}
	}
	if got := api.PledgeEndorsement(api.MSPBank2).String(); got != "AND('IPOfficeMSP.peer','Bank2MSP.peer')" {
		t.Fatalf("pledge policy %s", got)
	}
	if got := api.RightEndorsement.String(); got != "AND('IPOfficeMSP.peer',OR('Bank1MSP.peer','Bank2MSP.peer','ExchangeMSP.peer','RegulatorMSP.peer'))" {
		t.Fatalf("right policy %s", got)
	}
	if _, ok := e.l.Policy(pledgeKey(p.ID)); !ok {
		t.Fatalf("pledge key without policy")
	}
}

func TestI2_OneEventPerChangeAndHistoryWithSubmitter(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	e.update("P1", `{"feesPaidThrough":"2027-01-01"}`)
	_, _ = e.apply(bank1, application("P404")) // refused: no event
	types := []string{}
	for _, ev := range e.l.Events {
		var x api.Event
		mustDecode(t, string(ev.Payload), &x)
		if x.Type != ev.Name || x.TxID == "" || x.MSP == "" || x.Submitter == "" || x.Time == "" || x.RequestID == "" || len(x.AssetIDs) == 0 {
			t.Fatalf("event %s: %s", ev.Name, ev.Payload)
		}
		types = append(types, x.Type)
	}
	if !slices.Equal(types, []string{"AssetRegistered", "PledgeApplied", "PledgeRegistered", "AssetUpdated"}) {
		t.Fatalf("events %v", types)
	}
	var h api.History
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetAssetHistory("P1") })), &h)
	if len(h.Items) != 3 {
		t.Fatalf("asset history: %+v", h)
	}
	first, last := h.Items[0], h.Items[2]
	if first.Action != "AssetRegistered" || first.MSP != api.MSPIPOffice || first.Submitter != examiner.Submitter || first.TxID == "" ||
		h.Items[1].Action != "PledgeRegistered:"+p.ID || last.Action != "AssetUpdated:feesPaidThrough" || len(last.Record) == 0 {
		t.Fatalf("asset history: %+v", h)
	}
	var ph api.History
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetPledgeHistory(p.ID) })), &ph)
	if len(ph.Items) != 2 || ph.Items[0].MSP != api.MSPBank1 || ph.Items[1].MSP != api.MSPIPOffice {
		t.Fatalf("pledge history: %+v", ph)
	}
	_, err := e.query(trader, func(s *Service) (string, error) { return s.GetAssetHistory("P404") })
	wantCode(t, err, api.CodeNotFound)
	_, err = e.query(trader, func(s *Service) (string, error) { return s.GetTransferHistory("bad id") })
	wantCode(t, err, api.CodeInvalidArgument)
	// A deleted index entry shows in history as a deletion.
	del, _ := e.l.History(CompositeKey(idxPledgeStatus, string(api.PledgeApplied), p.ID))
	if len(del) != 2 || !del[1].IsDelete {
		t.Fatalf("status index history: %+v", del)
	}
}

func TestI3_RepeatedRequestReturnsFirstOutcomeAndWritesNothing(t *testing.T) {
	e := newEnv(t)
	payload := js(patent("P1"))
	first := e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset("req-42", payload) }))
	keys, events := len(e.l.Keys()), len(e.l.Events)
	e.now = e.now.Add(time.Hour)
	e.l.Begin(e.nextTx(), e.now)
	again, err := New(e.l, Tx{ID: "tx-again", Time: e.now, Caller: ipAdmin}).RegisterAsset("req-42", payload)
	if err != nil || again != first {
		t.Fatalf("repeat: %v\n%s\n%s", err, again, first)
	}
	if len(e.l.Writes()) != 0 || len(e.l.PendingEvents()) != 0 {
		t.Fatalf("a repeat wrote %v or set an event", e.l.Writes())
	}
	e.l.Commit()
	if len(e.l.Keys()) != keys || len(e.l.Events) != events {
		t.Fatalf("a repeat changed the ledger")
	}
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset("req-42", js(patent("P2"))) })
	wantCode(t, err, "I3")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.UpdateAsset("req-42", "P1", `{"title":"x"}`) })
	wantCode(t, err, "I3")
	// Request ids are per organization.
	e.register(patent("P2"))
	_, err = e.submit(bank1, withTerms(termsA), func(s *Service) (string, error) { return s.ApplyPledge("req-42", js(application("P2"))) })
	wantCode(t, err, "")
	// A refused request stores nothing, so it can be retried once the obstacle is gone.
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset("req-43", `{"id":"P3"}`) })
	wantCode(t, err, api.CodeInvalidArgument)
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset("req-43", js(patent("P3"))) })
	wantCode(t, err, "")
	for _, bad := range []string{"", "-x", "a b", strings.Repeat("r", 129), "é"} {
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset(bad, payload) })
		wantCode(t, err, api.CodeInvalidArgument, "requestId")
	}
	var rec RequestRecord
	raw, _ := e.l.GetState(CompositeKey(keyRequest, string(api.MSPIPOffice), "req-42"))
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Function != "RegisterAsset" || rec.Response != first {
		t.Fatalf("request record: %+v %v", rec, err)
	}
}

func TestI3_TheSameRequestIDWithOtherPrivateTermsIsRefused(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	app := js(application("P1"))
	first := e.must(e.submit(bank1, withTerms(termsA), func(s *Service) (string, error) { return s.ApplyPledge("apply-1", app) }))
	// The same request with the same terms: the first outcome, nothing written.
	keys := len(e.l.Keys())
	again := e.must(e.submit(bank1, withTerms(termsA), func(s *Service) (string, error) { return s.ApplyPledge("apply-1", app) }))
	if again != first || len(e.l.Keys()) != keys {
		t.Fatalf("repeat answered %s (keys %d → %d)", again, keys, len(e.l.Keys()))
	}
	// Other terms under the same request id: refused, not answered with the first outcome.
	other := termsA
	other.Amount = "9000000.00"
	_, err := e.submit(bank1, withTerms(other), func(s *Service) (string, error) { return s.ApplyPledge("apply-1", app) })
	wantCode(t, err, "I3")
}
