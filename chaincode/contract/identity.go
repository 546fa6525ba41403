package contract

import (
	"encoding/base64"
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
)

// transaction builds the rules' view of the running transaction: its id, its signed timestamp (never
// the peer's clock), the submitter's MSP id, ipledger.role attribute and identity, and the transient map.
func transaction(ctx contractapi.TransactionContextInterface) (rules.Tx, error) {
	stub := ctx.GetStub()
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return rules.Tx{}, fmt.Errorf("transaction timestamp: %w", err)
	}
	ci := ctx.GetClientIdentity()
	if ci == nil {
		return rules.Tx{}, fmt.Errorf("no client identity")
	}
	mspID, err := ci.GetMSPID()
	if err != nil {
		return rules.Tx{}, fmt.Errorf("client MSP id: %w", err)
	}
	role, _, err := ci.GetAttributeValue(api.RoleAttribute)
	if err != nil {
		return rules.Tx{}, fmt.Errorf("client role attribute: %w", err)
	}
	id, err := ci.GetID()
	if err != nil {
		return rules.Tx{}, fmt.Errorf("client id: %w", err)
	}
	// cid returns base64("x509::<subject>::<issuer>"); the history shows it decoded.
	if dec, err := base64.StdEncoding.DecodeString(id); err == nil {
		id = string(dec)
	}
	transient, err := stub.GetTransient()
	if err != nil {
		return rules.Tx{}, fmt.Errorf("transient map: %w", err)
	}
	return rules.Tx{
		ID:        stub.GetTxID(),
		Time:      ts.AsTime(),
		Caller:    rules.Caller{MSP: api.MSPID(mspID), Role: api.Role(role), Submitter: id},
		Transient: transient,
	}, nil
}
