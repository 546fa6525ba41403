package rules

import "github.com/ipledger/ipledger/chaincode/api"

// internal reports a ledger or encoding failure. The cause is in details.cause for operators; it
// never contains private terms, since nothing private is ever formatted into an error.
func internal(op string, err error) *api.Error {
	return &api.Error{Code: api.CodeInternal, Message: "internal error",
		Details: map[string]string{"op": op, "cause": err.Error()}}
}
