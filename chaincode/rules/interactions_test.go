package rules

import (
	"slices"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Where the rules meet: each test is a sequence across two features that each feature's own tests do
// not cover.

// P8 × P10: the right lapses while a disposal waits for the buyer's title; the IP office refuses the
// title; the pledges come back on the lapsed right with the loss recorded, and the refusal's event
// names them and their banks (I2).
func TestP10_AFailedDisposalBringsItsPledgesBackWithTheRightsStatus(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p1 := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	p2 := e.pledgedFor(bank2, "R2", "500000.00", "T1")
	wantCode(t, e.declareDefault(bank1, p1.ID, "1000000"), "")
	wantCode(t, e.stateClaim(bank2, p2.ID, "500000", "CNY"), "")
	d, err := e.dispose(p1.ID, sold("1500000", "0", p1.ID, "1000000", p2.ID, "500000"))
	wantCode(t, err, "")
	var disposed api.Event
	mustDecode(t, string(e.l.Events[len(e.l.Events)-1].Payload), &disposed)
	if !slices.Equal(disposed.PledgeIDs, []string{p2.ID}) || !slices.Contains(disposed.PledgeeMSPs, api.MSPBank2) {
		t.Fatalf("the disposal's event does not name the pledge it discharged: %+v", disposed)
	}
	e.update("T1", `{"legalStatus":"lapsed"}`)
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RefuseTransfer(e.req(), d.Disposal.TransferIDs[0], `{"reasons":["right-lapsed"]}`)
	}))
	for _, id := range []string{p1.ID, p2.ID} {
		p := e.pledge(id)
		if !p.Status.IsActive() || len(p.CollateralLosses) != 1 || p.CollateralLosses[0].LegalStatus != api.LegalLapsed {
			t.Errorf("%s back on the lapsed right: %s, losses %+v", id, p.Status, p.CollateralLosses)
		}
	}
	var ev api.Event
	mustDecode(t, string(e.l.Events[len(e.l.Events)-1].Payload), &ev)
	if ev.Type != "TransferRefused" || !slices.Contains(ev.PledgeIDs, p2.ID) || !slices.Contains(ev.PledgeeMSPs, api.MSPBank2) ||
		!slices.Contains(ev.PledgeeMSPs, api.MSPBank1) {
		t.Errorf("the refusal's event does not name the pledges it restored: %+v", ev)
	}
	// Valid again: the loss is closed.
	e.update("T1", `{"legalStatus":"valid"}`)
	if l := e.pledge(p2.ID).CollateralLosses; l[0].RestoredAt == "" {
		t.Errorf("loss not closed: %+v", l)
	}
}

// P6 × P13, C3: a change filed on a pledge that then ends has nothing left to change: it ends refused
// (pledge-ended) and its terms are no longer pending.
func TestP6_AChangeFiledOnAPledgeThatEndsLapses(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	t2 := termsA
	t2.Amount, t2.Salt = "6000000.00", "6"+termsA.Salt[1:]
	e.must(e.submit(bank1, withTerms(t2), func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), p.ID, js(api.Amendment{ContractHash: "b" + hashA[1:]}))
	}))
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.DeregisterPledge(e.req(), p.ID, js(api.Deregistration{Basis: "court-decision", DocumentHash: hashA, Reference: "(2025)E01"}))
	}))
	got := e.pledge(p.ID)
	var v api.TermsView
	mustDecode(t, e.must(e.query(bank1, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })), &v)
	if got.PendingChangeID != "" || v.Pending != nil || got.Changes[0].Status != api.ChangeRefused {
		t.Errorf("deregistered pledge: pendingChangeId %q, change %+v, pending terms %v", got.PendingChangeID, got.Changes[0], v.Pending != nil)
	}

	e.register(patent("P2"))
	q := e.pledged(bank1, "R2", "P2")
	e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.ExtendPledge(e.req(), q.ID, js(api.Extension{DebtTermEnd: "2028-01-01"}))
	}))
	e.freeze("P2", court1, "(2025)E01ZB1")
	tr, err := e.requestTransfer(trader, courtTransfer("P2", "judicial-auction", court1, "(2025)E01ZX1", false))
	wantCode(t, err, "")
	wantCode(t, e.recordTransfer(tr.ID), "")
	if got := e.pledge(q.ID); got.Status != api.PledgeDischarged || got.PendingChangeID != "" {
		t.Errorf("purged pledge %s keeps its filed change %q", got.Status, got.PendingChangeID)
	}
}

// P6 × P11: once the claims are determined, the maximum amount is not changed (Civil Code 422).
func TestP11_TheMaximumAmountIsNotChangedOnceTheClaimsAreDetermined(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	app := maxApplication("P1")
	app.ClaimPeriod.End = "2025-03-31"
	p, _ := e.applyWith(app, termsMax)
	if _, err := e.registerPledge(p.ID, "REG-MAX-1"); err != nil {
		t.Fatal(err)
	}
	e.now = time.Date(2025, 4, 10, 10, 0, 0, 0, chinaTime)
	got, err := e.stateMaxClaim(bank1, p.ID, cny("1000000.00", "2025-02-01", "2025-03-31"))
	wantCode(t, err, "")
	if got.ClaimsDetermination == nil {
		t.Fatal("the claims are not determined after the period")
	}
	higher := termsMax
	higher.MaximumAmount, higher.Salt = "20000000.00", "7"+termsMax.Salt[1:]
	_, err = e.submit(bank1, withTerms(higher), func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), p.ID, js(api.Amendment{ContractHash: "c" + hashA[1:]}))
	})
	wantCode(t, err, "P11", "claims-determined")
}

// P8 × T1/T3: a right sold in a pending disposal is not free: the statement says so, and no other
// transfer is requested.
func TestP8_ARightWithAPendingSaleIsNotFree(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p1 := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	wantCode(t, e.declareDefault(bank1, p1.ID, "1000000"), "")
	d, err := e.dispose(p1.ID, sold("1000000", "0", p1.ID, "1000000"))
	wantCode(t, err, "")
	st := e.statement("T1")
	if st.Unencumbered || !slices.Contains(st.Obstacles, "disposal-pending:"+d.Disposal.TransferIDs[0]) {
		t.Errorf("statement of a right with a pending sale: unencumbered %v, obstacles %v", st.Unencumbered, st.Obstacles)
	}
	_, err = e.requestTransfer(trader, trade("T1"))
	wantCode(t, err, "T3", "disposal-transfer-pending")
}
