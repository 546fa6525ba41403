package rules

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// outcomeOf runs a submission as the contract does and decodes the chaincode's answer.
func outcomeOf(t *testing.T, s *Service, result string, err error) api.Outcome {
	t.Helper()
	raw, err := s.Outcome(result, err)
	if err != nil {
		t.Fatalf("no decision: %v", err)
	}
	o, ok := api.ParseOutcome([]byte(raw))
	if !ok {
		t.Fatalf("not an outcome: %s", raw)
	}
	return o
}

// A refusal under a rule is a decision: kept under the request id, answered to every repeat, even once
// the obstacle is gone (a request refused once is never applied later).
func TestI3_ARefusalIsKeptUnderItsRequestID(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.freeze("P1", court1, "(2025)E01ZB1")
	app := js(application("P1"))
	apply := func() (*Service, string, error) {
		id := e.nextTx()
		e.l.Begin(id, e.now)
		s := New(e.l, Tx{ID: id, Time: e.now, Caller: bank1, Transient: withTerms(termsA)})
		out, err := s.ApplyPledge("apply-frozen", app)
		return s, out, err
	}
	s, out, err := apply()
	wantCode(t, err, "P4", "frozen")
	if !s.Decided() || !slices.Equal(e.l.Writes(), []string{CompositeKey(keyRequest, string(api.MSPBank1), "apply-frozen")}) {
		t.Fatalf("a refusal must write its request id only, wrote %q", e.l.Writes())
	}
	first := outcomeOf(t, s, out, err)
	if first.Replay || first.Refusal == nil || first.Refusal.Code != "P4" || first.TxID != s.tx.ID || first.Result != nil {
		t.Fatalf("first outcome: %+v", first)
	}
	e.l.Commit()
	e.lift("P1", 1, "(2025)E01ZB1-1")
	s, out, err = apply()
	wantCode(t, err, "P4", "frozen")
	again := outcomeOf(t, s, out, err)
	if s.Decided() || len(e.l.Writes()) != 0 || !again.Replay || again.TxID != first.TxID || again.Refusal.Message != first.Refusal.Message {
		t.Fatalf("repeat after the obstacle went: decided %v, writes %q, outcome %+v", s.Decided(), e.l.Writes(), again)
	}
	e.l.Begin("", e.now)
	// A new request id is examined anew.
	_, err = e.apply(bank1, application("P1"))
	wantCode(t, err, "")
}

// A refused operation leaves nothing of what it wrote before it was refused: only the refusal.
func TestI3_ARefusedRunLeavesOnlyItsRefusal(t *testing.T) {
	e := newEnv(t)
	e.l.Begin(e.nextTx(), e.now)
	s := New(e.l, Tx{ID: "tx-1", Time: e.now, Caller: examiner})
	_, err := s.submit("RegisterAsset", "req-1", "{}", func() error { return nil }, func() (any, api.Event, error) {
		if err := s.put(assetKey("half"), api.Asset{ID: "half"}, api.RightEndorsement); err != nil {
			return nil, api.Event{}, err
		}
		return nil, api.Event{}, api.Conflict("A2", "refused after a write", "reason", "test")
	})
	wantCode(t, err, "A2")
	if w := e.l.Writes(); !slices.Equal(w, []string{CompositeKey(keyRequest, string(api.MSPIPOffice), "req-1")}) {
		t.Fatalf("writes of a refused run: %q", w)
	}
	e.l.Begin(e.nextTx(), e.now)
	s = New(e.l, Tx{ID: "tx-2", Time: e.now, Caller: examiner})
	_, err = s.submit("RegisterAsset", "req-2", "{}", func() error { return nil }, func() (any, api.Event, error) {
		return nil, api.Event{}, api.Invalid("id", "bad")
	})
	wantCode(t, err, api.CodeInvalidArgument)
	if s.Decided() || len(e.l.Writes()) != 0 {
		t.Fatalf("an invalid request decided something: %q", e.l.Writes())
	}
	if _, err := s.Outcome("", err); err == nil {
		t.Fatal("an undecided request has no outcome")
	}
}

// The dry run names whose endorsement a submission's writes need (I1), answers a repeated request's
// decision without anything to submit (I3), and writes nothing itself.
func TestI1_PlanSubmissionNamesTheEndorsersOfItsWrites(t *testing.T) {
	e := newEnv(t)
	e.register(patent("P1"))
	e.register(patent("P2"))
	plan := func(c Caller, transient map[string][]byte, function string, args ...string) (api.Plan, error) {
		t.Helper()
		e.l.Begin(e.nextTx(), e.now)
		defer e.l.Begin("", e.now)
		argv, _ := json.Marshal(args)
		raw, err := New(e.l, Tx{ID: "tx-plan", Time: e.now, Caller: c, Transient: transient}).PlanSubmission(function, string(argv))
		if len(e.l.Writes()) != 0 || len(e.l.PendingEvents()) != 0 {
			t.Fatalf("a plan wrote %q", e.l.Writes())
		}
		var p api.Plan
		if err == nil {
			mustDecode(t, raw, &p)
		}
		return p, err
	}
	p, err := plan(bank1, withTerms(termsA), "ApplyPledge", "apply-1", js(application("P1")))
	if err != nil || !slices.Equal(p.Endorsers, []api.MSPID{api.MSPBank1, api.MSPIPOffice}) || p.Decided != nil {
		t.Fatalf("apply: %+v %v", p, err)
	}
	p, err = plan(examiner, nil, "RegisterAsset", "reg-3", js(patent("P3")))
	if err != nil || len(p.Endorsers) != 0 || p.Decided != nil {
		t.Fatalf("register asset (the definition's policy): %+v %v", p, err)
	}
	// A right's policy admits the IP office with one of the founding members only: the plan says which,
	// so that the gateway does not leave the choice to a definition that also admits later banks.
	if want := []api.MSPID{api.MSPBank1, api.MSPBank2, api.MSPExchange, api.MSPRegulator}; !slices.Equal(p.AnyOf, want) {
		t.Fatalf("register asset: anyOf %v, want %v", p.AnyOf, want)
	}
	// A refusal is decided by its submission: the plan names the endorsers of the request id's key.
	p, err = plan(examiner, nil, "RegisterAsset", "reg-dup", js(patent("P1")))
	if err != nil || len(p.Endorsers) != 0 || p.Decided != nil {
		t.Fatalf("a refusal to come: %+v %v", p, err)
	}
	pl := e.pledged(bank2, "REG-1", "P2")
	p, err = plan(bank2, nil, "ReleasePledge", "rel-1", pl.ID, `{"reason":"repaid"}`)
	if err != nil || !slices.Equal(p.Endorsers, []api.MSPID{api.MSPBank2, api.MSPIPOffice}) {
		t.Fatalf("release: %+v %v", p, err)
	}
	// A disposal ends every pledge on the sold right: each pledgee bank must endorse (I1).
	e.register(trademark("T1", "", 9))
	t1 := e.pledgedFor(bank1, "R1", "1000000.00", "T1")
	t2 := e.pledgedFor(bank2, "R2", "500000.00", "T1")
	wantCode(t, e.declareDefault(bank1, t1.ID, "600000"), "")
	wantCode(t, e.stateClaim(bank2, t2.ID, "500000", "CNY"), "")
	p, err = plan(trader, nil, "DisposePledge", "dispose-1", t1.ID, js(sold("1000000", "0", t1.ID, "600000", t2.ID, "400000")))
	if err != nil || !slices.Equal(p.Endorsers, []api.MSPID{api.MSPBank1, api.MSPBank2, api.MSPIPOffice}) {
		t.Fatalf("disposal of a right two banks hold pledges on: %+v %v", p, err)
	}
	// Decided requests: their decision, first transaction and all.
	first := e.must(e.submit(bank1, withTerms(termsA), func(s *Service) (string, error) { return s.ApplyPledge("apply-1", js(application("P1"))) }))
	p, err = plan(bank1, withTerms(termsA), "ApplyPledge", "apply-1", js(application("P1")))
	if err != nil || p.Decided == nil || !p.Decided.Replay || string(p.Decided.Result) != first || p.Decided.TxID == "tx-plan" {
		t.Fatalf("replay: %+v %v", p, err)
	}
	// What decides nothing is the plan's error: nothing to submit.
	_, err = plan(auditor, nil, "ReleasePledge", "rel-2", pl.ID, `{"reason":"repaid"}`)
	wantCode(t, err, api.CodeForbidden)
	_, err = plan(bank2, nil, "ReleasePledge", "rel-3", "PL-none", `{"reason":"repaid"}`)
	wantCode(t, err, api.CodeNotFound)
	_, err = plan(bank2, nil, "GetPledge", "x")
	wantCode(t, err, api.CodeInvalidArgument, "function")
	_, err = plan(bank2, nil, "ReleasePledge", "rel-4")
	wantCode(t, err, api.CodeInvalidArgument, "args")
}

// Every submitting operation of the catalogue has its rules: a Service method taking the request id
// and the operation's arguments, which the dry run calls by name.
func TestI1_EverySubmissionCanBePlanned(t *testing.T) {
	s := reflect.ValueOf(New(nil, Tx{}))
	for _, o := range api.Operations {
		if o.ReadOnly {
			continue
		}
		m := s.MethodByName(o.Name)
		if !m.IsValid() || m.Type().NumIn() != 1+len(o.Args) || m.Type().NumOut() != 2 {
			t.Errorf("%s: no method (requestID, %d arguments) (string, error)", o.Name, len(o.Args))
			continue
		}
		for i := range m.Type().NumIn() {
			if m.Type().In(i).Kind() != reflect.String {
				t.Errorf("%s: argument %d is not a string", o.Name, i)
			}
		}
	}
}
