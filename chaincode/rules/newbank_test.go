package rules

import (
	"slices"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// A bank that joined the consortium after the network was made: no line of the code names it.
var (
	bank3    = Caller{MSP: "Bank3MSP", Role: api.RoleLoanOfficer, Submitter: "x509::CN=officer1,OU=client::CN=ca.bank3"}
	bank3Adm = Caller{MSP: "Bank3MSP", Role: api.RoleAdmin, Submitter: "x509::CN=admin,OU=admin::CN=ca.bank3"}
	// bank4 joined the channel, but the chaincode definition does not have its terms collection yet.
	bank4 = Caller{MSP: "HubeiBank4MSP", Role: api.RoleLoanOfficer, Submitter: "x509::CN=officer1,OU=client::CN=ca.bank4"}
)

// TestP1_ABankIsAnyMemberWhoseMSPIDNamesABank: bank-ness comes from the MSP id, not from a list: the
// founders, a later bank and banks named otherwise are banks with the loan-officer role; the fixed
// organizations and members of other kinds are not.
func TestP1_ABankIsAnyMemberWhoseMSPIDNamesABank(t *testing.T) {
	for _, msp := range []api.MSPID{api.MSPBank1, api.MSPBank2, "Bank3MSP", "HubeiBankMSP", "BankOfWuhanMSP"} {
		if !api.IsBank(msp) || !api.IsMember(msp) {
			t.Errorf("%s is not a bank", msp)
		}
		if r, ok := api.OperationalRole(msp); !ok || r != api.RoleLoanOfficer {
			t.Errorf("%s: role %q", msp, r)
		}
	}
	long := api.MSPID("BankABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVMSP") // 55 characters
	for _, msp := range []api.MSPID{api.MSPIPOffice, api.MSPExchange, api.MSPRegulator, api.MSPOrderer, "OtherMSP",
		"Guarantor1MSP", "Bank3", "Bank-3MSP", "bank3msp", "", long} {
		if api.IsBank(msp) {
			t.Errorf("%q is a bank", msp)
		}
	}
	if !api.IsMember(api.MSPExchange) || api.IsMember(api.MSPOrderer) || api.IsMember("OtherMSP") {
		t.Error("members")
	}
	if _, ok := api.OperationalRole("OtherMSP"); ok {
		t.Error("a stranger has an operational role")
	}
}

// TestP1_ABankThatJoinsLaterFilesRegistersAndReleasesLikeTheFounders: Bank3 files a pledge (its terms
// in termsBank3MSP, read by it, the IP office and the regulator only, V2), the IP office registers it
// with the next rank after Bank1's, Bank3 lists and releases it; a founding bank may not release it.
func TestP1_ABankThatJoinsLaterFilesRegistersAndReleasesLikeTheFounders(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.pledged(bank1, "R1", "T1")
	p, err := e.apply(bank3, application("T1"))
	wantCode(t, err, "")
	if p.Pledgee.MSP != "Bank3MSP" || p.TermsCollection != "termsBank3MSP" {
		t.Fatalf("pledgee %+v, collection %s", p.Pledgee, p.TermsCollection)
	}
	if _, ok := e.l.pWrites["termsBank3MSP"]; ok || len(e.l.private["termsBank3MSP"]) != 1 {
		t.Fatalf("terms not in termsBank3MSP: %v", e.l.private)
	}
	p, err = e.registerPledge(p.ID, "R3")
	wantCode(t, err, "")
	if len(p.Ranks) != 1 || p.Ranks[0].Rank != 2 {
		t.Fatalf("ranks %+v", p.Ranks)
	}
	for _, c := range []Caller{bank3, bank3Adm, examiner, auditor} {
		if _, err := e.query(c, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) }); err != nil {
			t.Errorf("%s reads its terms: %v", c.MSP, err)
		}
	}
	_, err = e.query(bank1, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })
	wantCode(t, err, api.CodeForbidden)
	out := e.must(e.query(bank1, func(s *Service) (string, error) { return s.ListPledgesByPledgee("Bank3MSP", 10, "") }))
	var page struct {
		Count int `json:"count"`
	}
	mustDecode(t, out, &page)
	if page.Count != 1 {
		t.Fatalf("Bank3's pledges: %s", out)
	}
	_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), p.ID, `{"reason":"repaid"}`) })
	wantCode(t, err, api.CodeForbidden, "")
	e.must(e.submit(bank3, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), p.ID, `{"reason":"repaid"}`) }))
	if got := e.pledge(p.ID); got.Status != api.PledgeReleased {
		t.Fatalf("status %s", got.Status)
	}
}

// TestP1_ABankWithoutItsTermsCollectionIsRefused: a bank whose terms collection the chaincode definition
// lacks cannot keep its terms: its filing is refused under P1 with reason no-terms-collection, naming
// the collection (not an internal error), and the refusal is kept under its request id (I3).
func TestP1_ABankWithoutItsTermsCollectionIsRefused(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	e.l.Undefined["termsHubeiBank4MSP"] = true
	file := func(s *Service) (string, error) { return s.ApplyPledge("bank4-first", js(application("T1"))) }
	_, err := e.submit(bank4, withTerms(termsA), file)
	wantCode(t, err, "P1", "no-terms-collection")
	if ae, _ := api.AsError(err); ae.Details["collection"] != "termsHubeiBank4MSP" || ae.Details["pledgeeMsp"] != "HubeiBank4MSP" {
		t.Fatalf("details %v", ae.Details)
	}
	out := e.must(e.query(bank4, func(s *Service) (string, error) { return s.ListPledgesByPledgee("HubeiBank4MSP", 10, "") }))
	var page struct {
		Count int `json:"count"`
	}
	if mustDecode(t, out, &page); page.Count != 0 {
		t.Fatalf("a refused filing left a pledge: %s", out)
	}
	_, err = e.submit(bank4, withTerms(termsA), file) // the refusal is kept (I3)
	wantCode(t, err, "P1", "no-terms-collection")
	// Once the definition has its collection, a new request files.
	delete(e.l.Undefined, "termsHubeiBank4MSP")
	_, err = e.apply(bank4, application("T1"))
	wantCode(t, err, "")
}

// TestP1_OnlyBanksFile: a member whose MSP id does not name a bank, or a bank's user without the
// loan-officer role, may not file.
func TestP1_OnlyBanksFile(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	for _, c := range []Caller{stranger, {MSP: "Guarantor1MSP", Role: api.RoleAdmin}, {MSP: "Bank3MSP", Role: api.RoleTrader},
		trader, examiner} {
		_, err := e.apply(c, application("T1"))
		wantCode(t, err, api.CodeForbidden)
		if ae, _ := api.AsError(err); ae.Details["rule"] != "P1" {
			t.Errorf("%+v: rule %v", c, ae.Details)
		}
	}
	_, err := e.apply(auditor, application("T1"))
	wantCode(t, err, api.CodeForbidden)
	if ae, _ := api.AsError(err); ae.Details["rule"] != "V3" {
		t.Errorf("regulator: %v", ae.Details)
	}
}

// TestS2_ThePledgeeQueryTakesAnyBank: the pledgee query checks the form of a bank's MSP id, not a list.
func TestS2_ThePledgeeQueryTakesAnyBank(t *testing.T) {
	e := newEnv(t)
	for _, msp := range []string{"Bank9MSP", "HubeiBankMSP"} {
		if _, err := e.query(auditor, func(s *Service) (string, error) { return s.ListPledgesByPledgee(msp, 10, "") }); err != nil {
			t.Errorf("%s: %v", msp, err)
		}
	}
	for _, msp := range []string{"IPOfficeMSP", "OtherMSP", "Bank 9"} {
		_, err := e.query(auditor, func(s *Service) (string, error) { return s.ListPledgesByPledgee(msp, 10, "") })
		wantCode(t, err, api.CodeInvalidArgument, "pledgeeMsp")
	}
}

// TestP8_ALaterBanksPledgeIsRankedAmongTheFoundersInADisposal: Bank1, Bank3 and Bank2 pledge one mark
// in that order; each states its claim (Bank3 by a default) and the proceeds follow the ranks: Bank3's
// share is checked against its own private terms, a split paying Bank2 before Bank3 is refused.
func TestP8_ALaterBanksPledgeIsRankedAmongTheFoundersInADisposal(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p1 := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	p3 := e.pledgedFor(bank3, "R3", "300000.00", "T1")
	p2 := e.pledgedFor(bank2, "R2", "500000.00", "T1")
	if p3.Ranks[0].Rank != 2 || p2.Ranks[0].Rank != 3 {
		t.Fatalf("ranks: bank3 %+v, bank2 %+v", p3.Ranks, p2.Ranks)
	}
	wantCode(t, e.declareDefault(bank1, p1.ID, "1000000.00"), "")
	wantCode(t, e.declareDefault(bank3, p3.ID, "300000.01"), "P8", "claim-above-secured-amount")
	wantCode(t, e.declareDefault(bank3, p3.ID, "300000.00"), "")
	wantCode(t, e.stateClaim(bank2, p2.ID, "500000.00", "CNY"), "")
	_, err := e.dispose(p1.ID, sold("1200000", "0", p1.ID, "1000000", p3.ID, "0", p2.ID, "200000"))
	wantCode(t, err, "P8", "better-rank-unpaid")
	_, err = e.dispose(p1.ID, sold("1200000", "0", p1.ID, "1000000", p3.ID, "300000.01", p2.ID, "0"))
	wantCode(t, err, "P8", "share-above-claim")
	got, err := e.dispose(p1.ID, sold("1200000", "0", p1.ID, "1000000", p3.ID, "200000", p2.ID, "0"))
	wantCode(t, err, "")
	var bank3Share *api.Proceed
	for i := range got.Disposal.Proceeds {
		if got.Disposal.Proceeds[i].PledgeID == p3.ID {
			bank3Share = &got.Disposal.Proceeds[i]
		}
	}
	if bank3Share == nil || bank3Share.Claim != "300000.00" || bank3Share.Amount != "200000.00" {
		t.Fatalf("Bank3's share: %+v", got.Disposal.Proceeds)
	}
}

// TestP7_ALaterBankConsentsToTheTransferOfItsPledgedRight: a transfer of a right Bank3 holds a pledge
// on needs Bank3's consent, which Bank3 gives; a founding bank may not give it in its place.
func TestP7_ALaterBankConsentsToTheTransferOfItsPledgedRight(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank3, "R3", "P1")
	trf, err := e.requestTransfer(trader, trade("P1"))
	wantCode(t, err, "")
	tr := trf.ID
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr, "{}") })
	wantCode(t, err, "T2", "consent-missing")
	consent := js(api.ConsentInput{PledgeID: p.ID, ProceedsUse: "escrow"})
	_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.ConsentToTransfer(e.req(), tr, consent) })
	wantCode(t, err, api.CodeForbidden)
	e.must(e.submit(bank3, nil, func(s *Service) (string, error) { return s.ConsentToTransfer(e.req(), tr, consent) }))
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr, "{}") }))
	if got := e.pledge(p.ID); got.Status != api.PledgeRegistered || len(got.Pledgors) != 1 || got.Pledgors[0].ID != buyer.ID {
		t.Fatalf("the pledge did not follow the right: %+v", got)
	}
}

// TestI1_PlanNamesTheRegulatorWhenALaterBankMeetsNoneOfARightsAnyOf: the rights' key-level policy names
// the founding members; a registration of Bank3's pledge, endorsed by the IP office and Bank3, would
// not meet it, so the dry run names the regulator as well (the harness checks every submission's plan
// against every policy its writes must meet).
func TestI1_PlanNamesTheRegulatorWhenALaterBankMeetsNoneOfARightsAnyOf(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p, err := e.apply(bank3, application("P1"))
	wantCode(t, err, "")
	e.l.Begin(e.nextTx(), e.now)
	raw, err := New(e.l, Tx{ID: "tx-plan", Time: e.now, Caller: examiner}).PlanSubmission(api.RegisterPledge.Name,
		js([]string{e.req(), p.ID, js(api.Registration{RegistrationNumber: "R3"})}))
	e.l.Begin("", e.now)
	if err != nil {
		t.Fatal(err)
	}
	var plan api.Plan
	mustDecode(t, raw, &plan)
	if want := []api.MSPID{"Bank3MSP", api.MSPIPOffice, api.MSPRegulator}; !slices.Equal(plan.Endorsers, want) {
		t.Fatalf("plan %v, want %v", plan.Endorsers, want)
	}
	// A founding bank meets the AnyOf itself: no third endorser.
	p1, err := e.apply(bank1, application("P1"))
	wantCode(t, err, "")
	e.l.Begin(e.nextTx(), e.now)
	raw, err = New(e.l, Tx{ID: "tx-plan", Time: e.now, Caller: examiner}).PlanSubmission(api.RegisterPledge.Name,
		js([]string{e.req(), p1.ID, js(api.Registration{RegistrationNumber: "R1"})}))
	e.l.Begin("", e.now)
	if err != nil {
		t.Fatal(err)
	}
	mustDecode(t, raw, &plan)
	if want := []api.MSPID{api.MSPBank1, api.MSPIPOffice}; !slices.Equal(plan.Endorsers, want) {
		t.Fatalf("plan %v, want %v", plan.Endorsers, want)
	}
}
