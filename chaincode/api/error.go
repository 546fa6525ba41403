package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Code says what kind of failure an [Error] is. A refusal under a domain rule carries the rule id
// itself (A1 … I3, see docs/domain-rules.md) as its code; the other codes are below. Codes are the
// whole contract: what HTTP status answers a code is decided by the HTTP layer alone.
type Code string

// Codes the chaincode returns besides rule ids.
const (
	CodeForbidden       Code = "FORBIDDEN"        // the caller's organization or role may not do this
	CodeNotFound        Code = "NOT_FOUND"        // the record does not exist
	CodeInvalidArgument Code = "INVALID_ARGUMENT" // a field is wrong; details.field is its JSON path
	CodeMalformed       Code = "MALFORMED"        // not well-formed JSON of the expected shape
	CodeInternal        Code = "INTERNAL"         // a ledger or encoding failure; no detail for clients
	// CodeClockSkew is rule I4: the proposal's timestamp is too far from the endorsing peer's clock.
	// Not a decision: nothing is kept under the request id.
	CodeClockSkew Code = "CLOCK_SKEW"
)

// Codes the gateway adds for what happens around the chaincode.
const (
	CodeUnauthenticated  Code = "UNAUTHENTICATED"    // no or unknown API key
	CodeTooLarge         Code = "PAYLOAD_TOO_LARGE"  // the body exceeds the gateway's limit
	CodeMethodNotAllowed Code = "METHOD_NOT_ALLOWED" // the path exists, the method does not
	// CodeTxInvalid: the transaction committed invalid (details.validationCode says why) and was not
	// retried.
	CodeTxInvalid   Code = "TRANSACTION_INVALID"
	CodeUnavailable Code = "UNAVAILABLE"    // the peer, orderers or chaincode cannot be reached
	CodeTimeout     Code = "COMMIT_TIMEOUT" // submitted but no commit seen in time: poll the tx id
	// CodeRateLimited: over a rate limit of the gateway (per API key, or per address for requests
	// without a valid key) or over its cap of event streams per key; Retry-After says when to retry.
	CodeRateLimited Code = "RATE_LIMITED"
	// CodeBeforeSnapshot: the gateway's peer joined the channel from a snapshot and has no block before
	// it; the transaction (or a proof's) is older. details.firstBlock is the peer's first block.
	CodeBeforeSnapshot Code = "BEFORE_SNAPSHOT"
	// CodeReadConflict and CodePhantomConflict: the transaction lost a race more often than the
	// gateway retries; repeating it with the same request id is safe.
	CodeReadConflict    Code = "MVCC_READ_CONFLICT"
	CodePhantomConflict Code = "PHANTOM_READ_CONFLICT"
)

// IsRule says whether c is a rule id (a capital letter and a number: A1, P5, T3, I3, …).
func (c Code) IsRule() bool {
	if len(c) < 2 || len(c) > 3 || c[0] < 'A' || c[0] > 'Z' {
		return false
	}
	for _, d := range c[1:] {
		if d < '0' || d > '9' {
			return false
		}
	}
	return true
}

// Error is every refusal or failure a client is told of, by the chaincode or the gateway. The
// chaincode returns it as its error text, the JSON document itself, so that what reaches the gateway
// through the peer can be parsed back with [ParseError]:
//
//	{"code":"P4","message":"...","details":{"assetId":"...","reason":"frozen"}}
//
// TxID names the transaction, when one exists, and BlockNumber its block when it committed (a
// refusal kept under its request id, rule I3); the gateway sets them, the chaincode never does. Cause
// is for logs only and never serialized.
type Error struct {
	Code        Code              `json:"code"`
	Message     string            `json:"message"`
	Details     map[string]string `json:"details,omitempty"`
	TxID        string            `json:"txId,omitempty"`
	BlockNumber uint64            `json:"blockNumber,omitempty"`
	Cause       error             `json:"-"`
}

// Error returns the JSON form of e (encoding/json sorts map keys, so the text is deterministic),
// followed by the cause, when there is one.
func (e *Error) Error() string {
	b, err := json.Marshal(e)
	if err != nil { // cannot happen: only strings
		b = fmt.Appendf(nil, `{"code":%q,"message":%q}`, e.Code, e.Message)
	}
	if e.Cause != nil {
		return string(b) + ": " + e.Cause.Error()
	}
	return string(b)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// ParseError finds the JSON error document in msg and decodes it. The peer and the gateway client may
// wrap the chaincode's message in their own text, so ParseError looks for the first '{"code":'.
// A document counts only with a code and a message.
func ParseError(msg string) (*Error, bool) {
	for i := strings.Index(msg, `{"code":`); i >= 0; {
		var e Error
		if err := json.NewDecoder(strings.NewReader(msg[i:])).Decode(&e); err == nil && e.Code != "" && e.Message != "" {
			return &e, true
		}
		next := strings.Index(msg[i+1:], `{"code":`)
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return nil, false
}

// AsError returns err as an *Error when it is (or wraps) one.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Errorf makes an [*Error] with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Conflict is a refusal under a domain rule; rule is its id.
func Conflict(rule Code, message string, kv ...string) *Error {
	return &Error{Code: rule, Message: message, Details: pairs(kv)}
}

// Forbidden refuses a caller whose organization or role may not do this. rule names the rule that
// grants the right (A1, P6, V3, …) and goes into details.rule.
func Forbidden(rule Code, message string, kv ...string) *Error {
	return &Error{Code: CodeForbidden, Message: message, Details: pairs(append([]string{"rule", string(rule)}, kv...))}
}

// NotFound says a record does not exist.
func NotFound(kind, id string) *Error {
	return &Error{Code: CodeNotFound, Message: kind + " not found", Details: map[string]string{"kind": kind, "id": id}}
}

// Invalid rejects a field; field is its JSON path, e.g. "owners[1].share", and leads the message. An
// empty field rejects the payload as a whole (an empty patch, say), and the message is left as it is.
func Invalid(field, message string) *Error {
	if field != "" {
		message = field + ": " + message
	}
	return &Error{Code: CodeInvalidArgument, Message: message, Details: map[string]string{"field": field}}
}

// Malformed rejects input that is not well-formed JSON of the expected shape.
func Malformed(message string, kv ...string) *Error {
	return &Error{Code: CodeMalformed, Message: message, Details: pairs(kv)}
}

func pairs(kv []string) map[string]string {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
