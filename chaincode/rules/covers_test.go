package rules

import (
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func coverOf(pledgeID, policy string, share int) api.CoverInput {
	return api.CoverInput{CoveredShare: share, Currency: "CNY", Kind: api.CoverInsurance, PledgeID: pledgeID,
		PolicyNumber: policy, Premium: "30000", TermEnd: "2027-03-01", TermStart: "2025-03-01"}
}

func (e *env) recordCover(c Caller, in api.CoverInput) (*api.Cover, error) {
	e.t.Helper()
	out, err := e.submit(c, nil, func(s *Service) (string, error) { return s.RecordCover(e.req(), js(in)) })
	if err != nil {
		return nil, err
	}
	var cv api.Cover
	mustDecode(e.t, out, &cv)
	return &cv, nil
}

func (e *env) payCover(c Caller, id, amount string) error {
	e.t.Helper()
	return e.submitErr(c, func(s *Service) (string, error) {
		return s.RecordCoverPayment(e.req(), id, js(api.CoverPaymentInput{Amount: amount, Reference: "PICC-CLM-" + amount}))
	})
}

func (e *env) loss(id string) (*api.Loss, error) {
	e.t.Helper()
	out, err := e.query(fundStaff, func(s *Service) (string, error) { return s.GetLoss(id) })
	if err != nil {
		return nil, err
	}
	var l api.Loss
	mustDecode(e.t, out, &l)
	return &l, nil
}

// defaultedAndSold registers a trademark pledged to Bank1 for 1,000,000.00, declares its default with
// a claim of 1,000,000, sells it for 600,000 and records the buyer's title.
func (e *env) defaultedAndSold(p *api.Pledge) {
	e.t.Helper()
	wantCode(e.t, e.declareDefault(bank1, p.ID, "1000000"), "")
	got, err := e.dispose(p.ID, sold("600000", "0", p.ID, "600000"))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, tr := range got.Disposal.TransferIDs {
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr, "{}") }))
	}
}

func TestF4_AnInsurerRecordsCoverOnARegisteredPledgesLoan(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	applied, err := e.apply(bank1, application("T1"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.recordCover(insurer, coverOf(applied.ID, "PICC-2025-001", 7000))
	wantCode(t, err, "F4")
	p, err := e.registerPledge(applied.ID, "R1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Caller{bank1, examiner, trader, valuer, fundStaff} {
		_, err := e.recordCover(c, coverOf(p.ID, "PICC-2025-001", 7000))
		wantCode(t, err, api.CodeForbidden, "F4")
	}
	_, err = e.recordCover(auditor, coverOf(p.ID, "PICC-2025-001", 7000))
	wantCode(t, err, api.CodeForbidden, "V3")
	cv, err := e.recordCover(insurer, coverOf(p.ID, "PICC-2025-001", 7000))
	if err != nil {
		t.Fatal(err)
	}
	if cv.Pledgee != api.MSPBank1 || cv.Premium != "30000.00" || cv.Insurer != api.MSPInsurer {
		t.Fatalf("cover = %+v", cv)
	}
	if pol, _ := e.l.Policy(coverKey(cv.ID)); pol.String() != CoverEndorsement(api.MSPInsurer, api.MSPBank1).String() {
		t.Fatalf("cover policy %s", pol)
	}
	_, err = e.recordCover(insurer, coverOf(p.ID, "PICC-2025-001", 5000))
	wantCode(t, err, "F4", "policy-number-taken")
	for field, edit := range map[string]func(*api.CoverInput){
		"coveredShare": func(in *api.CoverInput) { in.CoveredShare = 10001 },
		"kind":         func(in *api.CoverInput) { in.Kind = "surety" },
		"termEnd":      func(in *api.CoverInput) { in.TermEnd = "2025-02-28" },
		"premium":      func(in *api.CoverInput) { in.Premium = "-1" },
		"currency":     func(in *api.CoverInput) { in.Currency = "yuan" },
	} {
		in := coverOf(p.ID, "PICC-2025-002", 5000)
		edit(&in)
		_, err := e.recordCover(insurer, in)
		wantCode(t, err, api.CodeInvalidArgument, field)
	}
	ended := coverOf(p.ID, "PICC-2024-009", 5000)
	ended.TermStart, ended.TermEnd = "2024-01-01", "2025-01-01"
	_, err = e.recordCover(insurer, ended)
	wantCode(t, err, "F4", "term-ended")
	var page api.CoverPage
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.ListCovers(p.ID, "", 0, "") })), &page)
	if page.Count != 1 || page.Items[0].ID != cv.ID {
		t.Fatalf("covers of the pledge: %+v", page)
	}
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.ListCovers("", "InsurerMSP", 0, "") })), &page)
	if page.Count != 1 {
		t.Fatalf("covers of the insurer: %+v", page)
	}
}

func TestF5_TheInsurerPaysAtMostItsShareOfTheLossAfterDisposal(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	cv, err := e.recordCover(insurer, coverOf(p.ID, "PICC-2025-001", 7000))
	if err != nil {
		t.Fatal(err)
	}
	// Before the disposal there is no loss to pay.
	wantCode(t, e.payCover(insurer, cv.ID, "1"), "F5", "not-disposed")
	wantCode(t, e.declareDefault(bank1, p.ID, "1000000"), "")
	wantCode(t, e.payCover(insurer, cv.ID, "1"), "F5", "not-disposed")
	got, err := e.dispose(p.ID, sold("600000", "0", p.ID, "600000"))
	if err != nil {
		t.Fatal(err)
	}
	// Sold, but the buyer's title is not recorded yet: a refusal of it would undo the sale (P8).
	wantCode(t, e.payCover(insurer, cv.ID, "1"), "F5", "disposal-not-final")
	for _, tr := range got.Disposal.TransferIDs {
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr, "{}") }))
	}
	l, err := e.loss(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l.Gross != "400000.00" || l.Net != "400000.00" || l.Proceeds != "600000.00" || l.InsurancePaid != "0.00" {
		t.Fatalf("loss before the insurer paid: %+v", l)
	}
	// 70 % of 400,000.00 is 280,000.00.
	wantCode(t, e.payCover(bank1, cv.ID, "1"), api.CodeForbidden, "F5")
	wantCode(t, e.payCover(insurer, cv.ID, "280000.01"), "F5", "over-covered-share")
	wantCode(t, e.payCover(insurer, cv.ID, "280000"), "")
	wantCode(t, e.payCover(insurer, cv.ID, "1"), "F5", "already-paid")
	if l, _ = e.loss(p.ID); l.InsurancePaid != "280000.00" || l.Net != "120000.00" {
		t.Fatalf("loss after the insurer paid: %+v", l)
	}
	var paid api.Cover
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) { return s.GetCover(cv.ID) })), &paid)
	if paid.Payment == nil || paid.Payment.Loss != "400000.00" || paid.Payment.Amount != "280000.00" {
		t.Fatalf("paid cover = %+v", paid)
	}
}

func TestF5_ADefaultOutsideTheCoversTermIsNotPaid(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	p := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	short := coverOf(p.ID, "PICC-2025-003", 10000)
	short.TermEnd = "2025-03-02" // the default is declared on 2025-03-03
	cv, err := e.recordCover(insurer, short)
	if err == nil {
		t.Fatalf("a cover whose term ended yesterday was recorded: %+v", cv)
	}
	wantCode(t, err, "F4", "term-ended")
	short.TermEnd = "2025-03-03"
	short.TermStart = "2025-03-03"
	if cv, err = e.recordCover(insurer, short); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.AddDate(0, 0, 1)
	e.defaultedAndSold(p)
	wantCode(t, e.payCover(insurer, cv.ID, "1"), "F5", "default-outside-term")
}

// TestF5_APledgeDischargedByAnotherPledgesSaleHasALossItsCoverPays: Bank1's rank-2 pledge is discharged
// by the sale of Bank2's rank-1 pledge (P8), receiving 200,000.00 of the price on its stated claim of
// 500,000.00. Its loss is computed from the discharge (lossOf's second branch): 300,000.00, payable by
// the insurer at its 70 % share once the buyer's title is recorded, and not beyond.
func TestF5_APledgeDischargedByAnotherPledgesSaleHasALossItsCoverPays(t *testing.T) {
	e := newEnv(t)
	e.register(trademark("T1", "", 9))
	first := e.pledgedFor(bank2, "R1", "1000000.00", "T1")
	second := e.pledgedFor(bank1, "R2", "1000000.00", "T1")
	cv, err := e.recordCover(insurer, coverOf(second.ID, "PICC-2025-D1", 7000))
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.declareDefault(bank2, first.ID, "600000"), "")
	wantCode(t, e.declareDefault(bank1, second.ID, "500000"), "")
	got, err := e.dispose(first.ID, sold("800000", "0", first.ID, "600000", second.ID, "200000"))
	if err != nil {
		t.Fatal(err)
	}
	if p := e.pledge(second.ID); p.Status != api.PledgeDischarged || p.Discharge == nil || p.Discharge.DisposalPledgeID != first.ID {
		t.Fatalf("the rank-2 pledge: %+v", p)
	}
	wantCode(t, e.payCover(insurer, cv.ID, "1"), "F5", "disposal-not-final")
	for _, tr := range got.Disposal.TransferIDs {
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr, "{}") }))
	}
	l, err := e.loss(second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l.Claim != "500000.00" || l.Proceeds != "200000.00" || l.Gross != "300000.00" || l.Net != "300000.00" {
		t.Fatalf("loss of the discharged pledge: %+v", l)
	}
	wantCode(t, e.payCover(insurer, cv.ID, "210000.01"), "F5")
	wantCode(t, e.payCover(insurer, cv.ID, "210000"), "")
	if l, err = e.loss(second.ID); err != nil || l.InsurancePaid != "210000.00" || l.Net != "90000.00" {
		t.Fatalf("loss after the payment: %+v %v", l, err)
	}
}
