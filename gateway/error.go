package gateway

import (
	"context"
	"errors"

	"github.com/ipledger/ipledger/chaincode/api"
)

// ErrorOf classifies any error for a client as an [api.Error]: one that is (or wraps) an api.Error as
// it is; a message that carries the chaincode's error JSON (as the peer passes it on) parsed back; a
// context deadline or cancellation as UNAVAILABLE (COMMIT_TIMEOUT is only for a submission whose
// commit was not seen in time, and the Fabric adapter says so itself). Anything else is INTERNAL,
// whose detail stays in the cause, for the log.
func ErrorOf(err error) *api.Error {
	if e, ok := api.AsError(err); ok {
		return e
	}
	if e, ok := api.ParseError(err.Error()); ok {
		e.Cause = err
		return e
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &api.Error{Code: api.CodeUnavailable, Message: "the ledger did not answer in time", Cause: err}
	case errors.Is(err, context.Canceled):
		return &api.Error{Code: api.CodeUnavailable, Message: "the request was cancelled", Cause: err}
	}
	return &api.Error{Code: api.CodeInternal, Message: "internal error", Cause: err}
}
