//go:build integration

package consoletest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
)

// TestConsole_OneLoanEndToEnd follows one loan of the province's IP-finance record through the
// consoles of every organization that acts on it (rules F1–F9), in Chinese:
//
//  1. the IP office accredits the valuation agency (accreditations page);
//  2. the agency issues a valuation report of the right for Bank 1, 8,000,000.00 (valuations page);
//  3. Bank 1 applies for the pledge citing the report, with the borrower's industry and region (apply);
//  4. the IP office registers it (queue);
//  5. the insurer records a 70 % cover on the loan (covers page);
//  6. Bank 1 applies for a loan-interest subsidy (finance page) and the fund's manager approves it
//     (fund page);
//  7. Bank 1 declares default (pledge page) and the exchange disposes of the right for 600,000.00;
//     the IP office records the buyer's title (through the API: the transfers page has its own test);
//  8. the insurer pays 70 % of the 400,000.00 loss (covers page);
//  9. Bank 1 claims on the fund, which computes 40 % of what is left, 48,000.00, and the fund's
//     manager approves it;
//  10. the regulator's evaluation page shows the loan: its industry and region, the valuation against
//     the sale, the insurer's payment, the fund's approval and the subsidy on a loan flagged since.
//
// The fund's rules of the year are set through the API (itest.FundYear): the year's first approval
// fixes them, and the test needs Bank 1 with no approval this year (the test command's network).
func TestConsole_OneLoanEndToEnd(t *testing.T) {
	sys := itest.System(t)
	itest.FundYear(t, "Bank1MSP")
	bank, office := orgOf(t, sys, "Bank1MSP", "officer1"), orgOf(t, sys, "IPOfficeMSP", "examiner1")
	valuer, insurer := orgOf(t, sys, "ValuerMSP", "appraiser1"), orgOf(t, sys, "InsurerMSP", "underwriter1")
	exchange, fund := orgOf(t, sys, "ExchangeMSP", "trader1"), orgOf(t, sys, "FundMSP", "manager1")
	regulator := orgOf(t, sys, "RegulatorMSP", "auditor1")
	dir := screenshotDir(t)

	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	asset, owner := "CN-ZL-FIN-"+suffix, "91420100FIN"+suffix
	office.post(t, "/v1/assets", map[string]any{
		"id": asset, "kind": "patent-invention", "number": "ZL2023FIN" + suffix, "title": "Silicon photonic modulator",
		"owners":          []map[string]any{{"id": owner, "name": "Wuhan Photonics Co., Ltd.", "share": 10000}},
		"applicationDate": "2020-03-10", "grantDate": "2022-08-01", "expiryDate": "2040-03-10", "feesPaidThrough": "2031-03-10",
	})
	today := time.Now().In(itest.China)
	date := func(days int) string { return today.AddDate(0, 0, days).Format(time.DateOnly) }
	// The debt term and the cover's term hold today (the default) and the subsidised interest period.
	termStart, termEnd := date(-200), date(730)

	// What the regulator's evaluation of the year counts before this loan: the test checks that the
	// loan adds one to each figure it touches.
	base := evaluationOf(t)

	root := &console{t: t}
	var spkis []string
	for _, o := range []org{bank, office, valuer, insurer, exchange, fund, regulator} {
		spkis = append(spkis, o.spki(t))
	}
	ctx := browser(t, spkis...)
	shown := func(sel string) string {
		return fmt.Sprintf(`!!document.querySelector(%q) && !document.querySelector(%q).hidden`, sel, sel)
	}
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	await := func(b *console, what, sel string) string {
		t.Helper()
		b.waitFor(what, shown(sel))
		return b.eval(fmt.Sprintf(`document.querySelector(%q).textContent`, sel))
	}

	// 1. The IP office accredits the agency.
	o := root.tab("ipoffice", office, ctx, dir)
	o.open("accreditations")
	o.signIn("")
	o.do("accredit the agency", fill("#acc-msp", "ValuerMSP"), fill("#acc-name", "湖北中信资产评估有限公司"), fill("#acc-filing", "42-2024-0017"),
		fill("#acc-from", "2025-01-01"), fill("#acc-until", "2030-12-31"), click("#acc-submit"))
	if got := await(o, "the accreditation recorded", "#acc-done"); !strings.Contains(got, "ValuerMSP") {
		t.Errorf("accreditation: %q", got)
	}
	o.shot("60-ipoffice-accreditation")

	// 2. The agency issues the report.
	v := root.tab("valuer", valuer, ctx, dir)
	v.open("valuations")
	v.signIn("")
	v.do("issue the report", fill("#val-assets", asset), fill("#val-bank", "Bank1MSP"), fill("#val-method", "income"),
		fill("#val-value", "8000000.00"), fill("#val-currency", "CNY"), fill("#val-date", date(-30)), fill("#val-until", date(300)),
		fill("#val-number", "鄂中信评报字[2026]第"+suffix+"号"), fill("#val-hash", strings.Repeat("7e", 32)), click("#val-submit"))
	await(v, "the report issued", "#val-issued")
	report := v.eval(`document.querySelector("#val-issued [data-report]").dataset.report`)
	v.waitFor("the report in the agency's list", fmt.Sprintf(`!!document.querySelector('#val-rows tr[data-report=%q]')`, report))
	v.shot("61-valuer-report")

	// 3. Bank 1 applies, citing the report, with the borrower's industry and region.
	b := root.tab("bank", bank, ctx, dir)
	b.open("apply")
	b.signIn("")
	b.do("fill in the application",
		chromedp.SetValue(chromedp.CSS("#f-assets"), asset),
		chromedp.SetValue(chromedp.CSS("[name=pledgor-id]"), owner),
		chromedp.SetValue(chromedp.CSS("[name=pledgor-name]"), "Wuhan Photonics Co., Ltd."),
		chromedp.SetValue(chromedp.CSS("#f-pledgee"), "Bank One, Hubei Branch"),
		chromedp.SetValue(chromedp.CSS("#f-debtkind"), "loan"),
		chromedp.SetValue(chromedp.CSS("#f-start"), termStart),
		chromedp.SetValue(chromedp.CSS("#f-end"), termEnd),
		chromedp.SetValue(chromedp.CSS("#f-amount"), "5000000.00"),
		chromedp.SetValue(chromedp.CSS("#f-currency"), "CNY"),
		chromedp.SetValue(chromedp.CSS("#f-rate"), "3.85"),
		chromedp.SetValue(chromedp.CSS("#f-contract"), strings.Repeat("3c5d", 16)),
		chromedp.SetValue(chromedp.CSS("#f-valuation"), report),
		chromedp.SetValue(chromedp.CSS("#f-industry"), "C3976"),
		chromedp.SetValue(chromedp.CSS("#f-region"), "420111"),
		click("#apply-submit"), chromedp.WaitVisible(chromedp.CSS("#applied")))
	pledge := b.eval(`document.querySelector("#applied").dataset.pledge`)
	if pledge == "" {
		t.Fatal("no pledge id after filing")
	}
	t.Logf("pledge %s on %s, citing report %s", pledge, asset, report)

	// 4. The IP office registers it from its queue.
	o.open("queue")
	sel := fmt.Sprintf(`section.application[data-pledge=%q]`, pledge)
	o.waitFor("the application in the queue", fmt.Sprintf(`!!document.querySelector(%q)`, sel))
	o.do("register", fill(sel+" [name=registrationNumber]", "Y2026-FIN-"+suffix), click(sel+" form.register button"))
	o.outcome("registered", "register:"+pledge)

	// The bank sees the loan-to-value on its pledge's page: 5,000,000.00 of 8,000,000.00.
	b.open("pledge?id=" + pledge)
	b.waitFor("the pledge with its cited report", `!document.querySelector("#pledge").hidden && !!document.querySelector("#p-ltv") && document.querySelector("#p-ltv").dataset.ltv === "62.50" && document.querySelector("#p-industry").textContent === "C3976"`)
	b.shot("62-bank-pledge-loan-to-value")

	// 5. The insurer covers 70 % of the loan's loss.
	in := root.tab("insurer", insurer, ctx, dir)
	in.open("covers")
	in.signIn("")
	in.do("record the cover", fill("#cover-pledge", pledge), fill("#cover-kind", "insurance"), fill("#cover-policy", "PICC-HB-"+suffix),
		fill("#cover-share", "70"), fill("#cover-premium", "30000.00"), fill("#cover-currency", "CNY"), fill("#cover-start", termStart),
		fill("#cover-end", termEnd), click("#cover-submit"))
	await(in, "the cover recorded", "#cover-done")
	cover := in.eval(`document.querySelector("#cover-done [data-cover]").dataset.cover`)
	in.shot("63-insurer-cover")

	// 6. Bank 1 applies for a loan-interest subsidy for the pledgor; the fund's manager approves it.
	b.open("finance")
	b.do("apply for the subsidy", fill("#sub-kind", "loan-interest"), fill("#sub-pledge", pledge), fill("#sub-ent-id", owner),
		fill("#sub-ent-name", "Wuhan Photonics Co., Ltd."), fill("#sub-basis", "10000.00"), fill("#sub-currency", "CNY"),
		fill("#sub-start", date(-60)), fill("#sub-end", date(-31)), fill("#sub-evidence", strings.Repeat("4b", 32)),
		click("#subsidy-form button[type=submit]"))
	await(b, "the subsidy applied for", "#subsidy-done")
	subsidy := b.eval(`document.querySelector("#subsidy-done [data-subsidy]").dataset.subsidy`)
	f := root.tab("fund", fund, ctx, dir)
	f.open("fund")
	f.signIn("")
	row := fmt.Sprintf(`#subsidy-rows tr[data-subsidy=%q]`, subsidy)
	f.waitFor("the subsidy to decide", fmt.Sprintf(`!!document.querySelector(%q)`, row+" form.subsidy-decide"))
	f.do("approve the subsidy", click(row+` button[data-action="approve"]`))
	f.waitFor("the subsidy approved", fmt.Sprintf(`!!document.querySelector(%q)`, row+`[data-status="approved"]`))
	f.shot("64-fund-subsidy-approved")

	// 7. Default at the bank, disposal at the exchange; the IP office records the buyer's title.
	b.open("pledge?id=" + pledge)
	b.waitFor("the default offered", shown("#f-default"))
	b.do("declare default", fill("#df-reason", "逾期90日未还本付息"), fill("#df-amount", "1000000.00"), click("#f-default button[type=submit]"))
	b.waitFor("the confirmation", `!!document.querySelector("#f-default .confirm")`)
	b.do("confirm the default", click("#f-default .confirm [data-confirm]"))
	b.outcome("defaulted", "default:"+pledge)
	x := root.tab("exchange", exchange, ctx, dir)
	x.open("pledge?id=" + pledge)
	x.signIn("")
	x.waitFor("the disposal offered", shown("#f-dispose")+fmt.Sprintf(` && !!document.querySelector('#ds-proceed-rows [data-pledge=%q]')`, pledge))
	x.do("fill in the disposal", fill("#ds-method", "auction"), fill("#ds-price", "600000.00"), fill("#ds-ref", "WHIPE-AUC-FIN-"+suffix),
		fill("[name=buyer-id]", "91420100MA4K0009"), fill("[name=buyer-name]", "Hubei Photonics Ltd."), fill("[name=proceed-amount]", "600000.00"),
		fill("#ds-surplus", "0"), click("#f-dispose button[type=submit]"))
	x.waitFor("the confirmation", `!!document.querySelector("#f-dispose .confirm")`)
	x.do("confirm the disposal", click("#f-dispose .confirm [data-confirm]"))
	x.outcome("disposed", "dispose:"+pledge)
	x.shot("65-exchange-disposed")
	x.waitFor("disposed", `document.querySelector("#p-status").dataset.status === "disposed"`)
	var p struct {
		Disposal struct {
			TransferIDs []string `json:"transferIds"`
		} `json:"disposal"`
	}
	if r := itest.As(t, "ExchangeMSP", "trader1").Do("GET", "/v1/pledges/"+pledge, nil); r.Status != 200 || json.Unmarshal(r.Body, &p) != nil || len(p.Disposal.TransferIDs) != 1 {
		t.Fatalf("the disposed pledge: %s", r)
	}
	awaitRecord(t, "ExchangeMSP", "trader1", "/v1/pledges/"+pledge)
	itest.As(t, "IPOfficeMSP", "examiner1").Write(200, "record the buyer's title", "POST", "/v1/transfers/"+p.Disposal.TransferIDs[0]+"/record", map[string]any{})

	// 8. The insurer pays 70 % of the 400,000.00 loss.
	in.open("covers")
	crow := fmt.Sprintf(`#cover-rows tr[data-cover=%q]`, cover)
	in.waitFor("the cover to pay", fmt.Sprintf(`!!document.querySelector(%q)`, crow+" form.cover-pay"))
	in.do("pay the cover", fill(crow+" form.cover-pay [name=amount]", "280000.00"), fill(crow+" form.cover-pay [name=reference]", "PICC-CLM-"+suffix),
		click(crow+" form.cover-pay button[type=submit]"))
	in.waitFor("the cover paid", fmt.Sprintf(`!!document.querySelector(%q)`, crow+` [data-paid="280000.00"]`))
	in.shot("66-insurer-paid")
	awaitRecord(t, "InsurerMSP", "underwriter1", "/v1/covers/"+cover) // every gateway reads the payment before Bank 1 claims

	// 9. Bank 1 claims on the fund: 40 % of the 120,000.00 left; the fund's manager approves it.
	b.open("finance")
	b.do("claim on the fund", fill("#claim-pledge", pledge), click("#claim-form button[type=submit]"))
	done := await(b, "the claim filed", "#claim-done")
	claim := b.eval(`document.querySelector("#claim-done [data-claim]").dataset.claim`)
	if !strings.Contains(done, "48,000.00") {
		t.Errorf("the claim as filed: %q, want 48,000.00 computed", done)
	}
	b.shot("67-bank-fund-claim")
	f.open("fund")
	crow = fmt.Sprintf(`#claim-rows tr[data-claim=%q]`, claim)
	f.waitFor("the claim to decide", fmt.Sprintf(`!!document.querySelector(%q)`, crow+" form.claim-decide"))
	f.do("approve the claim", click(crow+` button[data-action="approve"]`))
	f.waitFor("the claim approved", fmt.Sprintf(`!!document.querySelector(%q)`, crow+`[data-status="approved"]`))
	f.shot("68-fund-claim-approved")

	// 10. The regulator's evaluation of the year shows the loan and what the province's money bought:
	// each figure the loan touches one more than before it.
	awaitRecord(t, "FundMSP", "manager1", "/v1/fund/claims/"+claim)
	r := root.tab("regulator", regulator, ctx, dir)
	r.open("evaluation")
	r.signIn("")
	r.waitFor("the evaluation drawn", `document.querySelectorAll("#eval-loans table").length === 4 && !!document.querySelector("#eval-subsidies table")`)
	zh := func(key string) string { return r.eval(fmt.Sprintf(`window.IPLedger.t(%q)`, key)) }
	cell := func(table, rowText string, col int) string {
		return fmt.Sprintf(`Number(([...document.querySelectorAll(%q)].find((tr) => tr.textContent.includes(%q)) || {children: []}).children[%d]?.textContent)`,
			table+" tbody tr", rowText, col)
	}
	var conds, what []string
	for _, c := range []struct {
		what, table, row string
		col, want        int
	}{
		{"loans of manufacturing (C)", "#eval-loans table:nth-of-type(3)", "C ", 1, base.group(base.ByIndustry, "C") + 1},
		{"loans in Wuhan (420100)", "#eval-loans table:nth-of-type(4)", "420100", 1, base.group(base.ByRegion, "420100") + 1},
		{"sales against a cited report", "#eval-valuations table", zh("evaluation.valuations.sales"), 1, base.Valuations.Sales + 1},
		{"insurance payments", "#eval-covers table", zh("enum.coverKind.insurance"), 3, base.cover("insurance") + 1},
		{"claims approved", "#eval-fund table", zh("evaluation.fund.approved"), 1, base.Fund.Approved + 1},
		{"interest subsidies approved", "#eval-subsidies table", zh("enum.subsidyKind.loan-interest"), 1, base.subsidy("loan-interest").Approved + 1},
		{"subsidised loans flagged since", "#eval-subsidies table", zh("enum.subsidyKind.loan-interest"), 4, base.subsidy("loan-interest").Flagged + 1},
	} {
		conds = append(conds, fmt.Sprintf("%s === %d", cell(c.table, c.row, c.col), c.want))
		what = append(what, fmt.Sprintf("%s %d", c.what, c.want))
	}
	r.waitFor("the loan in the evaluation: "+strings.Join(what, ", "), strings.Join(conds, " && "))
	r.shot("69-regulator-evaluation")
}

// baseline is the regulator's evaluation of the year as the API answers it.
type baseline struct{ api.Evaluation }

func (b baseline) group(gs []api.EvaluationGroup, key string) int {
	for _, g := range gs {
		if g.Key == key {
			return g.Loans
		}
	}
	return 0
}

func (b baseline) cover(kind string) int {
	for _, c := range b.Covers {
		if c.Kind == kind {
			return c.Payments
		}
	}
	return 0
}

func (b baseline) subsidy(kind string) api.SubsidyFigures {
	for _, s := range b.Subsidies {
		if s.Kind == kind {
			return s
		}
	}
	return api.SubsidyFigures{}
}

// evaluationOf is the regulator's evaluation of the year to date, through its gateway.
func evaluationOf(t *testing.T) baseline {
	t.Helper()
	var b baseline
	r := itest.As(t, "RegulatorMSP", "auditor1").Do("GET", "/v1/evaluation", nil)
	if r.Status != 200 || json.Unmarshal(r.Body, &b.Evaluation) != nil {
		t.Fatalf("the regulator's evaluation: %s", r)
	}
	return b
}

// awaitRecord waits until every organization's gateway reads with the block of the last change of the
// record at path, as user of msp's gateway reads it (its lastChange.txId, the transaction's block).
func awaitRecord(t *testing.T, msp, user, path string) {
	t.Helper()
	c := itest.As(t, msp, user)
	var rec struct {
		LastChange struct {
			TxID string `json:"txId"`
		} `json:"lastChange"`
	}
	var tx struct {
		BlockNumber uint64 `json:"blockNumber"`
	}
	if r := c.Do("GET", path, nil); r.Status != 200 || json.Unmarshal(r.Body, &rec) != nil || rec.LastChange.TxID == "" {
		t.Fatalf("%s: %s", path, r)
	}
	if r := c.Do("GET", "/v1/transactions/"+rec.LastChange.TxID, nil); r.Status != 200 || json.Unmarshal(r.Body, &tx) != nil || tx.BlockNumber == 0 {
		t.Fatalf("the transaction of %s: %s", path, r)
	}
	itest.AwaitGateways(t, tx.BlockNumber)
}
