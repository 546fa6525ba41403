package itest

import (
	"slices"

	"github.com/ipledger/ipledger/chaincode/api"
)

// Principal is a caller as the chaincode sees it: its organization (MSP id) and the ipledger.role
// attribute of its certificate.
type Principal struct {
	MSP  api.MSPID
	Role api.Role
}

func (p Principal) String() string { return string(p.MSP) + "/" + string(p.Role) }

// BankStaff is the staff of a bank: its loan officers and its admin. The chaincode names no bank (any
// member whose MSP id names a bank is one); the matrices run on the network under test, whose banks
// are [Banks]. A bank that joins later is proven by the rules' and the HTTP tests with Bank3MSP.
func BankStaff(bank api.MSPID) []Principal {
	return []Principal{{bank, api.RoleLoanOfficer}, {bank, api.RoleAdmin}}
}

// Banks are the banks of the network the matrices run on (network/topology.yaml).
var Banks = []api.MSPID{api.MSPBank1, api.MSPBank2}

// The staff of each peer organization: its operational role and its admin.
var (
	IPOfficeStaff  = []Principal{{api.MSPIPOffice, api.RoleExaminer}, {api.MSPIPOffice, api.RoleAdmin}}
	Bank1Staff     = BankStaff(api.MSPBank1)
	Bank2Staff     = BankStaff(api.MSPBank2)
	EveryBankStaff = everyBankStaff()
	ExchangeStaff  = []Principal{{api.MSPExchange, api.RoleTrader}, {api.MSPExchange, api.RoleAdmin}}
	RegulatorStaff = []Principal{{api.MSPRegulator, api.RoleAuditor}, {api.MSPRegulator, api.RoleAdmin}}
	// The members of the IP-finance record (F1-F9): the valuation agency, the insurer and the fund's
	// manager the network is founded with.
	ValuerStaff  = []Principal{{api.MSPValuer, api.RoleValuer}, {api.MSPValuer, api.RoleAdmin}}
	InsurerStaff = []Principal{{api.MSPInsurer, api.RoleUnderwriter}, {api.MSPInsurer, api.RoleAdmin}}
	FundStaff    = []Principal{{api.MSPFund, api.RoleFundOfficer}, {api.MSPFund, api.RoleAdmin}}
	EveryMember  = slices.Concat(IPOfficeStaff, EveryBankStaff, ExchangeStaff, RegulatorStaff, ValuerStaff, InsurerStaff, FundStaff)
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
// (chaincode/chaincodetest) and the HTTP matrix (network/e2e) both prove it. It is written by hand,
// an oracle independent of the chaincode: only the operations' names come from the catalogue.
var AuthzMatrix = []AuthzRule{
	{Op: api.RegisterAsset.Name, Short: "RegA", Allowed: IPOfficeStaff},
	{Op: api.UpdateAsset.Name, Short: "UpdA", Allowed: IPOfficeStaff},
	{Op: api.RecordFreeze.Name, Short: "Frz", Allowed: IPOfficeStaff},
	{Op: api.LiftFreeze.Name, Short: "Lift", Allowed: IPOfficeStaff},
	{Op: api.ApplyPledge.Name, Short: "Appl", Allowed: EveryBankStaff},
	{Op: api.RegisterPledge.Name, Short: "RegP", Allowed: IPOfficeStaff},
	{Op: api.RefusePledge.Name, Short: "RefP", Allowed: IPOfficeStaff},
	{Op: api.RevokePledge.Name, Short: "Revk", Allowed: IPOfficeStaff},
	{Op: api.AmendPledge.Name, Short: "Amnd", Allowed: PledgeeStaff},
	{Op: api.ExtendPledge.Name, Short: "Extd", Allowed: PledgeeStaff},
	{Op: api.ReleasePledge.Name, Short: "Rels", Allowed: PledgeeStaff},
	{Op: api.DeregisterPledge.Name, Short: "Dreg", Allowed: IPOfficeStaff},
	{Op: api.DeclareDefault.Name, Short: "Dflt", Allowed: PledgeeStaff},
	{Op: api.StateClaim.Name, Short: "Clm", Allowed: PledgeeStaff},
	{Op: api.DisposePledge.Name, Short: "Disp", Allowed: ExchangeStaff},
	{Op: api.RequestTransfer.Name, Short: "ReqT", Allowed: slices.Concat(ExchangeStaff, IPOfficeStaff)},
	{Op: api.ConsentToTransfer.Name, Short: "Cnst", Allowed: PledgeeStaff},
	{Op: api.RecordTransfer.Name, Short: "RecT", Allowed: IPOfficeStaff},
	{Op: api.RefuseTransfer.Name, Short: "RefT", Allowed: IPOfficeStaff},
	{Op: api.TerminateLicense.Name, Short: "TrmL", Allowed: IPOfficeStaff},
	{Op: api.GetPledgeTerms.Name, Short: "Trms", Query: true, Allowed: slices.Concat(PledgeeStaff, IPOfficeStaff, RegulatorStaff)},
	{Op: api.GetAsset.Name, Short: "GetA", Query: true, Allowed: EveryMember},
	{Op: api.GetStatement.Name, Short: "Stmt", Query: true, Allowed: EveryMember},
}

func everyBankStaff() []Principal {
	var out []Principal
	for _, b := range Banks {
		out = append(out, BankStaff(b)...)
	}
	return out
}
