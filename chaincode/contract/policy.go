package contract

import (
	"fmt"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/ipledger/ipledger/chaincode/api"
	"google.golang.org/protobuf/proto"
)

// SignaturePolicy encodes a key-level endorsement as a SignaturePolicyEnvelope whose principals are
// the peers of the named organizations: AND(all of e.All, OR(one of e.AnyOf)). fabric-chaincode-go's
// statebased package can only express AND of organizations, which is not enough for "the IP office and
// one other organization".
func SignaturePolicy(e api.Endorsement) ([]byte, error) {
	if len(e.All) == 0 && len(e.AnyOf) == 0 {
		return nil, fmt.Errorf("empty endorsement policy")
	}
	var identities []*msp.MSPPrincipal
	signedBy := func(org api.MSPID) (*common.SignaturePolicy, error) {
		role, err := proto.Marshal(&msp.MSPRole{MspIdentifier: string(org), Role: msp.MSPRole_PEER})
		if err != nil {
			return nil, err
		}
		identities = append(identities, &msp.MSPPrincipal{
			PrincipalClassification: msp.MSPPrincipal_ROLE, Principal: role})
		return &common.SignaturePolicy{Type: &common.SignaturePolicy_SignedBy{SignedBy: int32(len(identities) - 1)}}, nil
	}
	var rulesAll []*common.SignaturePolicy
	for _, org := range e.All {
		r, err := signedBy(org)
		if err != nil {
			return nil, err
		}
		rulesAll = append(rulesAll, r)
	}
	if len(e.AnyOf) > 0 {
		var any []*common.SignaturePolicy
		for _, org := range e.AnyOf {
			r, err := signedBy(org)
			if err != nil {
				return nil, err
			}
			any = append(any, r)
		}
		rulesAll = append(rulesAll, nOutOf(1, any))
	}
	env := &common.SignaturePolicyEnvelope{Version: 0, Rule: nOutOf(int32(len(rulesAll)), rulesAll), Identities: identities}
	return proto.MarshalOptions{Deterministic: true}.Marshal(env)
}

func nOutOf(n int32, rules []*common.SignaturePolicy) *common.SignaturePolicy {
	return &common.SignaturePolicy{Type: &common.SignaturePolicy_NOutOf_{
		NOutOf: &common.SignaturePolicy_NOutOf{N: n, Rules: rules}}}
}
