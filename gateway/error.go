package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ipledger/ipledger/chaincode/rules"
)

// Error codes that are not the chaincode's. A refusal under a domain rule carries the rule id (P4, T2, …).
const (
	CodeMalformed       = "MALFORMED"        // 400: the body is not JSON, or not of the expected shape
	CodeUnauthenticated = "UNAUTHENTICATED"  // 401: no or unknown API key
	CodeForbidden       = "FORBIDDEN"        // 403: the caller's organization or role may not do this
	CodeNotFound        = "NOT_FOUND"        // 404
	CodeInvalidArgument = "INVALID_ARGUMENT" // 422: a field is wrong; the message names its path
	CodeTooLarge        = "PAYLOAD_TOO_LARGE"
	CodeTxInvalid       = "TRANSACTION_INVALID" // the transaction committed invalid and was not retried
	CodeUnavailable     = "UNAVAILABLE"         // 503: the network cannot be reached
	CodeTimeout         = "COMMIT_TIMEOUT"      // 504: submitted but not committed in time; poll the tx id
	CodeInternal        = "INTERNAL"
)

// Error is a failure as the client sees it: an HTTP status, a code, a message and, when a transaction
// exists, its id. Cause is for the log only; clients never see it.
type Error struct {
	Status  int
	Code    string
	Message string
	TxID    string
	Details map[string]string
	Cause   error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
	if e.TxID != "" {
		s += " (tx " + e.TxID + ")"
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf makes an [*Error].
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// FromChaincode translates the chaincode's structured error (rules.Error) one to one: its status and
// code pass through, except that an internal error shows the client only "internal error".
func FromChaincode(ce *rules.Error) *Error {
	e := &Error{Status: ce.Status, Code: ce.Code, Message: ce.Message, Details: ce.Details}
	switch {
	case ce.Status == rules.StatusInternal || ce.Status < 400 || ce.Status > 599:
		return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error",
			Cause: ce}
	case ce.Code == rules.CodeInvalidArgument && ce.Details["field"] != "":
		e.Message = ce.Details["field"] + ": " + ce.Message
	}
	return e
}

// ErrorOf classifies any error for a client: an [*Error] as it is, a chaincode [rules.Error] (or a
// message carrying its JSON) by [FromChaincode], a context deadline or cancellation as 503. (504 is
// only for a submission that was not committed in time, and the fabric layer says so with an [*Error].)
// Anything else is an internal error whose detail stays in the log.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if ce, ok := rules.AsError(err); ok {
		return FromChaincode(ce)
	}
	if ce, ok := rules.ParseError(err.Error()); ok {
		return FromChaincode(ce)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "the ledger did not answer in time", Cause: err}
	case errors.Is(err, context.Canceled):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "the request was cancelled", Cause: err}
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error", Cause: err}
}
