package rules

import (
	"strings"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func TestA1_OnlyIPOfficeRegistersAndChangesRights(t *testing.T) {
	cases := []struct {
		name   string
		caller Caller
		code   api.Code
		rule   string
	}{
		{"IP office examiner", examiner, "", ""},
		{"IP office admin", ipAdmin, "", ""},
		{"bank loan officer", bank1, api.CodeForbidden, "A1"},
		{"bank admin", bank1Adm, api.CodeForbidden, "A1"},
		{"exchange trader", trader, api.CodeForbidden, "A1"},
		{"regulator", auditor, api.CodeForbidden, "V3"},
		{"IP office with a foreign role", wrongRole, api.CodeForbidden, "A1"},
		{"unknown organization", stranger, api.CodeForbidden, "A1"},
		{"no role attribute", noRole, api.CodeForbidden, "A1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.submit(tc.caller, nil, func(s *Service) (string, error) { return s.RegisterAsset("r1", js(patent("P1"))) })
			wantCode(t, err, tc.code, tc.rule)
			e.register(patent("P2"))
			_, err = e.submit(tc.caller, nil, func(s *Service) (string, error) {
				return s.UpdateAsset("r2", "P2", `{"legalStatus":"lapsed"}`)
			})
			wantCode(t, err, tc.code, tc.rule)
			want := api.LegalValid
			if tc.code == "" {
				want = api.LegalLapsed
			}
			if got := e.asset("P2").LegalStatus; got != want {
				t.Fatalf("legal status %s, want %s", got, want)
			}
		})
	}
}

func TestA2_RightHoldsItsRegisterFields(t *testing.T) {
	mod := func(f func(*api.AssetInput)) string {
		a := patent("P1")
		f(&a)
		return js(a)
	}
	cases := []struct {
		name    string
		payload string
		code    api.Code
		field   string
	}{
		{"patent", mod(func(a *api.AssetInput) {}), "", ""},
		{"co-owned patent", mod(func(a *api.AssetInput) { a.Owners = []api.Owner{beta, {ID: "X2", Name: "Two", Share: 5000}} }), "", ""},
		{"trademark", js(trademark("T1", "fam1", 9)), "", ""},
		{"copyright", mod(func(a *api.AssetInput) { a.Kind, a.FeesPaidThrough = api.KindCopyright, "" }), "", ""},
		{"explicit status", mod(func(a *api.AssetInput) { a.LegalStatus = api.LegalLapsed }), "", ""},
		{"unknown kind", mod(func(a *api.AssetInput) { a.Kind = "utility-model" }), api.CodeInvalidArgument, "kind"},
		{"bad id", mod(func(a *api.AssetInput) { a.ID = "a/b" }), api.CodeInvalidArgument, "id"},
		{"no owners", mod(func(a *api.AssetInput) { a.Owners = nil }), api.CodeInvalidArgument, "owners"},
		{"shares do not sum", mod(func(a *api.AssetInput) { a.Owners = []api.Owner{beta} }), api.CodeInvalidArgument, "owners"},
		{"zero share", mod(func(a *api.AssetInput) { a.Owners = []api.Owner{{ID: "A", Name: "A", Share: 0}} }), api.CodeInvalidArgument, "owners[0].share"},
		{"duplicate owner", mod(func(a *api.AssetInput) { a.Owners = []api.Owner{beta, beta} }), api.CodeInvalidArgument, "owners[1].id"},
		{"owner without name", mod(func(a *api.AssetInput) { a.Owners = []api.Owner{{ID: "A", Share: 10000}} }), api.CodeInvalidArgument, "owners[0].name"},
		{"bad date", mod(func(a *api.AssetInput) { a.GrantDate = "2022-13-01" }), api.CodeInvalidArgument, "grantDate"},
		{"granted before filed", mod(func(a *api.AssetInput) { a.GrantDate = "2019-01-01" }), api.CodeInvalidArgument, "grantDate"},
		{"expires before grant", mod(func(a *api.AssetInput) { a.ExpiryDate = "2021-01-01" }), api.CodeInvalidArgument, "expiryDate"},
		{"patent without fees", mod(func(a *api.AssetInput) { a.FeesPaidThrough = "" }), api.CodeInvalidArgument, "feesPaidThrough"},
		{"fees on copyright", mod(func(a *api.AssetInput) { a.Kind = api.KindCopyright }), api.CodeInvalidArgument, "feesPaidThrough"},
		{"trademark without class", mod(func(a *api.AssetInput) { a.Kind, a.FeesPaidThrough = api.KindTrademark, "" }), api.CodeInvalidArgument, "niceClass"},
		{"class on patent", mod(func(a *api.AssetInput) { a.NiceClass = 9 }), api.CodeInvalidArgument, "niceClass"},
		{"family on patent", mod(func(a *api.AssetInput) { a.MarkFamily = "f" }), api.CodeInvalidArgument, "markFamily"},
		{"unknown status", mod(func(a *api.AssetInput) { a.LegalStatus = "dormant" }), api.CodeInvalidArgument, "legalStatus"},
		{"long title", mod(func(a *api.AssetInput) { a.Title = strings.Repeat("x", 501) }), api.CodeInvalidArgument, "title"},
		{"control character", mod(func(a *api.AssetInput) { a.Title = "a\x01b" }), api.CodeInvalidArgument, "title"},
		{"padded title", mod(func(a *api.AssetInput) { a.Title = " a" }), api.CodeInvalidArgument, "title"},
		{"unknown field", `{"id":"P1","colour":"red"}`, api.CodeInvalidArgument, "colour"},
		{"wrong type", `{"id":"P1","niceClass":"nine"}`, api.CodeInvalidArgument, "niceClass"},
		{"not JSON", `{"id":`, api.CodeMalformed, ""},
		{"not an object", `[1]`, api.CodeMalformed, ""},
		{"null", `null`, api.CodeMalformed, ""},
		{"trailing data", mod(func(a *api.AssetInput) {}) + "{}", api.CodeMalformed, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset("r1", tc.payload) })
			if tc.field != "" {
				wantCode(t, err, tc.code, tc.field)
			} else {
				wantCode(t, err, tc.code)
			}
			if tc.code != "" && len(e.l.Keys()) != 0 {
				t.Fatalf("a refused registration wrote %d keys", len(e.l.Keys()))
			}
		})
	}
	t.Run("id and official number are unique", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset("r2", js(patent("P1"))) })
		wantCode(t, err, "A2", "id-registered")
		dup := patent("P2")
		dup.Number = "ZLP1"
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset("r3", js(dup)) })
		wantCode(t, err, "A2", "number-registered")
	})
	t.Run("updates", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		e.register(trademark("T1", "", 9))
		e.freeze("P1", court1, "(2025) E01 Zhi Bao 12")
		e.update("P1", `{"dispute":{"active":true},"invalidation":{"active":true,"ref":"4W112233"},"feesPaidThrough":"2027-01-10","expiryDate":"2041-01-01","title":"New title"}`)
		a := e.asset("P1")
		if !a.Freeze.Active || a.Freeze.Ref == "" || a.Freeze.Since != "2025-03-03" || !a.Dispute.Active || !a.Invalidation.Active ||
			a.FeesPaidThrough != "2027-01-10" || a.ExpiryDate != "2041-01-01" || a.Title != "New title" || a.Version != 3 {
			t.Fatalf("update not applied: %+v", a)
		}
		e.lift("P1", 1, "(2025) E01 Zhi Bao 12-1")
		e.update("P1", `{"dispute":{"active":false}}`)
		if a := e.asset("P1"); a.Freeze.Active || a.Dispute.Active || !a.Invalidation.Active {
			t.Fatalf("flags not lifted: %+v", a)
		}
		e.update("T1", `{"markFamily":"famA"}`)
		e.update("T1", `{"markFamily":"famB"}`)
		e.update("T1", `{"markFamily":""}`)
		if e.asset("T1").MarkFamily != "" || len(e.l.scan(idxAssetFamily, nil)) != 0 {
			t.Fatalf("family index not maintained")
		}
		for _, bad := range []struct {
			id, patch string
			code      api.Code
			field     string
		}{
			{"P1", `{}`, api.CodeInvalidArgument, ""},
			{"P1", `{"title":5}`, api.CodeInvalidArgument, "title"},
			{"P1", `{"freeze":{"active":true,"ref":"(2025)E01ZB2"}}`, api.CodeInvalidArgument, "freeze"},
			{"P1", `{"legalStatus":"gone"}`, api.CodeInvalidArgument, "legalStatus"},
			{"P1", `{"expiryDate":"2001-01-01"}`, api.CodeInvalidArgument, "expiryDate"},
			{"P1", `{"expiryDate":"x"}`, api.CodeInvalidArgument, "expiryDate"},
			{"P1", `{"feesPaidThrough":"x"}`, api.CodeInvalidArgument, "feesPaidThrough"},
			{"P1", `{"title":""}`, api.CodeInvalidArgument, "title"},
			{"P1", `{"markFamily":"fam"}`, api.CodeInvalidArgument, "markFamily"},
			{"P1", `{"markFamily":"bad id!"}`, api.CodeInvalidArgument, "markFamily"},
			{"T1", `{"feesPaidThrough":"2030-01-01"}`, api.CodeInvalidArgument, "feesPaidThrough"},
			{"P9", `{"title":"x"}`, api.CodeNotFound, ""},
			{"bad/id", `{"title":"x"}`, api.CodeInvalidArgument, "assetId"},
		} {
			_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.UpdateAsset(e.req(), bad.id, bad.patch) })
			if bad.field != "" {
				wantCode(t, err, bad.code, bad.field)
			} else {
				wantCode(t, err, bad.code)
			}
		}
	})
}

func TestA3_RegisterIsPublicToEveryMember(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	p := e.pledged(bank1, "REG-1", "P1")
	readers := []Caller{examiner, ipAdmin, bank1, bank1Adm, bank2, trader, auditor, regAdmin}
	for _, c := range readers {
		for name, q := range map[string]func(*Service) (string, error){
			"asset":     func(s *Service) (string, error) { return s.GetAsset("P1") },
			"history":   func(s *Service) (string, error) { return s.GetAssetHistory("P1") },
			"statement": func(s *Service) (string, error) { return s.GetStatement("P1") },
			"pledge":    func(s *Service) (string, error) { return s.GetPledge(p.ID) },
		} {
			out, err := e.query(c, q)
			if err != nil {
				t.Fatalf("%s reading %s: %v", c.MSP, name, err)
			}
			if !strings.Contains(out, "P1") {
				t.Fatalf("%s reading %s: %s", c.MSP, name, out)
			}
		}
	}
	for _, c := range []Caller{stranger, noRole, wrongRole} {
		_, err := e.query(c, func(s *Service) (string, error) { return s.GetAsset("P1") })
		wantCode(t, err, api.CodeForbidden, "A3")
	}
	_, err := e.query(bank2, func(s *Service) (string, error) { return s.GetAsset("nope") })
	wantCode(t, err, api.CodeNotFound)
	_, err = e.query(bank2, func(s *Service) (string, error) { return s.GetAsset("") })
	wantCode(t, err, api.CodeInvalidArgument, "assetId")
	a := e.asset("P1")
	if len(a.Encumbrances) != 1 || a.Encumbrances[0].PledgeID != p.ID || a.Encumbrances[0].Rank != 1 {
		t.Fatalf("active encumbrance not shown: %+v", a.Encumbrances)
	}
}
