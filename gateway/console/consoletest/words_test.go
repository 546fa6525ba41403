//go:build integration

package consoletest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// The change form of a right measures the clerk's changes against the record it was filled from. An
// examiner begins to change the title; meanwhile another examiner changes the right's fees on the
// ledger, and the live redraw shows the new record. The form says so and sends nothing (before, it
// compared the old form with the new record and sent the old fees back, undoing the other change);
// filled in again from the new record, it sends only the title. Lifting a dispute is confirmed first,
// as raising one is.
func TestConsole_TheRightsFormDoesNotUndoAChangeMadeMeanwhile(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	zh := func(id string, kv ...any) string { return cons.Message("zh-CN", id, kv...) }
	id := itest.Uniq("CN-ZL-LOST")
	examiner := itest.As(t, "IPOfficeMSP", "examiner1")
	var block uint64
	submit(t, examiner, "/v1/assets", itest.Patent(id), &block)
	patch := func(body map[string]any) {
		t.Helper()
		r := examiner.Do(http.MethodPatch, "/v1/assets/"+id, body)
		if r.Status < 200 || r.Status > 299 {
			t.Fatalf("PATCH /v1/assets/%s: %s", id, r)
		}
		block = max(block, r.Block())
		itest.AwaitGateways(t, block)
	}
	patch(map[string]any{"dispute": map[string]any{"active": true, "ref": "（2026）鄂01民初1号"}})

	o := signedIn(t, "ipoffice", office, "rights?asset="+id)
	o.settle("the rights page", pageSettled(cons.DefaultLanguage))
	o.waitFor("the right's form", fmt.Sprintf(`!document.querySelector("#u-right").hidden && document.querySelector("#u-fact-id").textContent === %q && document.querySelector("#u-fees").value === "2030-01-15"`, id))
	o.do("watch the requests", chromedp.Evaluate[chromedp.Void](sentRequests))

	// The clerk begins; another examiner changes the fees meanwhile.
	o.do("change the title", fill("#u-title", "新名称 "+id))
	patch(map[string]any{"feesPaidThrough": "2033-01-15"})
	o.waitFor("the new record drawn", `document.querySelector("#u-fact-fees").textContent === "2033年1月15日"`)
	o.waitFor("the change made meanwhile said", `!document.querySelector("#u-moved").hidden`)
	if got := o.eval(`document.querySelector("#u-title").value + "|" + document.querySelector("#u-fees").value`); got != "新名称 "+id+"|2030-01-15" {
		t.Errorf("the form kept what was typed and what it was filled from: %q", got)
	}
	if got := o.eval(`document.querySelector("#u-moved-text").textContent`); !strings.Contains(got, id) {
		t.Errorf("the words of the change made meanwhile: %q", got)
	}
	o.shot("44-ipoffice-right-changed-meanwhile")
	o.do("send anyway", chromedp.Click(chromedp.CSS("#u-submit")))
	o.waitFor("not sent", fmt.Sprintf(`document.querySelector('[data-error-for="update"]').textContent === %q`, zh("rights.moved-not-sent")))
	if s := o.sent(); len(s) != 0 {
		t.Fatalf("a form measured against an old record was sent: %+v", s)
	}

	// Filled in again from the new record: the title typed again, only the title sent.
	o.do("fill in again", chromedp.Click(chromedp.CSS("#u-reload")))
	if got := o.eval(`document.querySelector("#u-moved").hidden + "|" + document.querySelector("#u-fees").value`); got != "true|2033-01-15" {
		t.Errorf("the form filled in again: %q", got)
	}
	o.do("change the title and send", fill("#u-title", "新名称 "+id), chromedp.Click(chromedp.CSS("#u-submit")))
	o.outcome("changed", "update:"+id)
	var body map[string]any
	if s := o.sent(); len(s) != 1 || json.Unmarshal([]byte(s[0].Body), &body) != nil || !reflect.DeepEqual(body, map[string]any{"title": "新名称 " + id}) {
		t.Errorf("the change sent: %+v", s)
	}

	// Lifting the dispute is confirmed first.
	o.do("lift the dispute", chromedp.Click(chromedp.CSS("#u-dispute")), chromedp.Click(chromedp.CSS("#u-submit")))
	o.waitFor("the confirmation", `!!document.querySelector("#update-form .confirm")`)
	if got := o.eval(`document.querySelector("#update-form .confirm").textContent`); !strings.Contains(got, zh("rights.confirm.dispute-lifted")) {
		t.Errorf("the confirmation of a lifted dispute: %q", got)
	}
	if s := o.sent(); len(s) != 1 {
		t.Errorf("sent before the confirmation: %+v", s)
	}
	o.do("confirm", chromedp.Evaluate[chromedp.Void](`document.querySelector("#notice").dataset.outcome = ""`), chromedp.Click(chromedp.CSS("#update-form .confirm [data-confirm]")))
	o.outcome("lifted", "update:"+id)
	body = nil
	if s := o.sent(); len(s) != 2 || json.Unmarshal([]byte(s[1].Body), &body) != nil || !reflect.DeepEqual(body, map[string]any{"dispute": map[string]any{"active": false}}) {
		t.Errorf("the lifting sent: %+v", s)
	}
}

// settleTurn waits one more turn of the page's event loop (a zero timeout): what a read that has just
// answered draws is drawn by then.
func (b *console) settleTurn() {
	b.t.Helper()
	b.do("one more turn", chromedp.Evaluate[chromedp.Void](`new Promise((r) => setTimeout(r, 50))`, chromedp.EvalAwaitPromise))
}

// The party search, its answers held and given by the test (the page's fetch of /v1/parties is
// replaced): a double click of More asks for the next page once, the button disabled while it
// loads; a new search while More loads shows only the new search's parties, even when the page of
// the earlier one answers last; a party's names are listed with the catalogue's separator (、).
func TestConsole_ThePartySearchDoesNotMixPages(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	o := signedIn(t, "ipoffice", office, "parties")
	o.settle("the parties page", pageSettled(cons.DefaultLanguage))
	o.do("hold the searches", chromedp.Evaluate[chromedp.Void](`(() => {
  const real = window.fetch;
  window.__asked = [];
  window.__answer = (i, body) => window.__asked[i].answer(new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } }));
  window.fetch = (url, opts) => {
    if (!String(url).startsWith("/v1/parties?")) return real(url, opts);
    return new Promise((answer) => window.__asked.push({ url: String(url), answer }));
  };
})()`))
	hit := func(id string, names ...string) map[string]any {
		return map[string]any{"id": id, "names": names, "rights": []any{}, "pledges": []any{}, "debts": []any{}}
	}
	answer := func(i int, bookmark string, hits ...map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"items": hits, "bookmark": bookmark})
		o.do(fmt.Sprintf("answer search %d", i), chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.__answer(%d, %s)`, i, body)))
		o.settleTurn()
	}
	rows := func() string {
		return o.eval(`[...document.querySelectorAll("#party-rows tr")].map((r) => r.dataset.party + ":" + r.children[1].textContent).join("|")`)
	}

	o.do("search", chromedp.SetValue(chromedp.CSS("#party-q"), "光谷"), chromedp.Click(chromedp.CSS("#parties-form button[type=submit]")))
	o.waitFor("the search asked", `window.__asked.length === 1`)
	answer(0, "page-2", hit("91420100MA4K000011", "武汉光谷光电科技有限公司", "武汉光谷光电有限公司"))
	o.waitFor("the first page and More", `!document.querySelector("#party-more").hidden`)
	if got := rows(); got != "91420100MA4K000011:武汉光谷光电科技有限公司、武汉光谷光电有限公司" {
		t.Errorf("the first page: %q", got)
	}

	o.do("click More twice", chromedp.Evaluate[chromedp.Void](`(() => { const m = document.querySelector("#party-more"); m.click(); m.click(); })()`))
	o.settleTurn()
	if got := o.eval(`window.__asked.length + "|" + document.querySelector("#party-more").disabled`); got != "2|true" {
		t.Errorf("a double click of More (requests, button disabled): %q", got)
	}
	// A new search while More loads; the new search answers first, More's page last.
	o.do("search again", chromedp.SetValue(chromedp.CSS("#party-q"), "江岸"), chromedp.Click(chromedp.CSS("#parties-form button[type=submit]")))
	o.waitFor("the new search asked", `window.__asked.length === 3`)
	answer(2, "", hit("91420102MA4K000022", "武汉江岸科技有限公司"))
	answer(1, "", hit("91420100MA4K000033", "武汉光谷第二公司"))
	if got := rows(); got != "91420102MA4K000022:武汉江岸科技有限公司" {
		t.Errorf("the new search's rows, with the earlier search's page answered last: %q", got)
	}
	if got := o.eval(`document.querySelector("#party-more").hidden + "|" + document.querySelector("#alert").hidden`); got != "true|true" {
		t.Errorf("More and the alert after the new search: %q", got)
	}
}

// The court page draws the right a freeze answered with; a read of the right started before the
// freeze, answering after it, does not draw the right unfrozen over it.
func TestConsole_TheCourtPageKeepsTheFreezeItRecorded(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	id := itest.Uniq("CN-ZL-COURT")
	var block uint64
	submit(t, itest.As(t, "IPOfficeMSP", "examiner1"), "/v1/assets", itest.Patent(id), &block)
	itest.AwaitGateways(t, block)

	o := signedIn(t, "ipoffice", office, "court?asset="+id)
	o.settle("the court page", pageSettled(cons.DefaultLanguage)+` && !document.querySelector("#court-right").hidden`)
	// Every later read of the right is held: the first (started before the freeze, so reading the
	// right unfrozen) is let go as soon as the freeze's answer is drawn; the others never answer.
	o.do("hold the right's reads", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
  const real = window.fetch, held = %q;
  let release;
  const released = new Promise((r) => { release = r; });
  window.__held = 0;
  window.__read = 0;
  window.fetch = (url, opts) => {
    if (!String(url).includes("/v1/assets/" + held) || (opts && opts.method && opts.method !== "GET")) return real(url, opts);
    if (window.__held++ > 0) return new Promise(() => {});
    const answer = real(url, opts); // read now, before the freeze
    return answer.then((r) => released.then(() => { const text = r.text.bind(r); r.text = () => text().then((x) => { window.__read++; return x; }); return r; }));
  };
  new MutationObserver(() => { if ((document.querySelector("#notice").dataset.outcome || "").startsWith("freeze:")) release(); })
    .observe(document.querySelector("#notice"), { attributes: true });
})()`, id)))
	o.do("read the right again", chromedp.Click(chromedp.CSS("#court-lookup button[type=submit]")))
	o.waitFor("the read held", `window.__held === 1`)
	o.do("record a freeze", fill("#fz-court", "武汉市中级人民法院"), fill("#fz-ref", "（2026）鄂01执保1号"), chromedp.Click(chromedp.CSS("#freeze-form button[type=submit]")))
	o.outcome("the freeze recorded", "freeze:"+id+":1")
	o.waitFor("the held read answered", `window.__read === 1`)
	o.settleTurn()
	if got := o.eval(`String(!!document.querySelector('#c-rows tr[data-measure="1"][data-status="effective"]'))`); got != "true" {
		t.Errorf("a read started before the freeze drew the right unfrozen over the freeze's answer")
	}
}

// A live refresh of the right shown never overwrites a lookup of another one: the court page shows one
// right, the examiner looks up a second (its read held), and a freeze of the first arrives as an event
// meanwhile. The page's refresh (debounced) reloads the right last asked for, not the one drawn before.
func TestConsole_TheCourtPageKeepsTheRightLookedUpWhenTheOneBeforeChanges(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	examiner := itest.As(t, "IPOfficeMSP", "examiner1")
	first, second := itest.Uniq("CN-ZL-COURTA"), itest.Uniq("CN-ZL-COURTB")
	var block uint64
	submit(t, examiner, "/v1/assets", itest.Patent(first), &block)
	submit(t, examiner, "/v1/assets", itest.Patent(second), &block)
	itest.AwaitGateways(t, block)

	o := signedIn(t, "ipoffice", office, "court?asset="+first)
	o.settle("the court page", pageSettled(cons.DefaultLanguage)+` && !document.querySelector("#court-right").hidden`)
	// The page's live refreshes wait 300 ms (refreshOn's debounce) before they reload: count them, so
	// that the test waits until every refresh the event started has run.
	o.do("count the refreshes", chromedp.Evaluate[chromedp.Void](`(() => {
  const real = window.setTimeout;
  window.__timers = 0;
  window.__fired = 0;
  window.setTimeout = (fn, ms, ...args) => ms !== 300 ? real(fn, ms, ...args) :
    (window.__timers++, real(() => { try { fn(...args); } finally { window.__fired++; } }, ms));
})()`))
	o.holdReads("/v1/assets/" + second)
	o.do("look up the second right", fill("#c-asset", second), chromedp.Click(chromedp.CSS("#court-lookup button[type=submit]")))
	o.waitFor("the second right's read held", `window.__held > 0`)
	submit(t, examiner, "/v1/assets/"+first+"/freezes", map[string]string{"court": "武汉市中级人民法院", "ref": "（2026）鄂01执保" + first + "号"}, &block)
	o.waitFor("the first right's freeze arrived as an event", fmt.Sprintf(`document.querySelector("#last-event").textContent.includes(%q)`, fmt.Sprint(block)))
	o.waitFor("every refresh it started has run", `window.__fired >= window.__timers`)
	o.releaseHeldReads()
	o.settleTurn()
	if got := o.eval(`document.querySelector("#c-heading").textContent`); !strings.Contains(got, second) {
		t.Errorf("the page shows %q after the lookup of %s: a refresh of %s drew over it", got, second, first)
	}
}
