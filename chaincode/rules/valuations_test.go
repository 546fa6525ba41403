package rules

import (
	"strings"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Callers of the IP-finance record's members (docs/ip-finance.md).
var (
	valuer    = Caller{MSP: api.MSPValuer, Role: api.RoleValuer, Submitter: "x509::CN=valuer1,OU=client::CN=ca.valuer"}
	valuer2   = Caller{MSP: "HubeiValuerMSP", Role: api.RoleValuer, Submitter: "x509::CN=valuer1,OU=client::CN=ca.valuer2"}
	insurer   = Caller{MSP: api.MSPInsurer, Role: api.RoleUnderwriter, Submitter: "x509::CN=underwriter1,OU=client::CN=ca.insurer"}
	fundStaff = Caller{MSP: api.MSPFund, Role: api.RoleFundOfficer, Submitter: "x509::CN=officer1,OU=client::CN=ca.fund"}
)

var (
	accreditationA = api.AccreditationInput{FilingNumber: "42-2024-0017", Name: "Wuhan Zhongxin Asset Valuation Co.",
		ValidFrom: "2025-01-01", ValidUntil: "2027-12-31"}
	valueA = api.ValuationValue{Currency: "CNY", Salt: "8f1d2c3b4a5968778695a4b3c2d1e0f1", Value: "8000000"}
)

func reportOf(bank api.MSPID, assetIDs ...string) api.ValuationReportInput {
	return api.ValuationReportInput{AssetIDs: assetIDs, ClientBank: bank, Method: "income", ReportHash: strings.Repeat("b", 64),
		ReportNumber: "ZXPG[2025]017", ValidUntil: "2026-02-28", ValuationDate: "2025-03-01"}
}

func withValue(v api.ValuationValue) map[string][]byte {
	return map[string][]byte{api.TransientValuationKey: []byte(js(v))}
}

func (e *env) accredit(c Caller, msp api.MSPID, in api.AccreditationInput) (*api.Accreditation, error) {
	e.t.Helper()
	out, err := e.submit(c, nil, func(s *Service) (string, error) { return s.RecordAccreditation(e.req(), string(msp), js(in)) })
	if err != nil {
		return nil, err
	}
	var a api.Accreditation
	mustDecode(e.t, out, &a)
	return &a, nil
}

func (e *env) setAccreditation(msp api.MSPID, status, reason string) error {
	e.t.Helper()
	return e.submitErr(examiner, func(s *Service) (string, error) {
		return s.SetAccreditationStatus(e.req(), string(msp), js(api.AccreditationStatusInput{Reason: reason, Status: status}))
	})
}

func (e *env) issueReport(c Caller, in api.ValuationReportInput, v api.ValuationValue) (*api.ValuationReport, error) {
	e.t.Helper()
	out, err := e.submit(c, withValue(v), func(s *Service) (string, error) { return s.IssueValuationReport(e.req(), js(in)) })
	if err != nil {
		return nil, err
	}
	var r api.ValuationReport
	mustDecode(e.t, out, &r)
	return &r, nil
}

func (e *env) withdrawReport(c Caller, id string) error {
	e.t.Helper()
	return e.submitErr(c, func(s *Service) (string, error) {
		return s.WithdrawValuationReport(e.req(), id, js(api.Reason{Reason: "report superseded"}))
	})
}

// valuedRights registers two patents, accredits ValuerMSP and returns a report of both for Bank1.
func valuedRights(t *testing.T) (*env, *api.ValuationReport) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.register(patent("P2"))
	if _, err := e.accredit(examiner, api.MSPValuer, accreditationA); err != nil {
		t.Fatal(err)
	}
	r, err := e.issueReport(valuer, reportOf(api.MSPBank1, "P1", "P2"), valueA)
	if err != nil {
		t.Fatal(err)
	}
	return e, r
}

// citing is Bank1's pledge of the rights citing report reportID, registered as regNo.
func (e *env) citing(reportID, regNo string, assetIDs ...string) *api.Pledge {
	e.t.Helper()
	app := application(assetIDs...)
	app.ValuationReportID = reportID
	p, err := e.apply(bank1, app)
	if err != nil {
		e.t.Fatal(err)
	}
	if p, err = e.registerPledge(p.ID, regNo); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func TestF_KindsOfMemberAreKnownByTheirMSPID(t *testing.T) {
	for msp, want := range map[api.MSPID]api.OrgKind{
		"Bank1MSP": api.KindBank, "HubeiBankMSP": api.KindBank, "ValuerMSP": api.KindValuer, "HubeiValuerMSP": api.KindValuer,
		"InsurerMSP": api.KindInsurer, "PICCInsurerMSP": api.KindInsurer, "FundMSP": api.KindFund, "RegulatorMSP": api.KindRegulator,
		"IPOfficeMSP": api.KindIPOffice, "ExchangeMSP": api.KindExchange, "OrdererMSP": api.KindOrderer,
	} {
		if got, ok := api.KindOf(msp); !ok || got != want {
			t.Errorf("KindOf(%s) = %q, %v; want %q", msp, got, ok, want)
		}
	}
	for _, msp := range []api.MSPID{"BankValuerMSP", "InsurerBankMSP", "OtherMSP", "Valuer", api.MSPID(strings.Repeat("x", 45) + "ValuerMSP")} {
		if k, ok := api.KindOf(msp); ok {
			t.Errorf("KindOf(%s) = %q; want none", msp, k)
		}
		if api.IsBank(msp) || api.IsValuer(msp) || api.IsInsurer(msp) || api.IsMember(msp) {
			t.Errorf("%s is taken for a member", msp)
		}
	}
	for msp, role := range map[api.MSPID]api.Role{"ValuerMSP": api.RoleValuer, "InsurerMSP": api.RoleUnderwriter, "FundMSP": api.RoleFundOfficer} {
		if got, ok := api.OperationalRole(msp); !ok || got != role {
			t.Errorf("OperationalRole(%s) = %q; want %q", msp, got, role)
		}
	}
	// Every new kind reads the public register (A3) and none files a pledge (P1).
	e := newEnv(t)
	e.register(patent("P1"))
	for _, c := range []Caller{valuer, insurer, fundStaff} {
		if _, err := e.query(c, func(s *Service) (string, error) { return s.GetAsset("P1") }); err != nil {
			t.Errorf("%s cannot read the register: %v", c.MSP, err)
		}
		_, err := e.apply(c, application("P1"))
		wantCode(t, err, api.CodeForbidden, "P1")
	}
}

func TestF1_OnlyTheIPOfficeAccreditsAValuationAgency(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	for _, c := range []Caller{bank1, trader, valuer, fundStaff} {
		_, err := e.accredit(c, api.MSPValuer, accreditationA)
		wantCode(t, err, api.CodeForbidden, "F1")
	}
	_, err := e.accredit(auditor, api.MSPValuer, accreditationA)
	wantCode(t, err, api.CodeForbidden, "V3")
	_, err = e.accredit(examiner, api.MSPBank1, accreditationA)
	wantCode(t, err, api.CodeInvalidArgument, "valuerMsp")
	bad := accreditationA
	bad.ValidUntil = "2024-12-31"
	_, err = e.accredit(examiner, api.MSPValuer, bad)
	wantCode(t, err, api.CodeInvalidArgument, "validUntil")

	// No accreditation, no report.
	_, err = e.issueReport(valuer, reportOf(api.MSPBank1, "P1"), valueA)
	wantCode(t, err, "F2", "valuer-not-accredited")

	a, err := e.accredit(examiner, api.MSPValuer, accreditationA)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != api.AccreditationActive || a.Version != 1 || a.LastChange.Action != "AccreditationRecorded" {
		t.Fatalf("accreditation = %+v", a)
	}
	if pol, _ := e.l.Policy(accreditationKey(api.MSPValuer)); pol.String() != api.RightEndorsement.String() {
		t.Fatalf("accreditation policy %s, want %s", pol, api.RightEndorsement)
	}
	if _, err := e.issueReport(valuer, reportOf(api.MSPBank1, "P1"), valueA); err != nil {
		t.Fatal(err)
	}

	// Suspended: no report until accredited again; withdrawn: never again without a new record.
	wantCode(t, e.setAccreditation(api.MSPValuer, api.AccreditationSuspended, "under investigation"), "")
	_, err = e.issueReport(valuer, reportOf(api.MSPBank1, "P1"), valueA)
	wantCode(t, err, "F2", "valuer-suspended")
	wantCode(t, e.setAccreditation(api.MSPValuer, api.AccreditationSuspended, "again"), "F1", "status-unchanged")
	wantCode(t, e.setAccreditation(api.MSPValuer, api.AccreditationActive, "investigation closed"), "")
	if _, err := e.issueReport(valuer, reportOf(api.MSPBank1, "P1"), valueA); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.setAccreditation(api.MSPValuer, api.AccreditationWithdrawn, "licence revoked"), "")
	wantCode(t, e.setAccreditation(api.MSPValuer, api.AccreditationActive, "appeal"), "F1", "accreditation-withdrawn")
	_, err = e.issueReport(valuer, reportOf(api.MSPBank1, "P1"), valueA)
	wantCode(t, err, "F2", "valuer-withdrawn")
	a, err = e.accredit(examiner, api.MSPValuer, accreditationA)
	if err != nil || a.Status != api.AccreditationActive || a.LastChange.Action != "AccreditationRenewed" || a.Version != 5 {
		t.Fatalf("renewed accreditation = %+v, %v", a, err)
	}

	// Outside the period.
	later := accreditationA
	later.ValidFrom = "2025-06-01"
	if _, err := e.accredit(examiner, api.MSPValuer, later); err != nil {
		t.Fatal(err)
	}
	_, err = e.issueReport(valuer, reportOf(api.MSPBank1, "P1"), valueA)
	wantCode(t, err, "F2", "valuer-outside-accreditation")
	var got api.Accreditation
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.GetAccreditation("ValuerMSP") })), &got)
	if got.ValidFrom != "2025-06-01" {
		t.Fatalf("GetAccreditation = %+v", got)
	}
}

func TestF2_AnAccreditedAgencyIssuesAReportWhoseValueIsPrivate(t *testing.T) {
	e, r := valuedRights(t)
	if r.Collection != "valuation-ValuerMSP-Bank1MSP" || r.Status != api.ValuationIssued || r.ValuerName != accreditationA.Name ||
		r.ValueHash != ValuationHash(api.ValuationValue{Currency: "CNY", Salt: valueA.Salt, Value: "8000000.00"}) {
		t.Fatalf("report = %+v", r)
	}
	// The value is in the collection only: not in the public state, the event or the answer.
	for _, k := range e.l.Keys() {
		if raw, _ := e.l.GetState(k); strings.Contains(string(raw), "8000000") || strings.Contains(string(raw), valueA.Salt) {
			t.Fatalf("public key %q holds the value: %s", k, raw)
		}
	}
	if raw := e.l.Private(r.Collection, valuationKey(r.ID)); !strings.Contains(string(raw), `"value":"8000000.00"`) {
		t.Fatalf("private value = %s", raw)
	}
	if pol, _ := e.l.Policy(valuationKey(r.ID)); pol.String() != ValuationEndorsement(api.MSPValuer).String() {
		t.Fatalf("report policy %s", pol)
	}
	// Who reads the value.
	for _, c := range []Caller{valuer, bank1, examiner, auditor} {
		var v api.ValuationView
		mustDecode(t, e.must(e.query(c, func(s *Service) (string, error) { return s.GetValuationValue(r.ID) })), &v)
		if !v.Verified || v.Value.Value != "8000000.00" {
			t.Fatalf("%s reads %+v", c.MSP, v)
		}
	}
	for _, c := range []Caller{bank2, trader, insurer, fundStaff, valuer2} {
		_, err := e.query(c, func(s *Service) (string, error) { return s.GetValuationValue(r.ID) })
		wantCode(t, err, api.CodeForbidden, "F2")
		// The public record is public.
		if _, err := e.query(c, func(s *Service) (string, error) { return s.GetValuationReport(r.ID) }); err != nil {
			t.Fatal(err)
		}
	}
	// Who issues.
	for _, c := range []Caller{bank1, examiner, insurer} {
		_, err := e.issueReport(c, reportOf(api.MSPBank1, "P1"), valueA)
		wantCode(t, err, api.CodeForbidden, "F2")
	}
	_, err := e.issueReport(auditor, reportOf(api.MSPBank1, "P1"), valueA)
	wantCode(t, err, api.CodeForbidden, "V3")
	_, err = e.issueReport(valuer2, reportOf(api.MSPBank1, "P1"), valueA)
	wantCode(t, err, "F2", "valuer-not-accredited")
	// What a report must hold.
	for field, edit := range map[string]func(*api.ValuationReportInput){
		"validUntil":    func(in *api.ValuationReportInput) { in.ValidUntil = "2026-03-02" }, // a year and a day
		"valuationDate": func(in *api.ValuationReportInput) { in.ValuationDate = "2025-03-04" },
		"clientBank":    func(in *api.ValuationReportInput) { in.ClientBank = api.MSPExchange },
		"method":        func(in *api.ValuationReportInput) { in.Method = "guess" },
		"reportHash":    func(in *api.ValuationReportInput) { in.ReportHash = "abc" },
		"assetIds[1]":   func(in *api.ValuationReportInput) { in.AssetIDs = []string{"P1", "P1"} },
	} {
		in := reportOf(api.MSPBank1, "P1")
		edit(&in)
		if in.ValuationDate == "2025-03-04" {
			in.ValidUntil = "2025-12-31"
		}
		_, err := e.issueReport(valuer, in, valueA)
		wantCode(t, err, api.CodeInvalidArgument, field)
	}
	_, err = e.issueReport(valuer, reportOf(api.MSPBank1, "P1", "P9"), valueA)
	wantCode(t, err, api.CodeNotFound)
	_, err = e.submit(valuer, nil, func(s *Service) (string, error) {
		return s.IssueValuationReport(e.req(), js(reportOf(api.MSPBank1, "P1")))
	})
	wantCode(t, err, api.CodeInvalidArgument, "transient.valuation")
	_, err = e.issueReport(valuer, reportOf(api.MSPBank1, "P1"), api.ValuationValue{Currency: "CNY", Salt: "00000000000000000000000000000000", Value: "1"})
	wantCode(t, err, api.CodeInvalidArgument)
	expired := reportOf(api.MSPBank1, "P1")
	expired.ValuationDate, expired.ValidUntil = "2024-01-01", "2024-12-31"
	_, err = e.issueReport(valuer, expired, valueA)
	wantCode(t, err, "F2", "validity-ended")

	// A request id stands for its value too (I3): the same id with another value is refused.
	id := "req-valuation-1"
	issue := func(v api.ValuationValue) error {
		_, err := e.submit(valuer, withValue(v), func(s *Service) (string, error) {
			return s.IssueValuationReport(id, js(reportOf(api.MSPBank1, "P1")))
		})
		return err
	}
	wantCode(t, issue(valueA), "")
	other := valueA
	other.Value = "9000000"
	wantCode(t, issue(other), "I3")

	// Lists.
	for _, by := range [][3]string{{"ValuerMSP", "", ""}, {"", "Bank1MSP", ""}, {"", "", "P1"}} {
		var page api.ValuationReportPage
		mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) {
			return s.ListValuationReports(by[0], by[1], by[2], 0, "")
		})), &page)
		if page.Count < 2 {
			t.Fatalf("list by %q: %d reports", by, page.Count)
		}
	}
	_, err = e.query(trader, func(s *Service) (string, error) { return s.ListValuationReports("ValuerMSP", "Bank1MSP", "", 0, "") })
	wantCode(t, err, api.CodeInvalidArgument)
}

// applyCiting is Bank1's application for a pledge of P1 and P2 citing report r (F3).
func (e *env) applyCiting(t *testing.T, r *api.ValuationReport) *api.Pledge {
	t.Helper()
	app := application("P1", "P2")
	app.ValuationReportID = r.ID
	p, err := e.apply(bank1, app)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestF2_AReportCitedByAPledgeInForceIsNotWithdrawn(t *testing.T) {
	e, r := valuedRights(t)
	p := e.applyCiting(t, r)
	wantCode(t, e.withdrawReport(valuer, r.ID), "F2", "report-cited")
	if _, err := e.registerPledge(p.ID, "ZX2025000001"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.withdrawReport(valuer, r.ID), "F2", "report-cited")
	wantCode(t, e.submitErr(bank1, func(s *Service) (string, error) {
		return s.ReleasePledge(e.req(), p.ID, js(api.Reason{Reason: "repaid"}))
	}), "")
	wantCode(t, e.withdrawReport(bank1, r.ID), api.CodeForbidden, "F2")
	if _, err := e.accredit(examiner, "HubeiValuerMSP", accreditationA); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.withdrawReport(valuer2, r.ID), api.CodeForbidden, "F2")
	wantCode(t, e.withdrawReport(valuer, r.ID), "")
	wantCode(t, e.withdrawReport(valuer, r.ID), "F2", "report-withdrawn")
	var got api.ValuationReport
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.GetValuationReport(r.ID) })), &got)
	if got.Status != api.ValuationWithdrawn || got.Withdrawal == nil || got.Withdrawal.Reason != "report superseded" {
		t.Fatalf("withdrawn report = %+v", got)
	}
}

func TestF3_AnApplicationCitesAValidReportOfItsRightsAndTheBankSeesTheLoanToValue(t *testing.T) {
	e, r := valuedRights(t)
	app := application("P2", "P1") // the same rights in another order
	app.ValuationReportID = r.ID
	p, err := e.apply(bank1, app)
	if err != nil {
		t.Fatal(err)
	}
	if p.ValuationReportID != r.ID {
		t.Fatalf("pledge cites %q", p.ValuationReportID)
	}
	for _, c := range []Caller{bank1, examiner, auditor} {
		var v api.TermsView
		mustDecode(t, e.must(e.query(c, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })), &v)
		// 5,000,000.00 over 8,000,000.00
		if v.CitedValuation == nil || v.CitedValuation.LoanToValue != "62.50" || v.CitedValuation.Value != "8000000.00" {
			t.Fatalf("%s sees %+v", c.MSP, v.CitedValuation)
		}
	}
	if _, err := e.registerPledge(p.ID, "ZX2025000001"); err != nil {
		t.Fatal(err)
	}

	// What may not be cited.
	// Trademarks: a patent's fees (paid through 2026-01-10 in these tests) would refuse the later
	// filings under P4 before F3 is asked.
	e.register(trademark("T3", "", 9))
	e.register(trademark("T4", "", 10))
	other, err := e.issueReport(valuer, reportOf(api.MSPBank1, "T3"), valueA)
	if err != nil {
		t.Fatal(err)
	}
	cite := func(bank Caller, id string, assetIDs ...string) error {
		app := application(assetIDs...)
		app.PledgeeName = "Bank " + string(bank.MSP)
		app.ValuationReportID = id
		_, err := e.apply(bank, app)
		return err
	}
	wantCode(t, cite(bank2, other.ID, "T3"), "F3", "report-for-another-bank")
	wantCode(t, cite(bank1, other.ID, "T3", "T4"), "F3", "report-of-other-rights")
	wantCode(t, cite(bank1, other.ID, "T4"), "F3", "report-of-other-rights")
	wantCode(t, cite(bank1, "VR-none", "T3"), api.CodeNotFound)
	_, err = e.submit(bank1, withTerms(api.Terms{Amount: "1000000", Currency: "CNY", InterestRate: "3.85", Salt: saltA,
		Scope: "principal", Valuation: &api.Valuation{Appraiser: "x", ReportHash: hashA, Value: "2000000"}}),
		func(s *Service) (string, error) {
			app := application("T3")
			app.ValuationReportID = other.ID
			return s.ApplyPledge(e.req(), js(app))
		})
	wantCode(t, err, api.CodeInvalidArgument, "transient.terms.valuation")

	wantCode(t, e.setAccreditation(api.MSPValuer, api.AccreditationSuspended, "under investigation"), "")
	wantCode(t, cite(bank1, other.ID, "T3"), "F3", "valuer-suspended")
	wantCode(t, e.setAccreditation(api.MSPValuer, api.AccreditationActive, "investigation closed"), "")

	// Valid on the filing day, expired by the registration day: refused at registration (checked
	// again, as P4's grounds are).
	t3 := application("T3")
	t3.ValuationReportID = other.ID
	pl, err := e.apply(bank1, t3)
	if err != nil {
		t.Fatal(err)
	}
	e.now = time.Date(2026, 3, 1, 10, 0, 0, 0, chinaTime)
	_, err = e.registerPledge(pl.ID, "ZX2026000002")
	wantCode(t, err, "F3", "report-expired")
	wantCode(t, cite(bank1, other.ID, "T3"), "F3", "report-expired")

	withdrawn, err := e.issueReport(valuer, api.ValuationReportInput{AssetIDs: []string{"T4"}, ClientBank: api.MSPBank1,
		Method: "market", ReportHash: hashA, ReportNumber: "ZXPG[2026]001", ValidUntil: "2026-12-31", ValuationDate: "2026-02-20"}, valueA)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.withdrawReport(valuer, withdrawn.ID), "")
	wantCode(t, cite(bank1, withdrawn.ID, "T4"), "F3", "report-withdrawn")
}

func TestF3_NoLoanToValueAcrossCurrencies(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	if _, err := e.accredit(examiner, api.MSPValuer, accreditationA); err != nil {
		t.Fatal(err)
	}
	usd := valueA
	usd.Currency = "USD"
	r, err := e.issueReport(valuer, reportOf(api.MSPBank1, "P1"), usd)
	if err != nil {
		t.Fatal(err)
	}
	app := application("P1")
	app.ValuationReportID = r.ID
	p, err := e.apply(bank1, app)
	if err != nil {
		t.Fatal(err)
	}
	var v api.TermsView
	mustDecode(t, e.must(e.query(bank1, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })), &v)
	if v.CitedValuation == nil || v.CitedValuation.Currency != "USD" || v.CitedValuation.LoanToValue != "" {
		t.Fatalf("cited valuation = %+v", v.CitedValuation)
	}
}

// A pledge's terms are shown when the cited report's value has not reached the answering peer: the
// citation says the value is unavailable instead of failing the whole answer.
func TestF3_TheTermsAreShownWhenTheReportsValueIsNotOnThePeer(t *testing.T) {
	e, r := valuedRights(t)
	p := e.applyCiting(t, r)
	e.l.NonMemberOf = map[string]bool{r.Collection: true}
	var v api.TermsView
	mustDecode(t, e.must(e.query(bank1, func(s *Service) (string, error) { return s.GetPledgeTerms(p.ID) })), &v)
	if v.Terms.Amount != "5000000.00" || v.CitedValuation == nil || !v.CitedValuation.ValueUnavailable ||
		v.CitedValuation.Value != "" || v.CitedValuation.LoanToValue != "" {
		t.Fatalf("terms view = %+v, cited %+v", v, v.CitedValuation)
	}
}

// A change filed on a pledge that cites a report may not bring a valuation of its own in its terms (F3).
func TestF3_AChangeOfACitingPledgeBringsNoValuation(t *testing.T) {
	e, r := valuedRights(t)
	p := e.applyCiting(t, r)
	if _, err := e.registerPledge(p.ID, "ZX2025000001"); err != nil {
		t.Fatal(err)
	}
	terms := termsA
	terms.Valuation = &api.Valuation{Appraiser: "another", ReportHash: hashA, Value: "9000000"}
	_, err := e.submit(bank1, withTerms(terms), func(s *Service) (string, error) {
		return s.AmendPledge(e.req(), p.ID, js(api.Amendment{ContractHash: strings.Repeat("c", 64), DebtKind: "loan",
			PledgeeName: "Bank One Wuhan Branch"}))
	})
	wantCode(t, err, api.CodeInvalidArgument, "transient.terms.valuation")
}

// Neither the event nor the stored request record of an issue holds the value or its salt.
func TestF2_TheValueIsInNoEventAndNoRequestRecord(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	if _, err := e.accredit(examiner, api.MSPValuer, accreditationA); err != nil {
		t.Fatal(err)
	}
	id := e.nextTx()
	e.l.Begin(id, e.now)
	s := New(e.l, Tx{ID: id, Time: e.now, Caller: valuer, Transient: withValue(valueA)})
	if _, err := s.IssueValuationReport("req-v", js(reportOf(api.MSPBank1, "P1"))); err != nil {
		t.Fatal(err)
	}
	events := e.l.PendingEvents()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	for _, raw := range [][]byte{events[0].Payload} {
		if strings.Contains(string(raw), "8000000") || strings.Contains(string(raw), valueA.Salt) {
			t.Fatalf("the event holds the value: %s", raw)
		}
	}
	e.l.Commit()
	for _, k := range e.l.Keys() {
		raw, _ := e.l.GetState(k)
		if strings.Contains(k, keyRequest) && (strings.Contains(string(raw), "8000000") || strings.Contains(string(raw), valueA.Salt)) {
			t.Fatalf("the request record holds the value: %s", raw)
		}
	}
}
