package contract

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
)

// MaxClockSkew is rule I4's tolerance: a proposal whose signed timestamp is further than this from
// the endorsing organization's clock is refused before any rule runs.
const MaxClockSkew = 5 * time.Minute

// clock is the endorsing organization's clock: its chaincode server's, on its peer's host.
var clock = time.Now

// skewed is rule I4: every legal time the rules record or compute (a filing's date, P4's fee check,
// P9's examination deadline) is the proposal's timestamp, which its client chose; the endorsers take
// it only within MaxClockSkew of their own clocks, so a client cannot choose a date in the past
// or the future. The refusal is an error, not a decision: nothing is kept under the request id, which
// a client with a corrected clock may send again.
func skewed(ts, now time.Time) error {
	skew := ts.Sub(now)
	if skew <= MaxClockSkew && skew >= -MaxClockSkew {
		return nil
	}
	return &api.Error{Code: api.CodeClockSkew, Message: fmt.Sprintf("the proposal's timestamp %s is %s from the endorsing "+
		"peer's clock (%s); at most %s is accepted (rule I4): correct the submitting client's clock",
		ts.UTC().Format(time.RFC3339), skew.Round(time.Second), now.UTC().Format(time.RFC3339), MaxClockSkew),
		Details: map[string]string{"rule": "I4", "proposalTime": ts.UTC().Format(time.RFC3339Nano),
			"peerTime": now.UTC().Format(time.RFC3339Nano), "toleranceSeconds": fmt.Sprint(MaxClockSkew.Seconds())}}
}

// transaction builds the rules' view of the running transaction: its id, its signed timestamp (within
// MaxClockSkew of the peer's clock, rule I4), the submitter's MSP id, ipledger.role attribute and
// identity, and the transient map.
func transaction(ctx contractapi.TransactionContextInterface) (rules.Tx, error) {
	stub := ctx.GetStub()
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return rules.Tx{}, fmt.Errorf("transaction timestamp: %w", err)
	}
	if err := skewed(ts.AsTime(), clock()); err != nil {
		return rules.Tx{}, err
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
