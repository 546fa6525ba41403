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
