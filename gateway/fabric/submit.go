package fabric

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	gwproto "github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/gateway"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Retry timing: exponential backoff from retryBase up to retryCap, with jitter (a random wait in the
// upper half), so that clients that collided do not collide again in step.
const (
	retryBase = 50 * time.Millisecond
	retryCap  = 2 * time.Second
	// statusProbe bounds one look at the commit status of a transaction whose submit failed
	// ambiguously, before it is resubmitted. Several batch timeouts.
	statusProbe = 3 * time.Second
	// resubmitAfter is how long a submitted transaction may go without a commit before the same
	// signed transaction is sent to the orderers again. An orderer that accepted it and then died (a
	// Raft leader, say) has lost it; a copy that arrives after the original was ordered is only marked
	// DUPLICATE_TXID, and the commit status answers the original's.
	resubmitAfter = 5 * time.Second
)

func backoff(attempt int) time.Duration {
	d := retryBase << min(attempt, 10)
	if d > retryCap {
		d = retryCap
	}
	return d/2 + rand.N(d/2+1)
}

// Submit endorses, submits and waits for the commit of a transaction.
//
//   - A failed endorsement writes nothing: Unavailable, and endorsements that could not be collected
//     without any chaincode refusal (peers that disagree because one lags a block behind), are
//     retried with a new proposal; a chaincode refusal is returned as the chaincode's error.
//   - A submit that fails so that the transaction may have been ordered (Unavailable, timeout) is
//     followed by a look at the commit status of the same transaction id, then by resubmitting the
//     same signed transaction: a transaction id commits at most once, so nothing is written twice.
//   - A commit that is invalid because it lost a race (MVCC or phantom read conflict, or a key-level
//     policy updated earlier in the same block: see [retriable]) is retried with a new proposal and
//     the same request id, at most cfg.MaxRetries times.
//   - While no commit comes, the same signed transaction is sent again every resubmitAfter: an orderer
//     that accepted it may have died before ordering it. No commit within cfg.CommitTimeout gives COMMIT_TIMEOUT
//     with the transaction id to poll.
func (l *Ledger) Submit(ctx context.Context, identityName string, sub gateway.Submission) (*gateway.Receipt, error) {
	s, err := l.signer(identityName)
	if err != nil {
		return nil, err
	}
	rec, outcome, err := l.submit(ctx, s, sub)
	l.observer.Finished(sub.Function, outcome)
	return rec, err
}

func (l *Ledger) submit(ctx context.Context, s *signer, sub gateway.Submission) (*gateway.Receipt, string, error) {
	log := l.log.With("function", sub.Function, "requestId", sub.RequestID, "identity", s.name)
	for attempt := 1; ; attempt++ {
		rec, outcome, retry, err := l.planned(ctx, s, sub, attempt, log)
		if retry == "" || attempt > l.cfg.MaxRetries || ctx.Err() != nil {
			return rec, outcome, err
		}
		// Nothing of this attempt was written: a new plan and proposal, with the same request id, is safe.
		log.Warn("new proposal", "attempt", attempt, "reason", retry, "err", err)
		l.observer.Retried(sub.Function, retry)
		if l.sleep(ctx, backoff(attempt)) != nil {
			return rec, outcome, err
		}
	}
}

// planned makes one attempt of a submission: a plan as of now (the state may have changed since the
// last attempt, and with it whose keys are written), then, unless the request is decided, one
// proposal endorsed by the organizations the plan names.
func (l *Ledger) planned(ctx context.Context, s *signer, sub gateway.Submission, n int, log *slog.Logger) (*gateway.Receipt, string, string, error) {
	plan, err := l.plan(ctx, s, sub)
	if err != nil {
		retry := ""
		if e, ok := api.AsError(err); ok && e.Code == api.CodeUnavailable {
			retry = "plan-unavailable"
		}
		return nil, planFailed(err), retry, err
	}
	if plan.Decided != nil {
		rec, outcome, err := l.decided(ctx, s, *plan.Decided, n-1)
		return rec, outcome, "", err
	}
	orgs := sub.EndorsingOrgs
	if len(orgs) == 0 {
		orgs = plan.Endorsers
	}
	if len(orgs) == 0 && len(plan.AnyOf) > 0 {
		orgs = []api.MSPID{api.MSPIPOffice, pickAnyOf(api.MSPID(l.cfg.MSPID), plan.AnyOf, n)}
	}
	opts := []client.ProposalOption{client.WithArguments(append([]string{sub.RequestID}, sub.Args...)...)}
	if len(sub.Transient) > 0 {
		opts = append(opts, client.WithTransient(sub.Transient))
	}
	if len(orgs) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(mspIDs(orgs)...))
	}
	sub.EndorsingOrgs = orgs
	return l.attempt(ctx, s, sub, opts, n, log)
}

// attempt makes one proposal of a submission: endorse, send and (unless asynchronous) wait for the
// commit. It returns the outcome as final; retry names why a new proposal may still succeed (an
// endorsement mismatch, an unavailable peer, a lost race), "" when it cannot.
func (l *Ledger) attempt(ctx context.Context, s *signer, sub gateway.Submission, opts []client.ProposalOption,
	n int, log *slog.Logger) (rec *gateway.Receipt, outcome, retry string, err error) {
	proposal, err := s.contract.NewProposal(sub.Function, opts...)
	if err != nil {
		return nil, "error", "", classify(err, "")
	}
	txID := proposal.TransactionID()
	ectx, cancel := context.WithTimeout(ctx, l.cfg.EndorseTimeout)
	tx, err := proposal.EndorseWithContext(ectx)
	cancel()
	if err != nil {
		return l.endorseFailed(err, sub)
	}
	decision, ok := api.ParseOutcome(tx.Result())
	if !ok {
		return nil, "error", "", &api.Error{Code: api.CodeInternal, Message: "internal error",
			Cause: fmt.Errorf("%s answered no outcome: %.200s", sub.Function, tx.Result())}
	}
	if decision.Replay {
		// Decided since the plan (a concurrent repeat): this transaction writes nothing; not sent.
		rec, outcome, err := l.decided(ctx, s, decision, n)
		return rec, outcome, "", err
	}
	commit, err := l.send(ctx, s, tx, sub.Function, log)
	if err != nil {
		return nil, outcomeOf(err), "", err
	}
	if sub.Async && decision.Refusal == nil {
		return &gateway.Receipt{TxID: txID, Result: decision.Result, Attempts: n}, "submitted", "", nil
	}
	st, err := l.wait(ctx, tx, commit, sub.Function, log)
	if err != nil {
		return nil, outcomeOf(err), "", err
	}
	if !st.Successful {
		return invalidCommit(st.Code, txID, n)
	}
	if decision.Refusal != nil {
		// The refusal is kept under the request id now: the answer to every repeat.
		refusal := *decision.Refusal
		refusal.TxID, refusal.BlockNumber = txID, st.BlockNumber
		return nil, "refused", "", &refusal
	}
	return &gateway.Receipt{TxID: txID, BlockNumber: st.BlockNumber, Committed: true, Result: decision.Result,
		Attempts: n}, "committed", "", nil
}

// plan asks this organization's own peer for a dry run of the submission (the chaincode's
// PlanSubmission): the organizations whose endorsement its writes need (I1), which the peer's
// discovery does not know, or the decision of a request already decided (I3), which needs no
// transaction at all. What would decide nothing (forbidden, not found, invalid) is its error.
func (l *Ledger) plan(ctx context.Context, s *signer, sub gateway.Submission) (api.Plan, error) {
	var p api.Plan
	argv, err := json.Marshal(append([]string{sub.RequestID}, sub.Args...))
	if err != nil {
		return p, &api.Error{Code: api.CodeInternal, Message: "internal error", Cause: err}
	}
	opts := []client.ProposalOption{client.WithArguments(sub.Function, string(argv)),
		client.WithEndorsingOrganizations(l.cfg.MSPID)}
	if len(sub.Transient) > 0 {
		opts = append(opts, client.WithTransient(sub.Transient))
	}
	ctx, cancel := context.WithTimeout(ctx, l.cfg.EvaluateTimeout)
	defer cancel()
	raw, err := s.contract.EvaluateWithContext(ctx, api.PlanSubmission.Name, opts...)
	if err != nil {
		return p, classify(err, "")
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, &api.Error{Code: api.CodeInternal, Message: "internal error", Cause: fmt.Errorf("plan: %w: %.200s", err, raw)}
	}
	return p, nil
}

// pickAnyOf chooses the organization that endorses beside the IP office where a right's policy admits
// any of several: this gateway's own when it is one of them, else each attempt the next of them, so
// that an organization whose peers cannot be reached is passed over by the retry.
func pickAnyOf(own api.MSPID, anyOf []api.MSPID, attempt int) api.MSPID {
	if slices.Contains(anyOf, own) {
		return own
	}
	return anyOf[(attempt-1)%len(anyOf)]
}

// planFailed names the outcome of a submission whose plan failed.
func planFailed(err error) string {
	if e, ok := api.AsError(err); ok && e.Code != api.CodeInternal && e.Code != api.CodeUnavailable && e.Code != api.CodeTimeout {
		return "rejected"
	}
	return outcomeOf(err)
}

// decided answers a request decided by an earlier transaction (I3) without a new one: its result, or
// its refusal, with that transaction's id and block. The block is read from the commit status of that
// transaction on this organization's peer, which waits for the peer to commit it (an endorsement may
// have come from peers a block ahead); without it the answer is a COMMIT_TIMEOUT naming the
// transaction, never block 0.
func (l *Ledger) decided(ctx context.Context, s *signer, o api.Outcome, attempts int) (*gateway.Receipt, string, error) {
	c, err := l.commitOf(s, o.TxID)
	if err != nil {
		return nil, "error", classify(err, o.TxID)
	}
	cctx, cancel := context.WithTimeout(ctx, l.cfg.CommitTimeout)
	defer cancel()
	st, err := c.StatusWithContext(cctx)
	if err != nil {
		l.log.Warn("commit of a replayed request's transaction not seen", "txId", o.TxID, "err", err)
		return nil, "timeout", timeoutError(o.TxID)
	}
	if o.Refusal != nil {
		refusal := *o.Refusal
		refusal.TxID, refusal.BlockNumber = o.TxID, st.BlockNumber
		return nil, "replayed", &refusal
	}
	return &gateway.Receipt{TxID: o.TxID, BlockNumber: st.BlockNumber, Committed: true, Replay: true, Result: o.Result,
		Attempts: attempts}, "replayed", nil
}

// endorseFailed classifies a failed endorsement. Unavailable is worth a new proposal; so is an
// endorsement the gateway peer could not collect from the others, or one with no chaincode refusal:
// typically an endorsing peer has not committed the latest block of these keys yet and answered
// differently, which converges within a block time. After the retries the chaincode's error, if any,
// is the answer.
func (l *Ledger) endorseFailed(err error, sub gateway.Submission) (*gateway.Receipt, string, string, error) {
	e := classify(err, "")
	retry := ""
	switch {
	case e.Code == api.CodeUnavailable:
		retry = "endorse-unavailable"
	case grpcCode(err) == codes.Aborted && (e.Code == api.CodeInternal || endorsersDisagreed(err)) &&
		!refusedByAll(err, sub.EndorsingOrgs):
		retry = "endorse-mismatch"
	}
	switch e.Code {
	case api.CodeUnavailable:
		return nil, "unavailable", retry, e
	case api.CodeInternal:
		return nil, "error", retry, e
	}
	return nil, "rejected", retry, e
}

// invalidCommit answers a transaction that committed invalid. A lost race ([retriable]) is retried;
// once the retries are spent, a read conflict is its code (MVCC_READ_CONFLICT, …) to repeat with the same Idempotency-Key, while
// an endorsement-policy failure is no lost race (the endorsements do not satisfy the policy) and is
// reported, like any other code, as an invalid transaction.
func invalidCommit(vc peer.TxValidationCode, txID string, n int) (*gateway.Receipt, string, string, error) {
	code := vc.String()
	retry := ""
	if retriable(vc) {
		retry = code
		if vc != peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE {
			return nil, "conflict", retry, &api.Error{Code: api.Code(code), TxID: txID,
				Message: fmt.Sprintf("the transaction lost a race %d times (%s); repeat it with the same Idempotency-Key", n, code)}
		}
	}
	return nil, "invalid", retry, &api.Error{Code: api.CodeTxInvalid, TxID: txID,
		Message: "the transaction was committed invalid: " + code, Details: map[string]string{"validationCode": code}}
}

// endorsersDisagreed says whether the gateway peer endorsed but could not collect the other
// organizations' endorsements (as opposed to the chaincode refusing on the first endorser).
func endorsersDisagreed(err error) bool {
	return CollectFailed.In(status.Convert(err).Message())
}

// refusedByAll says whether every endorsing organization asked ran the chaincode and it refused the
// same way: then the endorsers agree, the refusal is the answer, and a new proposal would only be
// refused again (Fabric reports it as "failed to collect enough transaction endorsements" all the
// same). Without named endorsing organizations it cannot tell, and says no.
func refusedByAll(err error, orgs []api.MSPID) bool {
	if len(orgs) == 0 {
		return false
	}
	var first *api.Error
	refusing := map[api.MSPID]bool{}
	for _, d := range status.Convert(err).Details() {
		ed, ok := d.(*gwproto.ErrorDetail)
		if !ok {
			continue
		}
		refusal, ok := api.ParseError(ed.GetMessage())
		if !ok || refusal.Code == api.CodeInternal {
			return false
		}
		if first == nil {
			first = refusal
		} else if refusal.Code != first.Code || refusal.Message != first.Message {
			return false
		}
		refusing[api.MSPID(ed.GetMspId())] = true
	}
	for _, o := range orgs {
		if !refusing[o] {
			return false
		}
	}
	return first != nil
}

// retriable says whether a transaction that committed invalid with code lost a race, so that a new
// proposal (same request id) may succeed. Besides MVCC and phantom read conflicts this is
// ENDORSEMENT_POLICY_FAILURE: the chaincode sets a key-level policy on every key it writes, and Fabric
// invalidates a transaction that writes a key whose validation parameter an earlier transaction of the
// same block updated with that code (ValidationParameterUpdatedError), not with MVCC_READ_CONFLICT. A
// real policy failure is retried in vain, at most cfg.MaxRetries times.
func retriable(code peer.TxValidationCode) bool {
	switch code {
	case peer.TxValidationCode_MVCC_READ_CONFLICT, peer.TxValidationCode_PHANTOM_READ_CONFLICT,
		peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE:
		return true
	}
	return false
}

func outcomeOf(err error) string {
	if e, ok := api.AsError(err); ok {
		switch e.Code {
		case api.CodeTimeout:
			return "timeout"
		case api.CodeUnavailable:
			return "unavailable"
		}
	}
	return "error"
}

// send submits an endorsed transaction to the orderer. When the submit fails so that the transaction
// may have been ordered, the same transaction id's commit status is checked, and the same signed
// transaction is sent again: it is never endorsed again.
func (l *Ledger) send(ctx context.Context, s *signer, tx *client.Transaction, function string, log *slog.Logger) (*client.Commit, error) {
	txID := tx.TransactionID()
	deadline := time.Now().Add(l.cfg.CommitTimeout)
	for n := 1; ; n++ {
		sctx, cancel := context.WithTimeout(ctx, l.cfg.EndorseTimeout)
		commit, err := tx.SubmitWithContext(sctx)
		cancel()
		if err == nil {
			return commit, nil
		}
		if !mayHaveBeenOrdered(err) {
			e := classify(err, txID)
			if e.Code == api.CodeInternal {
				e.Message = "the orderer refused the transaction: " + e.Message
			}
			return nil, e
		}
		log.Warn("submit failed; checking the transaction before sending it again", "txId", txID, "attempt", n, "err", err)
		c, cerr := l.commitOf(s, txID)
		if cerr != nil {
			return nil, classify(cerr, txID)
		}
		pctx, cancel := context.WithTimeout(ctx, min(statusProbe, time.Until(deadline)))
		_, serr := c.StatusWithContext(pctx)
		cancel()
		if serr == nil {
			return c, nil // it was ordered and committed: wait() reads its status again at once
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, timeoutError(txID)
		}
		l.observer.Retried(function, "resubmit")
		if l.sleep(ctx, backoff(n)) != nil {
			return nil, timeoutError(txID)
		}
	}
}

// wait reads the commit status, through broken connections, until the commit timeout. While no
// commit comes, it sends the same signed transaction again every resubmitAfter.
func (l *Ledger) wait(ctx context.Context, tx *client.Transaction, commit *client.Commit, function string, log *slog.Logger) (*client.Status, error) {
	txID := commit.TransactionID()
	ctx, cancel := context.WithTimeout(ctx, l.cfg.CommitTimeout)
	defer cancel()
	for n := 1; ; n++ {
		wctx, wcancel := context.WithTimeout(ctx, resubmitAfter)
		st, err := commit.StatusWithContext(wctx)
		wcancel()
		if err == nil {
			return st, nil
		}
		if ctx.Err() != nil {
			return nil, timeoutError(txID)
		}
		if wctx.Err() != nil || grpcCode(err) == codes.DeadlineExceeded {
			log.Warn("no commit yet; sending the same transaction again", "txId", txID, "after", resubmitAfter)
			l.observer.Retried(function, "resubmit")
			sctx, scancel := context.WithTimeout(ctx, l.cfg.EndorseTimeout)
			if _, err := tx.SubmitWithContext(sctx); err != nil {
				log.Warn("sending again failed; still waiting for the commit", "txId", txID, "err", err)
			}
			scancel()
			continue
		}
		if grpcCode(err) != codes.Unavailable {
			return nil, classify(err, txID)
		}
		log.Warn("commit status unavailable, asking again", "txId", txID, "attempt", n, "err", err)
		if l.sleep(ctx, backoff(n)) != nil {
			return nil, timeoutError(txID)
		}
	}
}

func timeoutError(txID string) *api.Error {
	return &api.Error{Code: api.CodeTimeout, TxID: txID,
		Message: "the transaction was submitted but its commit was not seen in time; poll GET /v1/transactions/" + txID}
}

// commitOf makes a commit status request for a transaction id, signed by s when it is used.
func (l *Ledger) commitOf(s *signer, txID string) (*client.Commit, error) {
	creator, err := proto.Marshal(serializedIdentity(s))
	if err != nil {
		return nil, err
	}
	req, err := proto.Marshal(&gwproto.CommitStatusRequest{ChannelId: l.cfg.Channel, TransactionId: txID, Identity: creator})
	if err != nil {
		return nil, err
	}
	raw, err := proto.Marshal(&gwproto.SignedCommitStatusRequest{Request: req})
	if err != nil {
		return nil, err
	}
	return s.gw.NewCommit(raw)
}

// mspIDs are the organizations' names as the Fabric Gateway client takes them.
func mspIDs(orgs []api.MSPID) []string {
	out := make([]string, len(orgs))
	for i, o := range orgs {
		out[i] = string(o)
	}
	return out
}
