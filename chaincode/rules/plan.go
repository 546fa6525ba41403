package rules

import (
	"encoding/json"
	"reflect"
	"slices"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// PlanSubmission dry-runs a submission of function with args (its request id first, as a JSON array
// of strings) and the transaction's transient map, on the evaluating peer, writing nothing (I1, I3).
// It answers an [api.Plan]: for a request already decided, its decision (nothing to submit); otherwise
// the organizations whose endorsement the submission's writes need — the union of the key-level
// policies of the keys it writes, which the peer's discovery does not know. A submission that would
// decide nothing (forbidden, not found, invalid) answers its error, so that the gateway need not
// submit it. The plan is as of the peer's state: the endorsement itself decides.
func (s *Service) PlanSubmission(function, args string) (string, error) {
	op, ok := submission(function)
	if !ok {
		return "", api.Invalid("function", "not a submitting transaction of this chaincode")
	}
	var argv []string
	if err := json.Unmarshal([]byte(args), &argv); err != nil || len(argv) != 1+len(op.Args) {
		return "", api.Invalid("args", "must be a JSON array of the request id and the transaction's arguments")
	}
	plan := &planLedger{Ledger: s.l}
	dry := &Service{l: plan, tx: s.tx}
	out, err := dry.call(function, argv)
	if err != nil && dry.decidedBy == "" {
		return "", err
	}
	if dry.decidedBy != s.tx.ID {
		o, err := dry.Outcome(out, err)
		if err != nil {
			return "", err
		}
		var decided api.Outcome
		if err := json.Unmarshal([]byte(o), &decided); err != nil {
			return "", internal("decode outcome", err)
		}
		return marshal(api.Plan{Endorsers: []api.MSPID{}, Decided: &decided})
	}
	return marshal(api.Plan{AnyOf: plan.anyOf(), Endorsers: plan.endorsers()})
}

// submission finds a submitting operation of the catalogue by name.
func submission(function string) (api.Op, bool) {
	for _, o := range api.Operations {
		if o.Name == function && !o.ReadOnly {
			return o, true
		}
	}
	return api.Op{}, false
}

// call runs the Service method of a submitting operation by its name; every one takes its request id
// and string arguments and returns (string, error).
func (s *Service) call(function string, argv []string) (string, error) {
	m := reflect.ValueOf(s).MethodByName(function)
	if !m.IsValid() || m.Type().NumIn() != len(argv) {
		return "", internal("plan", errNoMethod(function))
	}
	in := make([]reflect.Value, len(argv))
	for i, a := range argv {
		in[i] = reflect.ValueOf(a)
	}
	res := m.Call(in)
	err, _ := res[1].Interface().(error)
	return res[0].String(), err
}

type errNoMethod string

func (e errNoMethod) Error() string { return "no rules for " + string(e) }

// planLedger reads from the ledger and writes nothing: it only notes the key-level policies of the
// keys a dry run would write.
type planLedger struct {
	Ledger
	policies []api.Endorsement
}

func (p *planLedger) PutState(string, []byte) error           { return nil }
func (p *planLedger) DelState(string) error                   { return nil }
func (p *planLedger) PutPrivate(string, string, []byte) error { return nil }
func (p *planLedger) SetEvent(string, []byte) error           { return nil }
func (p *planLedger) SetEndorsement(_ string, e api.Endorsement) error {
	p.policies = append(p.policies, e)
	return nil
}

// anyOf is the AnyOf of a noted policy when only the IP office is required otherwise: the gateway
// names the IP office and one of these rather than leaving the choice to discovery.
func (p *planLedger) anyOf() []api.MSPID {
	if len(p.endorsers()) > 0 {
		return nil
	}
	for _, e := range p.policies {
		if len(e.AnyOf) > 0 {
			return slices.Sorted(slices.Values(e.AnyOf))
		}
	}
	return nil
}

// endorsers are the organizations every noted policy requires, in a stable order. A policy's AnyOf is
// met by any of them (the AnyOf of [api.RightEndorsement] lists the founding non-IP-office members,
// which the definition's policy needs one of anyway); when the named organizations meet none of an
// AnyOf (the IP office and a bank that joined later), [api.AnyOfFallback] is named as well. When only
// the IP office is required, the definition's policy says the same and discovery chooses: none are
// named.
func (p *planLedger) endorsers() []api.MSPID {
	out := []api.MSPID{}
	for _, e := range p.policies {
		for _, o := range e.All {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	if len(out) == 1 && out[0] == api.MSPIPOffice {
		return []api.MSPID{}
	}
	for _, e := range p.policies {
		if len(e.AnyOf) > 0 && len(out) > 0 && !slices.ContainsFunc(e.AnyOf, func(o api.MSPID) bool { return slices.Contains(out, o) }) {
			out = append(out, api.AnyOfFallback)
			break
		}
	}
	slices.Sort(out)
	return out
}
