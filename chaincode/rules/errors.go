package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Codes that are not rule ids. A rule refusal carries the rule id itself (A1 … I3) as its code.
const (
	CodeForbidden       = "FORBIDDEN"
	CodeNotFound        = "NOT_FOUND"
	CodeInvalidArgument = "INVALID_ARGUMENT"
	CodeMalformed       = "MALFORMED"
	CodeInternal        = "INTERNAL"
)

// HTTP-like statuses carried in [Error.Status]; the gateway maps them one to one.
const (
	StatusMalformed = 400
	StatusForbidden = 403
	StatusNotFound  = 404
	StatusConflict  = 409
	StatusInvalid   = 422
	StatusInternal  = 500
)

// Error is every refusal or validation error the chaincode returns to a client. Its Error() text is the
// JSON document itself, so the message that reaches the gateway through the peer can be parsed back with
// [ParseError]:
//
//	{"code":"P4","status":409,"message":"...","details":{"assetId":"...","reason":"frozen"}}
//
// Code is a rule id (A1…I3, status 409), FORBIDDEN (403), NOT_FOUND (404), INVALID_ARGUMENT (422, the
// offending field path in details.field), MALFORMED (400) or INTERNAL (500, no detail for the client).
type Error struct {
	Code    string            `json:"code"`
	Status  int               `json:"status"`
	Message string            `json:"message"`
	Details map[string]string `json:"details,omitempty"`
}

// Error returns the JSON form of e. encoding/json sorts map keys, so the text is deterministic.
func (e *Error) Error() string {
	b, err := json.Marshal(e)
	if err != nil { // cannot happen: only strings and an int
		return fmt.Sprintf(`{"code":%q,"status":%d,"message":%q}`, e.Code, e.Status, e.Message)
	}
	return string(b)
}

// ParseError finds the JSON error document in msg and decodes it. The peer and the gateway client may
// wrap the chaincode's message in their own text, so ParseError looks for the first '{"code":'.
func ParseError(msg string) (*Error, bool) {
	for i := 0; i+8 <= len(msg); i++ {
		if msg[i] != '{' || msg[i:i+8] != `{"code":` {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(msg[i:]))
		var e Error
		if err := dec.Decode(&e); err == nil && e.Code != "" && e.Status != 0 {
			return &e, true
		}
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

// Conflict is a refusal under a domain rule (409).
func Conflict(rule, message string, kv ...string) *Error {
	return &Error{Code: rule, Status: StatusConflict, Message: message, Details: pairs(kv)}
}

// Forbidden refuses a caller whose organization or role may not do this (403). rule names the rule that
// grants the right (A1, P6, V3, …) and goes into details.rule.
func Forbidden(rule, message string, kv ...string) *Error {
	return &Error{Code: CodeForbidden, Status: StatusForbidden, Message: message,
		Details: pairs(append([]string{"rule", rule}, kv...))}
}

// NotFound says a record does not exist (404).
func NotFound(kind, id string) *Error {
	return &Error{Code: CodeNotFound, Status: StatusNotFound, Message: kind + " not found",
		Details: map[string]string{"kind": kind, "id": id}}
}

// Invalid rejects a field (422); field is its JSON path, e.g. "owners[1].share".
func Invalid(field, message string) *Error {
	return &Error{Code: CodeInvalidArgument, Status: StatusInvalid, Message: message,
		Details: map[string]string{"field": field}}
}

// Malformed rejects input that is not well-formed JSON of the expected shape (400).
func Malformed(message string, kv ...string) *Error {
	return &Error{Code: CodeMalformed, Status: StatusMalformed, Message: message, Details: pairs(kv)}
}

// internal reports a ledger or encoding failure (500). The cause is in details.cause for operators; it
// never contains private terms, since nothing private is ever formatted into an error.
func internal(op string, err error) *Error {
	return &Error{Code: CodeInternal, Status: StatusInternal, Message: "internal error",
		Details: map[string]string{"op": op, "cause": err.Error()}}
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
