package rules

import (
	"encoding/json"
	"fmt"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func importPayload(t *testing.T, assets ...api.AssetInput) string {
	t.Helper()
	in := api.ImportInput{}
	for _, a := range assets {
		raw, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		in.Assets = append(in.Assets, raw)
	}
	return js(in)
}

func TestA2_ImportAssetsChecksEveryRightAndIsAllOrNothing(t *testing.T) {
	many := make([]api.AssetInput, api.MaxImportAssets+1)
	for i := range many {
		many[i] = patent(fmt.Sprintf("B%03d", i))
	}
	bad := patent("X2")
	bad.Owners = []api.Owner{{ID: "91420100MA4K0001", Name: "Acme", Share: 5000}}
	cases := []struct {
		name    string
		caller  Caller
		payload func(t *testing.T) string
		code    api.Code
		reason  []string
		count   int
	}{
		{"a batch of new rights", examiner, func(t *testing.T) string { return importPayload(t, patent("N1"), patent("N2"), trademark("N3", "", 9)) }, "", nil, 3},
		{"the largest batch", ipAdmin, func(t *testing.T) string { return importPayload(t, many[:api.MaxImportAssets]...) }, "", nil, api.MaxImportAssets},
		{"a bank may not import (A1)", bank1, func(t *testing.T) string { return importPayload(t, patent("N1")) }, api.CodeForbidden, nil, 0},
		{"the regulator writes nothing (V3)", auditor, func(t *testing.T) string { return importPayload(t, patent("N1")) }, api.CodeForbidden, nil, 0},
		{"an empty batch", examiner, func(t *testing.T) string { return `{"assets":[]}` }, api.CodeInvalidArgument, nil, 0},
		{"too many rights", examiner, func(t *testing.T) string { return importPayload(t, many...) }, api.CodeInvalidArgument, nil, 0},
		{"an invalid right names its place", examiner, func(t *testing.T) string { return importPayload(t, patent("X1"), bad) }, api.CodeInvalidArgument, nil, 0},
		{"a right already registered", examiner, func(t *testing.T) string { return importPayload(t, patent("N9"), patent("OLD")) }, "A2", []string{"id-registered"}, 0},
		{"the same right twice in the batch", examiner, func(t *testing.T) string { return importPayload(t, patent("D1"), patent("D1")) }, "A2", []string{"duplicate-in-batch"}, 0},
		{"unknown fields", examiner, func(t *testing.T) string { return `{"assets":[],"extra":1}` }, api.CodeInvalidArgument, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("OLD"))
			out, err := e.submit(tc.caller, nil, func(s *Service) (string, error) { return s.ImportAssets("imp-1", tc.payload(t)) })
			wantCode(t, err, tc.code, tc.reason...)
			if tc.code != "" {
				// All or nothing: no right of a refused batch is on the register.
				for _, id := range []string{"N1", "N9", "X1", "D1", "B000"} {
					if _, err := e.query(examiner, func(s *Service) (string, error) { return s.GetAsset(id) }); err == nil {
						t.Errorf("%s was written by a refused batch", id)
					}
				}
				return
			}
			var res api.ImportResult
			mustDecode(t, out, &res)
			if res.Count != tc.count || len(res.AssetIDs) != tc.count {
				t.Fatalf("imported %d (%d ids), want %d", res.Count, len(res.AssetIDs), tc.count)
			}
			for _, id := range res.AssetIDs {
				if a := e.asset(id); a.LegalStatus != api.LegalValid || a.TitleTxID == "" {
					t.Errorf("%s: %+v", id, a)
				}
			}
		})
	}
	t.Run("an invalid right's field path carries its index", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.ImportAssets("imp-2", importPayload(t, patent("X1"), bad)) })
		re, ok := api.AsError(err)
		if !ok || re.Details["field"] != "assets[1].owners" {
			t.Errorf("error %v; want field assets[1].owners", err)
		}
	})
}

func TestA3_FindAssetsByNumberIsPublicToMembers(t *testing.T) {
	e := newEnv(t)
	e.register(patent("F1"))
	e.register(trademark("F2", "", 9))
	for _, c := range []Caller{examiner, bank1, trader, auditor} {
		out, err := e.query(c, func(s *Service) (string, error) { return s.FindAssetsByNumber("ZLF1") })
		if err != nil {
			t.Fatalf("%s: %v", c.MSP, err)
		}
		var res api.AssetsByNumber
		mustDecode(t, out, &res)
		if res.Count != 1 || res.Items[0].ID != "F1" {
			t.Errorf("%s: found %+v", c.MSP, res)
		}
	}
	out, err := e.query(bank1, func(s *Service) (string, error) { return s.FindAssetsByNumber("NOPE") })
	if err != nil || out != `{"count":0,"items":[]}` {
		t.Errorf("unknown number: %s %v", out, err)
	}
	_, err = e.query(stranger, func(s *Service) (string, error) { return s.FindAssetsByNumber("ZLF1") })
	wantCode(t, err, api.CodeForbidden)
	_, err = e.query(bank1, func(s *Service) (string, error) { return s.FindAssetsByNumber("") })
	wantCode(t, err, api.CodeInvalidArgument)
}
