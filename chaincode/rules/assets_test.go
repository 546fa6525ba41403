package rules

import (
	"strings"
	"testing"
)

func TestA1_OnlyIPOfficeRegistersAndChangesRights(t *testing.T) {
	cases := []struct {
		name   string
		caller Caller
		code   string
		rule   string
	}{
		{"IP office examiner", examiner, "", ""},
		{"IP office admin", ipAdmin, "", ""},
		{"bank loan officer", bank1, CodeForbidden, "A1"},
		{"bank admin", bank1Adm, CodeForbidden, "A1"},
		{"exchange trader", trader, CodeForbidden, "A1"},
		{"regulator", auditor, CodeForbidden, "V3"},
		{"IP office with a foreign role", wrongRole, CodeForbidden, "A1"},
		{"unknown organization", stranger, CodeForbidden, "A1"},
		{"no role attribute", noRole, CodeForbidden, "A1"},
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
			want := LegalValid
			if tc.code == "" {
				want = LegalLapsed
			}
			if got := e.asset("P2").LegalStatus; got != want {
				t.Fatalf("legal status %s, want %s", got, want)
			}
		})
	}
}

func TestA2_RightHoldsItsRegisterFields(t *testing.T) {
	mod := func(f func(*AssetInput)) string {
		a := patent("P1")
		f(&a)
		return js(a)
	}
	cases := []struct {
		name    string
		payload string
		code    string
		field   string
	}{
		{"patent", mod(func(a *AssetInput) {}), "", ""},
		{"co-owned patent", mod(func(a *AssetInput) { a.Owners = []Owner{beta, {ID: "X2", Name: "Two", Share: 5000}} }), "", ""},
		{"trademark", js(trademark("T1", "fam1", 9)), "", ""},
		{"copyright", mod(func(a *AssetInput) { a.Kind, a.FeesPaidThrough = KindCopyright, "" }), "", ""},
		{"explicit status", mod(func(a *AssetInput) { a.LegalStatus = LegalLapsed }), "", ""},
		{"unknown kind", mod(func(a *AssetInput) { a.Kind = "utility-model" }), CodeInvalidArgument, "kind"},
		{"bad id", mod(func(a *AssetInput) { a.ID = "a/b" }), CodeInvalidArgument, "id"},
		{"no owners", mod(func(a *AssetInput) { a.Owners = nil }), CodeInvalidArgument, "owners"},
		{"shares do not sum", mod(func(a *AssetInput) { a.Owners = []Owner{beta} }), CodeInvalidArgument, "owners"},
		{"zero share", mod(func(a *AssetInput) { a.Owners = []Owner{{ID: "A", Name: "A", Share: 0}} }), CodeInvalidArgument, "owners[0].share"},
		{"duplicate owner", mod(func(a *AssetInput) { a.Owners = []Owner{beta, beta} }), CodeInvalidArgument, "owners[1].id"},
		{"owner without name", mod(func(a *AssetInput) { a.Owners = []Owner{{ID: "A", Share: 10000}} }), CodeInvalidArgument, "owners[0].name"},
		{"bad date", mod(func(a *AssetInput) { a.GrantDate = "2022-13-01" }), CodeInvalidArgument, "grantDate"},
		{"granted before filed", mod(func(a *AssetInput) { a.GrantDate = "2019-01-01" }), CodeInvalidArgument, "grantDate"},
		{"expires before grant", mod(func(a *AssetInput) { a.ExpiryDate = "2021-01-01" }), CodeInvalidArgument, "expiryDate"},
		{"patent without fees", mod(func(a *AssetInput) { a.FeesPaidThrough = "" }), CodeInvalidArgument, "feesPaidThrough"},
		{"fees on copyright", mod(func(a *AssetInput) { a.Kind = KindCopyright }), CodeInvalidArgument, "feesPaidThrough"},
		{"trademark without class", mod(func(a *AssetInput) { a.Kind, a.FeesPaidThrough = KindTrademark, "" }), CodeInvalidArgument, "niceClass"},
		{"class on patent", mod(func(a *AssetInput) { a.NiceClass = 9 }), CodeInvalidArgument, "niceClass"},
		{"family on patent", mod(func(a *AssetInput) { a.MarkFamily = "f" }), CodeInvalidArgument, "markFamily"},
		{"unknown status", mod(func(a *AssetInput) { a.LegalStatus = "dormant" }), CodeInvalidArgument, "legalStatus"},
		{"long title", mod(func(a *AssetInput) { a.Title = strings.Repeat("x", 501) }), CodeInvalidArgument, "title"},
		{"control character", mod(func(a *AssetInput) { a.Title = "a\x01b" }), CodeInvalidArgument, "title"},
		{"padded title", mod(func(a *AssetInput) { a.Title = " a" }), CodeInvalidArgument, "title"},
		{"unknown field", `{"id":"P1","colour":"red"}`, CodeInvalidArgument, "colour"},
		{"wrong type", `{"id":"P1","niceClass":"nine"}`, CodeInvalidArgument, "niceClass"},
		{"not JSON", `{"id":`, CodeMalformed, ""},
		{"not an object", `[1]`, CodeMalformed, ""},
		{"null", `null`, CodeMalformed, ""},
		{"trailing data", mod(func(a *AssetInput) {}) + "{}", CodeMalformed, ""},
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
		e.update("P1", `{"freeze":{"active":true,"ref":"(2025) E01 Zhi Bao 12"},"dispute":{"active":true},"invalidation":{"active":true,"ref":"4W112233"},"feesPaidThrough":"2027-01-10","expiryDate":"2041-01-01","title":"New title"}`)
		a := e.asset("P1")
		if !a.Freeze.Active || a.Freeze.Ref == "" || a.Freeze.Since != "2025-03-03" || !a.Dispute.Active || !a.Invalidation.Active ||
			a.FeesPaidThrough != "2027-01-10" || a.ExpiryDate != "2041-01-01" || a.Title != "New title" || a.Version != 2 {
			t.Fatalf("update not applied: %+v", a)
		}
		e.update("P1", `{"freeze":{"active":false},"dispute":{"active":false}}`)
		if a := e.asset("P1"); a.Freeze.Active || a.Dispute.Active || !a.Invalidation.Active {
			t.Fatalf("flags not lifted: %+v", a)
		}
		e.update("T1", `{"markFamily":"famA"}`)
		e.update("T1", `{"markFamily":"famB"}`)
		e.update("T1", `{"markFamily":""}`)
		if e.asset("T1").MarkFamily != "" || len(e.l.scan(idxAssetFamily, nil)) != 0 {
			t.Fatalf("family index not maintained")
		}
		for _, bad := range []struct{ id, patch, code, field string }{
			{"P1", `{}`, CodeInvalidArgument, ""},
			{"P1", `{"title":5}`, CodeInvalidArgument, "title"},
			{"P1", `{"freeze":{"active":true}}`, CodeInvalidArgument, "freeze.ref"},
			{"P1", `{"legalStatus":"gone"}`, CodeInvalidArgument, "legalStatus"},
			{"P1", `{"expiryDate":"2001-01-01"}`, CodeInvalidArgument, "expiryDate"},
			{"P1", `{"expiryDate":"x"}`, CodeInvalidArgument, "expiryDate"},
			{"P1", `{"feesPaidThrough":"x"}`, CodeInvalidArgument, "feesPaidThrough"},
			{"P1", `{"title":""}`, CodeInvalidArgument, "title"},
			{"P1", `{"markFamily":"fam"}`, CodeInvalidArgument, "markFamily"},
			{"P1", `{"markFamily":"bad id!"}`, CodeInvalidArgument, "markFamily"},
			{"T1", `{"feesPaidThrough":"2030-01-01"}`, CodeInvalidArgument, "feesPaidThrough"},
			{"P9", `{"title":"x"}`, CodeNotFound, ""},
			{"bad/id", `{"title":"x"}`, CodeInvalidArgument, "assetId"},
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
		wantCode(t, err, CodeForbidden, "A3")
	}
	_, err := e.query(bank2, func(s *Service) (string, error) { return s.GetAsset("nope") })
	wantCode(t, err, CodeNotFound)
	_, err = e.query(bank2, func(s *Service) (string, error) { return s.GetAsset("") })
	wantCode(t, err, CodeInvalidArgument, "assetId")
	a := e.asset("P1")
	if len(a.Encumbrances) != 1 || a.Encumbrances[0].PledgeID != p.ID || a.Encumbrances[0].Rank != 1 {
		t.Fatalf("active encumbrance not shown: %+v", a.Encumbrances)
	}
}
