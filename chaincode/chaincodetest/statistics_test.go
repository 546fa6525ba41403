//go:build integration

package chaincodetest

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/network/itest"
)

// window is the statistics window of the test: yesterday to tomorrow in China time, so that the
// test's own transactions fall in it whenever it runs.
func window() string {
	today := time.Now().In(time.FixedZone("UTC+8", 8*3600))
	return "from=" + today.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + today.AddDate(0, 0, 1).Format(time.DateOnly)
}

// lastBlock is the block of the test's last submission: the next request, at any gateway, waits for
// its peer to have committed it (IPLedger-After-Block).
var lastBlock uint64

func after() []string { return []string{"IPLedger-After-Block", strconv.FormatUint(lastBlock, 10)} }

func statsOf(t *testing.T, c *itest.Caller) api.Statistics {
	t.Helper()
	return statsWith(t, c, "")
}

// statsWith is the statistics with the filters of query (e.g. "&pledgee=Bank2MSP").
func statsWith(t *testing.T, c *itest.Caller, query string) api.Statistics {
	t.Helper()
	r := c.Do(http.MethodGet, "/v1/statistics?"+window()+"&interval=month"+query, nil, after()...)
	var st api.Statistics
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &st) != nil {
		t.Fatalf("GET /v1/statistics as %s/%s: %s", c.Org, c.User, r)
	}
	return st
}

// amountOf is the amount and count of currency in a list of sums, in cents.
func amountOf(t *testing.T, list []api.Amount, currency string) (int64, int) {
	t.Helper()
	for _, a := range list {
		if a.Currency == currency {
			whole, frac, _ := strings.Cut(a.Amount, ".")
			w, err1 := strconv.ParseInt(whole, 10, 64)
			f, err2 := strconv.ParseInt(frac, 10, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("amount %q", a.Amount)
			}
			return w*100 + f, a.Count
		}
	}
	return 0, 0
}

func bankOf(st api.Statistics, msp api.MSPID) api.BankStatistics {
	for _, b := range st.ByBank {
		if b.MSP == msp {
			return b
		}
	}
	return api.BankStatistics{MSP: msp}
}

// pledgeVia files a pledge of bank's officer on a new right for amount CNY and answers its id.
func pledgeVia(t *testing.T, ipo, bank *itest.Caller, amount string) string {
	t.Helper()
	asset := itest.Uniq("ST")
	r := ipo.Do(http.MethodPost, "/v1/assets", itest.Patent(asset), after()...)
	if r.Status != http.StatusCreated {
		t.Fatalf("register %s: %s", asset, r)
	}
	lastBlock = max(lastBlock, r.Block())
	app := itest.Application(asset)
	app["terms"] = itest.Terms(amount)
	r = bank.Do(http.MethodPost, "/v1/pledges", app, after()...)
	if r.Status != http.StatusCreated {
		t.Fatalf("apply on %s: %s", asset, r)
	}
	lastBlock = max(lastBlock, r.Block())
	return r.Str(t, "id")
}

func mustDo(t *testing.T, c *itest.Caller, path string, body any) {
	t.Helper()
	r := c.Do(http.MethodPost, path, body, after()...)
	if r.Status != http.StatusOK {
		t.Fatalf("POST %s as %s: %s", path, c.Org, r)
	}
	lastBlock = max(lastBlock, r.Block())
}

// TestStatistics_ThroughTheGatewaysOfTheRegulatorAndABank: pledges registered, released and refused
// through HTTP move the regulator's statistics by exactly what they did, amounts of both banks
// included; Bank1's officer sees the same counts and only Bank1's amounts; the CSV parses with
// encoding/csv and says what the JSON says. Counts are compared before and after, so that the
// network's other pledges do not matter.
func TestStatistics_ThroughTheGatewaysOfTheRegulatorAndABank(t *testing.T) {
	regulator, officer1 := itest.As(t, "RegulatorMSP", "auditor1"), itest.As(t, "Bank1MSP", "officer1")
	ipo, officer2 := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "Bank2MSP", "officer1")
	regBefore, bankBefore := statsOf(t, regulator), statsOf(t, officer1)
	bank2Before, bank1PatentsBefore := statsWith(t, regulator, "&pledgee=Bank2MSP"), statsWith(t, regulator, "&pledgee=Bank1MSP&kind=patent-invention")

	a, b := pledgeVia(t, ipo, officer1, "1000000.00"), pledgeVia(t, ipo, officer1, "2500000.00")
	c, d := pledgeVia(t, ipo, officer2, "4000000.00"), pledgeVia(t, ipo, officer1, "9000000.00")
	for _, id := range []string{a, b, c} {
		mustDo(t, ipo, "/v1/pledges/"+id+"/register", map[string]any{"registrationNumber": "Y-" + id})
	}
	mustDo(t, ipo, "/v1/pledges/"+d+"/refuse", map[string]any{"reasons": []string{"incomplete"}})
	mustDo(t, officer1, "/v1/pledges/"+a+"/release", map[string]any{"reason": "repaid"})

	start := time.Now()
	reg := statsOf(t, regulator)
	t.Logf("FIGURE GET /v1/statistics as the regulator over %d pledges: %s", reg.PledgesRead, time.Since(start).Round(time.Millisecond))
	bank := statsOf(t, officer1)
	for _, x := range []struct {
		name        string
		got, before int
		want        int
	}{
		{"applications", reg.Totals.Applications, regBefore.Totals.Applications, 4},
		{"registrations", reg.Totals.Registrations, regBefore.Totals.Registrations, 3},
		{"refusals", reg.Totals.Refusals, regBefore.Totals.Refusals, 1},
		{"releases", reg.Totals.Releases, regBefore.Totals.Releases, 1},
		{"decisions", reg.Totals.DecisionTimes.Count, regBefore.Totals.DecisionTimes.Count, 4},
		{"Bank1 registrations", bankOf(reg, api.MSPBank1).Registrations, bankOf(regBefore, api.MSPBank1).Registrations, 2},
		{"Bank2 registrations", bankOf(reg, api.MSPBank2).Registrations, bankOf(regBefore, api.MSPBank2).Registrations, 1},
		{"Bank1's view: registrations", bank.Totals.Registrations, bankBefore.Totals.Registrations, 3},
		{"Bank1's view: terms not entitled", bank.TermsCoverage.NotEntitled, bankBefore.TermsCoverage.NotEntitled, 1},
	} {
		if x.got-x.before != x.want {
			t.Errorf("%s: %d before, %d after, want %+d", x.name, x.before, x.got, x.want)
		}
	}
	delta := func(name string, after, before []api.Amount, cents int64, n int) {
		t.Helper()
		a, an := amountOf(t, after, "CNY")
		b, bn := amountOf(t, before, "CNY")
		if a-b != cents || an-bn != n {
			t.Errorf("%s: CNY %d cents over %d before, %d over %d after; want %+d cents over %+d", name, b, bn, a, an, cents, n)
		}
	}
	delta("regulator's secured amount", reg.Totals.SecuredAmount, regBefore.Totals.SecuredAmount, 750000000, 3)
	delta("regulator's Bank1 amount", bankOf(reg, api.MSPBank1).Amounts, bankOf(regBefore, api.MSPBank1).Amounts, 350000000, 2)
	delta("regulator's Bank2 amount", bankOf(reg, api.MSPBank2).Amounts, bankOf(regBefore, api.MSPBank2).Amounts, 400000000, 1)
	delta("Bank1's secured amount", bank.Totals.SecuredAmount, bankBefore.Totals.SecuredAmount, 350000000, 2)
	delta("Bank1's own amount", bankOf(bank, api.MSPBank1).Amounts, bankOf(bankBefore, api.MSPBank1).Amounts, 350000000, 2)
	if amounts := bankOf(bank, api.MSPBank2).Amounts; len(amounts) != 0 {
		t.Errorf("Bank1's officer sees Bank2's amounts: %+v", amounts)
	}
	if !reg.TermsCoverage.Complete || bank.TermsCoverage.Complete || bank.QueriedBy != api.MSPBank1 {
		t.Errorf("coverage: regulator %+v, Bank1 %+v (%s)", reg.TermsCoverage, bank.TermsCoverage, bank.QueriedBy)
	}

	// Filtered by pledgee and kind: only Bank2's pledge (c); only Bank1's patents (a, b, d).
	bank2, bank1Patents := statsWith(t, regulator, "&pledgee=Bank2MSP"), statsWith(t, regulator, "&pledgee=Bank1MSP&kind=patent-invention")
	if bank2.Pledgee != api.MSPBank2 || bank2.Kind != "" || bank1Patents.Pledgee != api.MSPBank1 || bank1Patents.Kind != "patent-invention" {
		t.Errorf("the filters applied: %q %q, %q %q", bank2.Pledgee, bank2.Kind, bank1Patents.Pledgee, bank1Patents.Kind)
	}
	for _, x := range []struct {
		name              string
		got, before, want int
	}{
		{"Bank2's applications", bank2.Totals.Applications, bank2Before.Totals.Applications, 1},
		{"Bank2's registrations", bank2.Totals.Registrations, bank2Before.Totals.Registrations, 1},
		{"Bank2's refusals", bank2.Totals.Refusals, bank2Before.Totals.Refusals, 0},
		{"Bank1's patents: applications", bank1Patents.Totals.Applications, bank1PatentsBefore.Totals.Applications, 3},
		{"Bank1's patents: registrations", bank1Patents.Totals.Registrations, bank1PatentsBefore.Totals.Registrations, 2},
		{"Bank1's patents: refusals", bank1Patents.Totals.Refusals, bank1PatentsBefore.Totals.Refusals, 1},
	} {
		if x.got-x.before != x.want {
			t.Errorf("%s: %d before, %d after, want %+d", x.name, x.before, x.got, x.want)
		}
	}
	delta("Bank2's secured amount", bank2.Totals.SecuredAmount, bank2Before.Totals.SecuredAmount, 400000000, 1)
	delta("Bank1's patents' secured amount", bank1Patents.Totals.SecuredAmount, bank1PatentsBefore.Totals.SecuredAmount, 350000000, 2)
	for _, b := range append(bank2.ByBank, bank1Patents.ByBank...) {
		if b.MSP != api.MSPBank2 && b.MSP != api.MSPBank1 || b.RegistrationShare != 100 {
			t.Errorf("a filtered answer's banks: %+v", b)
		}
	}

	r := regulator.Do(http.MethodGet, "/v1/statistics?"+window()+"&format=csv", nil, after()...)
	if r.Status != http.StatusOK || !bytes.HasPrefix(r.Body, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("CSV: %s", r)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	found := false
	for _, row := range rows[1:] {
		if row[0] == "total" && row[7] == "registrations" {
			found = row[8] == strconv.Itoa(reg.Totals.Registrations)
		}
	}
	if !found || len(rows[0]) != 9 {
		t.Errorf("the CSV's total of registrations is not the JSON's %d: %d rows, header %v", reg.Totals.Registrations, len(rows), rows[0])
	}
	t.Logf("FIGURE the regulator's CSV: %d rows, %d bytes", len(rows), len(r.Body))
}

// TestStateKeys_TheChaincodeListsTheKeysWritten: ListStateKeys, page by page, lists the pledges just
// written with the SHA-256 of the record the chaincode answers; GetStateDigests gives the same hash,
// and the hash of the terms in Bank1's collection on Bank1's peer and on Bank2's, which is not a
// member of it.
func TestStateKeys_TheChaincodeListsTheKeysWritten(t *testing.T) {
	n := connect(t)
	ipo, officer1 := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "Bank1MSP", "officer1")
	ids := []string{pledgeVia(t, ipo, officer1, "1200000.00"), pledgeVia(t, ipo, officer1, "1300000.00")}
	n.waitBlock(lastBlock)

	listed, pages, bookmark := map[string]string{}, 0, ""
	start := time.Now()
	for {
		var page api.StateKeyPage
		n.evaluate("IPOfficeMSP", "examiner1", &page, api.ListStateKeys.Name, "pledge", "50", bookmark)
		pages++
		for _, k := range page.Items {
			listed[k.Key] = k.SHA256
		}
		if page.Bookmark == "" {
			break
		}
		bookmark = page.Bookmark
	}
	t.Logf("FIGURE ListStateKeys pledge: %d keys in %d pages of 50, %s", len(listed), pages, time.Since(start).Round(time.Millisecond))
	var simple api.StateKeyPage
	n.evaluate("RegulatorMSP", "auditor1", &simple, api.ListStateKeys.Name, "", "0", "")
	if simple.Count != len(simple.Items) || simple.Family != "" {
		t.Errorf("simple keys: %+v", simple)
	}
	keys := []string{}
	for _, id := range ids {
		key := rules.CompositeKey("pledge", id)
		var p api.Pledge
		n.evaluate("IPOfficeMSP", "examiner1", &p, api.GetPledge.Name, id)
		raw, _ := json.Marshal(p)
		sum := sha256.Sum256(raw)
		if listed[key] != hex.EncodeToString(sum[:]) {
			t.Errorf("pledge %s: listed %q, the hash of its record %x", id, listed[key], sum)
		}
		keys = append(keys, key)
	}
	keysJSON, _ := json.Marshal(keys)
	var on1, on2 api.KeyDigests
	n.evaluate("Bank1MSP", "officer1", &on1, api.GetStateDigests.Name, string(keysJSON), `["termsBank1MSP","termsBank2MSP"]`)
	n.evaluate("Bank2MSP", "officer1", &on2, api.GetStateDigests.Name, string(keysJSON), `["termsBank1MSP"]`)
	for i, key := range keys {
		d1, d2 := on1.Items[i], on2.Items[i]
		if !d1.Exists || d1.SHA256 != listed[key] || d2.SHA256 != d1.SHA256 {
			t.Errorf("%q: digest %+v on Bank1's peer, %+v on Bank2's, listed %s", key, d1, d2, listed[key])
		}
		if !d1.Private[0].Exists || d1.Private[1].Exists || d1.Private[0].SHA256 != d2.Private[0].SHA256 {
			t.Errorf("%q: private digests %+v on Bank1's peer, %+v on Bank2's (not a member)", key, d1.Private, d2.Private)
		}
	}
}
