package fabric

import (
	"context"
	"errors"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	gatewaypb "github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// classify turns an error of the Fabric Gateway client into a [*api.Error]: the chaincode's
// structured error wherever the peer put it (status message or per-peer details), Unavailable and
// deadlines as UNAVAILABLE, anything else as an internal error with the cause kept for the log.
func classify(err error, txID string) *api.Error {
	var ge *api.Error
	if errors.As(err, &ge) {
		return ge
	}
	if ce, ok := api.ParseError(err.Error()); ok {
		ce.TxID, ce.Cause = txID, err
		return ce
	}
	details := peerDetails(err)
	for _, d := range details {
		if ce, ok := api.ParseError(d); ok {
			ce.TxID, ce.Cause = txID, err
			return ce
		}
	}
	for _, d := range details {
		if ChaincodeUnreachable.In(d) {
			return &api.Error{Code: api.CodeUnavailable,
				Message: "the chaincode does not answer the peers (its server is down or unreachable); retry shortly",
				TxID:    txID, Cause: err}
		}
	}
	switch grpcCode(err) {
	case codes.Unavailable, codes.ResourceExhausted:
		return &api.Error{Code: api.CodeUnavailable,
			Message: "the network is unavailable: " + status.Convert(err).Message(), TxID: txID, Cause: err}
	case codes.FailedPrecondition:
		// The gateway peer finds no set of peers that can endorse: "no combination of peers can be
		// derived which satisfy the endorsement policy". Right after a chaincode upgrade commits, until
		// every peer advertises the new definition (gossip, every second here), the peers that have not
		// yet are left out; it passes within moments, like a peer out of reach.
		return &api.Error{Code: api.CodeUnavailable,
			Message: "the network cannot endorse now: " + status.Convert(err).Message(), TxID: txID, Cause: err}
	}
	if c := grpcCode(err); c == codes.DeadlineExceeded || c == codes.Canceled ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &api.Error{Code: api.CodeUnavailable,
			Message: "the peer did not answer in time", TxID: txID, Cause: err}
	}
	msg := "internal error"
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unknown {
		// The gateway peer's own message (not the per-peer details) says what failed without secrets.
		msg = st.Code().String() + ": " + st.Message()
	}
	return &api.Error{Code: api.CodeInternal, Message: msg,
		TxID: txID, Cause: err}
}

// peerDetails are the per-peer messages the peer gateway attached to a failed evaluate, endorse,
// submit or commit-status call.
func peerDetails(err error) []string {
	var out []string
	var endorse *client.EndorseError
	if errors.As(err, &endorse) {
		for _, d := range endorse.Details() {
			out = append(out, d.GetMessage())
		}
		return out
	}
	if st, ok := status.FromError(err); ok {
		for _, d := range st.Details() {
			if ed, ok := d.(*gatewaypb.ErrorDetail); ok {
				out = append(out, ed.GetMessage())
			}
		}
	}
	return out
}

// grpcCode is the gRPC status code of err, or OK when err carries none.
func grpcCode(err error) codes.Code {
	if st, ok := status.FromError(err); ok {
		return st.Code()
	}
	return codes.OK
}

// mayHaveBeenOrdered says whether a failed submit leaves the transaction's fate unknown: the
// connection broke or timed out after the request left. Then its status is checked, and it is
// resubmitted as the same transaction, never endorsed again.
func mayHaveBeenOrdered(err error) bool {
	switch grpcCode(err) {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.Unknown, codes.Internal:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}
