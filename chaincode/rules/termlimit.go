package rules

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
)

// MaxDebtTermYears is rule P14, a rule switched on when the chaincode program is built: empty (the
// default) sets no limit; a number of years, set with
//
//	go build -ldflags "-X github.com/ipledger/ipledger/chaincode/rules.MaxDebtTermYears=10" ./chaincode/cmd/ipledger-cc
//
// refuses a pledge application whose debt term ends later than that many years after it starts.
// Switching it on makes another program, so another chaincode version (the version names the
// program's sha256): the consortium adopts it by upgrading the chaincode, and the rule applies from
// the block that commits that definition on. Records filed before are left as they are.
var MaxDebtTermYears string

// CheckBuildSettings refuses a program built with a malformed rule setting: the chaincode server
// checks it when it starts, so that such a program never serves (an upgrade to it fails before any
// organization approves it).
func CheckBuildSettings() error {
	if MaxDebtTermYears == "" {
		return nil
	}
	if years, err := strconv.Atoi(MaxDebtTermYears); err != nil || years <= 0 {
		return fmt.Errorf("rule P14: MaxDebtTermYears %q is not a positive number of years", MaxDebtTermYears)
	}
	return nil
}

// checkDebtTermLimit refuses an application, or an extension, whose debt term is longer than
// MaxDebtTermYears (P14).
func checkDebtTermLimit(in api.PledgeApplication) error {
	if MaxDebtTermYears == "" {
		return nil
	}
	years, err := strconv.Atoi(MaxDebtTermYears)
	if err != nil || years <= 0 { // a program built with a malformed limit refuses rather than ignores it
		return internal("P14 limit", fmt.Errorf("MaxDebtTermYears %q is not a positive number of years", MaxDebtTermYears))
	}
	start, err := time.Parse(time.DateOnly, in.DebtTermStart)
	if err != nil {
		return api.Invalid("debtTermStart", "must be a date YYYY-MM-DD") // ParsePledgeApplication checked it already
	}
	end, err := time.Parse(time.DateOnly, in.DebtTermEnd)
	if err != nil {
		return api.Invalid("debtTermEnd", "must be a date YYYY-MM-DD")
	}
	if limit := start.AddDate(years, 0, 0); end.After(limit) {
		return api.Conflict("P14", "the debt term is longer than "+MaxDebtTermYears+" years",
			"debtTermStart", in.DebtTermStart, "debtTermEnd", in.DebtTermEnd,
			"lastDay", limit.Format(time.DateOnly), "reason", "debt-term-too-long")
	}
	return nil
}
