package rules

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// pledgedFor registers a pledge of bank on the rights whose private terms secure amount CNY.
func (e *env) pledgedFor(bank Caller, regNo, amount string, assetIDs ...string) *api.Pledge {
	e.t.Helper()
	terms := termsA
	terms.Amount = amount
	out := e.must(e.submit(bank, withTerms(terms), func(s *Service) (string, error) {
		return s.ApplyPledge(e.req(), js(application(assetIDs...)))
	}))
	var p api.Pledge
	mustDecode(e.t, out, &p)
	reg, err := e.registerPledge(p.ID, regNo)
	if err != nil {
		e.t.Fatalf("register: %v", err)
	}
	return reg
}

func (e *env) declareDefault(bank Caller, id, amount string) error {
	e.t.Helper()
	_, err := e.submit(bank, nil, func(s *Service) (string, error) { return s.DeclareDefault(e.req(), id, defaultIn("missed", amount)) })
	return err
}

func (e *env) stateClaim(bank Caller, id, amount, currency string) error {
	e.t.Helper()
	_, err := e.submit(bank, nil, func(s *Service) (string, error) {
		return s.StateClaim(e.req(), id, js(api.ClaimInput{Amount: amount, Currency: currency}))
	})
	return err
}

func (e *env) dispose(id string, in api.DisposalInput) (*api.Pledge, error) {
	e.t.Helper()
	out, err := e.submit(trader, nil, func(s *Service) (string, error) { return s.DisposePledge(e.req(), id, js(in)) })
	if err != nil {
		return nil, err
	}
	var p api.Pledge
	mustDecode(e.t, out, &p)
	return &p, nil
}

// sold is a sale for price CNY split among the pledges as shares ("id", "amount", ...), with surplus.
func sold(price, surplus string, shares ...string) api.DisposalInput {
	in := api.DisposalInput{Buyers: []api.Owner{buyer}, Currency: "CNY", Method: "sale", Price: price,
		Proceeds: []api.ProceedInput{}, SaleRef: "WHIPE-SALE-1", Surplus: surplus}
	for i := 0; i+1 < len(shares); i += 2 {
		in.Proceeds = append(in.Proceeds, api.ProceedInput{PledgeID: shares[i], Amount: shares[i+1]})
	}
	return in
}

// TestP8_DefaultStatesAClaimWithinThePrivateTerms: the default states the outstanding secured claim; the
// chaincode checks it against the private terms (same currency, not more than their amount) without
// naming their amount, and records it on the public pledge.
func TestP8_DefaultStatesAClaimWithinThePrivateTerms(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	err := e.declareDefault(bank1, p.ID, "1000000.01")
	wantCode(t, err, "P8", "claim-above-secured-amount")
	if strings.Contains(err.Error(), "1000000.00") {
		t.Fatalf("the refusal names the private amount: %v", err)
	}
	_, err = e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.DeclareDefault(e.req(), p.ID, js(api.DefaultInput{Claim: api.ClaimInput{Amount: "10", Currency: "USD"}, Reason: "x"}))
	})
	wantCode(t, err, "P8", "currency-mismatch")
	_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.DeclareDefault(e.req(), p.ID, `{"reason":"missed"}`) })
	wantCode(t, err, api.CodeInvalidArgument, "claim.amount")
	// An endorsing peer must hold the terms: a peer outside the collection cannot endorse a default.
	e.l.NonMemberOf[api.TermsCollection(api.MSPBank1)] = true
	wantCode(t, e.declareDefault(bank1, p.ID, "1000000"), api.CodeInternal)
	delete(e.l.NonMemberOf, api.TermsCollection(api.MSPBank1))
	if e.pledge(p.ID).Status != api.PledgeRegistered {
		t.Fatalf("a refused default changed the pledge")
	}
	wantCode(t, e.declareDefault(bank1, p.ID, "1000000"), "")
	var got api.Pledge
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetPledge(p.ID) })), &got)
	if c := got.Claim; got.Status != api.PledgeDefaulted || c == nil || c.Amount != "1000000.00" || c.Currency != "CNY" ||
		c.TermsHash != p.TermsHash || c.TxID == "" {
		t.Fatalf("the claim is not on the public pledge: %+v", got)
	}
}

// TestP8_StateClaimByThePledgeeOfAnActivePledge: the pledgee of another active pledge on the rights
// states its claim, checked the same way; it may state it again; only while the pledge is active.
func TestP8_StateClaimByThePledgeeOfAnActivePledge(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	p2 := e.pledgedFor(bank2, "R2", "500000.00", "T1")
	wantCode(t, e.stateClaim(bank1, p2.ID, "1", "CNY"), api.CodeForbidden, "P8")
	wantCode(t, e.stateClaim(trader, p2.ID, "1", "CNY"), api.CodeForbidden, "P8")
	wantCode(t, e.stateClaim(auditor, p2.ID, "1", "CNY"), api.CodeForbidden, "V3")
	wantCode(t, e.stateClaim(bank2, p2.ID, "0", "CNY"), api.CodeInvalidArgument, "amount")
	wantCode(t, e.stateClaim(bank2, p2.ID, "1", "cny"), api.CodeInvalidArgument, "currency")
	wantCode(t, e.stateClaim(bank2, p2.ID, "500000.01", "CNY"), "P8", "claim-above-secured-amount")
	wantCode(t, e.stateClaim(bank2, p2.ID, "1", "EUR"), "P8", "currency-mismatch")
	wantCode(t, e.stateClaim(bank2, p2.ID, "500000", "CNY"), "")
	wantCode(t, e.stateClaim(bank2, p2.ID, "420000.5", "CNY"), "")
	if c := e.pledge(p2.ID).Claim; c == nil || c.Amount != "420000.50" || c.TermsHash != p2.TermsHash {
		t.Fatalf("claim not recorded: %+v", c)
	}
	if ev := e.l.Events[len(e.l.Events)-1]; ev.Name != "PledgeClaimStated" {
		t.Fatalf("event %s", ev.Name)
	}
	e.must(e.submit(bank2, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), p2.ID, `{"reason":"repaid"}`) }))
	wantCode(t, e.stateClaim(bank2, p2.ID, "1", "CNY"), "P8", "wrong-status")
}

// TestP8_ProceedsAreCheckedAgainstTheStatedClaims: a share is at most its pledge's stated claim; no
// share without a stated claim; nothing to a lower rank, nor as surplus, while a better (or any) claim
// is not paid in full; the sum is the price. The integrator's case: on a sale of 800,000.00, 300,000.00
// to the first rank (debt 1,000,000.00) and 500,000.00 to the second is refused; 800,000.00 and 0 is
// accepted.
func TestP8_ProceedsAreCheckedAgainstTheStatedClaims(t *testing.T) {
	setup := func(t *testing.T, claim2 bool) (*env, string, string) {
		e := newEnv(t)
		e.register(trademark("T1", "", 9))
		p1 := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
		p2 := e.pledgedFor(bank2, "R2", "500000.00", "T1")
		wantCode(t, e.declareDefault(bank1, p1.ID, "1000000.00"), "")
		if claim2 {
			wantCode(t, e.stateClaim(bank2, p2.ID, "500000.00", "CNY"), "")
		}
		return e, p1.ID, p2.ID
	}
	t.Run("with both claims stated", func(t *testing.T) {
		e, p1, p2 := setup(t, true)
		bad := []struct {
			name   string
			in     api.DisposalInput
			reason string
		}{
			{"the integrator's split", sold("800000.00", "0", p1, "300000.00", p2, "500000.00"), "better-rank-unpaid"},
			{"a share above its claim", sold("1000000.01", "0", p1, "1000000.01", p2, "0"), "share-above-claim"},
			{"the second above its claim", sold("1600000", "0", p1, "1000000", p2, "600000"), "share-above-claim"},
			{"surplus while a claim is unpaid", sold("1500000", "100000", p1, "1000000", p2, "400000"), "surplus-before-creditors"},
			{"sum not the price", sold("800000.01", "0", p1, "800000.00", p2, "0"), "proceeds-do-not-add-up"},
			{"a pledge left out", sold("800000", "0", p1, "800000"), "pledge-not-listed"},
		}
		for _, b := range bad {
			_, err := e.dispose(p1, b.in)
			wantCode(t, err, "P8", b.reason)
		}
		usd := sold("800000", "0", p1, "800000", p2, "0")
		usd.Currency = "USD"
		_, err := e.dispose(p1, usd)
		wantCode(t, err, "P8", "currency-mismatch")
		got, err := e.dispose(p1, sold("800000.00", "0", p1, "800000.00", p2, "0"))
		wantCode(t, err, "")
		if q := got.Disposal.Proceeds; q[0].Claim != "1000000.00" || q[1].Claim != "500000.00" || q[1].Amount != "0.00" {
			t.Fatalf("proceeds: %+v", q)
		}
	})
	t.Run("all claims paid, then surplus", func(t *testing.T) {
		e, p1, p2 := setup(t, true)
		_, err := e.dispose(p1, sold("2000000", "500000", p1, "1000000", p2, "500000"))
		wantCode(t, err, "")
	})
	t.Run("without the second claim", func(t *testing.T) {
		e, p1, p2 := setup(t, false)
		_, err := e.dispose(p1, sold("1200000", "0", p1, "1000000", p2, "200000"))
		wantCode(t, err, "P8", "no-stated-claim")
		_, err = e.dispose(p1, sold("1200000", "200000", p1, "1000000", p2, "0"))
		wantCode(t, err, "P8", "surplus-before-creditors")
		_, err = e.dispose(p1, sold("900000", "0", p1, "900000", p2, "0"))
		wantCode(t, err, "")
	})
	t.Run("a claim stated before the terms changed", func(t *testing.T) {
		e, p1, p2 := setup(t, true)
		terms := termsA
		terms.Amount, terms.Salt = "400000.00", "4d146a4b03a0cb07d1e72bc52be36d84"
		// A new amount is a change filed with the supplementary contract, in force once recorded (P6).
		var filed api.Pledge
		mustDecode(t, e.must(e.submit(bank2, withTerms(terms), func(s *Service) (string, error) {
			return s.AmendPledge(e.req(), p2, js(api.Amendment{ContractHash: strings.Repeat("c", 64)}))
		})), &filed)
		e.recordChange(p2, filed.PendingChangeID)
		_, err := e.dispose(p1, sold("1500000", "0", p1, "1000000", p2, "500000"))
		wantCode(t, err, "P8", "claim-stale")
		wantCode(t, e.stateClaim(bank2, p2, "500000", "CNY"), "P8", "claim-above-secured-amount")
		wantCode(t, e.stateClaim(bank2, p2, "400000", "CNY"), "")
		_, err = e.dispose(p1, sold("1400000", "0", p1, "1000000", p2, "400000"))
		wantCode(t, err, "")
	})
}

// TestP8_FrozenOrDisputedRightIsNotDisposed: a court's freeze, and a dispute over the title, stop the
// disposal until they are lifted.
func TestP8_FrozenOrDisputedRightIsNotDisposed(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	wantCode(t, e.declareDefault(bank1, p.ID, "100"), "")
	in := sold("100", "0", p.ID, "100")
	e.freeze("P1", court1, "(2025) E01 Zhi Bao 7")
	_, err := e.dispose(p.ID, in)
	wantCode(t, err, "P8", "frozen")
	e.lift("P1", 1, "(2025) E01 Zhi Bao 7-1")
	e.update("P1", `{"dispute":{"active":true,"ref":"ownership suit"}}`)
	_, err = e.dispose(p.ID, in)
	wantCode(t, err, "P8", "disputed")
	e.update("P1", `{"dispute":{"active":false}}`)
	_, err = e.dispose(p.ID, in)
	wantCode(t, err, "")
}

// TestP8_TheSalePurgesEveryPledgeOnTheSoldRights: every active pledge on the sold rights ends with the
// sale, the disposing one disposed, the others discharged with their shares, each under its own
// pledgee's policy; the rights are unencumbered and the buyer's title needs no consent. A pledge that
// also covers rights outside the disposal cannot be half-ended: the disposal is refused.
func TestP8_TheSalePurgesEveryPledgeOnTheSoldRights(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p1 := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	p2 := e.pledgedFor(bank2, "R2", "500000.00", "T1")
	p3 := e.pledgedFor(bank1, "R3", "500000.00", "T1")
	wantCode(t, e.declareDefault(bank1, p1.ID, "600000"), "")
	wantCode(t, e.declareDefault(bank2, p2.ID, "500000"), "")
	got, err := e.dispose(p1.ID, sold("1000000", "0", p1.ID, "600000", p2.ID, "400000", p3.ID, "0"))
	wantCode(t, err, "")
	if got.Status != api.PledgeDisposed {
		t.Fatalf("disposing pledge: %s", got.Status)
	}
	if q := got.Disposal.Proceeds; q[1].PriorStatus != api.PledgeDefaulted || q[2].PriorStatus != api.PledgeRegistered {
		t.Fatalf("prior statuses: %+v", q)
	}
	for _, want := range []struct {
		id, amount string
		bank       api.MSPID
	}{{p2.ID, "400000.00", api.MSPBank2}, {p3.ID, "0.00", api.MSPBank1}} {
		pl := e.pledge(want.id)
		if d := pl.Discharge; pl.Status != api.PledgeDischarged || d == nil || d.Amount != want.amount ||
			d.DisposalPledgeID != p1.ID || d.SaleRef != "WHIPE-SALE-1" || d.Currency != "CNY" {
			t.Fatalf("pledge %s not discharged: %+v", want.id, pl)
		}
		if pol, _ := e.l.Policy(pledgeKey(want.id)); !reflect.DeepEqual(pol, api.PledgeEndorsement(want.bank)) {
			t.Fatalf("pledge %s written under %+v", want.id, pol)
		}
	}
	var st api.Statement
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetStatement("T1") })), &st)
	if len(st.Encumbrances) != 0 || len(e.asset("T1").Encumbrances) != 0 {
		t.Fatalf("the sold right is still encumbered: %+v", st)
	}
	var list api.PledgePage
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.ListPledgesByStatus("discharged", 0, "") })), &list)
	if list.Count != 2 {
		t.Fatalf("discharged list: %+v", list)
	}
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.ListPledgesByStatus("defaulted", 0, "") })), &list)
	if list.Count != 0 {
		t.Fatalf("defaulted list: %+v", list)
	}
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), got.Disposal.TransferIDs[0], "{}") }))
	if o := e.asset("T1").Owners; o[0].ID != buyer.ID {
		t.Fatalf("owners %+v", o)
	}

	t.Run("a listed pledge reaching beyond the disposal", func(t *testing.T) {
		e := newEnv(t)
		e.register(trademark("T1", "", 9))
		e.register(trademark("T2", "", 10))
		p1 := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
		p2 := e.pledgedFor(bank2, "R2", "500000.00", "T1", "T2")
		wantCode(t, e.declareDefault(bank1, p1.ID, "600000"), "")
		_, err := e.dispose(p1.ID, sold("100", "0", p1.ID, "100", p2.ID, "0"))
		wantCode(t, err, "P8", "pledge-beyond-disposal")
	})
}

// TestP8_RefusingTheBuyersTransferUndoesTheDisposal: the IP office's refusal of the buyer's title to
// one right of a disposal refuses the others, puts every pledge back with its status and rank and the
// rights back under them, and keeps the disposal on the disposing pledge as failed; the pledge may be
// disposed again. Once one of the buyer's titles is recorded, the others can no longer be refused.
func TestP8_RefusingTheBuyersTransferUndoesTheDisposal(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.register(trademark("T2", "", 10))
	p1 := e.pledgedFor(bank1, "R1", "1000000.00", "T1", "T2")
	p2 := e.pledgedFor(bank2, "R2", "500000.00", "T1")
	wantCode(t, e.declareDefault(bank1, p1.ID, "1000000"), "")
	wantCode(t, e.stateClaim(bank2, p2.ID, "500000", "CNY"), "")
	before := [][]api.Encumbrance{e.asset("T1").Encumbrances, e.asset("T2").Encumbrances}
	if len(before[0]) != 2 || len(before[1]) != 1 {
		t.Fatalf("setup: %+v", before)
	}
	got, err := e.dispose(p1.ID, sold("1200000", "0", p1.ID, "1000000", p2.ID, "200000"))
	wantCode(t, err, "")
	trs := got.Disposal.TransferIDs
	if len(trs) != 2 || len(e.asset("T1").Encumbrances) != 0 {
		t.Fatalf("disposal: %+v", got.Disposal)
	}
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RefuseTransfer(e.req(), trs[0], `{"reasons":["buyer-not-eligible"],"note":"n"}`)
	})
	wantCode(t, err, "")
	after := [][]api.Encumbrance{e.asset("T1").Encumbrances, e.asset("T2").Encumbrances}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("encumbrances not restored:\n%+v\n%+v", before, after)
	}
	back := e.pledge(p1.ID)
	if back.Status != api.PledgeDefaulted || back.Disposal != nil || len(back.FailedDisposals) != 1 ||
		back.FailedDisposals[0].Disposal.SaleRef != "WHIPE-SALE-1" || !strings.Contains(back.FailedDisposals[0].Failure.Reason, trs[0]) {
		t.Fatalf("disposing pledge after the refusal: %+v", back)
	}
	if p := e.pledge(p2.ID); p.Status != api.PledgeRegistered || p.Discharge != nil || p.Claim == nil {
		t.Fatalf("discharged pledge after the refusal: %+v", p)
	}
	var other api.Transfer
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetTransfer(trs[1]) })), &other)
	if other.Status != api.TransferRefused || !slices.Equal(other.RefusalReasons, []string{"buyer-not-eligible"}) {
		t.Fatalf("the other transfer of the sale: %+v", other)
	}
	for _, k := range e.l.Keys() {
		if strings.Contains(k, keyPendingDisposal) {
			t.Fatalf("a pending-disposal mark is left: %q", k)
		}
	}
	var list api.PledgePage
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.ListPledgesByStatus("discharged", 0, "") })), &list)
	if list.Count != 0 {
		t.Fatalf("discharged list: %+v", list)
	}
	// Sold again: this time one title is recorded, and the other can no longer be refused.
	got, err = e.dispose(p1.ID, sold("1000000", "0", p1.ID, "1000000", p2.ID, "0"))
	wantCode(t, err, "")
	trs = got.Disposal.TransferIDs
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), trs[0], "{}") }))
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RefuseTransfer(e.req(), trs[1], `{"reasons":["x"]}`) })
	wantCode(t, err, "T1", "disposal-partly-recorded")
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), trs[1], "{}") }))
	if e.pledge(p1.ID).Status != api.PledgeDisposed || e.pledge(p2.ID).Status != api.PledgeDischarged {
		t.Fatalf("statuses after the second sale")
	}
}
