package rules

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// measureStates is each measure of a right as "n:status:priority", in order of arrival.
func measureStates(a *api.Asset) []string {
	var out []string
	for _, m := range a.CourtMeasures {
		out = append(out, string(rune('0'+m.N))+":"+string(m.Status)+":"+string(rune('0'+m.Priority)))
	}
	return out
}

// courtTransfer is a transfer ordered by court with decision ref, to the buyer.
func courtTransfer(assetID, origin, court, ref string, purged bool) api.TransferRequest {
	return api.TransferRequest{AssetID: assetID, Court: court, CourtRef: ref, Kind: "assignment",
		NewOwners: []api.Owner{buyer}, Origin: origin, PledgesPurged: purged}
}

// TestC1_SuccessiveFreezesWaitInOrderOfArrival: the first court's freeze is in effect, later ones wait
// with their priority (轮候查封); the freeze flag is the one in effect; the same decision is not recorded
// twice; only the IP office records a freeze; the statement lists the measures in force in order; a
// frozen right is still refused a pledge (P4) and a transfer (T2) with reason frozen.
func TestC1_SuccessiveFreezesWaitInOrderOfArrival(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	first := e.now
	a := e.freeze("P1", court1, "(2025)E01ZB1")
	if m := a.CourtMeasures; len(m) != 1 || m[0].Status != api.MeasureEffective || m[0].Priority != 1 || m[0].N != 1 ||
		m[0].Kind != api.MeasureFreeze || m[0].EffectiveFrom != first.UTC().Format(time.RFC3339Nano) || m[0].ReceivedAt != m[0].EffectiveFrom {
		t.Fatalf("first freeze: %+v", m)
	}
	if a.Freeze != (api.Flag{Active: true, Court: court1, Ref: "(2025)E01ZB1", Since: "2025-03-03"}) || a.LastChange.Action != "FreezeRecorded:1" {
		t.Fatalf("freeze flag %+v, action %s", a.Freeze, a.LastChange.Action)
	}
	e.freeze("P1", court2, "(2025)E0106ZB4")
	a = e.freeze("P1", "Hanyang District People's Court", "(2025)E0105ZB9")
	if got := measureStates(a); !slices.Equal(got, []string{"1:effective:1", "2:waiting:2", "3:waiting:3"}) {
		t.Fatalf("measures %v", got)
	}
	if w := a.CourtMeasures[1]; w.EffectiveFrom != "" || w.ReceivedAt == "" || a.Freeze.Court != court1 {
		t.Fatalf("a waiting freeze has not taken effect: %+v, flag %+v", w, a.Freeze)
	}
	var ev api.Event
	mustDecode(t, string(e.l.Events[len(e.l.Events)-1].Payload), &ev)
	if ev.Type != "FreezeRecorded" || ev.ID != "P1" || ev.Status != "waiting" {
		t.Fatalf("event %+v", ev)
	}
	_, err := e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RecordFreeze(e.req(), "P1", js(api.FreezeInput{Court: court2, Ref: "(2025)E0106ZB4"}))
	})
	wantCode(t, err, "C1", "freeze-already-recorded")
	for _, bad := range []struct {
		c       Caller
		id, in  string
		code    api.Code
		details string
	}{
		{bank1, "P1", `{"court":"c","ref":"r"}`, api.CodeForbidden, "C1"},
		{auditor, "P1", `{"court":"c","ref":"r"}`, api.CodeForbidden, "V3"},
		{examiner, "P404", `{"court":"c","ref":"r"}`, api.CodeNotFound, ""},
		{examiner, "P1", `{"court":"","ref":"r"}`, api.CodeInvalidArgument, "court"},
		{examiner, "P1", `{"court":"c"}`, api.CodeInvalidArgument, "ref"},
		{examiner, "P1", `{"court":"c","ref":"r","active":true}`, api.CodeInvalidArgument, "active"},
	} {
		_, err := e.submit(bad.c, nil, func(s *Service) (string, error) { return s.RecordFreeze(e.req(), bad.id, bad.in) })
		if bad.details == "" {
			wantCode(t, err, bad.code)
		} else {
			wantCode(t, err, bad.code, bad.details)
		}
	}
	var st api.Statement
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetStatement("P1") })), &st)
	if len(st.CourtMeasures) != 3 || st.CourtMeasures[0].Court != court1 || st.CourtMeasures[1].Court != court2 ||
		st.CourtMeasures[2].Priority != 3 || !st.Freeze.Active || !slices.Contains(st.Obstacles, "frozen") {
		t.Fatalf("statement: %+v", st)
	}
	_, err = e.apply(bank1, application("P1"))
	wantCode(t, err, "P4", "frozen")
	_, err = e.requestTransfer(trader, trade("P1"))
	wantCode(t, err, "T2", "frozen")
}

// TestC1_AFreezeFlagOfTheOldRegisterBecomesTheFirstMeasure: a right written before the register kept
// court measures, frozen by the old flag, reads as frozen by one measure in effect; a new freeze waits
// behind it.
func TestC1_AFreezeFlagOfTheOldRegisterBecomesTheFirstMeasure(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	var raw map[string]any
	mustDecode(t, string(e.l.state[assetKey("P1")]), &raw)
	delete(raw, "courtMeasures")
	raw["freeze"] = map[string]any{"active": true, "ref": "(2024)E01ZB7", "since": "2024-11-05"}
	old, _ := json.Marshal(raw)
	e.l.state[assetKey("P1")] = old
	a := e.asset("P1")
	if m := a.CourtMeasures; len(m) != 1 || m[0].Status != api.MeasureEffective || m[0].Ref != "(2024)E01ZB7" ||
		m[0].EffectiveFrom != "2024-11-05" || m[0].Priority != 1 {
		t.Fatalf("the old flag as a measure: %+v", m)
	}
	a = e.freeze("P1", court2, "(2025)E0106ZB4")
	if got := measureStates(a); !slices.Equal(got, []string{"1:effective:1", "2:waiting:2"}) || a.Freeze.Ref != "(2024)E01ZB7" ||
		a.Freeze.Since != "2024-11-05" {
		t.Fatalf("after a new freeze: %v %+v", got, a.Freeze)
	}
	a = e.lift("P1", 1, "(2024)E01ZB7-1")
	if a.Freeze.Court != court2 || a.CourtMeasures[1].Status != api.MeasureEffective {
		t.Fatalf("after lifting the old one: %+v", a.CourtMeasures)
	}
}

// TestC2_LiftingTheEffectiveFreezeMakesTheNextEffective: lifting the freeze in effect makes the first
// waiting one effective at that moment (its time recorded); lifting a waiting one takes it out of the
// queue and those behind move up; a lifted freeze cannot be lifted again; P4 and T2 refuse with frozen
// while any freeze is in effect, and the right is free once the last one is lifted.
func TestC2_LiftingTheEffectiveFreezeMakesTheNextEffective(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.freeze("P1", court1, "(2025)E01ZB1")
	e.freeze("P1", court2, "(2025)E0106ZB4")
	e.freeze("P1", "Hanyang District People's Court", "(2025)E0105ZB9")
	e.freeze("P1", "Qiaokou District People's Court", "(2025)E0104ZB2")

	// A waiting freeze lifted leaves the queue; the one in effect stays in effect.
	a := e.lift("P1", 3, "(2025)E0105ZB9-1")
	if got := measureStates(a); !slices.Equal(got, []string{"1:effective:1", "2:waiting:2", "3:lifted:0", "4:waiting:3"}) {
		t.Fatalf("after lifting a waiting freeze: %v", got)
	}
	if m := a.CourtMeasures[2]; m.LiftedRef != "(2025)E0105ZB9-1" || m.LiftedAt == "" || m.LiftedTxID == "" || m.EffectiveFrom != "" ||
		a.Freeze.Court != court1 || a.LastChange.Action != "FreezeLifted:3" {
		t.Fatalf("lifted waiting freeze: %+v, flag %+v", m, a.Freeze)
	}

	// The freeze in effect lifted: the first waiting one takes effect now.
	e.now = time.Date(2025, 3, 5, 9, 30, 0, 0, chinaTime)
	a = e.lift("P1", 1, "(2025)E01ZB1-1")
	if got := measureStates(a); !slices.Equal(got, []string{"1:lifted:0", "2:effective:1", "3:lifted:0", "4:waiting:2"}) {
		t.Fatalf("after lifting the effective freeze: %v", got)
	}
	if m := a.CourtMeasures[1]; m.EffectiveFrom != "2025-03-05T01:30:00Z" ||
		a.Freeze != (api.Flag{Active: true, Court: court2, Ref: "(2025)E0106ZB4", Since: "2025-03-05"}) {
		t.Fatalf("the next freeze in effect: %+v, flag %+v", m, a.Freeze)
	}
	var ev api.Event
	mustDecode(t, string(e.l.Events[len(e.l.Events)-1].Payload), &ev)
	if ev.Type != "FreezeLifted" || ev.ID != "P1" || ev.Status != "lifted" {
		t.Fatalf("event %+v", ev)
	}
	_, err := e.apply(bank1, application("P1"))
	wantCode(t, err, "P4", "frozen")
	_, err = e.requestTransfer(trader, trade("P1"))
	wantCode(t, err, "T2", "frozen")

	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.LiftFreeze(e.req(), "P1", "1", `{"ref":"again"}`) })
	wantCode(t, err, "C2", "already-lifted")
	for _, bad := range []struct {
		c        Caller
		id, n    string
		in       string
		code     api.Code
		field    string
		notFound bool
	}{
		{bank1, "P1", "2", `{"ref":"r"}`, api.CodeForbidden, "C2", false},
		{examiner, "P1", "9", `{"ref":"r"}`, api.CodeNotFound, "", true},
		{examiner, "P404", "1", `{"ref":"r"}`, api.CodeNotFound, "", true},
		{examiner, "P1", "0", `{"ref":"r"}`, api.CodeInvalidArgument, "n", false},
		{examiner, "P1", "01", `{"ref":"r"}`, api.CodeInvalidArgument, "n", false},
		{examiner, "P1", "x", `{"ref":"r"}`, api.CodeInvalidArgument, "n", false},
		{examiner, "P1", "2", `{}`, api.CodeInvalidArgument, "ref", false},
	} {
		_, err := e.submit(bad.c, nil, func(s *Service) (string, error) { return s.LiftFreeze(e.req(), bad.id, bad.n, bad.in) })
		if bad.notFound {
			wantCode(t, err, bad.code)
			continue
		}
		wantCode(t, err, bad.code, bad.field)
	}

	e.lift("P1", 2, "(2025)E0106ZB4-1")
	a = e.lift("P1", 4, "(2025)E0104ZB2-1")
	if a.Freeze.Active || len(measuresInForce(a)) != 0 || a.CourtMeasures[3].EffectiveFrom == "" {
		t.Fatalf("after the last freeze is lifted: %+v %+v", a.Freeze, a.CourtMeasures)
	}
	_, err = e.apply(bank1, application("P1"))
	wantCode(t, err, "")
}

// TestC3_CourtOrderedTransferNeedsTheOrderingCourtsEffectiveFreeze: a court-ordered transfer is
// requested and recorded only while the ordering court's own freeze is in effect, not without one, not
// while another court's is (its own waiting), and not once it was lifted; it is an assignment with the
// court and its decision, requested by the IP office (court-order) or the exchange (judicial-auction).
func TestC3_CourtOrderedTransferNeedsTheOrderingCourtsEffectiveFreeze(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	_, err := e.requestTransfer(examiner, courtTransfer("P1", "court-order", court1, "(2025)E01Zhi5", false))
	wantCode(t, err, "C3", "court-freeze-not-effective")
	e.freeze("P1", court1, "(2025)E01ZB1")
	e.freeze("P1", court2, "(2025)E0106ZB4")
	_, err = e.requestTransfer(examiner, courtTransfer("P1", "court-order", court2, "(2025)E0106Zhi8", false))
	wantCode(t, err, "C3", "another-court-freeze-effective")
	_, err = e.requestTransfer(trader, courtTransfer("P1", "judicial-auction", court2, "(2025)E0106Zhi8", false))
	wantCode(t, err, "C3", "another-court-freeze-effective")

	for _, bad := range []struct {
		c     Caller
		in    api.TransferRequest
		field string
	}{
		{trader, courtTransfer("P1", "court-order", court1, "r", false), "origin"},
		{examiner, courtTransfer("P1", "judicial-auction", court1, "r", true), "origin"},
		{examiner, courtTransfer("P1", "court-order", "", "r", false), "court"},
		{examiner, courtTransfer("P1", "court-order", court1, "", false), "courtRef"},
		{examiner, func() api.TransferRequest {
			in := courtTransfer("P1", "court-order", court1, "r", false)
			in.Kind, in.License = "license", ordinaryLicense()
			return in
		}(), "kind"},
		{trader, func() api.TransferRequest { in := trade("P1"); in.Court = court1; return in }(), "origin"},
		{trader, func() api.TransferRequest { in := trade("P1"); in.PledgesPurged = true; return in }(), "origin"},
	} {
		_, err := e.requestTransfer(bad.c, bad.in)
		wantCode(t, err, api.CodeInvalidArgument, bad.field)
	}

	// Requested under the court's effective freeze, refused at recording once another court's is in effect.
	tr, err := e.requestTransfer(examiner, courtTransfer("P1", "court-order", court1, "(2025)E01Zhi5", false))
	wantCode(t, err, "")
	if tr.Court != court1 || tr.CourtRef != "(2025)E01Zhi5" || tr.Origin != "court-order" || tr.PledgesPurged {
		t.Fatalf("court-ordered transfer: %+v", tr)
	}
	e.lift("P1", 1, "(2025)E01ZB1-1")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
	wantCode(t, err, "C3", "another-court-freeze-effective")
	e.lift("P1", 2, "(2025)E0106ZB4-1")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
	wantCode(t, err, "C3", "court-freeze-not-effective")

	// A disputed right is refused as for any transfer (T2).
	e.freeze("P1", court2, "(2025)E0106ZB5")
	e.update("P1", `{"dispute":{"active":true,"ref":"ownership suit"}}`)
	_, err = e.requestTransfer(examiner, courtTransfer("P1", "court-order", court2, "(2025)E0106Zhi8", false))
	wantCode(t, err, "T2", "disputed")
}

// TestC3_ACourtsTransferWithoutPurgeNeedsNoConsentAndThePledgesFollow: a court's order that does not say
// the pledges are purged is recorded without the pledgees' consent — a court's order is not the owner's
// act that P7 and T2 guard against — and the pledges follow the right (P7); the recording ends every
// court measure on the right, the ordering court's and the waiting ones, naming the transfer.
func TestC3_ACourtsTransferWithoutPurgeNeedsNoConsentAndThePledgesFollow(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	e.freeze("P1", court1, "(2025)E01ZB1")
	e.freeze("P1", court2, "(2025)E0106ZB4")
	tr, err := e.requestTransfer(examiner, courtTransfer("P1", "court-order", court1, "(2025)E01Zhi5", false))
	wantCode(t, err, "")
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))
	a := e.asset("P1")
	if a.Owners[0].ID != buyer.ID || len(a.Encumbrances) != 1 || a.Freeze.Active {
		t.Fatalf("after the court's transfer: %+v", a)
	}
	for _, m := range a.CourtMeasures {
		if m.Status != api.MeasureLifted || m.LiftedByTransferID != tr.ID || m.LiftedRef != "(2025)E01Zhi5" || m.Priority != 0 {
			t.Fatalf("a measure after the court's transfer: %+v", m)
		}
	}
	if got := e.pledge(p.ID); got.Status != api.PledgeRegistered || got.Pledgors[0].ID != buyer.ID || got.Discharge != nil {
		t.Fatalf("the pledge after the court's transfer: %+v", got)
	}
}

// TestC3_AJudicialAuctionPurgesThePledges: the exchange requests the transfer of a judicial auction
// with the court's reference; it needs no consent, every active pledge on the right ends discharged
// with the court, its decision and the transfer (the court distributes the price), the right is
// unencumbered, every court measure ends, and the event and the plan name the pledges' banks. A pledge
// that also covers other rights is not half-ended: the recording is refused.
func TestC3_AJudicialAuctionPurgesThePledges(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.register(trademark("T2", "", 9))
	p1 := e.pledged(bank1, "R1", "T1")
	p2 := e.pledged(bank2, "R2", "T1")
	wantCode(t, e.declareDefault(bank2, p2.ID, "100"), "")
	e.freeze("T1", court1, "(2025)E01ZB1")
	tr, err := e.requestTransfer(trader, courtTransfer("T1", "judicial-auction", court1, "(2025)E01Zhi5", false))
	wantCode(t, err, "")
	if !tr.PledgesPurged || tr.Origin != "judicial-auction" {
		t.Fatalf("a judicial auction purges the pledges: %+v", tr)
	}
	e.l.Begin(e.nextTx(), e.now)
	argv, _ := json.Marshal([]string{e.req(), tr.ID, "{}"})
	raw, err := New(e.l, Tx{ID: "tx-plan", Time: e.now, Caller: examiner}).PlanSubmission("RecordTransfer", string(argv))
	e.l.Begin("", e.now)
	var plan api.Plan
	if mustDecode(t, e.must(raw, err), &plan); !slices.Equal(plan.Endorsers, []api.MSPID{api.MSPBank1, api.MSPBank2, api.MSPIPOffice}) {
		t.Fatalf("plan of the auction's recording: %v", plan.Endorsers)
	}
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))
	a := e.asset("T1")
	if a.Owners[0].ID != buyer.ID || len(a.Encumbrances) != 0 || a.Freeze.Active || a.CourtMeasures[0].LiftedByTransferID != tr.ID {
		t.Fatalf("the right after the auction: %+v", a)
	}
	for _, id := range []string{p1.ID, p2.ID} {
		got := e.pledge(id)
		d := got.Discharge
		if got.Status != api.PledgeDischarged || d == nil || d.Court != court1 || d.CourtRef != "(2025)E01Zhi5" ||
			d.TransferID != tr.ID || d.Amount != "" || d.DisposalPledgeID != "" || got.LastChange.Action != "PledgeDischarged:"+tr.ID {
			t.Fatalf("pledge %s after the auction: %+v %+v", id, got, d)
		}
	}
	var ev api.Event
	mustDecode(t, string(e.l.Events[len(e.l.Events)-1].Payload), &ev)
	if ev.Type != "TransferRecorded" || !slices.Equal(ev.PledgeIDs, []string{p1.ID, p2.ID}) ||
		!slices.Equal(ev.PledgeeMSPs, []api.MSPID{api.MSPBank1, api.MSPBank2}) {
		t.Fatalf("event %+v", ev)
	}
	var st api.Statement
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetStatement("T1") })), &st)
	if !st.Unencumbered || len(st.CourtMeasures) != 0 || len(st.Obstacles) != 0 {
		t.Fatalf("statement after the auction: %+v", st)
	}

	// A court's order saying the pledges are purged, on a right whose pledge is a package: refused.
	pkg := e.pledged(bank1, "R3", "T2")
	e.register(trademark("T3", "", 9))
	pkg2 := e.pledged(bank2, "R4", "T2", "T3")
	e.freeze("T2", court2, "(2025)E0106ZB4")
	tr2, err := e.requestTransfer(examiner, courtTransfer("T2", "court-order", court2, "(2025)E0106Zhi8", true))
	wantCode(t, err, "")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr2.ID, "{}") })
	wantCode(t, err, "C3", "pledge-beyond-transfer")
	if e.pledge(pkg.ID).Status != api.PledgeRegistered || e.pledge(pkg2.ID).Status != api.PledgeRegistered {
		t.Fatalf("a refused recording ended a pledge")
	}
}
