package rules

import "slices"

// Organizations (MSP ids) of the network.
const (
	MSPIPOffice  = "IPOfficeMSP"
	MSPBank1     = "Bank1MSP"
	MSPBank2     = "Bank2MSP"
	MSPExchange  = "ExchangeMSP"
	MSPRegulator = "RegulatorMSP"
)

// Roles, from the ipledger.role attribute of the submitter's certificate.
const (
	RoleLoanOfficer = "loan-officer"
	RoleExaminer    = "examiner"
	RoleTrader      = "trader"
	RoleAuditor     = "auditor"
	RoleAdmin       = "admin"
	// RoleAttribute is the name of the certificate attribute that carries the role.
	RoleAttribute = "ipledger.role"
)

// Banks lists the organizations that may be pledgees.
var Banks = []string{MSPBank1, MSPBank2}

// operationalRole is the one role each organization's staff hold besides admin; an organization's admin
// may do everything its operational role may.
var operationalRole = map[string]string{
	MSPIPOffice:  RoleExaminer,
	MSPBank1:     RoleLoanOfficer,
	MSPBank2:     RoleLoanOfficer,
	MSPExchange:  RoleTrader,
	MSPRegulator: RoleAuditor,
}

// IsBank says whether msp is a lending bank.
func IsBank(msp string) bool { return slices.Contains(Banks, msp) }

// TermsCollection is the private data collection holding the terms of pledges held by bank (V2).
func TermsCollection(bank string) string { return "terms" + bank }

// member checks that c is a known organization with a role valid there: its operational role or admin.
func (c Caller) member() bool {
	op, ok := operationalRole[c.MSP]
	return ok && (c.Role == op || c.Role == RoleAdmin)
}

// requireMember admits any member of the network with a valid role: the register is public to them (A3).
func requireMember(c Caller) error {
	if !c.member() {
		return Forbidden("A3", "caller is not a member of the network with a valid ipledger.role",
			"msp", c.MSP, "role", c.Role)
	}
	return nil
}

// requireOrg admits callers of one of orgs with a valid role there. rule names the rule that grants
// the right. The regulator is never admitted to a write (V3) and gets that rule in the error.
func requireOrg(c Caller, rule string, orgs ...string) error {
	if c.MSP == MSPRegulator {
		return Forbidden("V3", "the regulator reads everything and writes nothing", "msp", c.MSP)
	}
	if !c.member() || !slices.Contains(orgs, c.MSP) {
		return Forbidden(rule, "organization or role may not do this", "msp", c.MSP, "role", c.Role)
	}
	return nil
}
