package httpapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
)

// operation maps one submitting route onto a chaincode transaction.
type operation struct {
	// function is the chaincode transaction.
	function string
	// param is the path parameter passed after the request id ("" for none).
	param string
	// created answers 201 with a Location under location.
	created  bool
	location string
	// terms moves the body's "terms" into the transient map (V2).
	terms bool
	// endorsers names the organizations that must endorse, where discovery cannot know them.
	endorsers func(s *Server, c *gin.Context, caller gateway.Caller) ([]string, error)
}

// The endorsement the chaincode sets (rule I1; docs/chaincode.md): keys of a pledge need the IP
// office and that pledgee bank (state-based endorsement), which discovery does not know; the terms are
// private data of the pledgee's collection, of which the IP office is a member. Rights, transfers and
// new keys need the IP office and one more organization, which the chaincode definition's policy
// already says, so discovery finds them.
var (
	registerAsset     = operation{function: "RegisterAsset", created: true, location: "/v1/assets/"}
	updateAsset       = operation{function: "UpdateAsset", param: "id"}
	applyPledge       = operation{function: "ApplyPledge", created: true, location: "/v1/pledges/", terms: true, endorsers: callerBank}
	registerPledge    = operation{function: "RegisterPledge", param: "id", endorsers: pledgeeOf}
	refusePledge      = operation{function: "RefusePledge", param: "id", endorsers: pledgeeOf}
	revokePledge      = operation{function: "RevokePledge", param: "id", endorsers: pledgeeOf}
	amendPledge       = operation{function: "AmendPledge", param: "id", terms: true, endorsers: callerBank}
	extendPledge      = operation{function: "ExtendPledge", param: "id", endorsers: callerBank}
	releasePledge     = operation{function: "ReleasePledge", param: "id", endorsers: callerBank}
	declareDefault    = operation{function: "DeclareDefault", param: "id", endorsers: callerBank}
	disposePledge     = operation{function: "DisposePledge", param: "id", endorsers: pledgeeOf}
	requestTransfer   = operation{function: "RequestTransfer", created: true, location: "/v1/transfers/"}
	consentToTransfer = operation{function: "ConsentToTransfer", param: "id", endorsers: callerBank}
	recordTransfer    = operation{function: "RecordTransfer", param: "id"}
	refuseTransfer    = operation{function: "RefuseTransfer", param: "id"}
)

// callerBank: the IP office and the calling bank (the pledgee of what it files). For any other caller
// the chaincode refuses, and discovery may choose.
func callerBank(_ *Server, _ *gin.Context, caller gateway.Caller) ([]string, error) {
	if !rules.IsBank(caller.MSPID) {
		return nil, nil
	}
	return []string{rules.MSPIPOffice, caller.MSPID}, nil
}

// pledgeeOf: the IP office and the pledgee bank of the pledge in the path, read from the ledger.
func pledgeeOf(s *Server, c *gin.Context, caller gateway.Caller) ([]string, error) {
	raw, err := s.opts.Ledger.Evaluate(c.Request.Context(), caller.Name, "GetPledge", c.Param("id"))
	if err != nil {
		return nil, err
	}
	var p struct {
		Pledgee rules.Pledgee `json:"pledgee"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.Pledgee.MSP == "" {
		return nil, &gateway.Error{Status: http.StatusInternalServerError, Code: gateway.CodeInternal,
			Message: "internal error", Cause: fmt.Errorf("pledge %s has no pledgee: %s", c.Param("id"), raw)}
	}
	return []string{rules.MSPIPOffice, p.Pledgee.MSP}, nil
}

// submitResult is the answer to a submission.
type submitResult struct {
	ID          string          `json:"id,omitempty"`
	TxID        string          `json:"txId"`
	BlockNumber *uint64         `json:"blockNumber,omitempty"`
	RequestID   string          `json:"requestId"`
	Status      string          `json:"status"`
	Attempts    int             `json:"attempts"`
	Result      json.RawMessage `json:"result,omitempty"`
}

// submit handles a submitting route: the validated body becomes the chaincode payload (normalized,
// so that a repeated request hashes the same), the Idempotency-Key the request id.
func (s *Server) submit(op operation) gin.HandlerFunc {
	return func(c *gin.Context) {
		caller := callerOf(c)
		// Required by the OpenAPI document, so the validator has refused a request without it.
		requestID := c.GetHeader("Idempotency-Key")
		payload, transient, err := payloadOf(c.GetString(ctxBody), op.terms, s.termsSalt(caller.Name, requestID))
		if err != nil {
			abort(c, err)
			return
		}
		c.Header("Idempotency-Key", requestID)
		sub := gateway.Submission{Function: op.function, RequestID: requestID, Transient: transient,
			Async: preferAsync(c.GetHeader("Prefer"))}
		if op.param != "" {
			sub.Args = append(sub.Args, c.Param(op.param))
		}
		sub.Args = append(sub.Args, payload)
		if op.endorsers != nil {
			orgs, err := op.endorsers(s, c, caller)
			if err != nil {
				abort(c, err)
				return
			}
			sub.EndorsingOrgs = orgs
		}
		// A client that hangs up does not stop a submission half-way: it runs to its own timeouts, and
		// a graceful shutdown waits for it.
		ctx := context.WithoutCancel(c.Request.Context())
		rec, err := s.opts.Ledger.Submit(ctx, caller.Name, sub)
		if err != nil {
			abort(c, err)
			return
		}
		c.Set(ctxTxID, rec.TxID)
		out := submitResult{TxID: rec.TxID, RequestID: requestID, Attempts: rec.Attempts, Result: nil}
		if len(rec.Result) > 0 && json.Valid(rec.Result) {
			out.Result = rec.Result
			var id struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(rec.Result, &id)
			out.ID = id.ID
		}
		if out.ID == "" && op.param != "" {
			out.ID = c.Param(op.param)
		}
		status := http.StatusOK
		switch {
		case sub.Async:
			out.Status = "submitted"
			status = http.StatusAccepted
			c.Header("Location", "/v1/transactions/"+rec.TxID)
		default:
			out.Status = "committed"
			bn := rec.BlockNumber
			out.BlockNumber = &bn
			if op.created {
				status = http.StatusCreated
				if out.ID != "" {
					c.Header("Location", op.location+out.ID)
				}
			}
		}
		c.JSON(status, out)
	}
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

// termsSalt is the salt of private terms sent without one (V2). It is secret (keyed with the
// gateway's salt key) and the same for every repeat of one request, so a retry with the same
// Idempotency-Key carries the same terms and the chaincode returns the first outcome (I3). Without a
// salt key (tests), it is random.
func (s *Server) termsSalt(identity, requestID string) string {
	if len(s.opts.SaltKey) == 0 {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	mac := hmac.New(sha256.New, s.opts.SaltKey)
	mac.Write([]byte(s.opts.MSPID + "\x00" + identity + "\x00" + requestID))
	return hex.EncodeToString(mac.Sum(nil))
}

// payloadOf normalizes the body into the chaincode's payload: keys sorted, numbers kept as written.
// With terms, the body's "terms" leave the payload for the transient map, with salt as their salt
// when the client gave none (V2).
func payloadOf(body string, terms bool, salt string) (string, map[string][]byte, error) {
	if strings.TrimSpace(body) == "" {
		return "{}", nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return "", nil, gateway.Errorf(http.StatusBadRequest, gateway.CodeMalformed, "the body must be a JSON object")
	}
	var transient map[string][]byte
	if t, ok := doc["terms"]; ok && terms {
		delete(doc, "terms")
		if m, ok := t.(map[string]any); ok {
			if _, has := m["salt"]; !has {
				m["salt"] = salt
			}
		}
		raw, err := marshal(t)
		if err != nil {
			return "", nil, err
		}
		transient = map[string][]byte{rules.TransientTermsKey: raw}
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
		return nil, gateway.Errorf(http.StatusBadRequest, gateway.CodeMalformed, "the body could not be encoded")
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
