package httpapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/gateway"
)

// submitResult is the answer to a submission.
type submitResult struct {
	ID          string          `json:"id,omitempty"`
	TxID        string          `json:"txId"`
	BlockNumber *uint64         `json:"blockNumber,omitempty"`
	RequestID   string          `json:"requestId"`
	Status      string          `json:"status"`
	Attempts    int             `json:"attempts"`
	Replay      bool            `json:"replay,omitempty"`
	Result      json.RawMessage `json:"result,omitempty"`
}

// submit handles the route of a submitting operation: the validated body becomes the chaincode payload
// (normalized, so that a repeated request hashes the same), the Idempotency-Key the request id.
func (s *Server) submit(op api.Op) gin.HandlerFunc {
	return func(c *gin.Context) {
		caller := callerOf(c)
		// Required by the OpenAPI document, so the validator has refused a request without it.
		requestID := c.GetHeader("Idempotency-Key")
		c.Header("Idempotency-Key", requestID)
		sub, err := s.submission(c, op, requestID)
		if err != nil {
			abort(c, err)
			return
		}
		// A client that hangs up does not stop a submission half-way: it runs to its own timeouts, and
		// a graceful shutdown waits for it.
		rec, err := s.opts.Ledger.Submit(context.WithoutCancel(c.Request.Context()), caller.Name, sub)
		if err != nil {
			abort(c, err)
			return
		}
		c.Set(ctxTxID, rec.TxID)
		s.answerSubmission(c, op, sub, requestID, rec)
	}
}

// submission builds the chaincode submission of a request: path arguments and the payload (its "terms",
// or a valuation report's "valuation", moved to the transient map: api.Op.TransientField). Who must
// endorse it, the
// ledger learns from the chaincode's dry run of it.
func (s *Server) submission(c *gin.Context, op api.Op, requestID string) (gateway.Submission, error) {
	sub := gateway.Submission{Function: op.Name, RequestID: requestID, Async: preferAsync(c.GetHeader("Prefer"))}
	for _, a := range op.Args {
		switch a.In {
		case api.InPath:
			sub.Args = append(sub.Args, c.Param(a.Param))
		case api.InBody:
			payload, transient, err := payloadOf(c.GetString(ctxBody), op.TransientField(), s.termsSalt(requestID))
			if err != nil {
				return sub, err
			}
			sub.Args, sub.Transient = append(sub.Args, payload), transient
		}
	}
	return sub, nil
}

// answerSubmission answers 200 (committed), 201 with a Location (a new record) or 202 (asynchronous).
func (s *Server) answerSubmission(c *gin.Context, op api.Op, sub gateway.Submission, requestID string, rec *gateway.Receipt) {
	out := submitResult{TxID: rec.TxID, RequestID: requestID, Attempts: rec.Attempts, Replay: rec.Replay}
	if len(rec.Result) > 0 && json.Valid(rec.Result) {
		out.Result = rec.Result
		var id struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(rec.Result, &id)
		out.ID = id.ID
	}
	if out.ID == "" && c.Param("id") != "" {
		out.ID = c.Param("id")
	}
	status := http.StatusOK
	switch {
	case sub.Async && !rec.Committed: // a replay is answered as committed, async or not
		out.Status = "submitted"
		status = http.StatusAccepted
		c.Header("Location", "/v1/transactions/"+rec.TxID)
	default:
		out.Status = "committed"
		bn := rec.BlockNumber
		out.BlockNumber = &bn
		s.noteCommitted(bn)
		if op.Creates {
			status = http.StatusCreated
			if out.ID != "" {
				c.Header("Location", op.Path+"/"+out.ID)
			}
		}
	}
	c.JSON(status, out)
}

// preferAsync reads RFC 7240's Prefer: respond-async.
func preferAsync(h string) bool {
	for _, p := range strings.Split(h, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(p), ";")
		if strings.EqualFold(strings.TrimSpace(name), "respond-async") {
			return true
		}
	}
	return false
}

// termsSalt is the salt of private terms sent without one (V2): HMAC-SHA256 keyed with the gateway's
// 256-bit secret salt key over the MSP id and the request id, 256 bits. It is the same for every
// repeat of one request by any user of the organization (request ids are the organization's, I3), so a
// retry with the same Idempotency-Key carries the same terms and the chaincode answers the first
// decision; a salt drawn afresh would have to be stored and shared by the organization's gateways.
// HMAC being a pseudorandom function, to anyone without the key (a member reading termsHash) the salt
// is indistinguishable from 256 random bits; whoever steals the key can recompute it from the request
// id in the block, so the key is kept like a private key (docs/terms-hash.md, "The salt"). Every
// gateway of one organization must hold the same salt key. Without a salt key (tests), it is random.
func (s *Server) termsSalt(requestID string) string {
	if len(s.opts.SaltKey) == 0 {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	mac := hmac.New(sha256.New, s.opts.SaltKey)
	mac.Write([]byte(s.opts.MSPID + "\x00" + requestID))
	return hex.EncodeToString(mac.Sum(nil))
}

// payloadOf normalizes the body into the chaincode's payload: keys sorted, numbers kept as written.
// With a transient field ("terms", "valuation"), that field of the body leaves the payload for the
// transient map under the same key, with salt as its salt when the client gave none (V2, F2).
func payloadOf(body, field, salt string) (string, map[string][]byte, error) {
	if strings.TrimSpace(body) == "" {
		return "{}", nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return "", nil, api.Errorf(api.CodeMalformed, "the body must be a JSON object")
	}
	var transient map[string][]byte
	if t, ok := doc[field]; ok && field != "" {
		delete(doc, field)
		if m, ok := t.(map[string]any); ok {
			if _, has := m["salt"]; !has {
				m["salt"] = salt
			}
		}
		raw, err := marshal(t)
		if err != nil {
			return "", nil, err
		}
		transient = map[string][]byte{field: raw}
	}
	raw, err := marshal(doc)
	if err != nil {
		return "", nil, err
	}
	return string(raw), transient, nil
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, api.Errorf(api.CodeMalformed, "the body could not be encoded")
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
