//go:build integration

package consoletest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// setup calls the API directly for the set-up the test does not do in a console, after the block
// given (0: none), as submit does; it answers the submission's answer.
func (o org) setup(t *testing.T, path string, body any, after float64) map[string]any {
	t.Helper()
	return o.submit(t, path, body, &after)
}

// noticeBlock is the block the submission the notice tells of committed in (the page's data-block,
// from the API's answer), for itest.AwaitGateways.
func (b *console) noticeBlock() uint64 {
	b.t.Helper()
	n, err := strconv.ParseUint(b.eval(`document.querySelector("#notice").dataset.block || ""`), 10, 64)
	if err != nil {
		b.t.Fatalf("%s console: the notice names no block: %v", b.name, err)
	}
	return n
}

// outcome waits for the notice of a submission (its data-outcome, set by the page's script) and
// answers the notice's text.
func (b *console) outcome(what, prefix string) string {
	b.t.Helper()
	b.waitFor(what, fmt.Sprintf(`(document.querySelector("#notice").dataset.outcome || "").startsWith(%q) && !document.querySelector("#notice").hidden`, prefix))
	return b.eval(`document.querySelector("#notice").textContent`)
}

// The exchange requests the transfer of a pledged right and finds it in its list; the pledgee bank
// finds it among those needing its consent and consents; the IP office finds it among the requests
// waiting and records it. Another request is refused with reason codes. A licence is requested,
// recorded, shown on the licence register and terminated; a right is frozen by two courts (the second
// waits), a repeat is answered from the ledger, a duplicate refused under C1 in words, and the first
// lifted, which puts the second in effect. Each step is checked on the page, in Chinese.
func TestConsole_TransfersLicencesCourtMeasures(t *testing.T) {
	sys := itest.System(t)
	bank, office, exchange := orgOf(t, sys, "Bank1MSP", "officer1"), orgOf(t, sys, "IPOfficeMSP", "examiner1"), orgOf(t, sys, "ExchangeMSP", "trader1")
	dir := screenshotDir(t)
	zh := func(id string, kv ...any) string { return cons.Message("zh-CN", id, kv...) }

	// Set-up through the API: two patents; the first pledged to Bank 1 and registered.
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	pledged, licensed := "CN-ZL-TR-"+suffix, "CN-ZL-LC-"+suffix
	owner := []map[string]any{{"id": "91420100MA4K0001", "name": "Wuhan Optics Co., Ltd.", "share": 10000}}
	var block float64
	for i, id := range []string{pledged, licensed} {
		r := office.setup(t, "/v1/assets", map[string]any{"id": id, "kind": "patent-invention", "number": fmt.Sprintf("ZL2022%s%d", suffix, i),
			"title": "Laser diode driver " + id, "owners": owner, "applicationDate": "2020-01-15", "grantDate": "2022-03-01", "expiryDate": "2040-01-15",
			"feesPaidThrough": "2031-01-15"}, 0)
		block = r["blockNumber"].(float64)
	}
	p := bank.setup(t, "/v1/pledges", map[string]any{"assetIds": []string{pledged}, "pledgors": []map[string]any{{"id": "91420100MA4K0001", "name": "Wuhan Optics Co., Ltd."}},
		"pledgeeName": "Bank One, Hubei Branch", "debtKind": "loan", "debtTermStart": "2026-01-01", "debtTermEnd": "2028-12-31", "contractHash": strings.Repeat("7d", 32),
		"terms": map[string]any{"amount": "3000000.00", "currency": "CNY", "interestRate": "3.60", "scope": "principal and interest"}}, block)
	pledge := p["id"].(string)
	r := office.setup(t, "/v1/pledges/"+pledge+"/register", map[string]any{"registrationNumber": "Y2026-TR-" + suffix}, p["blockNumber"].(float64))
	block = r["blockNumber"].(float64)

	root := &console{t: t}
	var spkis []string
	for _, o := range []org{bank, office, exchange} {
		spkis = append(spkis, o.spki(t))
	}
	ctx := browser(t, spkis...)

	// 1. The exchange requests the transfer of the pledged right; it is in its list, requested.
	x := root.tab("exchange", exchange, ctx, dir)
	x.open("transfers")
	x.signIn("")
	x.do("request a transfer", chromedp.SetValue(chromedp.CSS("#t-asset"), pledged), chromedp.SetValue(chromedp.CSS("#t-ref"), "WHIPE-"+suffix),
		chromedp.SetValue(chromedp.CSS("#t-owner-0-id"), "91420100MA4K0002"), chromedp.SetValue(chromedp.CSS("#t-owner-0-name"), "Jiangcheng Lasers Co., Ltd."),
		chromedp.Click(chromedp.CSS("#transfer-form button[type=submit]")))
	x.outcome("the transfer requested", "request:")
	transfer := strings.TrimPrefix(x.eval(`document.querySelector("#notice").dataset.outcome`), "request:")
	row := fmt.Sprintf(`#tl-rows tr[data-transfer=%q]`, transfer)
	// The list is the API's, in the order of the transfers' ids, 20 a page: on a ledger with other
	// requests the new one may be on any page, so the clerk narrows it to the right, as here.
	byRight := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.CSS("#tl-asset"), pledged),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#transfer-filters").requestSubmit()`)}
	x.do("the list narrowed to the right", byRight...)
	x.waitFor("the request in the exchange's list", fmt.Sprintf(`!!document.querySelector(%q)`, row+` .badge[data-status="requested"]`))
	if got := x.eval(fmt.Sprintf(`document.querySelector(%q).textContent`, row)); !strings.Contains(got, pledged) || !strings.Contains(got, zh("enum.transferStatus.requested")) ||
		!strings.Contains(got, zh("org.ExchangeMSP")) {
		t.Errorf("the exchange's list: %q", got)
	}
	t.Logf("transfer %s of %s (pledge %s)", transfer, pledged, pledge)
	x.shot("31-exchange-transfer-list")

	// 2. Bank 1: the transfer needs its consent; it consents, proceeds to escrow; the list empties of it.
	itest.AwaitGateways(t, x.noticeBlock())
	b := root.tab("bank", bank, ctx, dir)
	b.open("transfers")
	b.signIn("")
	b.waitFor("the transfer needing the bank's consent", fmt.Sprintf(`!!document.querySelector(%q)`, row))
	// The list is redrawn on every transfer event (a live refresh): the row's link is found and clicked
	// in one script run, so that a redraw between finding it and clicking it cannot leave a stale node.
	openRow := chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, row+" a"))
	b.do("open the transfer", openRow)
	consent := fmt.Sprintf(`#transfer-view .application[data-transfer=%q] form.consent[data-pledge=%q]`, transfer, pledge)
	b.waitFor("the consent form", fmt.Sprintf(`!!document.querySelector(%q)`, consent))
	b.do("consent, proceeds to escrow", chromedp.SetValue(chromedp.CSS(consent+" select"), "escrow"), chromedp.Click(chromedp.CSS(consent+" button[type=submit]")))
	if got := b.outcome("the consent recorded", "consent:"+transfer); !strings.Contains(got, pledge) || !strings.Contains(got, zh("enum.proceedsUse.escrow")) {
		t.Errorf("consent notice: %q", got)
	}
	b.waitFor("the consent on the transfer, and the list without it", fmt.Sprintf(`document.querySelector("#transfer-view").textContent.includes(%q) && !document.querySelector(%q)`,
		zh("transfers.consent-of", "Org", cons.OrgName("zh-CN", "Bank1MSP"), "Pledge", pledge, "Use", zh("enum.proceedsUse.escrow")), row))
	b.shot("32-bank-transfer-consented")

	// 3. The IP office: the request waits in its list; it records it.
	itest.AwaitGateways(t, b.noticeBlock())
	o := root.tab("ipoffice", office, ctx, dir)
	o.open("transfers")
	o.signIn("")
	o.waitFor("the list of requests waiting", `!!document.querySelector("#tl-caption").textContent`)
	o.do("the list narrowed to the right", byRight...)
	o.waitFor("the request waiting for the IP office", fmt.Sprintf(`!!document.querySelector(%q)`, row))
	o.do("open the transfer", openRow)
	card := fmt.Sprintf(`#transfer-view .application[data-transfer=%q]`, transfer)
	o.waitFor("the record form", fmt.Sprintf(`!!document.querySelector(%q)`, card+" form.record"))
	o.do("record", chromedp.Click(chromedp.CSS(card+" form.record button[type=submit]")))
	o.outcome("recorded", "record:"+transfer)
	o.waitFor("recorded, and gone from the requests waiting", fmt.Sprintf(`!!document.querySelector(%q) && !document.querySelector(%q)`, card+`[data-status="recorded"]`, row))
	o.shot("33-ipoffice-transfer-recorded")

	// 4. Another request, refused with the IP office's reason codes and a note.
	r2 := exchange.setup(t, "/v1/transfers", map[string]any{"assetId": licensed, "kind": "assignment", "origin": "trade", "tradeRef": "WHIPE-R-" + suffix,
		"newOwners": []map[string]any{{"id": "91420100MA4K0002", "name": "Jiangcheng Lasers Co., Ltd.", "share": 10000}}}, block)
	t2 := r2["id"].(string)
	itest.AwaitGateways(t, uint64(r2["blockNumber"].(float64)))
	o.open("transfers?id=" + t2)
	card2 := fmt.Sprintf(`#transfer-view .application[data-transfer=%q]`, t2)
	o.waitFor("the refusal form", fmt.Sprintf(`!!document.querySelector(%q)`, card2+" form.refuse"))
	o.do("refuse without a reason", chromedp.Click(chromedp.CSS(card2+" form.refuse button[type=submit]")))
	o.waitFor("a reason is required", fmt.Sprintf(`document.querySelector(%q).textContent === %q`, card2+` [data-error-for="reasons"]`, zh("transfers.choose-reason")))
	o.do("refuse: incomplete, and other with a note", chromedp.Click(chromedp.CSS(card2+` input[value="T1-incomplete"]`)), chromedp.Click(chromedp.CSS(card2+` input[value="other"]`)),
		chromedp.SetValue(chromedp.CSS(card2+` input[name="note"]`), "交易合同未附"), chromedp.Click(chromedp.CSS(card2+" form.refuse button[type=submit]")))
	o.outcome("refused", "refuse:"+t2)
	o.waitFor("refused with its reasons in words", fmt.Sprintf(`!!document.querySelector(%q) && document.querySelector(%q).textContent.includes(%q) && document.querySelector(%q).textContent.includes("交易合同未附")`,
		card2+`[data-status="refused"]`, card2, zh("transfers.reason.T1-incomplete"), card2))
	o.shot("34-ipoffice-transfer-refused")

	// 5. A licence: requested in the exchange's console, recorded by the IP office, then on the register.
	x.open("transfers?kind=license&asset=" + licensed)
	x.waitFor("the licence part of the form", `!document.querySelector("#t-license").disabled && document.querySelector("#t-kind").value === "license"`)
	x.do("request a licence", chromedp.SetValue(chromedp.CSS("#t-ref"), "WHIPE-L-"+suffix), chromedp.SetValue(chromedp.CSS("#t-ltype"), "ordinary"),
		chromedp.SetValue(chromedp.CSS("#t-lstart"), "2026-01-01"), chromedp.SetValue(chromedp.CSS("#t-lend"), "2030-12-31"),
		chromedp.SetValue(chromedp.CSS("#t-lterr"), "CN-HB"), chromedp.SetValue(chromedp.CSS("#t-lfiling"), "2026420000"+suffix),
		chromedp.SetValue(chromedp.CSS("#t-owner-0-id"), "91420100MA4K0003"), chromedp.SetValue(chromedp.CSS("#t-owner-0-name"), "Hankou Devices Co., Ltd."),
		chromedp.Click(chromedp.CSS("#transfer-form button[type=submit]")))
	x.outcome("the licence requested", "request:")
	licence := strings.TrimPrefix(x.eval(`document.querySelector("#notice").dataset.outcome`), "request:")
	itest.AwaitGateways(t, x.noticeBlock())
	o.open("transfers?id=" + licence)
	card3 := fmt.Sprintf(`#transfer-view .application[data-transfer=%q]`, licence)
	o.waitFor("the licence request", fmt.Sprintf(`!!document.querySelector(%q)`, card3+" form.record"))
	o.do("record the licence", chromedp.Click(chromedp.CSS(card3+" form.record button[type=submit]")))
	o.outcome("the licence recorded", "record:"+licence)
	o.open("licences?asset=" + licensed)
	lrow := fmt.Sprintf(`#l-rows tr[data-licence=%q]`, licence)
	o.waitFor("the licence in force on the register", fmt.Sprintf(`!!document.querySelector(%q)`, lrow+`[data-status="in-force"]`))
	if got := o.eval(fmt.Sprintf(`document.querySelector(%q).textContent`, lrow)); !strings.Contains(got, zh("enum.licenseType.ordinary")) || !strings.Contains(got, "Hankou Devices Co., Ltd.") ||
		!strings.Contains(got, "CN-HB") || !strings.Contains(got, "2026420000"+suffix) || !strings.Contains(got, "2030年12月31日") || !strings.Contains(got, zh("enum.licenseStatus.in-force")) {
		t.Errorf("the licence on the register: %q", got)
	}
	o.shot("35-ipoffice-licence-register")
	o.do("terminate the licence", chromedp.SetValue(chromedp.CSS("#lt-licence"), licence), chromedp.SetValue(chromedp.CSS("#lt-reason"), "双方协议提前解除许可合同"),
		chromedp.Click(chromedp.CSS("#licence-terminate button[type=submit]")))
	o.outcome("the termination recorded", "terminate:"+licence)
	o.waitFor("terminated on the register", fmt.Sprintf(`!!document.querySelector(%q) && document.querySelector(%q).textContent.includes("双方协议提前解除许可合同")`,
		lrow+`[data-status="terminated"]`, lrow))
	if got := o.eval(fmt.Sprintf(`document.querySelector(%q).textContent`, lrow+" .badge")); got != zh("enum.licenseStatus.terminated") {
		t.Errorf("terminated licence's status: %q", got)
	}
	o.shot("36-ipoffice-licence-terminated")

	// 6. Court measures: a freeze in effect, a repeat answered from the ledger, the same decision again
	// refused (C1) in words under the form, a second court's freeze waiting, the first lifted.
	o.open("court?asset=" + licensed)
	o.waitFor("the right's measures", `!document.querySelector("#court-right").hidden`)
	o.do("record a freeze", chromedp.SetValue(chromedp.CSS("#fz-court"), "武汉市中级人民法院"), chromedp.SetValue(chromedp.CSS("#fz-ref"), "（2026）鄂01执保"+suffix+"号"),
		chromedp.Click(chromedp.CSS("#freeze-form button[type=submit]")))
	o.outcome("the freeze recorded", "freeze:"+licensed+":1")
	o.waitFor("freeze 1 in effect", `!!document.querySelector('#c-rows tr[data-measure="1"][data-status="effective"]')`)
	o.do("send the same form again", chromedp.Evaluate[chromedp.Void](`document.querySelector("#notice").dataset.outcome = ""`), chromedp.Click(chromedp.CSS("#freeze-form button[type=submit]")))
	if got := o.outcome("the repeat answered", "freeze:"+licensed+":1"); !strings.Contains(got, zh("transfers.replay")) {
		t.Errorf("a repeat with the same key: %q", got)
	}
	o.do("the same decision as a new request", chromedp.Evaluate[chromedp.Void](`document.querySelector("#fz-ref").dispatchEvent(new Event("input", {bubbles: true}))`),
		chromedp.Click(chromedp.CSS("#freeze-form button[type=submit]")))
	o.waitFor("C1 in words under the form", fmt.Sprintf(`document.querySelector("#freeze-form .form-error").textContent.includes(%q)`, zh("error.C1/freeze-already-recorded")))
	o.do("a second court's freeze", chromedp.SetValue(chromedp.CSS("#fz-court"), "武汉市江岸区人民法院"), chromedp.SetValue(chromedp.CSS("#fz-ref"), "（2026）鄂0102执保"+suffix+"号"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#fz-ref").dispatchEvent(new Event("input", {bubbles: true}))`),
		chromedp.Click(chromedp.CSS("#freeze-form button[type=submit]")))
	o.outcome("the second freeze waiting", "freeze:"+licensed+":2")
	o.waitFor("freeze 2 waiting", `!!document.querySelector('#c-rows tr[data-measure="2"][data-status="waiting"]')`)
	o.shot("37-ipoffice-court-freezes")
	o.do("lift freeze 1", chromedp.SetValue(chromedp.CSS("#lf-n"), "1"), chromedp.SetValue(chromedp.CSS("#lf-ref"), "（2026）鄂01执保"+suffix+"号之一"),
		chromedp.Click(chromedp.CSS("#lift-form button[type=submit]")))
	if got := o.outcome("freeze 1 lifted", "lift:"+licensed+":1"); !strings.Contains(got, zh("court.next-effective", "N", 2, "Court", "武汉市江岸区人民法院")) {
		t.Errorf("lift notice: %q", got)
	}
	o.waitFor("1 lifted, 2 in effect", `!!document.querySelector('#c-rows tr[data-measure="1"][data-status="lifted"]') && !!document.querySelector('#c-rows tr[data-measure="2"][data-status="effective"]')`)
	if got := o.eval(`document.querySelector('#c-rows tr[data-measure="1"]').textContent`); !strings.Contains(got, "之一") || !strings.Contains(got, zh("enum.measureStatus.lifted")) {
		t.Errorf("the lifted freeze: %q", got)
	}
	o.shot("38-ipoffice-court-lifted")

	// 7. One court order often freezes several rights: the freeze form, unchanged since the second
	// court's freeze was recorded, sent for another right (looked up on the same page) is another
	// request with a key of its own: recorded as that right's freeze 1, not refused for reusing the
	// first request's key with other arguments (I3).
	o.do("look up the pledged right", chromedp.SetValue(chromedp.CSS("#c-asset"), pledged), chromedp.Click(chromedp.CSS("#court-lookup button[type=submit]")))
	o.waitFor("the pledged right's measures", fmt.Sprintf(`document.querySelector("#c-heading").textContent.includes(%q)`, pledged))
	o.do("the same order for the pledged right", chromedp.Click(chromedp.CSS("#freeze-form button[type=submit]")))
	if got := o.outcome("the pledged right frozen", "freeze:"+pledged+":1"); strings.Contains(got, zh("transfers.replay")) {
		t.Errorf("the same form for another right was answered as a repeat: %q", got)
	}
}

// The IP office requests the transfer a court ordered (court-order, C3) of a right that court has
// frozen, to two new owners with their shares: it chooses the origin (the court's fields come, a
// licence is no longer offered), adds a second owner's row, sees the shares' total reach 10000, and
// sends it; the ledger keeps both owners with their shares, the court and its decision; the IP office
// then records it. The exchange requests a judicial auction's transfer the same way, without an
// auction reference.
func TestConsole_TheIPOfficeRequestsACourtOrderedTransferToTwoOwners(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	examiner := itest.As(t, "IPOfficeMSP", "examiner1")
	zh := func(id string, kv ...any) string { return cons.Message("zh-CN", id, kv...) }
	var block uint64
	right := itest.Uniq("CN-ZL-XCOURT")
	ref := "（2026）鄂01执" + right[len(right)-6:] + "号"
	submit(t, examiner, "/v1/assets", itest.Patent(right), &block)
	submit(t, examiner, "/v1/assets/"+right+"/freezes", itest.Freeze(itest.Court, "（2026）鄂01执保"+right[len(right)-6:]+"号"), &block)
	itest.AwaitGateways(t, block)

	o := signedIn(t, "ipoffice", office, "transfers?asset="+right)
	o.waitFor("the request form", `!!document.querySelector("#t-owner-0-id")`)
	if got := o.eval(`[...document.querySelectorAll("#t-origin option")].map((x) => x.value).join(",")`); got != "owner-request,court-order" {
		t.Errorf("the IP office's origins: %q", got)
	}
	o.do("choose a court's order", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#t-origin"); s.value = "court-order"; s.dispatchEvent(new Event("change", { bubbles: true })); })()`))
	o.waitFor("the court's fields, no licence", `!document.querySelector("#t-court").disabled && !document.querySelector("#t-court").hidden && document.querySelector("#t-kind option[value=license]").disabled && document.querySelector("#t-trade").hidden`)
	o.do("the court, its decision, two owners", fill("#t-court-name", itest.Court), fill("#t-court-ref", ref),
		fill("#t-owner-0-id", "91420100MA4K0007"), fill("#t-owner-0-name", "江城激光有限公司"), fill("#t-owner-0-share", "6000"),
		chromedp.Click(chromedp.CSS("#t-add-owner")))
	o.waitFor("a second row", `!!document.querySelector("#t-owner-1-id") && document.querySelector('label[for="t-owner-1-share"]') !== null`)
	if got := o.eval(`document.querySelector("#t-owner-total").textContent`); got != zh("transfers.owners-total", "Total", 6000, "Percent", "60.00") {
		t.Errorf("the running total with one share: %q", got)
	}
	o.do("the second owner", fill("#t-owner-1-id", "91420100MA4K0008"), fill("#t-owner-1-name", "汉口器件有限公司"), fill("#t-owner-1-share", "4000"))
	if got := o.eval(`document.querySelector("#t-owner-total").textContent`); got != zh("transfers.owners-total", "Total", 10000, "Percent", "100.00") {
		t.Errorf("the running total: %q", got)
	}
	o.shot("38a-ipoffice-court-order-request")
	o.do("request it", chromedp.Click(chromedp.CSS("#transfer-form button[type=submit]")))
	o.outcome("the court's transfer requested", "request:")
	transfer := strings.TrimPrefix(o.eval(`document.querySelector("#notice").dataset.outcome`), "request:")

	tr := examiner.Do(http.MethodGet, "/v1/transfers/"+transfer, nil).Obj(t)
	if tr["origin"] != "court-order" || tr["court"] != itest.Court || tr["courtRef"] != ref || tr["kind"] != "assignment" {
		t.Errorf("the transfer recorded: %v", tr)
	}
	if got := fmt.Sprint(tr["newOwners"]); !strings.Contains(got, "91420100MA4K0007") || !strings.Contains(got, "6000") || !strings.Contains(got, "91420100MA4K0008") || !strings.Contains(got, "4000") {
		t.Errorf("the new owners recorded: %s", got)
	}
	card := fmt.Sprintf(`#transfer-view .application[data-transfer=%q]`, transfer)
	o.waitFor("the card with both owners, their shares and the court", fmt.Sprintf(`!!document.querySelector(%q) && ["江城激光有限公司 (60.00 %%)", "汉口器件有限公司 (40.00 %%)", %q, %q].every((w) => document.querySelector(%q).textContent.includes(w))`,
		card+" form.record", itest.Court, ref, card))
	o.do("record it", chromedp.Click(chromedp.CSS(card+" form.record button[type=submit]")))
	o.outcome("recorded", "record:"+transfer)
	o.waitFor("recorded", fmt.Sprintf(`!!document.querySelector(%q)`, card+`[data-status="recorded"]`))
	o.shot("38b-ipoffice-court-order-recorded")

	// The exchange's judicial auction of another frozen right: the court and its decision, no auction
	// reference (optional there, required for a trade); the ledger keeps it as a judicial auction,
	// which purges the pledges (C3).
	exchange := orgOf(t, sys, "ExchangeMSP", "trader1")
	auctioned := itest.Uniq("CN-ZL-XAUCT")
	aref := "（2026）鄂01执" + auctioned[len(auctioned)-6:] + "号之二"
	submit(t, examiner, "/v1/assets", itest.Patent(auctioned), &block)
	submit(t, examiner, "/v1/assets/"+auctioned+"/freezes", itest.Freeze(itest.Court, "（2026）鄂01执保"+auctioned[len(auctioned)-6:]+"号"), &block)
	itest.AwaitGateways(t, block)
	ctx2 := browser(t, exchange.spki(t))
	x := (&console{t: t}).tab("exchange", exchange, ctx2, screenshotDir(t))
	x.open("transfers?origin=judicial-auction&asset=" + auctioned)
	x.signIn("")
	x.waitFor("the auction's fields", `document.querySelector("#t-origin").value === "judicial-auction" && !document.querySelector("#t-court").disabled && document.querySelector("#t-purged-box").hidden && !document.querySelector("#t-ref").required && !document.querySelector("#t-trade").hidden`)
	x.do("the court and its decision, one buyer", fill("#t-court-name", itest.Court), fill("#t-court-ref", aref),
		fill("#t-owner-0-id", "91420100MA4K0009"), fill("#t-owner-0-name", "光谷拍得有限公司"), chromedp.Click(chromedp.CSS("#transfer-form button[type=submit]")))
	x.outcome("the auction's transfer requested", "request:")
	auction := strings.TrimPrefix(x.eval(`document.querySelector("#notice").dataset.outcome`), "request:")
	if tr := examiner.Do(http.MethodGet, "/v1/transfers/"+auction, nil).Obj(t); tr["origin"] != "judicial-auction" || tr["courtRef"] != aref || tr["tradeRef"] != nil {
		t.Errorf("the auction's transfer: %v", tr)
	}
}

// A live event redraws the transfer shown; the card of a transfer still waiting keeps what the IP
// office has ticked and typed in its refusal form while another transfer of the same right is
// requested (before, every card was drawn anew and the reasons and the note were lost), and the kept
// form still refuses.
func TestConsole_ATransferCardKeepsWhatTheOfficeTyped(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	examiner, trader := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "ExchangeMSP", "trader1")
	var block uint64
	right := itest.Uniq("CN-ZL-XKEEP")
	submit(t, examiner, "/v1/assets", itest.Patent(right), &block)
	itest.AwaitGateways(t, block)
	first := submit(t, trader, "/v1/transfers", itest.TradeTransfer(right), &block).Str(t, "id")
	itest.AwaitGateways(t, block)

	ctx := browser(t, office.spki(t))
	o := (&console{t: t}).tab("ipoffice", office, ctx, screenshotDir(t))
	o.open("transfers?id=" + right) // the right's pending transfers
	o.signIn("")
	card := fmt.Sprintf(`document.querySelector('#transfer-view .application[data-transfer=%q]')`, first)
	o.waitFor("the waiting transfer's card", "!!"+card+` && !!`+card+`.querySelector("form.refuse")`)
	o.do("tick a reason and type a note", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
  const c = %s;
  c.dataset.mark = "kept";
  c.querySelector('form.refuse input[value="T1-incomplete"]').checked = true;
  c.querySelector("form.refuse input[name=note]").value = "交易合同未附";
})()`, card)))
	second := submit(t, trader, "/v1/transfers", itest.TradeTransfer(right), &block).Str(t, "id")
	itest.AwaitGateways(t, block)
	o.waitFor("the second transfer's card", fmt.Sprintf(`!!document.querySelector('#transfer-view .application[data-transfer=%q]')`, second))
	got := o.eval(fmt.Sprintf(`(() => {
  const c = %s;
  return [c.dataset.mark || "", c.querySelector("form.refuse input[name=note]").value, String(c.querySelector('form.refuse input[value="T1-incomplete"]').checked)].join("|");
})()`, card))
	if got != "kept|交易合同未附|true" {
		t.Fatalf("after another transfer was requested, the first card is %q (mark|note|ticked), want kept|交易合同未附|true", got)
	}
	o.do("refuse with what was kept", chromedp.Evaluate[chromedp.Void](card+`.querySelector("form.refuse button[type=submit]").click()`))
	o.outcome("refused", "refuse:"+first)
	// Refused, it is no longer among the right's pending transfers: its card goes, the other's stays.
	o.waitFor("the refused card gone, the other kept", fmt.Sprintf(`!%s && !!document.querySelector('#transfer-view .application[data-transfer=%q]')`, card, second))
	if tr := examiner.Do(http.MethodGet, "/v1/transfers/"+first, nil).Obj(t); tr["status"] != "refused" || tr["refusalNote"] != "交易合同未附" || fmt.Sprint(tr["refusalReasons"]) != "[T1-incomplete]" {
		t.Errorf("the refusal recorded: %v", tr)
	}
}

// The list of transfers is read anew on every filter, page and live event; the answer of a read
// started before the clerk narrowed the list to another right must not draw over it when it comes
// last. The read of the first right's transfers is held back while the list is narrowed to the
// second right; when it is let go, the list still shows the second right's transfer alone.
func TestConsole_AStaleTransferListDoesNotDrawOverANewerOne(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	trader := itest.As(t, "ExchangeMSP", "trader1")
	first, second := twoPatents(t, "CN-ZL-XSTALE")
	var block uint64
	t1 := submit(t, trader, "/v1/transfers", itest.TradeTransfer(first), &block).Str(t, "id")
	t2 := submit(t, trader, "/v1/transfers", itest.TradeTransfer(second), &block).Str(t, "id")
	itest.AwaitGateways(t, block)

	b := signedIn(t, "ipoffice", office, "transfers")
	b.waitFor("the list", `!!document.querySelector("#tl-caption").textContent`)
	b.holdReads("assetId=" + first)
	narrow := func(id string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { document.querySelector("#tl-asset").value = %q; document.querySelector("#transfer-filters").requestSubmit(); })()`, id))
	}
	b.do("narrow to the first right", narrow(first))
	b.waitFor("the first right's read held", `window.__held > 0`)
	b.do("narrow to the second right", narrow(second))
	b.waitFor("the second right's transfer listed", fmt.Sprintf(`!!document.querySelector('#tl-rows tr[data-transfer=%q]')`, t2))
	b.releaseHeldReads()
	if got := b.eval(`[...document.querySelectorAll("#tl-rows tr[data-transfer]")].map((r) => r.dataset.transfer).join(",")`); got != t2 {
		t.Errorf("after the earlier read answered, the list shows %q, not the second right's transfer %s alone (the first's is %s)", got, t2, t1)
	}
}
