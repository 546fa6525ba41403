package rules

import (
	"slices"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// ordinaryLicense is an ordinary licence for all of China, from 1 March 2025 to the end of 2027.
func ordinaryLicense() *api.LicenseTerms {
	return &api.LicenseTerms{FilingNumber: "2025420000000001", TermEnd: "2027-12-31", TermStart: "2025-03-01",
		Territory: []string{"CN"}, Type: api.LicenseOrdinary}
}

func licenseOf(typ, start, end string, territory ...string) *api.LicenseTerms {
	return &api.LicenseTerms{FilingNumber: "2025420000" + start[:4] + end[:4], TermEnd: end, TermStart: start,
		Territory: territory, TerritoryNote: "the licensed territory as the contract states it", Type: typ}
}

var licensee = api.Owner{ID: "91420100MA4K0007L", Name: "Licensee Co.", Share: 10000}

// requestLicense requests a licence of the right to licensee by the exchange after a trade.
func (e *env) requestLicense(assetID string, l *api.LicenseTerms) (*api.Transfer, error) {
	e.t.Helper()
	return e.requestTransfer(trader, api.TransferRequest{AssetID: assetID, Kind: "license", License: l,
		NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "WHIPE-LIC-" + e.req()})
}

func (e *env) recordTransfer(id string) error {
	e.t.Helper()
	return e.submitErr(examiner, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), id, "{}") })
}

// license requests and records a licence and returns its transfer id.
func (e *env) license(assetID string, l *api.LicenseTerms) string {
	e.t.Helper()
	tr, err := e.requestLicense(assetID, l)
	if err != nil {
		e.t.Fatalf("request licence: %v", err)
	}
	if err := e.recordTransfer(tr.ID); err != nil {
		e.t.Fatalf("record licence: %v", err)
	}
	return tr.ID
}

func (e *env) statement(assetID string) *api.Statement {
	e.t.Helper()
	var st api.Statement
	mustDecode(e.t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetStatement(assetID) })), &st)
	return &st
}

func (e *env) terminate(assetID, transferID string, in api.TerminationInput) error {
	e.t.Helper()
	return e.submitErr(examiner, func(s *Service) (string, error) {
		return s.TerminateLicense(e.req(), assetID, transferID, js(in))
	})
}

// TestL1_ALicenceIsRecordedWithItsRegisterDetails: a licence request carries the licence's type,
// term, territory and filing number, checked as input (422) and against the right (L1: valid, the term
// within the right's life and not ended); the recorded licence keeps them.
func TestL1_ALicenceIsRecordedWithItsRegisterDetails(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1")) // granted 2022-06-01, expires 2040-01-10; today is 2025-03-03
	with := func(f func(l *api.LicenseTerms)) *api.LicenseTerms { l := ordinaryLicense(); f(l); return l }
	for _, tc := range []struct {
		name   string
		in     api.TransferRequest
		code   api.Code
		reason string
	}{
		{"details required", api.TransferRequest{AssetID: "P1", Kind: "license", NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license"},
		{"no details on an assignment", func() api.TransferRequest { r := trade("P1"); r.License = ordinaryLicense(); return r }(), api.CodeInvalidArgument, "license"},
		{"type", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.Type = "exclusive-ish" }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license.type"},
		{"term start", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.TermStart = "2025-02-30" }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license.termStart"},
		{"term in order", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.TermEnd = "2025-02-28" }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license.termEnd"},
		{"territory required", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.Territory = nil }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license.territory"},
		{"territory code", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.Territory = []string{"Hubei"} }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license.territory[0]"},
		{"territory within another", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.Territory = []string{"CN", "CN-HB"} }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license.territory[1]"},
		{"territory note", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.TerritoryNote = "a\x01b" }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license.territoryNote"},
		{"filing number", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.FilingNumber = "" }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, api.CodeInvalidArgument, "license.filingNumber"},
		{"term after the right's expiry", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.TermEnd = "2040-01-11" }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, "L1", "term-outside-right"},
		{"term before the grant", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.TermStart = "2022-05-31" }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, "L1", "term-outside-right"},
		{"term already ended", api.TransferRequest{AssetID: "P1", Kind: "license", License: with(func(l *api.LicenseTerms) { l.TermStart, l.TermEnd = "2023-01-01", "2025-03-02" }), NewOwners: []api.Owner{licensee}, Origin: "trade", TradeRef: "x"}, "L1", "term-ended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.requestTransfer(trader, tc.in)
			wantCode(t, err, tc.code, tc.reason)
		})
	}

	l := licenseOf(api.LicenseExclusive, "2025-03-01", "2030-02-28", "CN-HB", "CN-HN")
	id := e.license("P1", l)
	var tr api.Transfer
	mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetTransfer(id) })), &tr)
	if tr.License == nil || tr.License.Type != api.LicenseExclusive || tr.License.FilingNumber != l.FilingNumber {
		t.Fatalf("the transfer lost its licence details: %+v", tr.License)
	}
	lic := e.asset("P1").Licenses
	if len(lic) != 1 || lic[0].Type != api.LicenseExclusive || lic[0].TermStart != "2025-03-01" || lic[0].TermEnd != "2030-02-28" ||
		!slices.Equal(lic[0].Territory, []string{"CN-HB", "CN-HN"}) || lic[0].FilingNumber != l.FilingNumber ||
		lic[0].TerritoryNote == "" || lic[0].TransferID != id || lic[0].Licensees[0].ID != licensee.ID || lic[0].Termination != nil {
		t.Fatalf("recorded licence: %+v", lic)
	}

	// Checked again at recording: the right lapsed after the request.
	e.register(patent("P2"))
	req, err := e.requestLicense("P2", ordinaryLicense())
	wantCode(t, err, "")
	e.update("P2", `{"legalStatus":"lapsed"}`)
	wantCode(t, e.recordTransfer(req.ID), "L1", "not-valid")
	if n := len(e.asset("P2").Licenses); n != 0 {
		t.Fatalf("a refused licence was recorded: %d", n)
	}
}

// TestL2_ExclusiveAndSoleLicencesExcludeOverlappingLicences: an exclusive or sole licence cannot be
// recorded while another exclusive or sole licence overlaps it in time and territory, nor an ordinary
// one while an exclusive or sole licence covers its term and territory (L2); licences apart in time or
// territory, ordinary licences among themselves, and an exclusive licence over ordinary ones are
// recorded. Checked at request and again at recording (of two pending exclusive requests, the first
// recorded wins).
func TestL2_ExclusiveAndSoleLicencesExcludeOverlappingLicences(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	excl := e.license("P1", licenseOf(api.LicenseExclusive, "2025-03-01", "2027-12-31", "CN-HB"))
	for _, tc := range []struct {
		name   string
		l      *api.LicenseTerms
		reason string
	}{
		{"another exclusive in the same province", licenseOf(api.LicenseExclusive, "2026-01-01", "2028-12-31", "CN-HB"), "exclusive-license-overlaps"},
		{"a sole licence for all of China", licenseOf(api.LicenseSole, "2027-12-31", "2029-12-31", "CN"), "exclusive-license-overlaps"},
		{"a sole licence in a city of the province", licenseOf(api.LicenseSole, "2025-06-01", "2025-12-31", "CN-HB-01"), "exclusive-license-overlaps"},
		{"an ordinary licence during the exclusive one", licenseOf(api.LicenseOrdinary, "2024-01-01", "2025-03-31", "CN-GD", "CN-HB"), "exclusive-license-in-force"},
		{"an ordinary licence starting on its last day", licenseOf(api.LicenseOrdinary, "2027-12-31", "2030-12-31", "CN-HB"), "exclusive-license-in-force"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.requestLicense("P1", tc.l)
			wantCode(t, err, "L2", tc.reason)
			if ae, _ := api.AsError(err); ae.Details["licenseTransferId"] != excl || ae.Details["licenseType"] != api.LicenseExclusive {
				t.Fatalf("the refusal does not name the exclusive licence: %v", err)
			}
		})
	}
	// Apart in territory or in time, and ordinary licences together: recorded.
	e.license("P1", licenseOf(api.LicenseExclusive, "2025-03-01", "2027-12-31", "CN-GD"))
	e.license("P1", licenseOf(api.LicenseSole, "2028-01-01", "2030-12-31", "CN-HB"))
	e.license("P1", licenseOf(api.LicenseOrdinary, "2025-03-01", "2030-12-31", "CN-SH"))
	e.license("P1", licenseOf(api.LicenseOrdinary, "2025-03-01", "2027-12-31", "CN-SH", "CN-BJ"))
	// An exclusive licence over ordinary ones is recorded (they stay in force).
	e.license("P1", licenseOf(api.LicenseExclusive, "2031-01-01", "2032-12-31", "CN"))
	e.register(patent("P2"))
	e.license("P2", licenseOf(api.LicenseOrdinary, "2025-03-01", "2030-12-31", "CN"))
	e.license("P2", licenseOf(api.LicenseExclusive, "2025-03-01", "2030-12-31", "CN-HB"))

	// Two exclusive requests both pending: the first recorded wins, the second is refused at recording.
	e.register(patent("P3"))
	a, err := e.requestLicense("P3", licenseOf(api.LicenseExclusive, "2025-03-01", "2026-12-31", "CN"))
	wantCode(t, err, "")
	b, err := e.requestLicense("P3", licenseOf(api.LicenseSole, "2026-01-01", "2027-12-31", "CN-HB"))
	wantCode(t, err, "")
	wantCode(t, e.recordTransfer(b.ID), "")
	wantCode(t, e.recordTransfer(a.ID), "L2", "exclusive-license-overlaps")
	if got := e.asset("P3").Licenses; len(got) != 1 || got[0].TransferID != b.ID {
		t.Fatalf("P3 licences: %+v", got)
	}
}

// TestL3_TheIPOfficeRecordsATerminationAndExpiryShows: the IP office records the early termination
// of a licence (L3) with its date and reason, named by the transfer that recorded it; the licence is
// not in force from that date, so it no longer blocks another exclusive licence; a licence is
// terminated once, not after its term ended; a licence whose term has ended shows as expired.
func TestL3_TheIPOfficeRecordsATerminationAndExpiryShows(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	excl := e.license("P1", licenseOf(api.LicenseExclusive, "2025-03-01", "2027-12-31", "CN"))
	stop := api.TerminationInput{Date: "2025-03-03", Reason: "terminated early by agreement of the parties"}
	wantCode(t, e.submitErr(trader, func(s *Service) (string, error) { return s.TerminateLicense(e.req(), "P1", excl, js(stop)) }),
		api.CodeForbidden, "L3")
	wantCode(t, e.submitErr(auditor, func(s *Service) (string, error) { return s.TerminateLicense(e.req(), "P1", excl, js(stop)) }),
		api.CodeForbidden, "V3")
	wantCode(t, e.terminate("P1", excl, api.TerminationInput{Date: "2025-03-04", Reason: "x"}), api.CodeInvalidArgument, "date")
	wantCode(t, e.terminate("P1", excl, api.TerminationInput{Date: "2025-03-01"}), api.CodeInvalidArgument, "reason")
	wantCode(t, e.terminate("P1", "TR-none", stop), api.CodeNotFound)
	wantCode(t, e.terminate("P9", excl, stop), api.CodeNotFound)
	_, err := e.requestLicense("P1", licenseOf(api.LicenseOrdinary, "2025-06-01", "2026-12-31", "CN-HB"))
	wantCode(t, err, "L2", "exclusive-license-in-force")

	out := e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.TerminateLicense(e.req(), "P1", excl, js(stop)) }))
	var a api.Asset
	mustDecode(t, out, &a)
	term := a.Licenses[0].Termination
	if term == nil || term.Date != stop.Date || term.Reason != stop.Reason || term.MSP != api.MSPIPOffice || term.TxID == "" ||
		a.LastChange.Action != "LicenseTerminated:"+excl {
		t.Fatalf("termination: %+v, %+v", term, a.LastChange)
	}
	if ev := e.l.Events; ev[len(ev)-1].Name != "LicenseTerminated" {
		t.Fatalf("event %+v", ev[len(ev)-1])
	}
	wantCode(t, e.terminate("P1", excl, stop), "L3", "already-terminated")
	// No longer in force: an ordinary and another exclusive licence may be recorded for that time.
	e.license("P1", licenseOf(api.LicenseOrdinary, "2025-06-01", "2026-12-31", "CN-HB"))
	e.license("P1", licenseOf(api.LicenseExclusive, "2025-03-03", "2026-12-31", "CN-GD"))

	// A licence whose term ends is expired; it cannot be terminated after its end.
	e.register(patent("P2"))
	short := e.license("P2", licenseOf(api.LicenseSole, "2025-03-01", "2025-03-04", "CN"))
	e.now = e.now.AddDate(0, 0, 2) // 5 March 2025
	wantCode(t, e.terminate("P2", short, api.TerminationInput{Date: "2025-03-05", Reason: "late"}), "L3", "after-term-end")
	st := e.statement("P2")
	if len(st.Licenses) != 1 || st.Licenses[0].Status != api.LicenseExpired || st.Licensed || slices.Contains(st.Obstacles, "sole-license:"+short) {
		t.Fatalf("expired licence on the statement: %+v, obstacles %v", st.Licenses, st.Obstacles)
	}
	e.license("P2", licenseOf(api.LicenseExclusive, "2025-03-05", "2026-12-31", "CN"))
}

// TestL4_TheStatementShowsLicencesAndExclusiveOnesAsObstacles: verification lists the licences in
// force (and those yet to start or expired) with type, licensees, term, territory and filing number;
// an exclusive or sole licence in force or yet to start is an obstacle and the right shows as
// licensed; terminated licences are not shown (L4).
func TestL4_TheStatementShowsLicencesAndExclusiveOnesAsObstacles(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	st := e.statement("P1")
	if st.Licensed || len(st.Licenses) != 0 || len(st.Obstacles) != 0 {
		t.Fatalf("an unlicensed right: %+v", st)
	}
	ord := e.license("P1", licenseOf(api.LicenseOrdinary, "2025-03-01", "2027-12-31", "CN-SH"))
	st = e.statement("P1")
	if !st.Licensed || len(st.Licenses) != 1 || len(st.Obstacles) != 0 || st.Licenses[0].Status != api.LicenseInForce {
		t.Fatalf("an ordinary licence is shown, not an obstacle: %+v", st)
	}
	excl := e.license("P1", licenseOf(api.LicenseExclusive, "2025-03-01", "2027-12-31", "CN-HB"))
	sole := e.license("P1", licenseOf(api.LicenseSole, "2029-01-01", "2030-12-31", "CN-HB"))
	st = e.statement("P1")
	if !slices.Equal(st.Obstacles, []string{"exclusive-license:" + excl, "sole-license:" + sole}) {
		t.Fatalf("obstacles %v", st.Obstacles)
	}
	x := st.Licenses[1]
	if x.TransferID != excl || x.Type != api.LicenseExclusive || x.Status != api.LicenseInForce || x.Licensees[0].ID != licensee.ID ||
		x.TermStart != "2025-03-01" || x.TermEnd != "2027-12-31" || !slices.Equal(x.Territory, []string{"CN-HB"}) ||
		x.FilingNumber == "" || x.TxID == "" || st.Licenses[2].Status != api.LicenseNotYetInForce {
		t.Fatalf("licences on the statement: %+v", st.Licenses)
	}
	wantCode(t, e.terminate("P1", excl, api.TerminationInput{Date: "2025-03-03", Reason: "rescinded"}), "")
	wantCode(t, e.terminate("P1", ord, api.TerminationInput{Date: "2025-03-03", Reason: "licensee withdrew"}), "")
	st = e.statement("P1")
	if st.Licensed || len(st.Licenses) != 1 || st.Licenses[0].TransferID != sole || !slices.Equal(st.Obstacles, []string{"sole-license:" + sole}) {
		t.Fatalf("after the terminations: %+v", st)
	}
	// A licence recorded before the register kept licence details is shown in force, without them.
	a := e.asset("P1")
	a.Licenses = append(a.Licenses, api.License{Licensees: []api.Owner{buyer}, RecordedAt: "2024-01-01T00:00:00Z", TransferID: "TR-old", TxID: "old"})
	if ls, licensed, obs := statementLicenses(a, "2025-03-03"); !licensed || ls[len(ls)-1].Status != api.LicenseInForce || len(obs) != 1 {
		t.Fatalf("an old licence: %+v %v", ls, obs)
	}
}
