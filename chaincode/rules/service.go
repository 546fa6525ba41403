package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Version is the chaincode version string returned by Ping. It is a variable so that a build can set
// it (-ldflags "-X github.com/ipledger/ipledger/chaincode/rules.Version=..."): the gateway serves reads
// from its read model only while the chaincode's Ping answers the Version it was built with.
var Version = "ipledger-cc/1.0.0"

// Object types of composite keys. Records: asset, pledge, transfer, request. Indexes hold an empty-ish
// value (one zero byte) and exist only to be scanned.
const (
	keyAsset             = "asset"
	keyPledge            = "pledge"
	keyTransfer          = "transfer"
	keyRequest           = "request"
	idxAssetNumber       = "asset-by-number"       // kind, number, assetId
	idxAssetFamily       = "asset-by-family"       // markFamily, assetId
	idxPledgeAsset       = "pledge-by-asset"       // assetId, pledgeId
	idxPledgePledgee     = "pledge-by-pledgee"     // pledgee MSP, pledgeId
	idxPledgeStatus      = "pledge-by-status"      // status, pledgeId
	idxPledgeRegNumber   = "pledge-by-regnumber"   // registration number, pledgeId
	idxTransferAsset     = "transfer-by-asset"     // assetId, transferId
	idxTransferRequester = "transfer-by-requester" // requesting MSP, transferId
	keyPendingDisposal   = "pending-disposal"      // assetId → the disposal's transfer to the buyer (P8)
)

// chinaTime is the time zone of dates on the register (UTC+8, no daylight saving).
var chinaTime = time.FixedZone("UTC+8", 8*3600)

// Service runs the rules for one transaction. Make one per transaction with [New].
type Service struct {
	l         Ledger
	tx        Tx
	requestID string
	decidedBy string // the transaction that decided the request submitted: this one, an earlier one, "" for none
}

// New returns the rules bound to one transaction.
func New(l Ledger, tx Tx) *Service { return &Service{l: l, tx: tx} }

// Ping answers readiness checks with the chaincode version. It reads nothing and admits anyone.
func Ping() (string, error) { return Version, nil }

func (s *Service) now() string { return s.tx.Time.UTC().Format(time.RFC3339Nano) }

// today is the transaction's date on the register's calendar (UTC+8).
func (s *Service) today() string { return s.tx.Time.In(chinaTime).Format(time.DateOnly) }

func (s *Service) change(action string) api.Change {
	return api.Change{Action: action, MSP: s.tx.Caller.MSP, RequestID: s.requestID,
		Submitter: s.tx.Caller.Submitter, Time: s.now(), TxID: s.tx.ID}
}

// submit runs one state-changing operation with idempotency (I3) and its event (I2). The caller's
// right to call function is checked first, then the request id is looked up: a repeat with the same
// function and payload answers the stored decision and writes nothing; a repeat with another function
// or payload is refused (I3). A decision is a result or a refusal under a rule (a rule-coded error of
// run): both are stored under the request id, so a request refused once stays refused. Other errors
// (forbidden, not found, invalid) decide nothing and store nothing. run's writes are held back until it
// succeeds: a refused run leaves only its refusal on the ledger.
func (s *Service) submit(function, requestID, payload string, authorize func() error,
	run func() (any, api.Event, error)) (string, error) {
	if err := ValidateRequestID(requestID); err != nil {
		return "", err
	}
	if err := authorize(); err != nil {
		return "", err
	}
	// Request ids are per organization: two organizations never collide or see each other's outcomes.
	reqKey := CompositeKey(keyRequest, string(s.tx.Caller.MSP), requestID)
	sum := sha256.Sum256([]byte(function + "\x00" + payload))
	payloadHash := hex.EncodeToString(sum[:])
	var first RequestRecord
	found, err := s.get(reqKey, &first)
	if err != nil {
		return "", err
	}
	if found {
		if first.Function != function || first.PayloadHash != payloadHash {
			return "", api.Conflict("I3", "request id was already used for a different request",
				"requestId", requestID, "firstTxId", first.TxID)
		}
		s.decidedBy = first.TxID
		if first.Refusal != nil {
			return "", first.Refusal
		}
		return first.Response, nil
	}
	s.requestID = requestID
	return s.decide(reqKey, RequestRecord{Function: function, PayloadHash: payloadHash, Time: s.now(), TxID: s.tx.ID}, run)
}

// decide runs a request not decided before and keeps its decision under reqKey: its result with its
// writes and event, or a refusal under a rule alone; any other error decides nothing.
func (s *Service) decide(reqKey string, rec RequestRecord, run func() (any, api.Event, error)) (string, error) {
	held := &heldWrites{Ledger: s.l}
	s.l = held
	resp, ev, err := run()
	s.l = held.Ledger
	if err != nil {
		return "", s.refuse(reqKey, rec, err)
	}
	body, err := json.Marshal(resp)
	if err != nil {
		return "", internal("marshal response", err)
	}
	if err := held.release(); err != nil {
		return "", s.refuse(reqKey, rec, err) // a private write refused before any public one
	}
	rec.Response = string(body)
	if err := s.put(reqKey, rec, api.RightEndorsement); err != nil {
		return "", err
	}
	s.decidedBy = s.tx.ID
	ev.MSP, ev.RequestID, ev.Submitter, ev.Time, ev.TxID = s.tx.Caller.MSP, s.requestID, s.tx.Caller.Submitter, s.now(), s.tx.ID
	if ev.AssetIDs == nil {
		ev.AssetIDs = []string{}
	}
	evBody, err := json.Marshal(ev)
	if err != nil {
		return "", internal("marshal event", err)
	}
	if err := s.l.SetEvent(ev.Type, evBody); err != nil {
		return "", internal("set event", err)
	}
	return string(body), nil
}

// refuse keeps err under reqKey when it is a refusal under a rule, and returns it; any other error
// decides nothing.
func (s *Service) refuse(reqKey string, rec RequestRecord, err error) error {
	refusal, ok := api.AsError(err)
	if !ok || !refusal.Code.IsRule() {
		return err
	}
	rec.Refusal = refusal
	if err := s.put(reqKey, rec, api.RightEndorsement); err != nil {
		return err
	}
	s.decidedBy = s.tx.ID
	return refusal
}

// Outcome turns what a submission returned into the chaincode's answer (I3): a decision — its result
// or its refusal, with the transaction that decided it and whether that was an earlier one — or, when
// nothing was decided, the error itself.
func (s *Service) Outcome(result string, err error) (string, error) {
	if s.decidedBy == "" {
		if err == nil {
			err = internal("submission", errors.New("no decision was recorded"))
		}
		return "", err
	}
	o := api.Outcome{Replay: s.decidedBy != s.tx.ID, TxID: s.decidedBy}
	if err != nil {
		refusal, ok := api.AsError(err)
		if !ok {
			return "", err
		}
		o.Refusal = refusal
	} else {
		o.Result = json.RawMessage(result)
	}
	return marshal(o)
}

// Decided says whether this transaction decided its request and must be committed for the decision
// to be kept: a result or a refusal made now, not a replay and not an error that decides nothing.
func (s *Service) Decided() bool { return s.decidedBy != "" && s.decidedBy == s.tx.ID }

// heldWrites holds a running operation's writes back until it succeeds (release); a refused
// operation's are dropped with it. Reads go to the ledger, which does not show a transaction its own
// writes anyway.
type heldWrites struct {
	Ledger
	private []func() error // private writes, made first
	writes  []func() error
}

func (h *heldWrites) PutState(key string, value []byte) error {
	h.writes = append(h.writes, func() error { return h.Ledger.PutState(key, value) })
	return nil
}

func (h *heldWrites) DelState(key string) error {
	h.writes = append(h.writes, func() error { return h.Ledger.DelState(key) })
	return nil
}

func (h *heldWrites) SetEndorsement(key string, e api.Endorsement) error {
	h.writes = append(h.writes, func() error { return h.Ledger.SetEndorsement(key, e) })
	return nil
}

// PutPrivate holds a private write; released before the public ones, so that a collection the
// definition lacks refuses the request (P1 no-terms-collection) before anything public is written.
func (h *heldWrites) PutPrivate(collection, key string, value []byte) error {
	h.private = append(h.private, func() error {
		if err := h.Ledger.PutPrivate(collection, key, value); err != nil {
			return privateWriteError(collection, err)
		}
		return nil
	})
	return nil
}

func (h *heldWrites) SetEvent(string, []byte) error {
	return errors.New("an operation's event is set by submit")
}

// release makes the held writes, in order.
func (h *heldWrites) release() error {
	for _, w := range h.private {
		if err := w(); err != nil {
			return err
		}
	}
	for _, w := range h.writes {
		if err := w(); err != nil {
			return internal("write", err)
		}
	}
	return nil
}

// termsFingerprint makes the private terms sent in the transient map part of what a request id
// stands for (I3), without revealing them: the hash of the terms as sent, their random salt included.
// A repeat of a request id with other terms is then refused, not answered with the first outcome.
func (s *Service) termsFingerprint() string { return s.transientFingerprint(api.TransientTermsKey) }

// transientFingerprint is termsFingerprint for the private value under any transient key (a valuation
// report's, F2).
func (s *Service) transientFingerprint(key string) string {
	raw, ok := s.tx.Transient[key]
	if !ok {
		return ""
	}
	sum := sha256.Sum256(raw)
	return "\x00" + key + ":" + hex.EncodeToString(sum[:])
}

// get reads and decodes a record; found is false when the key does not exist.
func (s *Service) get(key string, v any) (bool, error) {
	raw, err := s.l.GetState(key)
	if err != nil {
		return false, internal("get state", err)
	}
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, internal("decode record", err)
	}
	return true, nil
}

// put writes a record and its key-level endorsement policy (I1).
func (s *Service) put(key string, v any, policy api.Endorsement) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return internal("encode record", err)
	}
	if err := s.l.PutState(key, raw); err != nil {
		return internal("put state", err)
	}
	if err := s.l.SetEndorsement(key, policy); err != nil {
		return internal("set endorsement", err)
	}
	return nil
}

// putIndex writes an index entry with the policy of the record it indexes.
func (s *Service) putIndex(policy api.Endorsement, objectType string, attrs ...string) error {
	key := CompositeKey(objectType, attrs...)
	if err := s.l.PutState(key, []byte{0}); err != nil {
		return internal("put index", err)
	}
	if err := s.l.SetEndorsement(key, policy); err != nil {
		return internal("set endorsement", err)
	}
	return nil
}

func (s *Service) delIndex(objectType string, attrs ...string) error {
	if err := s.l.DelState(CompositeKey(objectType, attrs...)); err != nil {
		return internal("delete index", err)
	}
	return nil
}

func (s *Service) exists(key string) (bool, error) {
	raw, err := s.l.GetState(key)
	if err != nil {
		return false, internal("get state", err)
	}
	return raw != nil, nil
}

// derivedID makes a record id from the transaction id, so every endorsing peer assigns the same one.
func (s *Service) derivedID(prefix string) string {
	id := s.tx.ID
	if len(id) > 24 {
		id = id[:24]
	}
	return prefix + id
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", internal("marshal", err)
	}
	return string(b), nil
}
