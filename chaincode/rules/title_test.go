package rules

import (
	"encoding/json"
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
	// A renaming of the pledgors filed before the assignment no longer fits once they have changed.
	var renamed api.Pledge
	mustDecode(t, e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), pkg.ID, js(api.Amendment{Pledgors: []api.Party{{ID: acme.ID, Name: "Acme Optics Group"}}}))
	})), &renamed)
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) {
		return s.RecordPledgeChange(e.req(), pkg.ID, renamed.PendingChangeID, "{}")
	}), "P6", "pledgors-changed")

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
	lic.Kind, lic.License = "license", ordinaryLicense()
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

var hashB = strings.Repeat("b", 64)

// submitErrWith runs fn as one transaction of c with transient data and returns its error only.
func (e *env) submitErrWith(c Caller, transient map[string][]byte, fn func(*Service) (string, error)) error {
	e.t.Helper()
	_, err := e.submit(c, transient, fn)
	return err
}

// recordChange has the IP office record a filed change of a pledge and returns the pledge.
func (e *env) recordChange(pledgeID, changeID string) *api.Pledge {
	e.t.Helper()
	var p api.Pledge
	mustDecode(e.t, e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RecordPledgeChange(e.req(), pledgeID, changeID, "{}")
	})), &p)
	return &p
}

func (e *env) terms(c Caller, pledgeID string) (api.TermsView, error) {
	e.t.Helper()
	var v api.TermsView
	out, err := e.query(c, func(s *Service) (string, error) { return s.GetPledgeTerms(pledgeID) })
	if err == nil {
		mustDecode(e.t, out, &v)
	}
	return v, err
}

// TestP6_AFiledChangeAltersNothingUntilRecorded: a change or extension filed by the pledgee changes
// nothing of the pledge, public or private, until the IP office records it; its new private terms are
// for the entitled callers only, as pending terms, and only their salted hash is public. Only the IP
// office records, one filed change at a time, by its id.
func TestP6_AFiledChangeAltersNothingUntilRecorded(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	t2 := termsA
	t2.Amount, t2.Salt = "7000000.00", "db8300e50c4a081c8b1388fe70279ef6"
	var filed api.Pledge
	mustDecode(t, e.must(e.submit(bank1, withTerms(t2), func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), p.ID, js(api.Amendment{ContractHash: hashB, PledgeeName: "Bank One Hubei"}))
	})), &filed)
	ch := filed.Changes[len(filed.Changes)-1]
	if filed.PendingChangeID != ch.ID || ch.Status != api.ChangeFiled || ch.Kind != api.ChangeAmendment ||
		ch.TermsHash != TermsHash(t2) || ch.ContractHash != hashB || ch.TxID != filed.LastChange.TxID {
		t.Fatalf("the filed change: %+v", filed)
	}
	got := e.pledge(p.ID)
	if got.TermsHash != p.TermsHash || got.ContractHash != p.ContractHash || got.Pledgee.Name != p.Pledgee.Name ||
		got.DebtTermEnd != p.DebtTermEnd || got.Status != api.PledgeRegistered {
		t.Fatalf("a filed change altered the pledge: %+v", got)
	}
	if out := e.must(e.query(trader, func(s *Service) (string, error) { return s.GetPledge(p.ID) })); strings.Contains(out, t2.Amount) {
		t.Fatalf("the filed terms are public: %s", out)
	}
	for _, c := range []Caller{bank1, examiner, auditor} {
		v, err := e.terms(c, p.ID)
		wantCode(t, err, "")
		if v.Terms.Amount != termsA.Amount || !v.Verified || v.Pending == nil || v.Pending.ChangeID != ch.ID ||
			v.Pending.Terms.Amount != t2.Amount || !v.Pending.Verified {
			t.Fatalf("terms seen by %s: %+v", c.MSP, v)
		}
	}
	_, err := e.terms(bank2, p.ID)
	wantCode(t, err, api.CodeForbidden, "V2")
	// One filed change at a time; recorded by the IP office only, by its id.
	wantCode(t, e.submitErr(bank1, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2028-03-01"}`) }),
		"P6", "change-pending")
	for _, c := range []Caller{bank1, trader} {
		wantCode(t, e.submitErr(c, func(s *Service) (string, error) { return s.RecordPledgeChange(e.req(), p.ID, ch.ID, "{}") }),
			api.CodeForbidden, "P6")
	}
	wantCode(t, e.submitErr(auditor, func(s *Service) (string, error) { return s.RecordPledgeChange(e.req(), p.ID, ch.ID, "{}") }),
		api.CodeForbidden, "V3")
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) { return s.RecordPledgeChange(e.req(), p.ID, "CH-none", "{}") }),
		api.CodeNotFound)
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) { return s.RecordPledgeChange(e.req(), p.ID, ch.ID, `{"x":1}`) }),
		api.CodeInvalidArgument, "x")

	rec := e.recordChange(p.ID, ch.ID)
	if rec.TermsHash != TermsHash(t2) || rec.ContractHash != hashB || rec.Pledgee.Name != "Bank One Hubei" || rec.PendingChangeID != "" ||
		rec.Changes[0].Status != api.ChangeRecorded || rec.Changes[0].DecisionTxID != rec.LastChange.TxID || rec.LastChange.MSP != api.MSPIPOffice {
		t.Fatalf("the recorded change: %+v", rec)
	}
	v, _ := e.terms(bank1, p.ID)
	if v.Terms.Amount != t2.Amount || !v.Verified || v.Pending != nil {
		t.Fatalf("terms in force after recording: %+v", v)
	}
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) { return s.RecordPledgeChange(e.req(), p.ID, ch.ID, "{}") }),
		"P6", "change-decided")

	// An extension, filed then recorded; checked again at recording against the rights as they are.
	var ext api.Pledge
	mustDecode(t, e.must(e.submit(bank1, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2030-03-01"}`) })), &ext)
	if e.pledge(p.ID).DebtTermEnd != p.DebtTermEnd {
		t.Fatalf("a filed extension changed the term")
	}
	e.update("P1", `{"expiryDate":"2029-12-31"}`)
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) {
		return s.RecordPledgeChange(e.req(), p.ID, ext.PendingChangeID, "{}")
	}),
		"P4", "term-after-expiry")
	e.update("P1", `{"expiryDate":"2040-01-10"}`)
	if got := e.recordChange(p.ID, ext.PendingChangeID); got.DebtTermEnd != "2030-03-01" || len(got.Changes) != 2 {
		t.Fatalf("the recorded extension: %+v", got)
	}
	var events []string
	for _, ev := range e.l.Events {
		events = append(events, ev.Name)
	}
	if n := len(events); !slices.Equal(events[n-6:], []string{"PledgeChangeFiled", "PledgeChangeRecorded", "PledgeChangeFiled",
		"AssetUpdated", "AssetUpdated", "PledgeChangeRecorded"}) {
		t.Fatalf("events %v", events[n-6:])
	}
}

// TestP6_ARefusedChangeLeavesThePledgeAsItWas: the IP office's refusal of a filed change records its
// reasons on the change and leaves the pledge's terms, names, contract and term as they were; a new
// change may then be filed. A change filed on a pledge that stopped being registered can only be
// refused.
func TestP6_ARefusedChangeLeavesThePledgeAsItWas(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	t2 := termsA
	t2.Amount = "9000000.00"
	var filed api.Pledge
	mustDecode(t, e.must(e.submit(bank1, withTerms(t2), func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), p.ID, js(api.Amendment{ContractHash: hashB, DebtKind: "bond"}))
	})), &filed)
	id := filed.PendingChangeID
	wantCode(t, e.submitErr(bank1, func(s *Service) (string, error) { return s.RefusePledgeChange(e.req(), p.ID, id, `{"reasons":["x"]}`) }),
		api.CodeForbidden, "P6")
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) { return s.RefusePledgeChange(e.req(), p.ID, id, `{"reasons":[]}`) }),
		api.CodeInvalidArgument, "reasons")
	var refused api.Pledge
	mustDecode(t, e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RefusePledgeChange(e.req(), p.ID, id, `{"reasons":["P6-contract-unsigned"],"note":"supplementary contract not signed by the pledgor"}`)
	})), &refused)
	ch := refused.Changes[0]
	if ch.Status != api.ChangeRefused || ch.RefusalReasons[0] != "P6-contract-unsigned" || ch.DecisionTxID != refused.LastChange.TxID ||
		refused.PendingChangeID != "" || refused.LastChange.Action != "PledgeChangeRefused:"+id {
		t.Fatalf("the refused change: %+v", refused)
	}
	if refused.TermsHash != p.TermsHash || refused.ContractHash != p.ContractHash || refused.DebtKind != p.DebtKind ||
		refused.DebtTermEnd != p.DebtTermEnd || refused.Status != api.PledgeRegistered {
		t.Fatalf("a refused change altered the pledge: %+v", refused)
	}
	if v, _ := e.terms(examiner, p.ID); v.Terms.Amount != termsA.Amount || v.Pending != nil || !v.Verified {
		t.Fatalf("terms after the refusal: %+v", v)
	}
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) { return s.RecordPledgeChange(e.req(), p.ID, id, "{}") }),
		"P6", "change-decided")

	// A new filing is possible; once the pledge is released, the change has nothing left to change: it
	// ends refused (pledge-ended), and its terms are no longer pending.
	var again api.Pledge
	mustDecode(t, e.must(e.submit(bank1, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2028-03-01"}`) })), &again)
	e.must(e.submit(bank1, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), p.ID, `{"reason":"repaid"}`) }))
	released := e.pledge(p.ID)
	if ch := released.Changes[len(released.Changes)-1]; released.PendingChangeID != "" || ch.Status != api.ChangeRefused ||
		ch.RefusalReasons[0] != "pledge-ended" {
		t.Fatalf("the change filed before the release: %+v", released)
	}
	wantCode(t, e.submitErr(examiner, func(s *Service) (string, error) {
		return s.RecordPledgeChange(e.req(), p.ID, again.PendingChangeID, "{}")
	}), "P6", "change-decided")
}

// TestP6_AnAmountChangeNeedsANewContractHash: new private terms that change the secured amount are
// refused without the hash of the supplementary contract (contract-hash-required), or with the
// contract already registered (contract-hash-unchanged); terms that keep the amount need none. The
// pledge records the new contract hash when the change is recorded.
func TestP6_AnAmountChangeNeedsANewContractHash(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	more := termsA
	more.Amount = "5000000.01"
	wantCode(t, e.submitErrWith(bank1, withTerms(more), func(s *Service) (string, error) { return s.AmendPledge(e.req(), p.ID, `{}`) }),
		"P6", "contract-hash-required")
	wantCode(t, e.submitErrWith(bank1, withTerms(more), func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), p.ID, js(api.Amendment{ContractHash: p.ContractHash}))
	}), "P6", "contract-hash-unchanged")
	if got := e.pledge(p.ID); got.PendingChangeID != "" || len(got.Changes) != 0 {
		t.Fatalf("a refused filing left a change: %+v", got)
	}
	// The same amount, written otherwise, with another rate: no new contract is needed.
	rate := termsA
	rate.Amount, rate.InterestRate, rate.Salt = "5000000", "3.10", "af3b2d5f08cf820c2bbb7daeae25177d"
	var filed api.Pledge
	mustDecode(t, e.must(e.submit(bank1, withTerms(rate), func(s *Service) (string, error) { return s.AmendPledge(e.req(), p.ID, `{}`) })), &filed)
	canonical := rate
	canonical.Amount = "5000000.00" // stored and hashed with two decimals
	if got := e.recordChange(p.ID, filed.PendingChangeID); got.ContractHash != p.ContractHash || got.TermsHash != TermsHash(canonical) {
		t.Fatalf("a rate change: %+v", got)
	}
	mustDecode(t, e.must(e.submit(bank1, withTerms(more), func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), p.ID, js(api.Amendment{ContractHash: hashB}))
	})), &filed)
	if got := e.recordChange(p.ID, filed.PendingChangeID); got.ContractHash != hashB || got.TermsHash != TermsHash(more) {
		t.Fatalf("an amount change: %+v", got)
	}
}

// TestI1_PlanNamesThePledgeesOfPledgesChangedByOthers: the dry run of a recording that changes the
// pledgors of pledges (P7) or records a lost right on them (P10) names every pledgee bank whose pledge
// key it writes, besides the IP office; a filed change's recording names its pledgee.
func TestI1_PlanNamesThePledgeesOfPledgesChangedByOthers(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p1 := e.pledged(bank1, "R1", "T1")
	p2 := e.pledged(bank2, "R2", "T1")
	plan := func(function string, args ...string) []api.MSPID {
		t.Helper()
		e.l.Begin(e.nextTx(), e.now)
		defer e.l.Begin("", e.now)
		argv, _ := json.Marshal(append([]string{e.req()}, args...))
		raw, err := New(e.l, Tx{ID: "tx-plan", Time: e.now, Caller: examiner}).PlanSubmission(function, string(argv))
		if err != nil || len(e.l.Writes()) != 0 {
			t.Fatalf("plan %s: %v, writes %q", function, err, e.l.Writes())
		}
		var p api.Plan
		mustDecode(t, raw, &p)
		return p.Endorsers
	}
	both := []api.MSPID{api.MSPBank1, api.MSPBank2, api.MSPIPOffice}
	if got := plan("UpdateAsset", "T1", `{"legalStatus":"lapsed"}`); !slices.Equal(got, both) {
		t.Fatalf("a lapse of a right pledged to both banks: %v", got)
	}
	if got := plan("UpdateAsset", "T1", `{"title":"Renamed"}`); len(got) != 0 {
		t.Fatalf("a change of the title only: %v", got)
	}
	tr, _ := e.requestTransfer(trader, trade("T1"))
	for _, c := range []struct {
		bank Caller
		id   string
	}{{bank1, p1.ID}, {bank2, p2.ID}} {
		e.must(e.submit(c.bank, nil, func(s *Service) (string, error) {
			return s.ConsentToTransfer(e.req(), tr.ID, js(api.ConsentInput{PledgeID: c.id, ProceedsUse: "escrow"}))
		}))
	}
	if got := plan("RecordTransfer", tr.ID, "{}"); !slices.Equal(got, both) {
		t.Fatalf("an assignment of a right pledged to both banks: %v", got)
	}
	var filed api.Pledge
	mustDecode(t, e.must(e.submit(bank2, nil, func(s *Service) (string, error) {
		return s.ExtendPledge(e.req(), p2.ID, `{"debtTermEnd":"2028-03-01"}`)
	})), &filed)
	if got := plan("RecordPledgeChange", p2.ID, filed.PendingChangeID, "{}"); !slices.Equal(got, []api.MSPID{api.MSPBank2, api.MSPIPOffice}) {
		t.Fatalf("recording Bank2's change: %v", got)
	}
}
