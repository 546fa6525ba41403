package readmodel

import (
	"encoding/base64"
	"fmt"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"google.golang.org/protobuf/proto"
)

// creator is the little of a stub that the chaincode's client identity library reads: the
// serialized identity of the proposal's creator.
type creator []byte

func (c creator) GetCreator() ([]byte, error) { return c, nil }

// CallerOf is the rules' caller for an identity of MSP mspID with the PEM certificate certPEM, made
// as the contract makes it (chaincode/contract/identity.go), by the same client identity library
// over the serialized identity the gateway would sign a proposal with: the MSP id, the ipledger.role
// attribute of the Fabric CA attribute extension, and the submitter "x509::<subject>::<issuer>".
func CallerOf(mspID string, certPEM []byte) (rules.Caller, error) {
	sid, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: certPEM})
	if err != nil {
		return rules.Caller{}, err
	}
	ci, err := cid.New(creator(sid))
	if err != nil {
		return rules.Caller{}, fmt.Errorf("client identity: %w", err)
	}
	role, _, err := ci.GetAttributeValue(api.RoleAttribute)
	if err != nil {
		return rules.Caller{}, fmt.Errorf("client role attribute: %w", err)
	}
	id, err := ci.GetID()
	if err != nil {
		return rules.Caller{}, fmt.Errorf("client id: %w", err)
	}
	if dec, err := base64.StdEncoding.DecodeString(id); err == nil {
		id = string(dec)
	}
	return rules.Caller{MSP: api.MSPID(mspID), Role: api.Role(role), Submitter: id}, nil
}

// CallerOfFile is [CallerOf] for a certificate file.
func CallerOfFile(mspID, certFile string) (rules.Caller, error) {
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return rules.Caller{}, err
	}
	c, err := CallerOf(mspID, pem)
	if err != nil {
		return rules.Caller{}, fmt.Errorf("%s: %w", certFile, err)
	}
	return c, nil
}
