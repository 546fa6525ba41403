//go:build integration

package consoletest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// The console's shared list helpers, in the browser they run in: a list cut at the console's maximum
// is said to be cut on the page (and the note goes when the list is whole again), and mapLimit never
// has more calls in flight than its limit, in order, whatever order they end in.
func TestConsole_ListHelpers(t *testing.T) {
	sys := itest.System(t)
	regulator := orgOf(t, sys, "RegulatorMSP", "auditor1")
	b := signedIn(t, "regulator", regulator, "audit")
	b.settle("the audit page", pageSettled(cons.DefaultLanguage))

	b.do("a cut list", chromedp.Evaluate[chromedp.Void](`IPLedger.truncationNote(document.querySelector("#audit-filters"), [], Object.assign([1, 2], { truncated: true }))`))
	want := cons.Message(cons.DefaultLanguage, "list.truncated", "Count", "5,000")
	if got := b.eval(`(document.querySelector("[data-truncated]") || {}).textContent || ""`); got != want {
		t.Errorf("note on a cut list: %q, want %q", got, want)
	}
	if n := b.eval(`String(document.querySelectorAll("[data-truncated]").length)`); n != "1" {
		t.Errorf("%s notes after one call", n)
	}
	b.do("a whole list", chromedp.Evaluate[chromedp.Void](`IPLedger.truncationNote(document.querySelector("#audit-filters"), [1], [])`))
	if n := b.eval(`String(document.querySelectorAll("[data-truncated]").length)`); n != "0" {
		t.Errorf("%s notes left when no list is cut", n)
	}

	ctxRun, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctxRun, chromedp.Evaluate[string](`(async () => {
  let inFlight = 0, most = 0;
  const out = await IPLedger.mapLimit([50, 10, 40, 0, 30, 20, 5, 15, 25, 35], 4, async (ms, i) => {
    inFlight++; most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, ms));
    inFlight--;
    return i * 10;
  });
  return most + " " + out.join(",");
})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got != "4 0,10,20,30,40,50,60,70,80,90" {
		t.Errorf("mapLimit with a limit of 4: most in flight and results %q", got)
	}
}

// A page that shows one right at a time redraws it on live events; the answer of a read started
// before the user asked for another right must not overwrite that right when it comes last. The
// court page's read of one right is held back (its fetch waits) while the user looks up a second
// one, whose answer comes first; when the first read is then let go, the page still shows the
// second right.
func TestConsole_AStaleReadDoesNotOverwriteTheRightAskedForSince(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	first, second := twoPatents(t, "CN-ZL-STALE")

	b := signedIn(t, "ipoffice", office, "court")
	b.settle("the court page", pageSettled(cons.DefaultLanguage))
	// Hold back every read of the first right until released.
	b.holdReads(first)
	b.do("look up the first right", chromedp.SetValue(chromedp.CSS("#c-asset"), first), chromedp.Click(chromedp.CSS("#court-lookup button[type=submit]")))
	b.waitFor("the first right's read held", `window.__held > 0`)
	b.do("look up the second right", chromedp.SetValue(chromedp.CSS("#c-asset"), second), chromedp.Click(chromedp.CSS("#court-lookup button[type=submit]")))
	b.waitFor("the second right shown", fmt.Sprintf(`document.querySelector("#c-heading").textContent.includes(%q)`, "ZL-"+second))
	b.releaseHeldReads()
	if got := b.eval(`document.querySelector("#c-heading").textContent`); !strings.Contains(got, "ZL-"+second) {
		t.Errorf("after the earlier read answered, the page shows %q, not the second right %s", got, second)
	}
	if got := b.eval(`location.search`); !strings.Contains(got, second) {
		t.Errorf("the address names %q, not the second right", got)
	}
}

// The examination queue redraws on every live event of a pledge or a right; a card of an application
// still waiting keeps what the examiner has typed and ticked in it while another bank's application
// arrives (before, the whole queue was drawn anew and the note was lost).
func TestConsole_TheQueueKeepsWhatTheExaminerTyped(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	officer := itest.As(t, "Bank1MSP", "officer1")
	first, second := twoPatents(t, "CN-ZL-QKEEP")
	var block uint64
	waiting := submit(t, officer, "/v1/pledges", itest.Application(first), &block).Str(t, "id")
	itest.AwaitGateways(t, block)

	b := signedIn(t, "ipoffice", office, "queue")
	card := fmt.Sprintf(`document.querySelector('section.application[data-pledge=%q]')`, waiting)
	b.waitFor("the waiting application's card", "!!"+card)
	b.do("type a note and tick a reason", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
  const c = %s;
  c.dataset.mark = "kept";
  c.querySelector("form.refuse input[name=note]").value = "核对中";
  c.querySelector("form.refuse input[name=reason]").checked = true;
})()`, card)))
	other := submit(t, officer, "/v1/pledges", itest.Application(second), &block).Str(t, "id")
	itest.AwaitGateways(t, block)
	b.waitFor("the new application's card", fmt.Sprintf(`!!document.querySelector('section.application[data-pledge=%q]')`, other))
	got := b.eval(fmt.Sprintf(`(() => {
  const c = %s;
  return [c.dataset.mark || "", c.querySelector("form.refuse input[name=note]").value, String(c.querySelector("form.refuse input[name=reason]").checked)].join("|");
})()`, card))
	if got != "kept|核对中|true" {
		t.Errorf("after another application arrived, the first card is %q (mark|note|ticked), want kept|核对中|true", got)
	}
}

// A pledge's page says when one of its rights lost its validity (P10, as the ledger recorded it on the
// pledge), and its timeline names each change, a valid transaction and its endorsing organizations in
// words, not as the API's codes ("PledgeRegistered", "CollateralLost:<right>", "VALID").
func TestConsole_APledgeShowsItsLostRightAndItsProofsInWords(t *testing.T) {
	sys := itest.System(t)
	bank, office := orgOf(t, sys, "Bank1MSP", "officer1"), orgOf(t, sys, "IPOfficeMSP", "examiner1")
	var block uint64
	asset := itest.Uniq("CN-ZL-P10")
	submit(t, itest.As(t, "IPOfficeMSP", "examiner1"), "/v1/assets", itest.Patent(asset), &block)
	itest.AwaitGateways(t, block)
	pledge := submit(t, itest.As(t, "Bank1MSP", "officer1"), "/v1/pledges", itest.Application(asset), &block).Str(t, "id")
	itest.AwaitGateways(t, block)
	_, b := office.call(t, "POST", "/v1/pledges/"+pledge+"/register", map[string]any{"registrationNumber": "Y-P10-" + asset}, 200, int(block))
	_, b = office.call(t, "PATCH", "/v1/assets/"+asset, map[string]any{"legalStatus": "lapsed"}, 200, b)
	itest.AwaitGateways(t, uint64(b))

	c := signedIn(t, "bank", bank, "pledge?id="+pledge)
	c.waitFor("the lost right on the pledge", fmt.Sprintf(`!!document.querySelector('[data-collateral-loss=%q]')`, asset))
	lapsed := cons.Message(cons.DefaultLanguage, "enum.legalStatus.lapsed")
	if got := c.eval(fmt.Sprintf(`document.querySelector('[data-collateral-loss=%q]').textContent`, asset)); !strings.Contains(got, asset) || !strings.Contains(got, lapsed) {
		t.Errorf("the lost right reads %q, want %s and %q", got, asset, lapsed)
	}
	c.waitFor("the timeline's proofs", `[...document.querySelectorAll("#timeline li")].some((li) => li.textContent.includes(`+fmt.Sprintf("%q", cons.Message(cons.DefaultLanguage, "verify.tx-valid"))+`))`)
	timeline := c.eval(`document.querySelector("#timeline").textContent`)
	for _, code := range []string{"VALID", "PledgeRegistered", "CollateralLost"} {
		if strings.Contains(timeline, code) {
			t.Errorf("the timeline shows the API's code %q: %q", code, timeline)
		}
	}
	for _, words := range []string{cons.Message(cons.DefaultLanguage, "org.IPOfficeMSP") + " (IPOfficeMSP)", cons.Message(cons.DefaultLanguage, "enum.eventType.PledgeRegistered"),
		cons.Message(cons.DefaultLanguage, "change.CollateralLost") + " (" + asset + ")"} {
		if !strings.Contains(timeline, words) {
			t.Errorf("the timeline lacks %q: %q", words, timeline)
		}
	}
}

// twoPatents registers two new patents (ids from prefix, "-A" and "-B") as the IP office's examiner and
// waits until every gateway has them.
func twoPatents(t *testing.T, prefix string) (first, second string) {
	t.Helper()
	examiner := itest.As(t, "IPOfficeMSP", "examiner1")
	var block uint64
	first, second = itest.Uniq(prefix+"-A"), itest.Uniq(prefix+"-B")
	submit(t, examiner, "/v1/assets", itest.Patent(first), &block)
	submit(t, examiner, "/v1/assets", itest.Patent(second), &block)
	itest.AwaitGateways(t, block)
	return first, second
}

// holdReads makes the page hold back every read whose address contains part until releaseHeldReads;
// window.__held counts the reads held.
func (b *console) holdReads(part string) {
	b.t.Helper()
	b.do("hold the reads of "+part, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
  const real = window.fetch, held = %q;
  let release;
  window.__released = new Promise((r) => { release = r; });
  window.__release = release;
  window.__held = 0;
  window.__read = 0;
  // A held read counts as read once its body is: what follows (JSON, drawing) runs in the same turn.
  const counted = (r) => { const text = r.text.bind(r); r.text = () => text().then((x) => { window.__read++; return x; }); return r; };
  window.fetch = (url, opts) => String(url).includes(held) ? (window.__held++, window.__released.then(() => real(url, opts)).then(counted)) : real(url, opts);
})()`, part)))
}

// releaseHeldReads lets the held reads answer and returns once the page has drawn or dropped them: a
// held read's body read, what follows (JSON, drawing) runs in the same turn of the event loop, so one
// more turn (a zero timeout) finds the page settled.
func (b *console) releaseHeldReads() {
	b.t.Helper()
	b.do("let the held reads answer", chromedp.Evaluate[chromedp.Void](`window.__release()`))
	b.waitFor("the held reads answered", `window.__read >= window.__held`)
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise((r) => setTimeout(() => r(true), 0))`, chromedp.EvalAwaitPromise)); err != nil {
		b.t.Fatal(err)
	}
}

// signedIn opens page in a browser of its own that trusts o's gateway, as o's user (name names the
// tab in messages and screenshots), and signs in.
func signedIn(t *testing.T, name string, o org, page string) *console {
	t.Helper()
	b := (&console{t: t}).tab(name, o, browser(t, o.spki(t)), screenshotDir(t))
	b.open(page)
	b.signIn("")
	return b
}
