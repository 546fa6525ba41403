//go:build integration

package consoletest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// submit calls the API directly for the set-up (a right, a pledge, its registration) and answers the
// record and the block it committed in; each call waits for the block of the one before it
// (IPLedger-After-Block), as a client going on at another organization's gateway does.
func (o org) submit(t *testing.T, path string, body any, after *float64) map[string]any {
	t.Helper()
	h := []string{"Idempotency-Key", fmt.Sprintf("console-pledge-setup-%d", time.Now().UnixNano())}
	if *after > 0 {
		h = append(h, "IPLedger-After-Block", fmt.Sprintf("%.0f", *after))
	}
	r, err := o.api.Do(context.Background(), http.MethodPost, path, body, h...)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() {
		t.Fatalf("POST %s: %s", path, r)
	}
	var m map[string]any
	if err := r.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if b, ok := m["blockNumber"].(float64); ok && b > *after {
		*after = b
	}
	return m
}

// fill sets an input's value as typing does: with an input event, which draws the form a new
// Idempotency-Key (an unchanged form keeps its key, so that sending it again is the same request).
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("input", { bubbles: true })); })()`, sel, value))
}

// Every action on a pledge, in the consoles of the organizations that take them: one pledge of Bank 1
// is changed (the IP office records it), extended (recorded too), defaulted and disposed of at the
// exchange; another is revoked by the IP office. The actions are offered only to the organization that
// may take them, and only in the states the API allows; the irreversible ones ask first; the answers
// name the block and transaction, and a refusal is shown in words.
func TestConsole_PledgeActions(t *testing.T) {
	sys := itest.System(t)
	bank, bank2 := orgOf(t, sys, "Bank1MSP", "officer1"), orgOf(t, sys, "Bank2MSP", "officer1")
	office, exchange := orgOf(t, sys, "IPOfficeMSP", "examiner1"), orgOf(t, sys, "ExchangeMSP", "trader1")
	dir := screenshotDir(t)
	zh := func(id string, kv ...any) string { return cons.Message("zh-CN", id, kv...) }

	// Two patents, a registered pledge of Bank 1 on each, through the API.
	var block float64
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	pledges := make([]string, 2)
	for i := range pledges {
		asset := fmt.Sprintf("CN-ZL-ACT%d-%s", i, suffix)
		office.submit(t, "/v1/assets", map[string]any{
			"id": asset, "kind": "patent-invention", "number": fmt.Sprintf("ZL2022%d%s", i, suffix), "title": "Laser diode driver",
			"owners":          []map[string]any{{"id": "91420100MA4K0002", "name": "Wuhan Laser Co., Ltd.", "share": 10000}},
			"applicationDate": "2020-05-10", "grantDate": "2022-06-01", "expiryDate": "2040-05-10", "feesPaidThrough": "2031-05-10",
		}, &block)
		p := bank.submit(t, "/v1/pledges", map[string]any{
			"assetIds": []string{asset}, "pledgors": []map[string]any{{"id": "91420100MA4K0002", "name": "Wuhan Laser Co., Ltd."}},
			"pledgeeName": "Bank One, Hubei Branch", "debtKind": "loan", "debtTermStart": "2026-01-01", "debtTermEnd": "2028-12-31",
			"contractHash": strings.Repeat("5a7c", 16),
			"terms":        map[string]any{"amount": "5000000.00", "currency": "CNY", "interestRate": "3.85", "scope": "主债权、利息及实现质权的费用"},
		}, &block)
		pledges[i], _ = p["id"].(string)
		office.submit(t, "/v1/pledges/"+pledges[i]+"/register", map[string]any{"registrationNumber": "Y-ACT-" + suffix + fmt.Sprint(i)}, &block)
	}
	p1, p2 := pledges[0], pledges[1]
	t.Logf("pledges %s (change, extension, default, disposal) and %s (revocation)", p1, p2)

	root := &console{t: t}
	var spkis []string
	for _, o := range []org{bank, bank2, office, exchange} {
		spkis = append(spkis, o.spki(t))
	}
	ctx := browser(t, spkis...)
	outcome := func(c *console, action, pledge string) {
		t.Helper()
		c.waitFor(action+" answered", fmt.Sprintf(`document.querySelector("#notice").dataset.outcome === %q && !document.querySelector("#notice").hidden`, action+":"+pledge))
		if got := c.eval(`document.querySelector("#notice").textContent`); !strings.Contains(got, pledge) || !strings.Contains(got, "区块") || !strings.Contains(got, "交易") {
			t.Errorf("%s: the notice names no block and transaction: %q", action, got)
		}
	}
	shown := func(sel string) string {
		return fmt.Sprintf(`!!document.querySelector(%q) && !document.querySelector(%q).hidden`, sel, sel)
	}

	// Bank 1, the pledgee: its actions on the registered pledge, in Chinese by default.
	b := root.tab("bank", bank, ctx, dir)
	b.open("pledge?id=" + p1)
	b.signIn("")
	b.waitFor("the bank's actions", shown("#f-amend")+" && "+shown("#f-extend")+" && "+shown("#f-default")+" && "+shown("#f-release")+" && "+shown("#f-claim"))
	if got := b.eval(`document.documentElement.lang + " " + document.querySelector("#f-release button[type=submit]").textContent + " " + document.querySelector("#f-amend button[type=submit]").textContent`); got != "zh-CN "+zh("pledge.release")+" "+zh("pledge.amend") {
		t.Errorf("the action buttons are not Chinese by default: %q", got)
	}
	if n := b.eval(`String(document.querySelectorAll("#f-dispose, #f-revoke, #f-deregister, #f-record").length)`); n != "0" {
		t.Errorf("the bank's page has %s forms of other organizations' actions", n)
	}
	b.shot("20-bank-pledge-actions")

	// A change of the pledgee's name (变更登记), filed by the bank.
	b.do("file a change", fill("#am-pledgee", "Bank One, Wuhan Branch"), chromedp.Click(chromedp.CSS("#f-amend button[type=submit]")))
	outcome(b, "amend", p1)
	b.waitFor("the change filed, no second one offered", `!!document.querySelector('#p-change-rows tr[data-status="filed"]') && document.querySelector("#f-amend").hidden && document.querySelector("#f-extend").hidden`)
	b.shot("21-bank-change-filed")

	// Bank 2 may take no action on Bank 1's pledge.
	b2 := root.tab("bank2", bank2, ctx, dir)
	b2.open("pledge?id=" + p1)
	b2.signIn("")
	b2.waitFor("the pledge at Bank 2", `!document.querySelector("#pledge").hidden`)
	if got := b2.eval(`[...document.querySelectorAll("form.act")].filter((f) => !f.hidden).map((f) => f.id).join() + "|" + document.querySelector("#p-actions").hidden`); got != "|true" {
		t.Errorf("Bank 2 is offered actions on Bank 1's pledge: %q", got)
	}

	// The IP office finds the filed change in its examination queue and records it on the pledge's
	// page; it has no bank's action.
	o := root.tab("ipoffice", office, ctx, dir)
	o.open("queue")
	o.signIn("")
	o.waitFor("the filed change in the queue", fmt.Sprintf(`!!document.querySelector('#q-changes tr[data-pledge=%q]')`, p1))
	if got := o.eval(fmt.Sprintf(`document.querySelector('#q-changes tr[data-pledge=%q]').textContent`, p1)); !strings.Contains(got, zh("pledge.change-kind.amendment")) {
		t.Errorf("queue: the change's row %q", got)
	}
	o.do("open the pledge from the queue", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#q-changes tr[data-pledge=%q] a`, p1))), chromedp.WaitReady(chromedp.CSS(`body[data-page="pledge"]`)))
	o.waitFor("the pending change to decide", shown("#act-decide")+" && "+shown("#f-record"))
	if n := o.eval(`String(document.querySelectorAll("#f-amend, #f-extend, #f-release, #f-default, #f-claim, #f-dispose").length)`); n != "0" {
		t.Errorf("the IP office's page has %s forms of others' actions", n)
	}
	o.shot("22-ipoffice-change-pending")
	o.do("record the change", chromedp.Click(chromedp.CSS("#f-record button[type=submit]")))
	outcome(o, "record", p1)
	o.waitFor("the new name in force", `document.querySelector("#p-pledgee").textContent === "Bank One, Wuhan Branch" && document.querySelector("#act-decide").hidden`)

	// An extension (延期): first one that does not move the term later, refused by the chaincode in words;
	// then 2029-06-30, recorded by the IP office.
	b.waitFor("the change recorded at the bank", `document.querySelector("#p-pledgee").textContent === "Bank One, Wuhan Branch" && `+shown("#f-extend"))
	b.do("an extension that is not later", fill("#ex-end", "2027-06-30"), chromedp.Click(chromedp.CSS("#f-extend button[type=submit]")))
	b.waitFor("the refusal in words", fmt.Sprintf(`!document.querySelector("#alert").hidden && document.querySelector("#alert").textContent.includes(%q)`, zh("error.P6/not-later")))
	if got := b.eval(`document.querySelector("#alert .rule").dataset.rule`); got != "P6" {
		t.Errorf("refusal rule %q", got)
	}
	b.do("file the extension", fill("#ex-end", "2029-06-30"), chromedp.Click(chromedp.CSS("#f-extend button[type=submit]")))
	outcome(b, "extend", p1)
	o.waitFor("the extension to decide", shown("#f-record"))
	o.do("record the extension", chromedp.Click(chromedp.CSS("#f-record button[type=submit]")))
	outcome(o, "record", p1)
	o.waitFor("the term extended", `document.querySelector("#p-term").textContent.includes("2029年6月30日") && document.querySelectorAll('#p-change-rows tr[data-status="recorded"]').length === 2`)
	o.shot("23-ipoffice-extension-recorded")

	// The exchange may not dispose of a registered pledge: nothing is offered.
	x := root.tab("exchange", exchange, ctx, dir)
	x.open("pledge?id=" + p1)
	x.signIn("")
	x.waitFor("the pledge at the exchange", `!document.querySelector("#pledge").hidden`)
	if got := x.eval(`document.querySelector("#f-dispose").hidden + " " + document.querySelector("#p-actions").hidden`); got != "true true" {
		t.Errorf("the exchange is offered a disposal of a registered pledge: %q", got)
	}

	// Default (违约) with the outstanding claim: it asks first.
	b.waitFor("the extension at the bank", `document.querySelector("#p-term").textContent.includes("2029年6月30日") && `+shown("#f-default"))
	b.do("declare default", fill("#df-reason", "逾期90日未还本付息"), fill("#df-amount", "4200000.00"),
		chromedp.Click(chromedp.CSS("#f-default button[type=submit]")))
	b.waitFor("the confirmation", `!!document.querySelector("#f-default .confirm")`)
	if got := b.eval(`document.querySelector("#f-default .confirm").textContent + "|" + document.querySelector("#p-status").dataset.status`); !strings.Contains(got, zh("pledge.confirm.default", "Pledge", p1)) || !strings.HasSuffix(got, "|registered") {
		t.Errorf("before the confirmation: %q", got)
	}
	b.shot("24-bank-default-confirm")
	b.do("confirm the default", chromedp.Click(chromedp.CSS("#f-default .confirm [data-confirm]")))
	outcome(b, "default", p1)
	b.waitFor("defaulted", `document.querySelector("#p-status").dataset.status === "defaulted" && document.querySelector("#p-claim").dataset.money === "4200000.00" && document.querySelector("#f-default").hidden && `+shown("#f-release"))

	// The exchange records the auction (处置): the pledge's share of the price up to its claim, the surplus.
	x.waitFor("the disposal offered", shown("#f-dispose")+fmt.Sprintf(` && !!document.querySelector('#ds-proceed-rows [data-pledge=%q]')`, p1))
	if got := x.eval(`document.querySelector("#ds-proceed-rows .proceed-info").textContent`); !strings.Contains(got, "¥4,200,000.00") {
		t.Errorf("the proceeds row does not show the stated claim: %q", got)
	}
	x.do("fill in the disposal",
		fill("#ds-method", "auction"),
		fill("#ds-price", "6000000.00"),
		fill("#ds-ref", "WHIPE-AUC-"+suffix),
		fill("[name=buyer-id]", "91420100MA4K0009"),
		fill("[name=buyer-name]", "Hubei Photonics Ltd."),
		fill("[name=proceed-amount]", "4200000.00"),
		fill("#ds-surplus", "1800000.00"),
		chromedp.Click(chromedp.CSS("#f-dispose button[type=submit]")))
	x.waitFor("the confirmation", `!!document.querySelector("#f-dispose .confirm")`)
	x.shot("25-exchange-disposal")
	x.do("confirm the disposal", chromedp.Click(chromedp.CSS("#f-dispose .confirm [data-confirm]")))
	outcome(x, "dispose", p1)
	x.waitFor("disposed", `document.querySelector("#p-status").dataset.status === "disposed" && document.querySelector("#p-disposal").textContent.includes("¥6,000,000.00") && document.querySelector("#p-actions").hidden`)
	x.shot("26-exchange-disposed")
	b.waitFor("disposed at the bank, nothing left to do", `document.querySelector("#p-status").dataset.status === "disposed" && document.querySelector("#p-actions").hidden`)

	// The IP office revokes the other registration (撤销登记): the reason is required, and it asks first.
	o.open("pledge?id=" + p2)
	o.waitFor("revocation offered", shown("#f-revoke")+" && "+shown("#f-deregister"))
	o.do("revoke without a reason", chromedp.Click(chromedp.CSS("#f-revoke button[type=submit]")))
	o.waitFor("the reason is required", fmt.Sprintf(`document.querySelector('#f-revoke [data-error-for="reason"]').textContent.includes(%q) && !document.querySelector("#f-revoke .confirm")`,
		zh("check.required", "Field", zh("pledge.revoke-reason"))))
	o.do("revoke", fill("#rv-reason", "依伪造的质押合同办理登记"), chromedp.Click(chromedp.CSS("#f-revoke button[type=submit]")))
	o.waitFor("the confirmation", `!!document.querySelector("#f-revoke .confirm")`)
	o.do("confirm the revocation", chromedp.Click(chromedp.CSS("#f-revoke .confirm [data-confirm]")))
	outcome(o, "revoke", p2)
	o.waitFor("revoked", `document.querySelector("#p-status").dataset.status === "revoked" && document.querySelector("#p-facts").textContent.includes("依伪造的质押合同办理登记") && document.querySelector("#p-actions").hidden`)
	o.shot("27-ipoffice-revoked")
}
