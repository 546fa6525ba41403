package rules

import (
	"strings"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func TestP1_EveryRegisteredOwnerIsAPledgor(t *testing.T) {
	co := []api.Owner{beta, {ID: "91420100MA4K0003Z", Name: "Gamma Co.", Share: 5000}}
	gammaP := api.Party{ID: co[1].ID, Name: co[1].Name}
	cases := []struct {
		name     string
		caller   Caller
		pledgors []api.Party
		code     api.Code
		reason   string
	}{
		{"all co-owners pledge", bank1, []api.Party{betaP, gammaP}, "", ""},
		{"bank admin files", bank1Adm, []api.Party{betaP, gammaP}, "", ""},
		{"a co-owner is missing", bank1, []api.Party{betaP}, "P1", "owner-missing"},
		{"a pledgor is not an owner", bank1, []api.Party{betaP, gammaP, acmeP}, "P1", "not-owner"},
		{"the exchange cannot file", trader, []api.Party{betaP, gammaP}, api.CodeForbidden, "P1"},
		{"the IP office cannot file", examiner, []api.Party{betaP, gammaP}, api.CodeForbidden, "P1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1", co...))
			app := application("P1")
			app.Pledgors = tc.pledgors
			_, err := e.submit(tc.caller, withTerms(termsA), func(s *Service) (string, error) { return s.ApplyPledge("r", js(app)) })
			wantCode(t, err, tc.code, tc.reason)
		})
	}
	t.Run("checked again at registration", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		p, err := e.apply(bank1, application("P1"))
		wantCode(t, err, "")
		// The owners change before the examination: the pledgor is no longer the owner.
		tr := e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
			return s.RequestTransfer(e.req(), js(api.TransferRequest{AssetID: "P1", Kind: "assignment", NewOwners: []api.Owner{buyer}, Origin: "owner-request"}))
		}))
		var x api.Transfer
		mustDecode(t, tr, &x)
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), x.ID, "{}") }))
		_, err = e.registerPledge(p.ID, "REG-1")
		wantCode(t, err, "P1", "owner-missing")
	})
}

func TestP2_ApplicationHoldsItsParts(t *testing.T) {
	mod := func(f func(*api.PledgeApplication)) string {
		a := application("P1")
		f(&a)
		return js(a)
	}
	withT := func(f func(*api.Terms)) map[string][]byte {
		t := termsA
		f(&t)
		return withTerms(t)
	}
	good := withTerms(termsA)
	cases := []struct {
		name      string
		payload   string
		transient map[string][]byte
		code      api.Code
		field     string
	}{
		{"complete", mod(func(a *api.PledgeApplication) {}), good, "", ""},
		{"with valuation", mod(func(a *api.PledgeApplication) {}), withT(func(t *api.Terms) {
			t.Valuation = &api.Valuation{Appraiser: "Hubei Appraisal", ReportHash: hashA, Value: "8000000"}
		}), "", ""},
		{"no rights", mod(func(a *api.PledgeApplication) { a.AssetIDs = nil }), good, api.CodeInvalidArgument, "assetIds"},
		{"too many rights", mod(func(a *api.PledgeApplication) { a.AssetIDs = make([]string, api.MaxPackage+1) }), good, api.CodeInvalidArgument, "assetIds"},
		{"duplicate right", mod(func(a *api.PledgeApplication) { a.AssetIDs = []string{"P1", "P1"} }), good, api.CodeInvalidArgument, "assetIds[1]"},
		{"unknown right", mod(func(a *api.PledgeApplication) { a.AssetIDs = []string{"P7"} }), good, "P4", "not-registered"},
		{"no pledgors", mod(func(a *api.PledgeApplication) { a.Pledgors = nil }), good, api.CodeInvalidArgument, "pledgors"},
		{"debt kind", mod(func(a *api.PledgeApplication) { a.DebtKind = "mortgage" }), good, api.CodeInvalidArgument, "debtKind"},
		{"term reversed", mod(func(a *api.PledgeApplication) { a.DebtTermEnd = "2024-01-01" }), good, api.CodeInvalidArgument, "debtTermEnd"},
		{"contract hash", mod(func(a *api.PledgeApplication) { a.ContractHash = "ABC" }), good, api.CodeInvalidArgument, "contractHash"},
		{"pledgee name", mod(func(a *api.PledgeApplication) { a.PledgeeName = "" }), good, api.CodeInvalidArgument, "pledgeeName"},
		{"terms missing", mod(func(a *api.PledgeApplication) {}), nil, api.CodeInvalidArgument, "transient.terms"},
		{"terms not JSON", mod(func(a *api.PledgeApplication) {}), map[string][]byte{"terms": []byte("{")}, api.CodeMalformed, ""},
		{"amount zero", mod(func(a *api.PledgeApplication) {}), withT(func(t *api.Terms) { t.Amount = "0.00" }), api.CodeInvalidArgument, "terms.amount"},
		{"amount format", mod(func(a *api.PledgeApplication) {}), withT(func(t *api.Terms) { t.Amount = "1,000" }), api.CodeInvalidArgument, "terms.amount"},
		{"currency", mod(func(a *api.PledgeApplication) {}), withT(func(t *api.Terms) { t.Currency = "rmb" }), api.CodeInvalidArgument, "terms.currency"},
		{"rate", mod(func(a *api.PledgeApplication) {}), withT(func(t *api.Terms) { t.InterestRate = "-1" }), api.CodeInvalidArgument, "terms.interestRate"},
		{"scope", mod(func(a *api.PledgeApplication) {}), withT(func(t *api.Terms) { t.Scope = "" }), api.CodeInvalidArgument, "terms.scope"},
		{"salt too short", mod(func(a *api.PledgeApplication) {}), withT(func(t *api.Terms) { t.Salt = "abc" }), api.CodeInvalidArgument, "terms.salt"},
		{"valuation hash", mod(func(a *api.PledgeApplication) {}), withT(func(t *api.Terms) {
			t.Valuation = &api.Valuation{Appraiser: "A", ReportHash: "x", Value: "1"}
		}), api.CodeInvalidArgument, "terms.valuation.reportHash"},
		{"unknown terms field", mod(func(a *api.PledgeApplication) {}), map[string][]byte{"terms": []byte(`{"amount":"1","fee":"2"}`)}, api.CodeInvalidArgument, "fee"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1"))
			before := recordKeys(e)
			out, err := e.submit(bank1, tc.transient, func(s *Service) (string, error) { return s.ApplyPledge("r", tc.payload) })
			if tc.field != "" {
				wantCode(t, err, tc.code, tc.field)
			} else {
				wantCode(t, err, tc.code)
			}
			if err != nil {
				if recordKeys(e) != before {
					t.Fatalf("a refused application wrote more than its request id")
				}
				return
			}
			var p api.Pledge
			mustDecode(t, out, &p)
			if p.Status != api.PledgeApplied || p.Pledgee.MSP != api.MSPBank1 || p.ContractHash != hashA || p.DebtKind != "loan" ||
				p.TermsCollection != "termsBank1MSP" || !strings.HasPrefix(p.ID, "PL-") || p.AppliedAt == "" {
				t.Fatalf("application not recorded: %+v", p)
			}
		})
	}
}

func TestP3_IPOfficeRegistersOrRefuses(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.register(patent("P2"))
	p1, _ := e.apply(bank1, application("P1"))
	p2, _ := e.apply(bank1, application("P2"))

	for _, c := range []Caller{bank1, trader, wrongRole} {
		_, err := e.submit(c, nil, func(s *Service) (string, error) { return s.RegisterPledge("r", p1.ID, `{"registrationNumber":"R1"}`) })
		wantCode(t, err, api.CodeForbidden, "P3")
		_, err = e.submit(c, nil, func(s *Service) (string, error) { return s.RefusePledge("r", p1.ID, `{"reasons":["x"]}`) })
		wantCode(t, err, api.CodeForbidden, "P3")
	}
	for _, bad := range []struct {
		id, payload string
		code        api.Code
		field       string
	}{
		{p1.ID, `{"registrationNumber":""}`, api.CodeInvalidArgument, "registrationNumber"},
		{p1.ID, `{"registrationNo":"R"}`, api.CodeInvalidArgument, "registrationNo"},
		{"PL-none", `{"registrationNumber":"R1"}`, api.CodeNotFound, ""},
		{"bad id!", `{"registrationNumber":"R1"}`, api.CodeInvalidArgument, "pledgeId"},
	} {
		_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterPledge(e.req(), bad.id, bad.payload) })
		if bad.field != "" {
			wantCode(t, err, bad.code, bad.field)
		} else {
			wantCode(t, err, bad.code)
		}
	}

	reg, err := e.registerPledge(p1.ID, "Y2025980000001")
	wantCode(t, err, "")
	if reg.Status != api.PledgeRegistered || reg.RegistrationNumber != "Y2025980000001" || reg.RegisteredAt == "" ||
		len(reg.Ranks) != 1 || reg.Ranks[0].Rank != 1 || reg.RegistrationTxID == "" {
		t.Fatalf("registration not recorded: %+v", reg)
	}
	_, err = e.registerPledge(p1.ID, "Y2025980000009")
	wantCode(t, err, "P3", "wrong-status")
	_, err = e.registerPledge(p2.ID, "Y2025980000001")
	wantCode(t, err, "P3", "registration-number-taken")

	for _, bad := range []string{`{"reasons":[]}`, `{"reasons":["bad reason"]}`, `{"reasons":["P4.frozen"],"note":"` + strings.Repeat("n", 1001) + `"}`} {
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RefusePledge(e.req(), p2.ID, bad) })
		wantCode(t, err, api.CodeInvalidArgument)
	}
	out := e.must(e.submit(ipAdmin, nil, func(s *Service) (string, error) {
		return s.RefusePledge(e.req(), p2.ID, `{"reasons":["P4.fees-unpaid"],"note":"annual fee for year 4 unpaid"}`)
	}))
	var ref api.Pledge
	mustDecode(t, out, &ref)
	if ref.Status != api.PledgeRefused || ref.RefusalReasons[0] != "P4.fees-unpaid" || ref.DecidedAt == "" {
		t.Fatalf("refusal not recorded: %+v", ref)
	}
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RefusePledge(e.req(), p2.ID, `{"reasons":["x"]}`) })
	wantCode(t, err, "P3", "wrong-status")
	if len(e.asset("P2").Encumbrances) != 0 {
		t.Fatalf("a refused pledge encumbers")
	}
}

func TestP4_RefusalGrounds(t *testing.T) {
	cases := []struct {
		name   string
		patch  string // applied to P1 before filing
		ack    bool
		termTo string
		code   api.Code
		reason string
	}{
		{"valid right", "", false, "", "", ""},
		{"lapsed", `{"legalStatus":"lapsed"}`, false, "", "P4", "not-valid"},
		{"invalidated", `{"legalStatus":"invalidated"}`, false, "", "P4", "not-valid"},
		{"fees unpaid", `{"feesPaidThrough":"2025-03-02"}`, false, "", "P4", "fees-unpaid"},
		{"fees paid through today", `{"feesPaidThrough":"2025-03-03"}`, false, "", "", ""},
		{"frozen", `{"freeze":{"active":true,"ref":"(2025)E01ZB1"}}`, false, "", "P4", "frozen"},
		{"disputed", `{"dispute":{"active":true}}`, false, "", "P4", "disputed"},
		{"term after expiry", "", false, "2040-01-11", "P4", "term-after-expiry"},
		{"term ends on expiry", "", false, "2040-01-10", "", ""},
		{"invalidation pending", `{"invalidation":{"active":true}}`, false, "", "P4", "invalidation-pending"},
		{"invalidation risk acknowledged", `{"invalidation":{"active":true}}`, true, "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1"))
			if tc.patch != "" {
				e.update("P1", tc.patch)
			}
			app := application("P1")
			app.AcknowledgeInvalidationRisk = tc.ack
			if tc.termTo != "" {
				app.DebtTermEnd = tc.termTo
			}
			_, err := e.apply(bank1, app)
			wantCode(t, err, tc.code, tc.reason)
		})
		if tc.patch == "" {
			continue
		}
		t.Run(tc.name+" at registration", func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1"))
			app := application("P1")
			app.AcknowledgeInvalidationRisk = tc.ack
			p, err := e.apply(bank1, app)
			wantCode(t, err, "")
			e.update("P1", tc.patch)
			_, err = e.registerPledge(p.ID, "R1")
			wantCode(t, err, tc.code, tc.reason)
		})
	}
	t.Run("similar marks pledged together", func(t *testing.T) {
		e := newEnv(t)
		e.register(trademark("T1", "acme-9", 9))
		e.register(trademark("T2", "acme-9", 9))
		e.register(trademark("T3", "acme-9", 35)) // another class
		other := trademark("T4", "acme-9", 9)
		other.Owners = []api.Owner{buyer} // another owner
		e.register(other)
		lapsed := trademark("T5", "acme-9", 9)
		lapsed.LegalStatus = api.LegalLapsed
		e.register(lapsed)
		_, err := e.apply(bank1, application("T1"))
		wantCode(t, err, "P4", "similar-marks-missing")
		_, err = e.apply(bank1, application("T1", "T2"))
		wantCode(t, err, "")
		e.register(trademark("T6", "", 9))
		_, err = e.apply(bank1, application("T6"))
		wantCode(t, err, "")
	})
}

func TestP5_PatentCarriesOnePledge(t *testing.T) {
	t.Run("patent", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		first, err := e.apply(bank1, application("P1"))
		wantCode(t, err, "")
		second, err := e.apply(bank2, application("P1")) // two pending applications may exist
		wantCode(t, err, "")
		_, err = e.registerPledge(first.ID, "R1")
		wantCode(t, err, "")
		_, err = e.registerPledge(second.ID, "R2")
		wantCode(t, err, "P5", "patent-already-pledged")
		_, err = e.apply(bank2, application("P1"))
		wantCode(t, err, "P5", "patent-already-pledged")
		// Released, the patent can be pledged again.
		e.must(e.submit(bank1, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), first.ID, `{"reason":"repaid"}`) }))
		_, err = e.registerPledge(second.ID, "R2")
		wantCode(t, err, "")
		if r := e.pledge(second.ID).Ranks[0].Rank; r != 2 {
			t.Fatalf("rank %d, want 2: ranks are not reused", r)
		}
	})
	for _, kind := range []api.AssetKind{api.KindTrademark, api.KindCopyright} {
		t.Run(string(kind)+" ranks by registration", func(t *testing.T) {
			e := newEnv(t)
			a := trademark("X1", "", 9)
			if kind == api.KindCopyright {
				a.Kind, a.NiceClass = api.KindCopyright, 0
			}
			e.register(a)
			p1 := e.pledged(bank1, "R1", "X1")
			p2 := e.pledged(bank2, "R2", "X1")
			p3 := e.pledged(bank1, "R3", "X1")
			enc := e.asset("X1").Encumbrances
			if len(enc) != 3 || enc[0].PledgeID != p1.ID || enc[1].PledgeID != p2.ID || enc[2].PledgeID != p3.ID ||
				enc[0].Rank != 1 || enc[1].Rank != 2 || enc[2].Rank != 3 || p2.Ranks[0].Rank != 2 {
				t.Fatalf("ranks: %+v", enc)
			}
		})
	}
}

func TestP6_ChangeExtensionReleaseRevocation(t *testing.T) {
	setup := func(t *testing.T) (*env, *api.Pledge) {
		e := newEnv(t)
		e.register(patent("P1"))
		return e, e.pledged(bank1, "R1", "P1")
	}
	t.Run("amend", func(t *testing.T) {
		e, p := setup(t)
		t2 := termsA
		t2.Amount = "6000000.00"
		var filed api.Pledge
		mustDecode(t, e.must(e.submit(bank1, withTerms(t2), func(s *Service) (string, error) {
			return s.AmendPledge(e.req(), p.ID, js(api.Amendment{ContractHash: hashB, PledgeeName: "Bank One Hubei", DebtKind: "credit-line",
				Pledgors: []api.Party{{ID: acme.ID, Name: "Acme Optics Group"}}}))
		})), &filed)
		if filed.PendingChangeID == "" || filed.TermsHash != p.TermsHash || filed.Pledgee.Name != p.Pledgee.Name {
			t.Fatalf("a filed amendment changed the pledge: %+v", filed)
		}
		got := e.recordChange(p.ID, filed.PendingChangeID)
		if got.TermsHash != TermsHash(t2) || got.TermsHash == p.TermsHash || got.Pledgee.Name != "Bank One Hubei" || got.ContractHash != hashB ||
			got.DebtKind != "credit-line" || got.Pledgors[0].Name != "Acme Optics Group" || got.LastChange.Action != "PledgeChangeRecorded:"+filed.PendingChangeID {
			t.Fatalf("amendment not recorded: %+v", got)
		}
		for _, bad := range []struct {
			c       Caller
			payload string
			code    api.Code
			reason  string
		}{
			{bank2, `{"pledgeeName":"x"}`, api.CodeForbidden, "P6"},
			{examiner, `{"pledgeeName":"x"}`, api.CodeForbidden, "P6"},
			{auditor, `{"pledgeeName":"x"}`, api.CodeForbidden, "V3"},
			{bank1, `{}`, api.CodeInvalidArgument, ""},
			{bank1, `{"debtKind":"x"}`, api.CodeInvalidArgument, "debtKind"},
			{bank1, `{"pledgeeName":" x"}`, api.CodeInvalidArgument, "pledgeeName"},
			{bank1, `{"pledgors":[]}`, api.CodeInvalidArgument, "pledgors"},
			{bank1, `{"contractHash":"abc"}`, api.CodeInvalidArgument, "contractHash"},
			{bank1, `{"contractHash":"` + hashB + `"}`, "P6", "contract-hash-unchanged"},
			{bank1, `{"pledgors":[{"id":"other","name":"Other"}]}`, "P6", "pledgors-changed"},
			{bank1, `{"x":1}`, api.CodeInvalidArgument, "x"},
		} {
			_, err := e.submit(bad.c, nil, func(s *Service) (string, error) { return s.AmendPledge(e.req(), p.ID, bad.payload) })
			if bad.reason != "" {
				wantCode(t, err, bad.code, bad.reason)
			} else {
				wantCode(t, err, bad.code)
			}
		}
		_, err := e.submit(bank1, map[string][]byte{"terms": []byte(`{"amount":"x"}`)}, func(s *Service) (string, error) {
			return s.AmendPledge(e.req(), p.ID, `{}`)
		})
		wantCode(t, err, api.CodeInvalidArgument, "terms.amount")
	})
	t.Run("extend", func(t *testing.T) {
		e, p := setup(t)
		var filed api.Pledge
		mustDecode(t, e.must(e.submit(bank1, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2028-03-01"}`) })), &filed)
		if filed.DebtTermEnd != p.DebtTermEnd {
			t.Fatalf("a filed extension changed the term: %+v", filed)
		}
		_, err := e.submit(bank1, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2029-03-01"}`) })
		wantCode(t, err, "P6", "change-pending")
		if got := e.recordChange(p.ID, filed.PendingChangeID); got.DebtTermEnd != "2028-03-01" {
			t.Fatalf("extension not recorded: %+v", got)
		}
		_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2028-03-01"}`) })
		wantCode(t, err, "P6", "not-later")
		_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2041-01-01"}`) })
		wantCode(t, err, "P4", "term-after-expiry")
		_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"soon"}`) })
		wantCode(t, err, api.CodeInvalidArgument, "debtTermEnd")
		_, err = e.submit(bank2, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2029-01-01"}`) })
		wantCode(t, err, api.CodeForbidden, "P6")
	})
	t.Run("release", func(t *testing.T) {
		e, p := setup(t)
		_, err := e.submit(bank2, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), p.ID, `{"reason":"repaid"}`) })
		wantCode(t, err, api.CodeForbidden, "P6")
		_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), p.ID, `{"reason":""}`) })
		wantCode(t, err, api.CodeInvalidArgument, "reason")
		e.must(e.submit(bank1Adm, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), p.ID, `{"reason":"repaid"}`) }))
		if got := e.pledge(p.ID); got.Status != api.PledgeReleased || got.Release == nil || got.Release.Reason != "repaid" {
			t.Fatalf("release not recorded: %+v", got)
		}
		if len(e.asset("P1").Encumbrances) != 0 {
			t.Fatalf("released pledge still encumbers")
		}
		_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.ReleasePledge(e.req(), p.ID, `{"reason":"again"}`) })
		wantCode(t, err, "P6", "wrong-status")
		_, err = e.submit(bank1, nil, func(s *Service) (string, error) { return s.ExtendPledge(e.req(), p.ID, `{"debtTermEnd":"2029-01-01"}`) })
		wantCode(t, err, "P6", "wrong-status")
		_, err = e.submit(bank1, withTerms(termsA), func(s *Service) (string, error) { return s.AmendPledge(e.req(), p.ID, `{}`) })
		wantCode(t, err, "P6", "wrong-status")
	})
	t.Run("revoke", func(t *testing.T) {
		e, p := setup(t)
		_, err := e.submit(bank1, nil, func(s *Service) (string, error) { return s.RevokePledge(e.req(), p.ID, `{"reason":"improper"}`) })
		wantCode(t, err, api.CodeForbidden, "P6")
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RevokePledge(e.req(), p.ID, `{}`) })
		wantCode(t, err, api.CodeInvalidArgument, "reason")
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
			return s.RevokePledge(e.req(), p.ID, `{"reason":"registered on a forged contract"}`)
		}))
		if got := e.pledge(p.ID); got.Status != api.PledgeRevoked || got.Revocation == nil {
			t.Fatalf("revocation not recorded: %+v", got)
		}
		if len(e.asset("P1").Encumbrances) != 0 {
			t.Fatalf("revoked pledge still encumbers")
		}
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RevokePledge(e.req(), p.ID, `{"reason":"x"}`) })
		wantCode(t, err, "P6", "wrong-status")
	})
}

func TestP7_TransferOfPledgedRightNeedsRecordedConsent(t *testing.T) {
	e := newEnv(t)
	a := trademark("T1", "", 9)
	e.register(a)
	p1 := e.pledged(bank1, "R1", "T1")
	p2 := e.pledged(bank2, "R2", "T1")
	e.register(trademark("T2", "", 9))
	other := e.pledged(bank1, "R3", "T2")
	var tr api.Transfer
	mustDecode(t, e.must(e.submit(trader, nil, func(s *Service) (string, error) {
		return s.RequestTransfer(e.req(), js(api.TransferRequest{AssetID: "T1", Kind: "license", NewOwners: []api.Owner{buyer}, Origin: "trade", TradeRef: "WHIPE-2025-0042"}))
	})), &tr)
	consent := func(c Caller, pledgeID, use string) error {
		_, err := e.submit(c, nil, func(s *Service) (string, error) {
			return s.ConsentToTransfer(e.req(), tr.ID, js(api.ConsentInput{PledgeID: pledgeID, ProceedsUse: use}))
		})
		return err
	}
	record := func() error {
		_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
		return err
	}
	wantCode(t, record(), "T2", "consent-missing")
	wantCode(t, consent(bank2, p1.ID, "escrow"), api.CodeForbidden, "P7")
	wantCode(t, consent(trader, p1.ID, "escrow"), api.CodeForbidden, "P7")
	wantCode(t, consent(bank1, p1.ID, "gift"), api.CodeInvalidArgument, "proceedsUse")
	wantCode(t, consent(bank1, other.ID, "escrow"), "P7", "not-an-encumbrance")
	wantCode(t, consent(bank1, "PL-none", "escrow"), api.CodeNotFound)
	wantCode(t, consent(bank1, p1.ID, "early-repayment"), "")
	wantCode(t, consent(bank1, p1.ID, "escrow"), "P7", "already-consented")
	wantCode(t, record(), "T2", "consent-missing") // the second-ranked pledgee has not consented
	wantCode(t, consent(bank2, p2.ID, "escrow"), "")
	wantCode(t, record(), "")
	wantCode(t, consent(bank2, p2.ID, "escrow"), "P7", "wrong-status")
	var got api.Transfer
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetTransfer(tr.ID) })), &got)
	if got.Status != api.TransferRecorded || len(got.Consents) != 2 || got.Consents[0].ProceedsUse != "early-repayment" ||
		got.Consents[1].ProceedsUse != "escrow" || got.Consents[0].MSP != api.MSPBank1 {
		t.Fatalf("consents not recorded: %+v", got)
	}
	if lic := e.asset("T1").Licenses; len(lic) != 1 || lic[0].Licensees[0].ID != buyer.ID {
		t.Fatalf("license not recorded: %+v", lic)
	}
}

func TestP8_DefaultAndDisposalByRank(t *testing.T) {
	setup := func(t *testing.T) (*env, *api.Pledge, *api.Pledge) {
		e := newEnv(t)
		e.register(trademark("T1", "", 9))
		p1 := e.pledged(bank1, "R1", "T1")
		p2 := e.pledged(bank2, "R2", "T1")
		return e, p1, p2
	}
	dispose := func(e *env, c Caller, id string, in api.DisposalInput) (string, error) {
		return e.submit(c, nil, func(s *Service) (string, error) { return s.DisposePledge(e.req(), id, js(in)) })
	}
	sale := func(p1, p2 *api.Pledge) api.DisposalInput {
		return api.DisposalInput{Buyers: []api.Owner{buyer}, Currency: "CNY", Method: "auction", Price: "9000000.00",
			Proceeds: []api.ProceedInput{{PledgeID: p1.ID, Amount: "5000000.00"}, {PledgeID: p2.ID, Amount: "3000000"}},
			SaleRef:  "WHIPE-AUC-7", Surplus: "1000000.00"}
	}
	t.Run("default", func(t *testing.T) {
		e, p1, _ := setup(t)
		_, err := e.submit(bank2, nil, func(s *Service) (string, error) {
			return s.DeclareDefault(e.req(), p1.ID, defaultIn("missed", "5000000"))
		})
		wantCode(t, err, api.CodeForbidden, "P8")
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) {
			return s.DeclareDefault(e.req(), p1.ID, defaultIn("missed", "5000000"))
		})
		wantCode(t, err, api.CodeForbidden, "P8")
		e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
			return s.DeclareDefault(e.req(), p1.ID, defaultIn("3 instalments missed", "5000000"))
		}))
		if e.pledge(p1.ID).Status != api.PledgeDefaulted || e.asset("T1").Encumbrances[0].Status != api.PledgeDefaulted {
			t.Fatalf("default not recorded")
		}
		_, err = e.submit(bank1, nil, func(s *Service) (string, error) {
			return s.DeclareDefault(e.req(), p1.ID, defaultIn("again", "5000000"))
		})
		wantCode(t, err, "P8", "wrong-status")
	})
	t.Run("disposal", func(t *testing.T) {
		e, p1, p2 := setup(t)
		_, err := dispose(e, trader, p1.ID, sale(p1, p2))
		wantCode(t, err, "P8", "wrong-status")
		e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
			return s.DeclareDefault(e.req(), p1.ID, defaultIn("missed", "5000000"))
		}))
		e.must(e.submit(bank2, nil, func(s *Service) (string, error) {
			return s.StateClaim(e.req(), p2.ID, `{"amount":"3000000","currency":"CNY"}`)
		}))
		_, err = dispose(e, bank1, p1.ID, sale(p1, p2))
		wantCode(t, err, api.CodeForbidden, "P8")
		bad := []struct {
			name   string
			f      func(*api.DisposalInput)
			code   api.Code
			reason string
		}{
			{"does not add up", func(d *api.DisposalInput) { d.Price = "9000000.01" }, "P8", "proceeds-do-not-add-up"},
			{"out of rank order", func(d *api.DisposalInput) { d.Proceeds[0], d.Proceeds[1] = d.Proceeds[1], d.Proceeds[0] }, "P8", "out-of-rank-order"},
			{"better rank skipped", func(d *api.DisposalInput) {
				d.Proceeds = []api.ProceedInput{{PledgeID: p2.ID, Amount: "8000000"}}
			}, "P8", "disposing-pledge-missing"},
			{"a pledge left out", func(d *api.DisposalInput) {
				d.Proceeds = []api.ProceedInput{{PledgeID: p1.ID, Amount: "5000000"}}
				d.Surplus = "4000000"
			}, "P8", "pledge-not-listed"},
			{"better rank listed with nothing", func(d *api.DisposalInput) {
				d.Proceeds = []api.ProceedInput{{PledgeID: p1.ID, Amount: "0"}, {PledgeID: p2.ID, Amount: "3000000"}}
				d.Surplus = "6000000"
			}, "P8", "better-rank-unpaid"},
			{"surplus while a pledge gets nothing", func(d *api.DisposalInput) {
				d.Proceeds = []api.ProceedInput{{PledgeID: p1.ID, Amount: "5000000"}, {PledgeID: p2.ID, Amount: "0"}}
				d.Surplus = "4000000"
			}, "P8", "surplus-before-creditors"},
			{"not an encumbrance", func(d *api.DisposalInput) { d.Proceeds[1].PledgeID = "PL-other" }, "P8", "not-an-encumbrance"},
			{"method", func(d *api.DisposalInput) { d.Method = "lottery" }, api.CodeInvalidArgument, "method"},
			{"no buyers", func(d *api.DisposalInput) { d.Buyers = nil }, api.CodeInvalidArgument, "buyers"},
			{"price", func(d *api.DisposalInput) { d.Price = "0" }, api.CodeInvalidArgument, "price"},
			{"currency", func(d *api.DisposalInput) { d.Currency = "" }, api.CodeInvalidArgument, "currency"},
			{"duplicate proceed", func(d *api.DisposalInput) { d.Proceeds[1].PledgeID = p1.ID }, api.CodeInvalidArgument, "proceeds[1].pledgeId"},
			{"amount", func(d *api.DisposalInput) { d.Proceeds[1].Amount = "1.234" }, api.CodeInvalidArgument, "proceeds[1].amount"},
			{"sale ref", func(d *api.DisposalInput) { d.SaleRef = "" }, api.CodeInvalidArgument, "saleRef"},
		}
		for _, b := range bad {
			in := sale(p1, p2)
			b.f(&in)
			_, err := dispose(e, trader, p1.ID, in)
			wantCode(t, err, b.code, b.reason)
		}
		out := e.must(dispose(e, trader, p1.ID, sale(p1, p2)))
		var got api.Pledge
		mustDecode(t, out, &got)
		d := got.Disposal
		if got.Status != api.PledgeDisposed || d == nil || d.Surplus != "1000000.00" || d.SurplusTo[0].ID != acme.ID ||
			d.Proceeds[0].Rank != 1 || d.Proceeds[1].Rank != 2 || len(d.TransferIDs) != 1 ||
			d.Proceeds[1].Claim != "3000000.00" || d.Proceeds[1].PriorStatus != api.PledgeRegistered {
			t.Fatalf("disposal not recorded: %+v", got)
		}
		if a := e.asset("T1"); len(a.Encumbrances) != 0 {
			t.Fatalf("a pledge still encumbers the sold right: %+v", a.Encumbrances)
		}
		// The buyer takes the title free of every pledge: no consent is needed (T2).
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), d.TransferIDs[0], "{}") }))
		if o := e.asset("T1").Owners; len(o) != 1 || o[0].ID != buyer.ID {
			t.Fatalf("buyer's title not recorded: %+v", o)
		}
	})
	t.Run("lower rank needs better ranks listed", func(t *testing.T) {
		e, p1, p2 := setup(t)
		e.must(e.submit(bank2, nil, func(s *Service) (string, error) {
			return s.DeclareDefault(e.req(), p2.ID, defaultIn("missed", "5000000"))
		}))
		in := api.DisposalInput{Buyers: []api.Owner{buyer}, Currency: "CNY", Method: "sale", Price: "100", SaleRef: "S1", Surplus: "0",
			Proceeds: []api.ProceedInput{{PledgeID: p2.ID, Amount: "100"}}}
		_, err := dispose(e, trader, p2.ID, in)
		wantCode(t, err, "P8", "pledge-not-listed")
		in.Proceeds = []api.ProceedInput{{PledgeID: p1.ID, Amount: "100"}, {PledgeID: p2.ID, Amount: "0"}}
		_, err = dispose(e, trader, p2.ID, in)
		wantCode(t, err, "P8", "no-stated-claim")
		e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
			return s.StateClaim(e.req(), p1.ID, `{"amount":"100","currency":"CNY"}`)
		}))
		_, err = dispose(e, trader, p2.ID, in)
		wantCode(t, err, "")
	})
}

func TestP9_ExaminationTimeAndOverdueList(t *testing.T) {
	at := func(day, hour int) time.Time { return time.Date(2025, 3, day, hour, 0, 0, 0, chinaTime) }
	due := func(day int) time.Time { return time.Date(2025, 3, day, 0, 0, 0, 0, chinaTime).UTC() }
	cases := []struct {
		name  string
		filed time.Time
		kinds []api.AssetKind
		want  time.Time
	}{
		{"patent filed Monday: end of Wednesday", at(3, 10), []api.AssetKind{api.KindPatentInvention}, due(6)},
		{"patent filed Thursday: end of Monday", at(6, 10), []api.AssetKind{api.KindPatentUtility}, due(11)},
		{"trademark filed Friday: end of Tuesday", at(7, 23), []api.AssetKind{api.KindTrademark}, due(12)},
		{"filed Saturday: end of Tuesday", at(8, 9), []api.AssetKind{api.KindPatentDesign}, due(12)},
		{"copyright: 10 calendar days", at(3, 10), []api.AssetKind{api.KindCopyright}, due(14)},
		{"package: the shortest", at(3, 10), []api.AssetKind{api.KindCopyright, api.KindTrademark}, due(6)},
		{"UTC evening is the next day in China", time.Date(2025, 3, 2, 17, 0, 0, 0, time.UTC), []api.AssetKind{api.KindPatentInvention}, due(6)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExaminationDueBy(tc.filed, tc.kinds); !got.Equal(tc.want) {
				t.Fatalf("due %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("overdue list", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		e.register(patent("P2"))
		e.register(patent("P3"))
		late, _ := e.apply(bank1, application("P1"))
		decided, _ := e.apply(bank1, application("P2"))
		if _, err := e.registerPledge(decided.ID, "R1"); err != nil {
			t.Fatal(err)
		}
		e.now = at(5, 12) // Wednesday: P3's application is still in time
		fresh, _ := e.apply(bank2, application("P3"))
		if fresh.ExaminationDueBy != due(8).Format(time.RFC3339Nano) { // end of Friday
			t.Fatalf("due by %s", fresh.ExaminationDueBy)
		}
		list := func(asOf string) api.PledgePage {
			var p api.PledgePage
			mustDecode(t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.ListOverdueExaminations(asOf, 0, "") })), &p)
			return p
		}
		if p := list("2025-03-05T23:59:59+08:00"); p.Count != 0 {
			t.Fatalf("overdue before the deadline: %+v", p)
		}
		if p := list("2025-03-06T00:00:00+08:00"); p.Count != 1 || p.Items[0].ID != late.ID {
			t.Fatalf("overdue: %+v", p)
		}
		e.now = at(20, 9)
		if p := list(""); p.Count != 2 {
			t.Fatalf("overdue at tx time: %+v", p)
		}
		_, err := e.query(auditor, func(s *Service) (string, error) { return s.ListOverdueExaminations("yesterday", 0, "") })
		wantCode(t, err, api.CodeInvalidArgument, "asOf")
	})
}

// TestP8_SoldRightIsTheBuyersToReceive: between a disposal and the recording of the buyer's title,
// the right takes no new pledge and no other transfer; once the buyer's title is recorded, the mark
// is gone.
func TestP8_SoldRightIsTheBuyersToReceive(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "R1", "P1")
	owners, _ := e.requestTransfer(trader, trade("P1", api.Owner{ID: "OTHER", Name: "Other Buyer", Share: 10000}))
	e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
		return s.DeclareDefault(e.req(), p.ID, defaultIn("missed", "5000000"))
	}))
	out := e.must(e.submit(trader, nil, func(s *Service) (string, error) {
		return s.DisposePledge(e.req(), p.ID, js(api.DisposalInput{Buyers: []api.Owner{buyer}, Currency: "CNY", Method: "auction",
			Price: "100", Proceeds: []api.ProceedInput{{PledgeID: p.ID, Amount: "100"}}, SaleRef: "AUC-1", Surplus: "0"}))
	}))
	var disposed api.Pledge
	mustDecode(t, out, &disposed)
	// A new pledge on the sold patent: refused at filing.
	_, err := e.apply(bank2, application("P1"))
	wantCode(t, err, "P8", "disposal-transfer-pending")
	// The old owners' own transfer: refused at recording.
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), owners.ID, "{}") })
	wantCode(t, err, "T3", "disposal-transfer-pending")
	// The buyer's title: recorded, and the right is free again.
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RecordTransfer(e.req(), disposed.Disposal.TransferIDs[0], "{}")
	}))
	if got := e.asset("P1").Owners; len(got) != 1 || got[0].ID != buyer.ID {
		t.Fatalf("owners after the buyer's transfer: %+v", got)
	}
	if _, err := e.apply(bank2, api.PledgeApplication{AssetIDs: []string{"P1"}, ContractHash: hashA, DebtKind: "loan",
		DebtTermEnd: "2027-03-01", DebtTermStart: "2025-03-01", PledgeeName: "Bank Two", Pledgors: []api.Party{{ID: buyer.ID, Name: buyer.Name}}}); err != nil {
		t.Errorf("the buyer's right cannot be pledged: %v", err)
	}
}
