package api

import (
	"fmt"
	"regexp"
	"strings"
)

// MSPID is an organization of the network, named by its MSP id.
type MSPID string

// Organizations of the network. The IP office, the exchange, the regulator and the orderers each have
// one fixed MSP id; the banks are every other member (see [IsBank]). Bank1MSP and Bank2MSP are the
// banks the network was founded with: they are named here only for the key-level policy of the rights
// ([RightEndorsement]), for tests and for examples, never to decide what an organization may do.
const (
	MSPIPOffice  MSPID = "IPOfficeMSP"
	MSPBank1     MSPID = "Bank1MSP"
	MSPBank2     MSPID = "Bank2MSP"
	MSPExchange  MSPID = "ExchangeMSP"
	MSPRegulator MSPID = "RegulatorMSP"
	MSPOrderer   MSPID = "OrdererMSP"
	// MSPFund is the manager of the provincial risk-compensation fund (F6–F8): an organization of its
	// own, since the regulator writes nothing (V3) and the fund's decisions are writes.
	MSPFund MSPID = "FundMSP"
	// MSPValuer and MSPInsurer are the valuation agency and the insurer the one-machine network is
	// founded with; like the banks, any member whose MSP id has the form of [ValuerMSPPattern] or
	// [InsurerMSPPattern] is one, none is named to decide what it may do.
	MSPValuer  MSPID = "ValuerMSP"
	MSPInsurer MSPID = "InsurerMSP"
)

// FixedOrgs are the members whose role is fixed by their MSP id; every other member is a bank, a
// valuation agency or an insurer by the form of its MSP id ([KindOf]).
var FixedOrgs = []MSPID{MSPIPOffice, MSPExchange, MSPRegulator, MSPOrderer, MSPFund}

// BankMSPPattern is the form of a bank's MSP id: letters and digits with "Bank" among them, ending in
// "MSP" (Bank3MSP, HubeiBankMSP, BankOfWuhanMSP), at most [MaxBankMSPLen] characters, so that
// terms<MSP> is a valid collection name and the id a valid key part. A member of another kind
// (a guarantor, a valuation agency) is not a bank by its name.
const BankMSPPattern = `^[A-Za-z0-9]*Bank[A-Za-z0-9]*MSP$`

// MaxBankMSPLen is the longest bank MSP id.
const MaxBankMSPLen = 50

var bankMSP = regexp.MustCompile(BankMSPPattern)

// ValuerMSPPattern and InsurerMSPPattern are the forms of a valuation agency's (F1, F2) and an
// insurer's (F4, F5) MSP ids, as [BankMSPPattern] is a bank's, with the same length limit.
const (
	ValuerMSPPattern  = `^[A-Za-z0-9]*Valuer[A-Za-z0-9]*MSP$`
	InsurerMSPPattern = `^[A-Za-z0-9]*Insurer[A-Za-z0-9]*MSP$`
)

var (
	valuerMSP  = regexp.MustCompile(ValuerMSPPattern)
	insurerMSP = regexp.MustCompile(InsurerMSPPattern)
)

// OrgKind is what an organization is to the register.
type OrgKind string

// Kinds of organization. A kind is known from the MSP id alone ([KindOf]).
const (
	KindIPOffice  OrgKind = "ip-office"
	KindExchange  OrgKind = "exchange"
	KindRegulator OrgKind = "regulator"
	KindOrderer   OrgKind = "orderer"
	KindFund      OrgKind = "fund"
	KindBank      OrgKind = "bank"
	KindValuer    OrgKind = "valuer"
	KindInsurer   OrgKind = "insurer"
)

// KindOf says what msp is: one of [FixedOrgs] by its id, or a bank, a valuation agency or an insurer
// by the form of its id (at most [MaxBankMSPLen] characters). An id of two of those forms
// (BankValuerMSP) is none of them: the consortium must not admit it, and the topology refuses it.
func KindOf(msp MSPID) (OrgKind, bool) {
	switch msp {
	case MSPIPOffice:
		return KindIPOffice, true
	case MSPExchange:
		return KindExchange, true
	case MSPRegulator:
		return KindRegulator, true
	case MSPOrderer:
		return KindOrderer, true
	case MSPFund:
		return KindFund, true
	}
	if len(msp) > MaxBankMSPLen {
		return "", false
	}
	var kinds []OrgKind
	for _, k := range []struct {
		kind OrgKind
		re   *regexp.Regexp
	}{{KindBank, bankMSP}, {KindValuer, valuerMSP}, {KindInsurer, insurerMSP}} {
		if k.re.MatchString(string(msp)) {
			kinds = append(kinds, k.kind)
		}
	}
	if len(kinds) != 1 {
		return "", false
	}
	return kinds[0], true
}

// IsBank says whether msp is a lending bank: a member of the channel that is not one of [FixedOrgs],
// with an MSP id of the form [BankMSPPattern] (and of no other kind's, [KindOf]). No bank is named in
// the code, so a bank that joins the consortium later is a bank to the register without a change of
// code. Fabric admits only members' identities, so a caller's MSP id is a member; a bank still needs
// its terms collection in the chaincode definition before it can file a pledge ([TermsCollection], rule
// P1 `no-terms-collection`).
func IsBank(msp MSPID) bool { k, ok := KindOf(msp); return ok && k == KindBank }

// IsValuer says whether msp is a valuation agency (F1, F2) by the form of its MSP id.
func IsValuer(msp MSPID) bool { k, ok := KindOf(msp); return ok && k == KindValuer }

// IsInsurer says whether msp is an insurer (F4, F5) by the form of its MSP id.
func IsInsurer(msp MSPID) bool { k, ok := KindOf(msp); return ok && k == KindInsurer }

// IsMember says whether msp may be a member organization with a peer: one of the fixed peer
// organizations, a bank, a valuation agency or an insurer. The orderers' organization runs no peer and
// is not one.
func IsMember(msp MSPID) bool {
	k, ok := KindOf(msp)
	return ok && k != KindOrderer
}

// TermsCollection is the private data collection holding the terms of the pledges a bank holds (V2).
func TermsCollection(bank MSPID) string { return "terms" + string(bank) }

// Role is a user's role, from the ipledger.role attribute of the user's certificate.
type Role string

// Roles. Each organization's staff hold its one operational role, or admin.
const (
	RoleLoanOfficer Role = "loan-officer"
	RoleExaminer    Role = "examiner"
	RoleTrader      Role = "trader"
	RoleAuditor     Role = "auditor"
	RoleAdmin       Role = "admin"
	// RoleValuer, RoleUnderwriter and RoleFundOfficer are the staff of a valuation agency, an insurer
	// and the fund's manager (F1–F8).
	RoleValuer      Role = "valuer"
	RoleUnderwriter Role = "underwriter"
	RoleFundOfficer Role = "fund-officer"
)

// RoleAttribute is the name of the certificate attribute that carries the role.
const RoleAttribute = "ipledger.role"

// OperationalRole is the one role each organization's staff hold besides admin; an organization's
// admin may do everything its operational role may.
func OperationalRole(msp MSPID) (Role, bool) {
	switch msp {
	case MSPIPOffice:
		return RoleExaminer, true
	case MSPExchange:
		return RoleTrader, true
	case MSPRegulator:
		return RoleAuditor, true
	case MSPFund:
		return RoleFundOfficer, true
	}
	switch k, _ := KindOf(msp); k {
	case KindBank:
		return RoleLoanOfficer, true
	case KindValuer:
		return RoleValuer, true
	case KindInsurer:
		return RoleUnderwriter, true
	}
	return "", false
}

// PledgeEndorsers are the organizations whose peers must endorse every change of a pledge held by
// bank (rule I1): the IP office and that bank. The chaincode sets this as the key-level policy of the
// pledge's keys; the chaincode's dry run of a submission (PlanSubmission) names them to the gateway,
// since the peer's discovery does not know key-level policies.
func PledgeEndorsers(bank MSPID) []MSPID { return []MSPID{MSPIPOffice, bank} }

// Endorsement is a key-level endorsement policy (rule I1): a peer of every organization in All must
// endorse, and, when AnyOf is not empty, a peer of at least one organization in AnyOf as well.
type Endorsement struct {
	All   []MSPID
	AnyOf []MSPID
}

// String renders e in Fabric's policy language, for logs and docs.
func (e Endorsement) String() string {
	var parts []string
	for _, o := range e.All {
		parts = append(parts, fmt.Sprintf("'%s.peer'", o))
	}
	if len(e.AnyOf) > 0 {
		var anyOf []string
		for _, o := range e.AnyOf {
			anyOf = append(anyOf, fmt.Sprintf("'%s.peer'", o))
		}
		parts = append(parts, "OR("+strings.Join(anyOf, ",")+")")
	}
	return "AND(" + strings.Join(parts, ",") + ")"
}

// RightEndorsement is the key-level policy of an IP right, a transfer and a request id (rule I1): the
// IP office and at least one other organization, so that no single organization changes them alone.
// The chaincode definition's policy says the same, so discovery finds these endorsers by itself. Its
// AnyOf names the founding members; the keys already on the ledger carry it, so it stays as it is. A
// transaction whose named endorsers meet none of it (the IP office and a bank that joined later) is
// endorsed by the regulator too: the rules' dry run (PlanSubmission) names [AnyOfFallback].
var RightEndorsement = Endorsement{All: []MSPID{MSPIPOffice},
	AnyOf: []MSPID{MSPBank1, MSPBank2, MSPExchange, MSPRegulator}}

// AnyOfFallback is the organization that meets an AnyOf that a transaction's other endorsers do not:
// the regulator, a member of every collection, whose peer therefore endorses any submission.
const AnyOfFallback = MSPRegulator

// PledgeEndorsement is the key-level policy of a pledge's keys: [PledgeEndorsers] of its pledgee bank.
func PledgeEndorsement(bank MSPID) Endorsement { return Endorsement{All: PledgeEndorsers(bank)} }
