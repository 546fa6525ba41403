package rules

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

func TestInternalErrorRoundTrip(t *testing.T) {
	e := internal("op", errors.New("disk"))
	if p, ok := api.ParseError(e.Error()); !ok || p.Code != api.CodeInternal || p.Details["op"] != "op" {
		t.Fatalf("round trip of %s", e.Error())
	}
}

func TestCompositeKeys(t *testing.T) {
	k := CompositeKey("pledge-by-asset", "P1", "PL-1")
	typ, attrs, err := SplitCompositeKey(k)
	if err != nil || typ != "pledge-by-asset" || len(attrs) != 2 || attrs[1] != "PL-1" {
		t.Fatalf("split: %q %v %v", typ, attrs, err)
	}
	for _, bad := range []string{"plain", "\x00noend", "\x00a\x00\xff\x00"} {
		if _, _, err := SplitCompositeKey(bad); err == nil {
			t.Fatalf("split %q succeeded", bad)
		}
	}
}

func TestPingAndHelpers(t *testing.T) {
	if v, err := Ping(); v != Version || err != nil {
		t.Fatal("ping")
	}
	if !api.IsBank(api.MSPBank2) || api.IsBank(api.MSPExchange) || api.TermsCollection(api.MSPBank1) != "termsBank1MSP" {
		t.Fatal("bank helpers")
	}
	if mustCents("12.5") != 1250 || mustCents("0.07") != 7 || formatCents(123456) != "1234.56" {
		t.Fatal("cents")
	}
	if jsonType("bool") != "boolean" || jsonType("slice") != "array" || jsonType("struct") != "object" || jsonType("float64") != "number" {
		t.Fatal("jsonType")
	}
	if err := DecodeStrict("x", strings.Repeat(" ", MaxPayloadBytes+1), &struct{}{}); err == nil {
		t.Fatal("oversized payload accepted")
	}
	if err := DecodeStrict("x", "{\"a\":\"\xff\"}", &struct{ A string }{}); err == nil {
		t.Fatal("invalid UTF-8 accepted")
	}
	if err := DecodeStrict("x", `"s"`, &struct{}{}); err == nil {
		t.Fatal("string accepted as object")
	}
	m := NewMemLedger()
	m.ReadOnly = true
	if m.PutState("k", []byte("v")) == nil || m.DelState("k") == nil || m.PutPrivate("c", "k", nil) == nil {
		t.Fatal("read-only ledger accepted writes")
	}
	m.ReadOnly = false
	if m.PutState("", nil) == nil || m.SetEndorsement("k", api.Endorsement{}) == nil {
		t.Fatal("bad writes accepted")
	}
	if _, _, err := m.ScanPage("x", nil, 1, ""); err == nil {
		t.Fatal("paginated scan in a read-write transaction")
	}
	m.ReadOnly = true
	if _, _, err := m.ScanPage("x", nil, 1, "z"); err == nil {
		t.Fatal("bad bookmark accepted")
	}
}

// failingLedger fails the n-th call of any method that touches the ledger.
type failingLedger struct {
	*MemLedger
	n, calls int
}

func (f *failingLedger) fail() error {
	f.calls++
	if f.calls == f.n {
		return errors.New("ledger unavailable")
	}
	return nil
}
func (f *failingLedger) GetState(k string) ([]byte, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.MemLedger.GetState(k)
}
func (f *failingLedger) PutState(k string, v []byte) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.MemLedger.PutState(k, v)
}
func (f *failingLedger) DelState(k string) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.MemLedger.DelState(k)
}
func (f *failingLedger) SetEndorsement(k string, e api.Endorsement) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.MemLedger.SetEndorsement(k, e)
}
func (f *failingLedger) Scan(t string, a []string) ([]string, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.MemLedger.Scan(t, a)
}
func (f *failingLedger) PutPrivate(c, k string, v []byte) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.MemLedger.PutPrivate(c, k, v)
}
func (f *failingLedger) SetEvent(n string, p []byte) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.MemLedger.SetEvent(n, p)
}

// TestLedgerFailuresAreInternalErrors makes every ledger call of a whole lifecycle fail in turn: each
// failure must surface as an INTERNAL error, never a panic or a success.
func TestLedgerFailuresAreInternalErrors(t *testing.T) {
	type step struct {
		c         Caller
		transient map[string][]byte
		fn        func(s *Service, ids map[string]string) (string, error)
		keep      func(out string, ids map[string]string)
	}
	steps := []step{
		{examiner, nil, func(s *Service, _ map[string]string) (string, error) {
			return s.RegisterAsset("a1", js(trademark("T1", "fam", 9)))
		}, nil},
		{examiner, nil, func(s *Service, _ map[string]string) (string, error) {
			return s.UpdateAsset("a2", "T1", `{"markFamily":"fam2","dispute":{"active":false}}`)
		}, nil},
		{examiner, nil, func(s *Service, _ map[string]string) (string, error) {
			return s.RecordFreeze("a3", "T1", `{"court":"`+court1+`","ref":"(2025)E01ZB3"}`)
		}, nil},
		{examiner, nil, func(s *Service, _ map[string]string) (string, error) {
			return s.LiftFreeze("a4", "T1", "1", `{"ref":"(2025)E01ZB3-1"}`)
		}, nil},
		{bank1, withTerms(termsA), func(s *Service, _ map[string]string) (string, error) {
			return s.ApplyPledge("p1", js(application("T1")))
		}, func(out string, ids map[string]string) { var p api.Pledge; mustDecodeNoT(out, &p); ids["p"] = p.ID }},
		{examiner, nil, func(s *Service, ids map[string]string) (string, error) {
			return s.RegisterPledge("p2", ids["p"], `{"registrationNumber":"R1"}`)
		}, nil},
		{bank1, withTerms(termsA), func(s *Service, ids map[string]string) (string, error) {
			return s.AmendPledge("p3", ids["p"], `{"pledgeeName":"B"}`)
		}, func(out string, ids map[string]string) {
			var p api.Pledge
			mustDecodeNoT(out, &p)
			ids["ch"] = p.PendingChangeID
		}},
		{examiner, nil, func(s *Service, ids map[string]string) (string, error) {
			return s.RecordPledgeChange("p3r", ids["p"], ids["ch"], "{}")
		}, nil},
		{trader, nil, func(s *Service, _ map[string]string) (string, error) {
			return s.RequestTransfer("t1", js(trade("T1")))
		}, func(out string, ids map[string]string) { var x api.Transfer; mustDecodeNoT(out, &x); ids["t"] = x.ID }},
		{bank1, nil, func(s *Service, ids map[string]string) (string, error) {
			return s.ConsentToTransfer("t2", ids["t"], js(api.ConsentInput{PledgeID: ids["p"], ProceedsUse: "escrow"}))
		}, nil},
		{bank1, nil, func(s *Service, ids map[string]string) (string, error) {
			return s.DeclareDefault("p4", ids["p"], defaultIn("x", "10"))
		}, nil},
		{trader, nil, func(s *Service, ids map[string]string) (string, error) {
			return s.DisposePledge("p5", ids["p"], js(api.DisposalInput{Buyers: []api.Owner{buyer}, Currency: "CNY", Method: "sale",
				Price: "10", Proceeds: []api.ProceedInput{{PledgeID: ids["p"], Amount: "10"}}, SaleRef: "S", Surplus: "0"}))
		}, func(out string, ids map[string]string) {
			var p api.Pledge
			mustDecodeNoT(out, &p)
			ids["dt"] = p.Disposal.TransferIDs[0]
		}},
		{examiner, nil, func(s *Service, ids map[string]string) (string, error) {
			return s.RefuseTransfer("t3", ids["dt"], `{"reasons":["x"]}`) // undoes the disposal
		}, nil},
		{trader, nil, func(s *Service, ids map[string]string) (string, error) {
			return s.DisposePledge("p6", ids["p"], js(api.DisposalInput{Buyers: []api.Owner{buyer}, Currency: "CNY", Method: "sale",
				Price: "10", Proceeds: []api.ProceedInput{{PledgeID: ids["p"], Amount: "10"}}, SaleRef: "S2", Surplus: "0"}))
		}, func(out string, ids map[string]string) {
			var p api.Pledge
			mustDecodeNoT(out, &p)
			ids["dt"] = p.Disposal.TransferIDs[0]
		}},
		{examiner, nil, func(s *Service, ids map[string]string) (string, error) {
			return s.RecordTransfer("t4", ids["dt"], "{}")
		}, nil},
	}
	for i := range steps {
		for n := 1; ; n++ {
			// Replay the steps before i on a fresh ledger, then fail the n-th call of step i.
			m := NewMemLedger()
			ids := map[string]string{}
			for j := 0; j < i; j++ {
				m.Begin(fmt.Sprintf("%064d", j), monday10)
				out, err := steps[j].fn(New(m, Tx{ID: fmt.Sprintf("%064d", j), Time: monday10, Caller: steps[j].c, Transient: steps[j].transient}), ids)
				if err != nil {
					t.Fatalf("step %d: %v", j, err)
				}
				if steps[j].keep != nil {
					steps[j].keep(out, ids)
				}
				m.Commit()
			}
			f := &failingLedger{MemLedger: m, n: n}
			m.Begin(fmt.Sprintf("%064d", i), monday10)
			_, err := steps[i].fn(New(f, Tx{ID: fmt.Sprintf("%064d", i), Time: monday10, Caller: steps[i].c, Transient: steps[i].transient}), ids)
			if f.calls < n { // the step made fewer calls than n: every call has failed once
				if err != nil {
					t.Fatalf("step %d without failure: %v", i, err)
				}
				break
			}
			if e, ok := api.AsError(err); !ok || e.Code != api.CodeInternal {
				t.Fatalf("step %d, call %d failing: got %v", i, n, err)
			}
		}
	}
}

func mustDecodeNoT(s string, v any) {
	if err := jsonUnmarshal(s, v); err != nil {
		panic(err)
	}
}
