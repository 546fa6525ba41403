//go:build integration

// Package e2e is the end-to-end suite of issue 5 through the HTTP gateways of a real network: the
// whole life of a pledge, every refusal ground of the domain rules, the authorization matrix and bad
// input, each organization acting through its own gateway with its own API keys.
// IPLEDGER_SYSTEM_FILE names the network's system.json.
//
// This file holds the authorization matrix's expectation table, shared with the chaincode-level
// matrix of chaincode/chaincodetest: one statement of who may do what, proven at both layers.
package e2e

import (
	"slices"

	"github.com/ipledger/ipledger/chaincode/rules"
)

// Principal is a caller as the chaincode sees it: its organization (MSP id) and the ipledger.role
// attribute of its certificate.
type Principal struct{ MSP, Role string }

func (p Principal) String() string { return p.MSP + "/" + p.Role }

// The staff of each peer organization: its operational role and its admin.
var (
	IPOfficeStaff  = []Principal{{rules.MSPIPOffice, rules.RoleExaminer}, {rules.MSPIPOffice, rules.RoleAdmin}}
	Bank1Staff     = []Principal{{rules.MSPBank1, rules.RoleLoanOfficer}, {rules.MSPBank1, rules.RoleAdmin}}
	Bank2Staff     = []Principal{{rules.MSPBank2, rules.RoleLoanOfficer}, {rules.MSPBank2, rules.RoleAdmin}}
	ExchangeStaff  = []Principal{{rules.MSPExchange, rules.RoleTrader}, {rules.MSPExchange, rules.RoleAdmin}}
	RegulatorStaff = []Principal{{rules.MSPRegulator, rules.RoleAuditor}, {rules.MSPRegulator, rules.RoleAdmin}}
	EveryMember    = slices.Concat(IPOfficeStaff, Bank1Staff, Bank2Staff, ExchangeStaff, RegulatorStaff)
	// PledgeeStaff may act on a pledge as its pledgee. The matrices' fixture pledges are all Bank1's,
	// so Bank2 is the bank that is not the pledgee.
	PledgeeStaff = Bank1Staff
)

// AuthzRule is one column of the authorization matrix: an operation of the chaincode and the callers
// allowed to call it (docs/chaincode.md). Every other caller is refused with FORBIDDEN (403).
type AuthzRule struct {
	Op      string
	Short   string // column heading in the printed matrix
	Query   bool   // evaluated, not endorsed for a submission
	Allowed []Principal
}

// Allows says whether the rule admits p.
func (r AuthzRule) Allows(p Principal) bool { return slices.Contains(r.Allowed, p) }

// AuthzMatrix is the single statement of who may do what; the chaincode-level matrix
// (chaincode/chaincodetest) and the HTTP matrix (this package) both prove it.
var AuthzMatrix = []AuthzRule{
	{Op: "RegisterAsset", Short: "RegA", Allowed: IPOfficeStaff},
	{Op: "UpdateAsset", Short: "UpdA", Allowed: IPOfficeStaff},
	{Op: "ApplyPledge", Short: "Appl", Allowed: slices.Concat(Bank1Staff, Bank2Staff)},
	{Op: "RegisterPledge", Short: "RegP", Allowed: IPOfficeStaff},
	{Op: "RefusePledge", Short: "RefP", Allowed: IPOfficeStaff},
	{Op: "RevokePledge", Short: "Revk", Allowed: IPOfficeStaff},
	{Op: "AmendPledge", Short: "Amnd", Allowed: PledgeeStaff},
	{Op: "ExtendPledge", Short: "Extd", Allowed: PledgeeStaff},
	{Op: "ReleasePledge", Short: "Rels", Allowed: PledgeeStaff},
	{Op: "DeclareDefault", Short: "Dflt", Allowed: PledgeeStaff},
	{Op: "DisposePledge", Short: "Disp", Allowed: ExchangeStaff},
	{Op: "RequestTransfer", Short: "ReqT", Allowed: slices.Concat(ExchangeStaff, IPOfficeStaff)},
	{Op: "ConsentToTransfer", Short: "Cnst", Allowed: PledgeeStaff},
	{Op: "RecordTransfer", Short: "RecT", Allowed: IPOfficeStaff},
	{Op: "RefuseTransfer", Short: "RefT", Allowed: IPOfficeStaff},
	{Op: "GetPledgeTerms", Short: "Trms", Query: true, Allowed: slices.Concat(PledgeeStaff, IPOfficeStaff, RegulatorStaff)},
	{Op: "GetAsset", Short: "GetA", Query: true, Allowed: EveryMember},
	{Op: "GetStatement", Short: "Stmt", Query: true, Allowed: EveryMember},
}
