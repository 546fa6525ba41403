package fabric

import (
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"

	gatewaypb "github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func peerError(t *testing.T, code codes.Code, msg string, details ...string) error {
	t.Helper()
	st := status.New(code, msg)
	for _, d := range details {
		var err error
		st, err = st.WithDetails(&gatewaypb.ErrorDetail{Address: "127.0.0.1:7052", MspId: "IPOfficeMSP", Message: d})
		if err != nil {
			t.Fatal(err)
		}
	}
	return st.Err()
}

func TestClassify_PeerDetails(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code api.Code
	}{
		{"chaincode server down", peerError(t, codes.Aborted, "failed to evaluate transaction, see attached details for more info",
			"error in simulation: failed to execute transaction 31: could not launch chaincode ipledger_1.0:33e5: connection to ipledger_1.0:33e5 failed: error cannot create connection"),
			api.CodeUnavailable},
		{"chaincode refusal in a detail", peerError(t, codes.Aborted, "failed to evaluate transaction",
			`chaincode response 500, {"code":"NOT_FOUND","message":"asset not found"}`),
			"NOT_FOUND"},
		{"peer unreachable", status.Error(codes.Unavailable, "connection refused"), api.CodeUnavailable},
		{"anything else", peerError(t, codes.Aborted, "failed", "some other failure"), api.CodeInternal},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := classify(tc.err, "tx1")
			if e.Code != tc.code {
				t.Errorf("classified as %s (%s), want %s", e.Code, e.Message, tc.code)
			}
		})
	}
}
