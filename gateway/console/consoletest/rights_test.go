//go:build integration

package consoletest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// sentRequests makes the page keep every submission it sends (method, path, Idempotency-Key, body) in
// window.__sent: console.js calls the global fetch, which this wraps. Set again after each navigation.
const sentRequests = `(() => { window.__sent = []; const f = window.fetch;
  window.fetch = (u, init) => {
    const h = (init && init.headers) || {};
    if (h["Idempotency-Key"]) window.__sent.push({ method: init.method, path: String(u), key: h["Idempotency-Key"], body: init.body });
    return f.call(window, u, init);
  }; })()`

// sentRequest is one submission the page sent.
type sentRequest struct {
	Method, Path, Key, Body string
}

func (b *console) sent() []sentRequest {
	b.t.Helper()
	var out []sentRequest
	if err := json.Unmarshal([]byte(b.eval(`JSON.stringify(window.__sent || [])`)), &out); err != nil {
		b.t.Fatal(err)
	}
	return out
}

// quietly sets an input's value without an input event, as if the form had not changed (chromedp's
// SetValue does the same; said here, since the test depends on it).
func quietly(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = %q`, sel, value))
}

// choose picks a select's option as a user does: with a change event.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("change", { bubbles: true })); })()`, sel, value))
}

// The IP office's register of rights: a patent registered through the form (the notice names the block
// and transaction, a repeat is answered from the ledger with the same key, and the right is then on
// the verify page); a registration refused (the same id again: A2 in words beside the id) and, once
// corrected, registered with a new Idempotency-Key; and a change of the right (its fees, a dispute,
// confirmed first) sent with only what changed, shown on its record and on its statement.
func TestConsole_RegisterOfRights(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	dir := screenshotDir(t)
	zh := func(id string, kv ...any) string { return cons.Message("zh-CN", id, kv...) }
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	first, second := "CN-ZL-RG1-"+suffix, "CN-ZL-RG2-"+suffix
	number1, number2 := "ZL2023"+suffix+"1", "ZL2023"+suffix+"2"

	ctx := browser(t, office.spki(t))
	o := (&console{t: t}).tab("ipoffice", office, ctx, dir)
	o.open("rights")
	o.signIn("")
	o.waitFor("the registration form with its first owner", `!!document.querySelector('#r-owner-rows [data-row="owners"][data-index="0"] [name="owner-share"]')`)
	if got := o.eval(`document.querySelector('[name="owner-share"]').value + " " + document.querySelector('label[for="r-owner-0-share"]').textContent`); got != "10000 "+zh("rights.owner-share") {
		t.Errorf("the first owner's share: %q", got)
	}
	o.do("watch the requests", chromedp.Evaluate[chromedp.Void](sentRequests))

	// The form's own checks first (the API document's): nothing is sent.
	o.do("submit the empty form", chromedp.Click(chromedp.CSS("#r-submit")))
	required := strings.SplitN(zh("check.required", "Field", "\x00"), "\x00", 2)[0]
	o.waitFor("the client-side checks", `document.querySelector('[data-error-for="id"]').textContent !== ""`)
	for _, f := range []string{"id", "kind", "number", "applicationDate"} {
		if got := o.eval(fmt.Sprintf(`document.querySelector('[data-error-for=%q]').textContent`, f)); required == "" || !strings.Contains(got, required) {
			t.Errorf("%s: client-side message %q, want %q", f, got, required)
		}
	}
	if n := len(o.sent()); n != 0 {
		t.Errorf("the empty form sent %d requests", n)
	}

	// 1. A patent registered through the form.
	o.do("fill in the registration",
		fill("#r-id", first), choose("#r-kind", "patent-invention"), fill("#r-number", number1),
		fill("#r-title", "一种硅基光子波导耦合器"),
		fill("[name=owner-id]", "91420100MA4K0001"), fill("[name=owner-name]", "武汉光谷光电科技有限公司"),
		fill("#r-applied", "2020-01-15"), fill("#r-granted", "2022-03-01"), fill("#r-expiry", "2040-01-15"))
	if got := o.eval(`document.querySelector("#r-patent").hidden + " " + document.querySelector("#r-trademark").hidden`); got != "false true" {
		t.Errorf("a patent's part of the form (fees shown, trademark hidden): %q", got)
	}
	o.do("fees, and register", fill("#r-fees", "2031-01-15"), chromedp.Click(chromedp.CSS("#r-submit")))
	if got := o.outcome("registered", "register:"+first); !strings.Contains(got, first) || !strings.Contains(got, number1) || !strings.Contains(got, "区块") || !strings.Contains(got, "交易") {
		t.Errorf("the registration's notice names no block and transaction: %q", got)
	}
	if got := o.eval(`[...document.querySelectorAll("#reg-done a")].map((a) => a.getAttribute("href")).join(" ")`); got != "/console/verify?asset="+first+" /console/history?asset="+first {
		t.Errorf("the links after the registration: %q", got)
	}
	o.shot("40-ipoffice-right-registered")
	var reg map[string]any
	sent := o.sent()
	if len(sent) != 1 || sent[0].Method != "POST" || sent[0].Path != "/v1/assets" || json.Unmarshal([]byte(sent[0].Body), &reg) != nil {
		t.Fatalf("the registration sent: %+v", sent)
	}
	if owners, _ := reg["owners"].([]any); len(owners) != 1 || !reflect.DeepEqual(owners[0], map[string]any{"id": "91420100MA4K0001", "name": "武汉光谷光电科技有限公司", "share": 10000.0}) ||
		reg["feesPaidThrough"] != "2031-01-15" || reg["kind"] != "patent-invention" || reg["niceClass"] != nil {
		t.Errorf("the registration's body: %v", reg)
	}

	// The same form again, unchanged: the same key, answered from the ledger (I3).
	o.do("send the same form again", chromedp.Evaluate[chromedp.Void](`document.querySelector("#notice").dataset.outcome = ""`), chromedp.Click(chromedp.CSS("#r-submit")))
	if got := o.outcome("the repeat answered", "register:"+first); !strings.Contains(got, zh("rights.replay")) {
		t.Errorf("a repeat with the same key: %q", got)
	}
	if s := o.sent(); len(s) != 2 || s[1].Key != s[0].Key {
		t.Errorf("an unchanged form sent another key: %+v", s)
	}

	// 2. Another right under the same id: refused under A2, in words beside the id, with a new key
	// for the next request.
	o.do("another number under the same id", fill("#r-number", number2), fill("#r-title", "一种半导体激光器封装结构"), chromedp.Click(chromedp.CSS("#r-submit")))
	o.waitFor("A2 beside the id", fmt.Sprintf(`document.querySelector('[data-error-for="id"]').textContent.includes(%q)`, zh("error.A2/id-registered")))
	if got := o.eval(`document.querySelector('[data-error-for="id"]').textContent + "|" + document.querySelector("#alert .rule").dataset.rule + "|" + document.activeElement.id`); !strings.Contains(got, "A2") ||
		!strings.HasSuffix(got, "|A2|r-id") {
		t.Errorf("the refusal beside the id (words, rule, focus): %q", got)
	}
	o.shot("41-ipoffice-right-refused")
	// The clerk corrects the id; the value is set without an input event, so that only the refusal
	// (a decided request: its key would be answered with the same refusal for ever) draws the new key.
	o.do("correct the id and register", quietly("#r-id", second), chromedp.Click(chromedp.CSS("#r-submit")))
	o.outcome("the corrected registration", "register:"+second)
	sent = o.sent()
	if len(sent) != 4 || sent[3].Key == sent[2].Key || sent[2].Key == sent[0].Key || !strings.Contains(sent[3].Body, `"id":"`+second+`"`) {
		t.Errorf("the refused and the corrected registration's keys: %+v", sent)
	}

	// The right is on the register: the verify page finds it by its official number.
	o.open("verify?asset=" + number2)
	o.waitFor("the statement of the new right", fmt.Sprintf(`!document.querySelector("#statement").hidden && document.querySelector("#st-id").textContent === %q`, second))
	if got := o.eval(`[document.querySelector("#st-kind").textContent, document.querySelector("#st-number").textContent, document.querySelector("#st-status").dataset.status, document.querySelector("#st-owners").textContent].join("|")`); got !=
		zh("enum.assetKind.patent-invention")+"|"+number2+"|valid|武汉光谷光电科技有限公司91420100MA4K0001100.00 %" {
		t.Errorf("the statement of the new right: %q", got)
	}

	// 3. A change: the right looked up by its official number, the form filled in from its record;
	// the fees paid through a year on, and an ownership dispute, confirmed first.
	o.open("rights")
	o.do("watch the requests", chromedp.Evaluate[chromedp.Void](sentRequests))
	o.do("look the right up by its number", fill("#u-asset", number2), chromedp.Click(chromedp.CSS("#u-lookup button[type=submit]")))
	o.waitFor("the right's record and form", fmt.Sprintf(`!document.querySelector("#u-right").hidden && document.querySelector("#u-fact-id").textContent === %q`, second))
	if got := o.eval(`[document.querySelector("#u-status").value, document.querySelector("#u-fees").value, document.querySelector("#u-expiry").value, document.querySelector("#u-dispute").checked, document.querySelector("#u-dispute-ref").disabled, location.search].join("|")`); got !=
		"valid|2031-01-15|2040-01-15|false|true|?asset="+second {
		t.Errorf("the form is not filled in from the record: %q", got)
	}
	o.do("nothing changed", chromedp.Click(chromedp.CSS("#u-submit")))
	o.waitFor("nothing to send", fmt.Sprintf(`document.querySelector('[data-error-for="update"]').textContent === %q`, zh("rights.nothing-changed")))
	ref := "（2026）鄂01民初" + suffix + "号"
	o.do("fees and a dispute", fill("#u-fees", "2032-01-15"), chromedp.Click(chromedp.CSS("#u-dispute")), fill("#u-dispute-ref", ref), chromedp.Click(chromedp.CSS("#u-submit")))
	o.waitFor("the confirmation", `!!document.querySelector("#update-form .confirm")`)
	if got := o.eval(`document.querySelector("#update-form .confirm").textContent`); !strings.Contains(got, zh("rights.confirm.dispute")) || strings.Contains(got, zh("rights.field.feesPaidThrough")) {
		t.Errorf("the confirmation: %q", got)
	}
	if n := len(o.sent()); n != 0 {
		t.Errorf("%d requests sent before the confirmation", n)
	}
	o.shot("42-ipoffice-right-change-confirm")
	o.do("confirm", chromedp.Click(chromedp.CSS("#update-form .confirm [data-confirm]")))
	if got := o.outcome("changed", "update:"+second); !strings.Contains(got, zh("rights.field.feesPaidThrough")) || !strings.Contains(got, zh("rights.field.dispute")) || !strings.Contains(got, "区块") {
		t.Errorf("the change's notice: %q", got)
	}
	sent = o.sent()
	var patch map[string]any
	if len(sent) != 1 || sent[0].Method != "PATCH" || sent[0].Path != "/v1/assets/"+second || json.Unmarshal([]byte(sent[0].Body), &patch) != nil {
		t.Fatalf("the change sent: %+v", sent)
	}
	if want := map[string]any{"feesPaidThrough": "2032-01-15", "dispute": map[string]any{"active": true, "ref": ref}}; !reflect.DeepEqual(patch, want) {
		t.Errorf("the change sent %v, want only what changed: %v", patch, want)
	}
	o.waitFor("the change on the record", fmt.Sprintf(`document.querySelector("#u-fact-fees").textContent === "2032年1月15日" && document.querySelector("#u-fact-flags").textContent.includes(%q) && document.querySelector("#u-fact-change").textContent.includes(%q)`,
		zh("enum.flag.disputed"), zh("rights.field.dispute")))
	if got := o.eval(`document.querySelector("#u-fact-flags").textContent + "|" + document.querySelector("#u-fees").value + "|" + document.querySelector("#u-dispute").checked`); !strings.Contains(got, ref) || !strings.HasSuffix(got, "|2032-01-15|true") {
		t.Errorf("the record and form after the change: %q", got)
	}
	if got := o.eval(`[...document.querySelectorAll("#u-links a")].map((a) => a.getAttribute("href")).join(" ")`); got != "/console/verify?asset="+second+" /console/history?asset="+second {
		t.Errorf("the links of the changed right: %q", got)
	}
	o.shot("43-ipoffice-right-changed")

	// The statement shows the dispute, and the history the change.
	o.open("verify?asset=" + second)
	o.waitFor("the dispute on the statement", fmt.Sprintf(`!document.querySelector("#statement").hidden && document.querySelector("#st-flags").textContent.includes(%q)`, zh("enum.flag.disputed")))
	o.open("history?asset=" + second)
	o.waitFor("the change in the history", `document.querySelectorAll("#timeline li[data-tx]").length === 2`)
}
