package fabric

import (
	"context"
	"errors"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/gateway"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestBackoff_GrowsWithJitterAndACap(t *testing.T) {
	for attempt := 1; attempt < 20; attempt++ {
		d := retryBase << min(attempt, 10)
		if d > retryCap {
			d = retryCap
		}
		for range 50 {
			if b := backoff(attempt); b < d/2 || b > d {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, b, d/2, d)
			}
		}
	}
}

func TestRetriable_OnlyLostRaces(t *testing.T) {
	for code, want := range map[peer.TxValidationCode]bool{
		peer.TxValidationCode_MVCC_READ_CONFLICT: true, peer.TxValidationCode_PHANTOM_READ_CONFLICT: true,
		peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE: true, peer.TxValidationCode_DUPLICATE_TXID: false,
		peer.TxValidationCode_BAD_PAYLOAD: false, peer.TxValidationCode_VALID: false,
	} {
		if retriable(code) != want {
			t.Errorf("%s: retriable %v", code, !want)
		}
	}
}

// A submit that failed after the request left may have been ordered: it is checked and resubmitted,
// never endorsed again. One the orderer refused was not ordered.
func TestMayHaveBeenOrdered(t *testing.T) {
	for err, want := range map[error]bool{
		status.Error(codes.Unavailable, "no orderers could successfully process transaction"): true,
		status.Error(codes.DeadlineExceeded, "timeout"):                                       true,
		context.DeadlineExceeded:                            true,
		status.Error(codes.FailedPrecondition, "rejected"):  false,
		status.Error(codes.InvalidArgument, "bad envelope"): false,
	} {
		if mayHaveBeenOrdered(err) != want {
			t.Errorf("%v: %v", err, !want)
		}
	}
}

func TestEndorsersDisagreed(t *testing.T) {
	if !endorsersDisagreed(status.Error(codes.Aborted, "failed to collect enough transaction endorsements, see attached details for more info")) {
		t.Error("a lagging endorser is not recognized")
	}
	if endorsersDisagreed(status.Error(codes.Aborted, "failed to endorse transaction, see attached details for more info")) {
		t.Error("a refusal by the first endorser is taken for disagreement")
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{status.Error(codes.Aborted, `failed to endorse: chaincode response 500, {"code":"P4","status":409,"message":"frozen"}`), 409, "P4"},
		{status.Error(codes.Unavailable, "connection refused"), 503, gateway.CodeUnavailable},
		{status.Error(codes.DeadlineExceeded, "slow"), 503, gateway.CodeUnavailable},
		{status.Error(codes.FailedPrecondition, "no combination of peers"), 500, gateway.CodeInternal},
		{errors.New("x"), 500, gateway.CodeInternal},
	}
	for _, tc := range cases {
		e := classify(tc.err, "tx1")
		if e.Status != tc.status || e.Code != tc.code || e.TxID != "tx1" {
			t.Errorf("%v: %d %s %q", tc.err, e.Status, e.Code, e.TxID)
		}
	}
	if timeoutError("t").Status != 504 {
		t.Error("a commit timeout is not 504")
	}
}
