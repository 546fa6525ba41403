package api

import (
	"fmt"
	"slices"
	"strings"
)

// MSPID is an organization of the network, named by its MSP id.
type MSPID string

// Organizations of the network.
const (
	MSPIPOffice  MSPID = "IPOfficeMSP"
	MSPBank1     MSPID = "Bank1MSP"
	MSPBank2     MSPID = "Bank2MSP"
	MSPExchange  MSPID = "ExchangeMSP"
	MSPRegulator MSPID = "RegulatorMSP"
)

// PeerOrgs lists the organizations that run a peer of the channel.
var PeerOrgs = []MSPID{MSPBank1, MSPBank2, MSPExchange, MSPIPOffice, MSPRegulator}

// Banks lists the organizations that may be pledgees.
var Banks = []MSPID{MSPBank1, MSPBank2}

// IsBank says whether msp is a lending bank.
func IsBank(msp MSPID) bool { return slices.Contains(Banks, msp) }

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
)

// RoleAttribute is the name of the certificate attribute that carries the role.
const RoleAttribute = "ipledger.role"

// OperationalRole is the one role each organization's staff hold besides admin; an organization's
// admin may do everything its operational role may.
func OperationalRole(msp MSPID) (Role, bool) {
	switch msp {
	case MSPIPOffice:
		return RoleExaminer, true
	case MSPBank1, MSPBank2:
		return RoleLoanOfficer, true
	case MSPExchange:
		return RoleTrader, true
	case MSPRegulator:
		return RoleAuditor, true
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
// The chaincode definition's policy says the same, so discovery finds these endorsers by itself.
var RightEndorsement = Endorsement{All: []MSPID{MSPIPOffice},
	AnyOf: []MSPID{MSPBank1, MSPBank2, MSPExchange, MSPRegulator}}

// PledgeEndorsement is the key-level policy of a pledge's keys: [PledgeEndorsers] of its pledgee bank.
func PledgeEndorsement(bank MSPID) Endorsement { return Endorsement{All: PledgeEndorsers(bank)} }
