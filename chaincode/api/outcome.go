package api

import "encoding/json"

// Outcome is what every submitting chaincode transaction answers (rule I3): the decision on the
// request and the transaction that made it. A decision is either a result (the record the request made
// or changed) or a refusal under a rule; both are kept under the request id, so a repeat of the request
// answers the same decision, marked Replay, and writes nothing. Other failures (FORBIDDEN, NOT_FOUND,
// INVALID_ARGUMENT, MALFORMED, INTERNAL, and I3 for a request id used for another request) are the
// chaincode's error instead: nothing is decided and nothing is written.
//
// A refusal is a successful chaincode response: the transaction must be ordered and committed for the
// refusal to be kept. Clients read Refusal, never the peer's status alone.
type Outcome struct {
	// Refusal is the rule that refused the request, when it was refused.
	Refusal *Error `json:"refusal,omitempty"`
	// Replay: the request was decided by an earlier transaction (TxID); this one writes nothing and
	// need not be ordered.
	Replay bool `json:"replay,omitempty"`
	// Result is the record the request made or changed, when it was not refused.
	Result json.RawMessage `json:"result,omitempty"`
	// TxID is the transaction that decided the request: this one, or the first for a replay.
	TxID string `json:"txId"`
}

// ParseOutcome decodes a submission's chaincode response. ok is false when raw is not an Outcome.
func ParseOutcome(raw []byte) (Outcome, bool) {
	var o Outcome
	if err := json.Unmarshal(raw, &o); err != nil || o.TxID == "" || (o.Refusal == nil) == (len(o.Result) == 0) {
		return Outcome{}, false
	}
	return o, true
}

// Plan is the answer of [PlanSubmission]: a dry run of a submission on one peer, before it is
// endorsed. It names the organizations whose endorsement the submission's writes need (the union of
// the key-level policies of the keys it writes, rule I1), or, for a request already decided, the
// decision itself: then there is nothing to submit.
type Plan struct {
	// Endorsers are the organizations that must endorse; empty when the chaincode definition's policy
	// is all the writes need (the peer's discovery then chooses).
	Endorsers []MSPID `json:"endorsers"`
	// AnyOf, when Endorsers is empty, are the organizations of which one must endorse besides the IP
	// office (a right's key-level policy): the definition's policy may admit others (a bank that joined
	// later), which discovery could choose and the right's policy would not accept.
	AnyOf []MSPID `json:"anyOf,omitempty"`
	// Decided is the earlier decision of a repeated request (Replay is set).
	Decided *Outcome `json:"decided,omitempty"`
}
