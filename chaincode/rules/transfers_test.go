package rules

import (
	"slices"
	"testing"
)

func (e *env) requestTransfer(c Caller, in TransferRequest) (*Transfer, error) {
	e.t.Helper()
	out, err := e.submit(c, nil, func(s *Service) (string, error) { return s.RequestTransfer(e.req(), js(in)) })
	if err != nil {
		return nil, err
	}
	var t Transfer
	mustDecode(e.t, out, &t)
	return &t, nil
}

func trade(assetID string, owners ...Owner) TransferRequest {
	if len(owners) == 0 {
		owners = []Owner{buyer}
	}
	return TransferRequest{AssetID: assetID, Kind: "assignment", NewOwners: owners, Origin: "trade", TradeRef: "WHIPE-2025-0001"}
}

func TestT1_TransferRequestedThenRecorded(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	cases := []struct {
		name   string
		caller Caller
		in     TransferRequest
		code   string
		reason string
	}{
		{"exchange after a trade", trader, trade("P1"), "", ""},
		{"IP office for an owner", examiner, TransferRequest{AssetID: "P1", Kind: "assignment", NewOwners: []Owner{buyer}, Origin: "owner-request"}, "", ""},
		{"a bank may not request", bank1, trade("P1"), CodeForbidden, "T1"},
		{"the regulator may not request", auditor, trade("P1"), CodeForbidden, "V3"},
		{"a trade comes from the exchange", examiner, trade("P1"), CodeInvalidArgument, "origin"},
		{"an owner's request goes through the IP office", trader, TransferRequest{AssetID: "P1", Kind: "assignment", NewOwners: []Owner{buyer}, Origin: "owner-request"}, CodeInvalidArgument, "origin"},
		{"a trade needs its reference", trader, TransferRequest{AssetID: "P1", Kind: "assignment", NewOwners: []Owner{buyer}, Origin: "trade"}, CodeInvalidArgument, "tradeRef"},
		{"kind", trader, TransferRequest{AssetID: "P1", Kind: "gift", NewOwners: []Owner{buyer}, Origin: "trade", TradeRef: "x"}, CodeInvalidArgument, "kind"},
		{"new owners' shares", trader, trade("P1", beta), CodeInvalidArgument, "newOwners"},
		{"unknown right", trader, trade("P9"), CodeNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.requestTransfer(tc.caller, tc.in)
			wantCode(t, err, tc.code, tc.reason)
		})
	}
	tr, _ := e.requestTransfer(trader, trade("P1"))
	if tr.Status != TransferRequested || tr.FromOwners[0].ID != acme.ID || e.asset("P1").Owners[0].ID != acme.ID {
		t.Fatalf("a request changed the title: %+v", tr)
	}
	_, err := e.submit(trader, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
	wantCode(t, err, CodeForbidden, "T1")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, `{"x":1}`) })
	wantCode(t, err, CodeInvalidArgument, "x")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), "TR-none", "{}") })
	wantCode(t, err, CodeNotFound)
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") }))
	a := e.asset("P1")
	if a.Owners[0].ID != buyer.ID || a.TitleTxID != a.LastChange.TxID {
		t.Fatalf("title not changed: %+v", a)
	}
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
	wantCode(t, err, "T1", "wrong-status")
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RefuseTransfer(e.req(), tr.ID, `{"reasons":["x"]}`) })
	wantCode(t, err, "T1", "wrong-status")

	refused, _ := e.requestTransfer(trader, trade("P1", acme))
	_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RefuseTransfer(e.req(), refused.ID, `{"reasons":[]}`) })
	wantCode(t, err, CodeInvalidArgument, "reasons")
	out := e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RefuseTransfer(e.req(), refused.ID, `{"reasons":["T1.contract-unsigned"]}`)
	}))
	var got Transfer
	mustDecode(t, out, &got)
	if got.Status != TransferRefused || got.RefusalReasons[0] != "T1.contract-unsigned" || e.asset("P1").Owners[0].ID != buyer.ID {
		t.Fatalf("refusal: %+v", got)
	}
}

func TestT2_NoTransferWhileFrozenDisputedOrPledgedWithoutConsent(t *testing.T) {
	for _, tc := range []struct{ name, patch, reason string }{
		{"frozen", `{"freeze":{"active":true,"ref":"(2025)E01ZB9"}}`, "frozen"},
		{"disputed", `{"dispute":{"active":true,"ref":"case 7"}}`, "disputed"},
	} {
		t.Run(tc.name+" at request", func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1"))
			e.update("P1", tc.patch)
			_, err := e.requestTransfer(trader, trade("P1"))
			wantCode(t, err, "T2", tc.reason)
		})
		t.Run(tc.name+" at recording", func(t *testing.T) {
			e := newEnv(t)
			e.register(patent("P1"))
			tr, err := e.requestTransfer(trader, trade("P1"))
			wantCode(t, err, "")
			e.update("P1", tc.patch)
			_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
			wantCode(t, err, "T2", tc.reason)
		})
	}
	t.Run("pledged", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		p := e.pledged(bank1, "R1", "P1")
		tr, _ := e.requestTransfer(trader, trade("P1"))
		_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
		wantCode(t, err, "T2", "consent-missing")
		e.must(e.submit(bank1, nil, func(s *Service) (string, error) {
			return s.ConsentToTransfer(e.req(), tr.ID, js(ConsentInput{PledgeID: p.ID, ProceedsUse: "escrow"}))
		}))
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), tr.ID, "{}") })
		wantCode(t, err, "")
		// The pledge follows the right: it still encumbers it under the new owner.
		if a := e.asset("P1"); a.Owners[0].ID != buyer.ID || len(a.Encumbrances) != 1 {
			t.Fatalf("after transfer: %+v", a)
		}
	})
}

func TestT3_OfTwoConflictingTransfersExactlyOneSucceeds(t *testing.T) {
	t.Run("in sequence", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		other := Owner{ID: "OTHER", Name: "Other Buyer", Share: 10000}
		a, _ := e.requestTransfer(trader, trade("P1"))
		b, _ := e.requestTransfer(trader, trade("P1", other))
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), b.ID, "{}") }))
		_, err := e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), a.ID, "{}") })
		wantCode(t, err, "T3", "owners-changed")
		if e.asset("P1").Owners[0].ID != other.ID {
			t.Fatalf("the losing transfer changed the title")
		}
	})
	t.Run("a licence requested from the old owners after an assignment", func(t *testing.T) {
		e := newEnv(t)
		e.register(patent("P1"))
		lic := trade("P1", Owner{ID: "LICENSEE", Name: "Licensee Co.", Share: 10000})
		lic.Kind = "license"
		l, err := e.requestTransfer(trader, lic)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := e.requestTransfer(trader, trade("P1", Owner{ID: "NEW1", Name: "New Owner", Share: 10000}))
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), a.ID, "{}") }))
		_, err = e.submit(examiner, nil, func(s *Service) (string, error) { return s.RecordTransfer(e.req(), l.ID, "{}") })
		wantCode(t, err, "T3", "owners-changed")
		if n := len(e.asset("P1").Licenses); n != 0 {
			t.Fatalf("the new owner's right carries %d licences it never granted", n)
		}
	})
	t.Run("racing in one block", func(t *testing.T) {
		// Both recordings are endorsed against the same state. Each reads and writes the right's key, so
		// the peers' MVCC check at commit lets only the first in the block through.
		e := newEnv(t)
		e.register(patent("P1"))
		a, _ := e.requestTransfer(trader, trade("P1"))
		b, _ := e.requestTransfer(trader, trade("P1", Owner{ID: "OTHER", Name: "Other", Share: 10000}))
		var writeSets [][]string
		for _, tr := range []*Transfer{a, b} {
			e.l.Begin(e.nextTx(), e.now)
			if _, err := New(e.l, Tx{ID: "race", Time: e.now, Caller: examiner}).RecordTransfer("race-"+tr.ID, tr.ID, "{}"); err != nil {
				t.Fatal(err)
			}
			writeSets = append(writeSets, e.l.Writes())
			e.l.Begin("", e.now) // discard: endorsement only
		}
		key := assetKey("P1")
		if !slices.Contains(writeSets[0], key) || !slices.Contains(writeSets[1], key) {
			t.Fatalf("both recordings must write the right's key %q: %v", key, writeSets)
		}
	})
}
