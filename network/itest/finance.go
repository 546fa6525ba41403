package itest

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
)

// China is the register's time zone (UTC+8): the fund's year is the transactions' year there (F6).
var China = time.FixedZone("CST", 8*3600)

// FundRules are the fund's rules the suites use for the current year: 40 % of a net loss, at most
// 100,000.00 a loan and 150,000.00 a bank.
func FundRules() map[string]any {
	return map[string]any{"currency": "CNY", "lossShare": 4000, "capPerLoan": "100000.00", "capPerBank": "150000.00",
		"capPerYear": "1000000.00", "interestSubsidyShare": 5000, "premiumSubsidyShare": 3000, "valuationFeeSubsidyShare": 6000,
		"subsidyCapPerEnterprise": "20000.00"}
}

// Write sends a submission, fails the test unless it answers status, and waits until every peer has
// its block and every gateway reads with it.
func (c *Caller) Write(status int, what, method, path string, body any) Reply {
	c.T.Helper()
	r := c.Do(method, path, body)
	if r.Status != status {
		c.T.Fatalf("%s (%s %s as %s/%s): %s, want %d", what, method, path, c.Org, c.User, r, status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := System(c.T).WaitForBlock(ctx, r.Block()); err != nil {
		c.T.Fatal(err)
	}
	AwaitGateways(c.T, r.Block())
	return r
}

// FundYear makes sure the fund's rules of the current year are FundRules, and that bank has had no
// claim approved this year, and returns the year. The rules are fixed by the year's first approval (F6)
// and a bank's cap is spent by its approvals (F7): on a network where that happened (not the test
// command's own), the test is skipped, saying why.
func FundYear(t testing.TB, bank string) string {
	t.Helper()
	fund := As(t, string(api.MSPFund), "manager1")
	year := strconv.Itoa(time.Now().In(China).Year())
	r := fund.Do("GET", "/v1/fund/rules/"+year, nil)
	var rules struct {
		Fixed      bool   `json:"fixed"`
		CapPerBank string `json:"capPerBank"`
		CapPerLoan string `json:"capPerLoan"`
		LossShare  int    `json:"lossShare"`
	}
	_ = json.Unmarshal(r.Body, &rules)
	switch {
	case r.Status == 200 && rules.Fixed && (rules.CapPerBank != "150000.00" || rules.CapPerLoan != "100000.00" || rules.LossShare != 4000):
		t.Skipf("the fund's rules for %s are fixed with other figures on this network: %s", year, r.Body)
	case !rules.Fixed:
		fund.Write(200, "the year's rules", "POST", "/v1/fund/rules/"+year, FundRules())
	}
	u := fund.Do("GET", "/v1/fund/usage/"+year+"?bank="+bank, nil)
	var usage struct {
		Approved string `json:"approved"`
	}
	if err := json.Unmarshal(u.Body, &usage); err != nil || u.Status != 200 {
		t.Fatalf("%s's usage of the fund: %s", bank, u)
	}
	if usage.Approved != "0.00" {
		t.Skipf("%s had %s approved by the fund in %s on this network: the test needs a bank with none", bank, usage.Approved, year)
	}
	return year
}

// SoldPledge registers a patent, has bank's officer1 pledge it for 5,000,000.00, default with a claim
// of 1,000,000.00, the exchange sell it for 600,000.00 and the IP office record the buyer's title: a
// net loss of 400,000.00 on the ledger's own figures. It returns the pledge's id.
func SoldPledge(t testing.TB, bank string) string {
	t.Helper()
	ipo, lender, exch := As(t, "IPOfficeMSP", "examiner1"), As(t, bank, "officer1"), As(t, "ExchangeMSP", "trader1")
	asset := Uniq("CN-F7")
	ipo.Write(201, "register", "POST", "/v1/assets", Patent(asset))
	p := lender.Write(201, "apply", "POST", "/v1/pledges", Application(asset)).Str(t, "id")
	ipo.Write(200, "register", "POST", "/v1/pledges/"+p+"/register", map[string]any{"registrationNumber": "Y-" + p})
	lender.Write(200, "default", "POST", "/v1/pledges/"+p+"/default",
		map[string]any{"reason": "missed payments", "claim": map[string]any{"amount": "1000000.00", "currency": "CNY"}})
	r := exch.Write(200, "dispose", "POST", "/v1/pledges/"+p+"/dispose", map[string]any{"method": "auction",
		"price": "600000.00", "currency": "CNY", "saleRef": Uniq("AUC"), "surplus": "0",
		"buyers":   []any{map[string]any{"id": "91420100MA4K0009", "name": "Hubei Photonics", "share": 10000}},
		"proceeds": []any{map[string]any{"pledgeId": p, "amount": "600000.00"}}})
	var res struct {
		Result struct {
			Disposal struct {
				TransferIDs []string `json:"transferIds"`
			} `json:"disposal"`
		} `json:"result"`
	}
	if err := json.Unmarshal(r.Body, &res); err != nil || len(res.Result.Disposal.TransferIDs) != 1 {
		t.Fatalf("disposal: %s (%v)", r, err)
	}
	ipo.Write(200, "record the buyer's title", "POST", "/v1/transfers/"+res.Result.Disposal.TransferIDs[0]+"/record", map[string]any{})
	return p
}

// FiledClaims has bank file a claim on the fund for each pledge and returns the claims' ids; each must
// be computed at 100,000.00 (40 % of 400,000.00, the cap per loan).
func FiledClaims(t testing.TB, bank string, pledges ...string) []string {
	t.Helper()
	var ids []string
	for _, p := range pledges {
		r := As(t, bank, "officer1").Write(201, "file a claim", "POST", "/v1/fund/claims", map[string]any{"pledgeId": p})
		if got, _ := r.Obj(t)["result"].(map[string]any); got["computed"] != "100000.00" {
			t.Fatalf("the claim on %s: %s", p, r)
		}
		ids = append(ids, r.Str(t, "id"))
	}
	return ids
}
