// Package contract adapts the IPLedger rules to fabric-contract-api-go. Each transaction function
// builds a [rules.Service] over the stub and the client identity and returns its JSON result. Every
// error a client sees is a [rules.Error] in JSON.
package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
	"github.com/ipledger/ipledger/chaincode/rules"
)

// Name is the chaincode's name on the channel.
const Name = "ipledger"

// Contract is the IPLedger smart contract. Submissions take the request id (I3) first; payloads are
// JSON strings; every result is a JSON string.
type Contract struct {
	contractapi.Contract
}

// New returns the contract, with an unknown-function handler that answers in the error JSON.
func New() *Contract {
	c := &Contract{}
	c.Name = Name
	c.Info = metadata.InfoMetadata{Title: "IPLedger", Version: rules.Version,
		Description: "IP pledge and transaction register: rules A1-A3, P1-P9, T1-T3, V1-V3, I1-I3"}
	c.UnknownTransaction = unknownTransaction
	return c
}

// NewChaincode returns the contractapi chaincode that serves [Contract].
func NewChaincode() (*contractapi.ContractChaincode, error) {
	return contractapi.NewChaincode(New())
}

func unknownTransaction(ctx contractapi.TransactionContextInterface) error {
	fn, _ := ctx.GetStub().GetFunctionAndParameters()
	return rules.Malformed("unknown transaction", "function", fn)
}

// GetEvaluateTransactions marks the read-only transactions in the contract metadata.
func (c *Contract) GetEvaluateTransactions() []string {
	return []string{"Ping", "GetAsset", "FindAssetsByNumber", "GetAssetHistory", "GetPledge", "GetPledgeHistory", "GetPledgeTerms",
		"GetTransfer", "GetTransferHistory", "ListPledgesByAsset", "ListPledgesByPledgee", "ListPledgesByStatus",
		"ListOverdueExaminations", "GetStatement"}
}

// service builds the rules for this transaction.
func service(ctx contractapi.TransactionContextInterface) (*rules.Service, error) {
	tx, err := transaction(ctx)
	if err != nil {
		return nil, rules.Malformed("cannot read the transaction: " + err.Error())
	}
	return rules.New(stubLedger{stub: ctx.GetStub()}, tx), nil
}

// call runs fn over the rules of this transaction.
func call(ctx contractapi.TransactionContextInterface, fn func(*rules.Service) (string, error)) (string, error) {
	s, err := service(ctx)
	if err != nil {
		return "", err
	}
	return fn(s)
}

// Ping returns the chaincode version. It reads nothing and admits any caller: readiness checks use it.
func (c *Contract) Ping(ctx contractapi.TransactionContextInterface) (string, error) {
	return rules.Version, nil
}

// RegisterAsset registers an IP right (A1, A2). payload: [rules.AssetInput].
func (c *Contract) RegisterAsset(ctx contractapi.TransactionContextInterface, requestID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.RegisterAsset(requestID, payload) })
}

// ImportAssets registers a batch of up to 100 IP rights in one transaction (A1, A2).
// payload: [rules.ImportInput].
func (c *Contract) ImportAssets(ctx contractapi.TransactionContextInterface, requestID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ImportAssets(requestID, payload) })
}

// FindAssetsByNumber finds the IP rights with an official number (A3).
func (c *Contract) FindAssetsByNumber(ctx contractapi.TransactionContextInterface, number string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.FindAssetsByNumber(number) })
}

// UpdateAsset changes an IP right's legal status, fees, flags, expiry, title or mark family (A1).
// payload: [rules.AssetPatch].
func (c *Contract) UpdateAsset(ctx contractapi.TransactionContextInterface, requestID, assetID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.UpdateAsset(requestID, assetID, payload) })
}

// GetAsset returns an IP right with its active encumbrances (A3).
func (c *Contract) GetAsset(ctx contractapi.TransactionContextInterface, assetID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetAsset(assetID) })
}

// GetAssetHistory returns every version of an IP right with tx id, time, MSP and submitter (I2).
func (c *Contract) GetAssetHistory(ctx contractapi.TransactionContextInterface, assetID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetAssetHistory(assetID) })
}

// GetStatement returns the title-and-encumbrance statement of an IP right.
func (c *Contract) GetStatement(ctx contractapi.TransactionContextInterface, assetID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetStatement(assetID) })
}

// ApplyPledge files a pledge application (P1, P2, P4, P5). payload: [rules.PledgeApplication]; the
// private terms ([rules.Terms]) in the transient map under "terms".
func (c *Contract) ApplyPledge(ctx contractapi.TransactionContextInterface, requestID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ApplyPledge(requestID, payload) })
}

// RegisterPledge registers an applied pledge (P3). payload: [rules.Registration].
func (c *Contract) RegisterPledge(ctx contractapi.TransactionContextInterface, requestID, pledgeID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.RegisterPledge(requestID, pledgeID, payload) })
}

// RefusePledge refuses an applied pledge (P3). payload: [rules.Refusal].
func (c *Contract) RefusePledge(ctx contractapi.TransactionContextInterface, requestID, pledgeID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.RefusePledge(requestID, pledgeID, payload) })
}

// RevokePledge revokes an improper registration (P6). payload: [rules.Reason].
func (c *Contract) RevokePledge(ctx contractapi.TransactionContextInterface, requestID, pledgeID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.RevokePledge(requestID, pledgeID, payload) })
}

// AmendPledge changes names, debt kind or private terms (P6). payload: [rules.Amendment]; new terms,
// if any, in the transient map under "terms".
func (c *Contract) AmendPledge(ctx contractapi.TransactionContextInterface, requestID, pledgeID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.AmendPledge(requestID, pledgeID, payload) })
}

// ExtendPledge extends the debt term (P6). payload: [rules.Extension].
func (c *Contract) ExtendPledge(ctx contractapi.TransactionContextInterface, requestID, pledgeID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ExtendPledge(requestID, pledgeID, payload) })
}

// ReleasePledge releases a pledge (P6). payload: [rules.Reason].
func (c *Contract) ReleasePledge(ctx contractapi.TransactionContextInterface, requestID, pledgeID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ReleasePledge(requestID, pledgeID, payload) })
}

// DeclareDefault records the debtor's default (P8). payload: [rules.Reason].
func (c *Contract) DeclareDefault(ctx contractapi.TransactionContextInterface, requestID, pledgeID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.DeclareDefault(requestID, pledgeID, payload) })
}

// DisposePledge records the disposal of a defaulted pledge (P8). payload: [rules.DisposalInput].
func (c *Contract) DisposePledge(ctx contractapi.TransactionContextInterface, requestID, pledgeID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.DisposePledge(requestID, pledgeID, payload) })
}

// GetPledge returns the public record of a pledge (V1).
func (c *Contract) GetPledge(ctx contractapi.TransactionContextInterface, pledgeID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetPledge(pledgeID) })
}

// GetPledgeTerms returns the private terms to an entitled caller (V2).
func (c *Contract) GetPledgeTerms(ctx contractapi.TransactionContextInterface, pledgeID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetPledgeTerms(pledgeID) })
}

// GetPledgeHistory returns every version of a pledge's public record (I2).
func (c *Contract) GetPledgeHistory(ctx contractapi.TransactionContextInterface, pledgeID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetPledgeHistory(pledgeID) })
}

// ListPledgesByAsset lists the pledges on an IP right, paginated.
func (c *Contract) ListPledgesByAsset(ctx contractapi.TransactionContextInterface, assetID string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListPledgesByAsset(assetID, pageSize, bookmark) })
}

// ListPledgesByPledgee lists a bank's pledges, paginated.
func (c *Contract) ListPledgesByPledgee(ctx contractapi.TransactionContextInterface, pledgeeMSP string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListPledgesByPledgee(pledgeeMSP, pageSize, bookmark) })
}

// ListPledgesByStatus lists the pledges in a status, paginated.
func (c *Contract) ListPledgesByStatus(ctx contractapi.TransactionContextInterface, status string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListPledgesByStatus(status, pageSize, bookmark) })
}

// ListOverdueExaminations lists applications past their statutory examination time (P9).
func (c *Contract) ListOverdueExaminations(ctx contractapi.TransactionContextInterface, asOf string, pageSize int32, bookmark string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ListOverdueExaminations(asOf, pageSize, bookmark) })
}

// RequestTransfer requests a transfer or license of an IP right (T1). payload: [rules.TransferRequest].
func (c *Contract) RequestTransfer(ctx contractapi.TransactionContextInterface, requestID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.RequestTransfer(requestID, payload) })
}

// ConsentToTransfer records a pledgee's consent (P7). payload: [rules.ConsentInput].
func (c *Contract) ConsentToTransfer(ctx contractapi.TransactionContextInterface, requestID, transferID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.ConsentToTransfer(requestID, transferID, payload) })
}

// RecordTransfer records a transfer: the title changes (T1, T2, T3). payload: "{}".
func (c *Contract) RecordTransfer(ctx contractapi.TransactionContextInterface, requestID, transferID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.RecordTransfer(requestID, transferID, payload) })
}

// RefuseTransfer refuses a transfer (T1). payload: [rules.Refusal].
func (c *Contract) RefuseTransfer(ctx contractapi.TransactionContextInterface, requestID, transferID, payload string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.RefuseTransfer(requestID, transferID, payload) })
}

// GetTransfer returns a transfer (V1).
func (c *Contract) GetTransfer(ctx contractapi.TransactionContextInterface, transferID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetTransfer(transferID) })
}

// GetTransferHistory returns every version of a transfer (I2).
func (c *Contract) GetTransferHistory(ctx contractapi.TransactionContextInterface, transferID string) (string, error) {
	return call(ctx, func(s *rules.Service) (string, error) { return s.GetTransferHistory(transferID) })
}
