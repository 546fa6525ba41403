package rules

import (
	"slices"
	"strings"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// TestP7_PledgeFollowsTheAssignedRight: when the IP office records the assignment of a pledged right,
// every active pledge on it gets the new owners as pledgors (for a package, the owners of all its
// rights), keeps its rank, and says in its history which transfer changed them; the event names the
// pledges and their banks. Each pledge key keeps its own pledgee's policy.
func TestP7_PledgeFollowsTheAssignedRight(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.register(trademark("T2", "", 9))
	pkg := e.pledged(bank1, "R1", "T1", "T2")
	second := e.pledged(bank2, "R2", "T1")
	var tr api.Transfer
	mustDecode(t, e.must(e.submit(trader, nil, func(s *Service) (string, error) { return s.RequestTransfer(e.req(), js(trade("T1"))) })), &tr)
	for _, c := range []struct {
		bank Caller
		p    *api.Pledge
	}{{bank1, pkg}, {bank2, second}} {
		e.must(e.submit(c.bank, nil, func(s *Service) (string, error) {
			return s.ConsentToTransfer(e.req(), tr.ID, js(api.ConsentInput{PledgeID: c.p.ID, ProceedsUse: "escrow"}))
		}))
	}
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))

	got := e.pledge(pkg.ID)
	if want := []api.Party{{ID: buyer.ID, Name: buyer.Name}, acmeP}; !slices.Equal(got.Pledgors, want) {
		t.Fatalf("package pledgors %+v, want the owners of both rights %+v", got.Pledgors, want)
	}
	if !slices.Equal(got.Ranks, pkg.Ranks) || got.Status != api.PledgeRegistered || got.LastChange.Action != "PledgorsChanged:"+tr.ID {
		t.Fatalf("package pledge after the assignment: %+v", got)
	}
	if got2 := e.pledge(second.ID); !slices.Equal(got2.Pledgors, []api.Party{{ID: buyer.ID, Name: buyer.Name}}) || !slices.Equal(got2.Ranks, second.Ranks) {
		t.Fatalf("second pledge after the assignment: %+v", got2)
	}
	if encs := e.asset("T1").Encumbrances; len(encs) != 2 || encs[0].Rank != 1 || encs[1].Rank != 2 {
		t.Fatalf("encumbrances after the assignment: %+v", encs)
	}
	if pol, _ := e.l.Policy(pledgeKey(second.ID)); !slices.Equal(pol.All, api.PledgeEndorsers(api.MSPBank2)) {
		t.Fatalf("the second pledge's key policy: %v", pol)
	}
	var hist api.History
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.GetPledgeHistory(second.ID) })), &hist)
	last := hist.Items[len(hist.Items)-1]
	if last.Action != "PledgorsChanged:"+tr.ID || last.MSP != api.MSPIPOffice || !strings.Contains(string(last.Record), buyer.ID) {
		t.Fatalf("the history does not show the change: %+v", last)
	}
	var ev api.Event
	mustDecode(t, string(e.l.Events[len(e.l.Events)-1].Payload), &ev)
	if ev.Type != "TransferRecorded" || !slices.Equal(ev.PledgeIDs, []string{pkg.ID, second.ID}) ||
		!slices.Equal(ev.PledgeeMSPs, []api.MSPID{api.MSPBank1, api.MSPBank2}) {
		t.Fatalf("event %+v", ev)
	}

	// A licence changes no pledgor.
	lic := trade("T2", api.Owner{ID: "LICENSEE", Name: "Licensee Co.", Share: 10000})
	lic.Kind = "license"
	l, err := e.requestTransfer(trader, lic)
	wantCode(t, err, "")
	e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.ConsentToTransfer(e.req(), l.ID, js(api.ConsentInput{PledgeID: pkg.ID, ProceedsUse: "escrow"}))
	}))
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), l.ID, "{}") }))
	if after := e.pledge(pkg.ID); !slices.Equal(after.Pledgors, got.Pledgors) || after.Version != got.Version {
		t.Fatalf("a licence changed the pledge: %+v", after)
	}
}

// TestP10_LossOfAPledgedRightIsRecordedOnItsPledges: when the IP office takes a pledged right out of
// the valid status, every active pledge on it records the loss (which right, status, when, tx), stays
// registered, and the event names the pledges and their banks; when the right is restored, the loss is
// marked restored. Pledges that are not active, and rights without pledges, are left alone.
func TestP10_LossOfAPledgedRightIsRecordedOnItsPledges(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.register(trademark("T2", "", 9))
	e.register(trademark("T3", "", 9))
	pkg := e.pledged(bank1, "R1", "T1", "T2")
	second := e.pledged(bank2, "R2", "T1")
	released := e.pledged(bank2, "R3", "T1")
	e.must(e.submit(bank2, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), released.ID, `{"reason":"repaid"}`) }))
	applied, err := e.apply(bank2, application("T1"))
	wantCode(t, err, "")

	lastEvent := func() api.Event {
		var ev api.Event
		mustDecode(t, string(e.l.Events[len(e.l.Events)-1].Payload), &ev)
		return ev
	}
	e.update("T1", `{"legalStatus":"invalidated"}`)
	ev := lastEvent()
	if ev.Type != "AssetUpdated" || !slices.Equal(ev.PledgeIDs, []string{pkg.ID, second.ID}) ||
		!slices.Equal(ev.PledgeeMSPs, []api.MSPID{api.MSPBank1, api.MSPBank2}) {
		t.Fatalf("event %+v", ev)
	}
	for _, id := range []string{pkg.ID, second.ID} {
		p := e.pledge(id)
		if len(p.CollateralLosses) != 1 || p.Status != api.PledgeRegistered || p.LastChange.Action != "CollateralLost:T1" {
			t.Fatalf("pledge %s after the invalidation: %+v", id, p)
		}
		l := p.CollateralLosses[0]
		if l.AssetID != "T1" || l.LegalStatus != api.LegalInvalidated || l.TxID != ev.TxID || l.At != ev.Time || l.RestoredAt != "" {
			t.Fatalf("loss %+v, event %+v", l, ev)
		}
		if pol, _ := e.l.Policy(pledgeKey(id)); !slices.Equal(pol.All, api.PledgeEndorsers(e.pledge(id).Pledgee.MSP)) {
			t.Fatalf("pledge %s key policy %v", id, pol)
		}
	}
	for _, id := range []string{released.ID, applied.ID} {
		if p := e.pledge(id); len(p.CollateralLosses) != 0 {
			t.Fatalf("a pledge that is not active recorded a loss: %+v", p)
		}
	}
	var st api.Statement
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetStatement("T1") })), &st)
	if st.LegalStatus != api.LegalInvalidated || !slices.Contains(st.Obstacles, "legal-status:invalidated") || len(st.Encumbrances) != 2 {
		t.Fatalf("statement %+v", st)
	}

	// Another status that is not valid is another loss; a change of something else is none.
	e.update("T1", `{"legalStatus":"revoked"}`)
	e.update("T1", `{"title":"ACME mark, renamed"}`)
	if ev := lastEvent(); ev.PledgeIDs != nil || ev.PledgeeMSPs != nil {
		t.Fatalf("a title change named pledges: %+v", ev)
	}
	if p := e.pledge(second.ID); len(p.CollateralLosses) != 2 || p.CollateralLosses[1].LegalStatus != api.LegalRevoked {
		t.Fatalf("second loss: %+v", p.CollateralLosses)
	}
	// Valid again (e.g. the invalidation overturned): the open losses are marked restored.
	e.update("T1", `{"legalStatus":"valid"}`)
	restoredBy := lastEvent()
	for _, l := range e.pledge(pkg.ID).CollateralLosses {
		if l.RestoredAt == "" || l.RestoredTxID != restoredBy.TxID {
			t.Fatalf("loss not restored: %+v", l)
		}
	}
	if p := e.pledge(pkg.ID); p.LastChange.Action != "CollateralRestored:T1" || !slices.Equal(restoredBy.PledgeIDs, []string{pkg.ID, second.ID}) {
		t.Fatalf("restoration: %+v %+v", p.LastChange, restoredBy)
	}
	// A right without pledges changes no pledge.
	e.update("T3", `{"legalStatus":"lapsed"}`)
	if ev := lastEvent(); ev.PledgeIDs != nil {
		t.Fatalf("event of an unpledged right %+v", ev)
	}
}
