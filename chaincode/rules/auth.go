package rules

import (
	"slices"

	"github.com/ipledger/ipledger/chaincode/api"
)

// member checks that c is a known organization with a role valid there: its operational role or admin.
func (c Caller) member() bool {
	op, ok := api.OperationalRole(c.MSP)
	return ok && (c.Role == op || c.Role == api.RoleAdmin)
}

// requireMember admits any member of the network with a valid role: the register is public to them (A3).
func requireMember(c Caller) error {
	if !c.member() {
		return api.Forbidden("A3", "caller is not a member of the network with a valid ipledger.role",
			"msp", string(c.MSP), "role", string(c.Role))
	}
	return nil
}

// requireOrg admits callers of one of orgs with a valid role there. rule names the rule that grants
// the right. The regulator is never admitted to a write (V3) and gets that rule in the error.
func requireOrg(c Caller, rule api.Code, orgs ...api.MSPID) error {
	if c.MSP == api.MSPRegulator {
		return api.Forbidden("V3", "the regulator reads everything and writes nothing", "msp", string(c.MSP))
	}
	if !c.member() || !slices.Contains(orgs, c.MSP) {
		return api.Forbidden(rule, "organization or role may not do this", "msp", string(c.MSP), "role", string(c.Role))
	}
	return nil
}

// requireBank admits the loan officers and admins of any bank ([api.IsBank]): no bank is named, so a
// bank that joins later may file without a change of code. rule names the rule that grants the right.
func requireBank(c Caller, rule api.Code) error { return requireKind(c, rule, api.KindBank) }

// requireKind admits the staff (operational role or admin) of any organization of kind ([api.KindOf]):
// a bank, a valuation agency (F2), an insurer (F4, F5); none is named. The regulator gets V3, the
// others rule.
func requireKind(c Caller, rule api.Code, kind api.OrgKind) error {
	if k, ok := api.KindOf(c.MSP); ok && k == kind {
		return requireOrg(c, rule, c.MSP)
	}
	return requireOrg(c, rule)
}
