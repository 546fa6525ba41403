package fabric

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"

	gwproto "github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
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

// A chaincode refusal endorsed by every named organization alike is the answer, not a lagging peer:
// it must not be retried (each retry cost the caller a backoff, ~2 s in all, for a certain refusal).
func TestRefusedByAll(t *testing.T) {
	const p6 = `chaincode response 500, {"code":"P6","message":"pledge is released","details":{"reason":"wrong-status"}}`
	// The format of chaincode versions before codes-only errors (with "status") still parses.
	const notFound = `chaincode response 500, {"code":"NOT_FOUND","status":404,"message":"pledge not found"}`
	collect := func(details ...*gwproto.ErrorDetail) error {
		st := status.New(codes.Aborted, "failed to collect enough transaction endorsements, see attached details for more info")
		for _, d := range details {
			var err error
			if st, err = st.WithDetails(d); err != nil {
				t.Fatal(err)
			}
		}
		return st.Err()
	}
	detail := func(msp, msg string) *gwproto.ErrorDetail {
		return &gwproto.ErrorDetail{Address: msp + ":7051", MspId: msp, Message: msg}
	}
	orgs := []api.MSPID{"IPOfficeMSP", "Bank1MSP"}
	cases := []struct {
		name string
		err  error
		orgs []api.MSPID
		want bool
	}{
		{"both refuse alike", collect(detail("Bank1MSP", p6), detail("IPOfficeMSP", p6)), orgs, true},
		{"one refuses, the other endorsed", collect(detail("IPOfficeMSP", notFound)), orgs, false},
		{"they refuse differently", collect(detail("Bank1MSP", p6), detail("IPOfficeMSP", notFound)), orgs, false},
		{"not a chaincode refusal", collect(detail("Bank1MSP", "connection refused"), detail("IPOfficeMSP", p6)), orgs, false},
		{"no endorsing organizations named", collect(detail("Bank1MSP", p6), detail("IPOfficeMSP", p6)), nil, false},
	}
	for _, c := range cases {
		if got := refusedByAll(c.err, c.orgs); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		code api.Code
	}{
		{status.Error(codes.Aborted, `failed to endorse: chaincode response 500, {"code":"P4","message":"frozen"}`), "P4"},
		{status.Error(codes.Unavailable, "connection refused"), api.CodeUnavailable},
		{status.Error(codes.DeadlineExceeded, "slow"), api.CodeUnavailable},
		// Right after a chaincode upgrade, until every peer advertises the new definition: transient.
		{status.Error(codes.FailedPrecondition, "no combination of peers can be derived which satisfy the endorsement policy: "+
			"required chaincodes are not installed on sufficient peers"), api.CodeUnavailable},
		{errors.New("x"), api.CodeInternal},
	}
	for _, tc := range cases {
		e := classify(tc.err, "tx1")
		if e.Code != tc.code || e.TxID != "tx1" {
			t.Errorf("%v: %s %q", tc.err, e.Code, e.TxID)
		}
	}
	if timeoutError("t").Code != api.CodeTimeout {
		t.Error("a commit timeout is not COMMIT_TIMEOUT")
	}
}

// Where a right's policy admits the IP office with any of several organizations, the gateway names
// its own when it is one of them, and otherwise the next one at each attempt, so that a retry passes
// over an organization whose peers cannot be reached.
func TestPickAnyOf(t *testing.T) {
	anyOf := []api.MSPID{api.MSPBank1, api.MSPBank2, api.MSPExchange, api.MSPRegulator}
	if got := pickAnyOf(api.MSPExchange, anyOf, 3); got != api.MSPExchange {
		t.Fatalf("own organization: %s", got)
	}
	var got []api.MSPID
	for attempt := 1; attempt <= 5; attempt++ {
		got = append(got, pickAnyOf(api.MSPIPOffice, anyOf, attempt))
	}
	if want := []api.MSPID{api.MSPBank1, api.MSPBank2, api.MSPExchange, api.MSPRegulator, api.MSPBank1}; !slices.Equal(got, want) {
		t.Fatalf("the IP office's attempts: %v", got)
	}
}
