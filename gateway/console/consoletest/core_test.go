//go:build integration

package consoletest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// frozenRight registers a right of itest.OwnerID's and has a court freeze it (C1), so that a pledge
// application on it is refused until the freeze is lifted (liftFreeze).
func frozenRight(t *testing.T) string {
	t.Helper()
	examiner := itest.As(t, "IPOfficeMSP", "examiner1")
	var block uint64
	id := itest.Uniq("CN-ZL-CORE")
	submit(t, examiner, "/v1/assets", itest.Patent(id), &block)
	itest.AwaitGateways(t, block)
	submit(t, examiner, "/v1/assets/"+id+"/freezes", itest.Freeze(itest.Court, itest.Uniq("(2026)鄂01执保")), &block)
	itest.AwaitGateways(t, block)
	return id
}

func liftFreeze(t *testing.T, asset string, n int) {
	t.Helper()
	var block uint64
	submit(t, itest.As(t, "IPOfficeMSP", "examiner1"), fmt.Sprintf("/v1/assets/%s/freezes/%d/lift", asset, n),
		map[string]any{"ref": itest.Uniq("(2026)鄂01执保之一")}, &block)
	itest.AwaitGateways(t, block)
}

// recordKeys makes the page note the Idempotency-Key of every POST to /v1/pledges in window.__keys.
const recordKeys = `(() => {
  const real = window.fetch;
  window.__keys = [];
  window.fetch = (url, opts) => {
    if (String(url) === "/v1/pledges" && opts && opts.method === "POST") window.__keys.push(opts.headers["Idempotency-Key"]);
    return real(url, opts);
  };
})()`

// The application form is one request while it is unchanged: sent again after a refusal once its
// ground is gone (the right's freeze lifted), it is a new request that the ledger files, not the stored
// refusal replayed (I3); pressed again after the filing, it is the same request, answered with the same
// pledge, not a second application.
func TestConsole_ApplicationAfterARefusalAndTwice(t *testing.T) {
	sys := itest.System(t)
	bank := orgOf(t, sys, "Bank1MSP", "officer1")
	asset := frozenRight(t)
	b := signedIn(t, "bank", bank, "apply")
	b.settle("the apply page", pageSettled(cons.DefaultLanguage))

	b.do("fill in the application on the frozen right",
		chromedp.Evaluate[chromedp.Void](recordKeys),
		chromedp.SetValue(chromedp.CSS("#f-assets"), asset),
		chromedp.SetValue(chromedp.CSS("[name=pledgor-id]"), itest.OwnerID),
		chromedp.SetValue(chromedp.CSS("[name=pledgor-name]"), itest.OwnerName),
		chromedp.SetValue(chromedp.CSS("#f-pledgee"), "Bank One, Hubei Branch"),
		chromedp.SetValue(chromedp.CSS("#f-debtkind"), "loan"),
		chromedp.SetValue(chromedp.CSS("#f-start"), "2026-01-01"),
		chromedp.SetValue(chromedp.CSS("#f-end"), "2028-12-31"),
		chromedp.SetValue(chromedp.CSS("#f-amount"), "5000000.00"),
		chromedp.SetValue(chromedp.CSS("#f-rate"), "3.85"),
		chromedp.SetValue(chromedp.CSS("#f-contract"), strings.Repeat("5e1d", 16)),
		chromedp.Click(chromedp.CSS("#apply-submit")))
	b.waitFor("the refusal", `!document.querySelector("#alert").hidden && !!document.querySelector("#alert [data-rule]") && !document.querySelector("#apply-submit").disabled`)
	t.Logf("refused: %s", b.eval(`document.querySelector("#alert").textContent`))

	liftFreeze(t, asset, 1)
	b.do("send it again, unchanged", chromedp.Click(chromedp.CSS("#apply-submit")))
	b.waitFor("filed once the freeze is lifted", `!document.querySelector("#applied").hidden || (!document.querySelector("#alert").hidden && !document.querySelector("#apply-submit").disabled && window.__keys.length >= 2)`)
	pledge := b.eval(`document.querySelector("#applied").hidden ? "" : document.querySelector("#applied").dataset.pledge`)
	if pledge == "" {
		t.Fatalf("sent again after the freeze was lifted, the application was refused again: %q (keys %s)", b.eval(`document.querySelector("#alert").textContent`), b.eval(`window.__keys.join(" ")`))
	}

	b.do("press again", chromedp.Click(chromedp.CSS("#apply-submit")))
	b.waitFor("the answer to the second press", `window.__keys.length >= 3 && !document.querySelector("#apply-submit").disabled && (!document.querySelector("#applied").hidden || !document.querySelector("#alert").hidden)`)
	if got := b.eval(`document.querySelector("#applied").hidden ? "" : document.querySelector("#applied").dataset.pledge`); got != pledge {
		t.Errorf("pressed again after filing %s, the page shows %q: a second application", pledge, got)
	}
	keys := strings.Fields(b.eval(`window.__keys.join(" ")`))
	if len(keys) != 3 || keys[0] == keys[1] || keys[1] != keys[2] {
		t.Errorf("Idempotency-Keys refused, filed, pressed again: %q; want a new key after the refusal and the same one after the filing", keys)
	}
}

// A pledgor row added to the application can be removed again, by keyboard too; the rows left are
// numbered anew (an error of the ledger about pledgors[i] finds its row).
func TestConsole_PledgorRowsRemovable(t *testing.T) {
	sys := itest.System(t)
	bank := orgOf(t, sys, "Bank1MSP", "officer1")
	b := signedIn(t, "bank", bank, "apply")
	b.settle("the apply page", pageSettled(cons.DefaultLanguage))
	// Two rows added, the first of them removed by keyboard: one added row left, numbered 2.
	b.do("add two pledgors", chromedp.Click(chromedp.CSS("#add-pledgor")), chromedp.Click(chromedp.CSS("#add-pledgor")))
	if n := b.eval(`String(document.querySelectorAll("#pledgor-rows [data-row]").length)`); n != "3" {
		t.Fatalf("%s pledgor rows after adding two, want 3", n)
	}
	b.do("remove the second row by keyboard", chromedp.Focus(chromedp.CSS(`#pledgor-rows [data-row][data-index="1"] [data-remove-row]`)))
	b.press(kb.Enter)
	if got := b.eval(`Array.from(document.querySelectorAll("#pledgor-rows [data-row]"), (r) => r.dataset.index + ":" + ((r.querySelector("[data-remove-row]") || {}).textContent || "")).join("|")`); got != "0:|1:"+cons.Message("zh-CN", "apply.remove-pledgor", "N", 2) {
		t.Errorf("rows after removing one: %q", got)
	}
	if got := b.eval(`document.activeElement.id`); got != "add-pledgor" {
		t.Errorf("focus after removing a row: %q, want #add-pledgor", got)
	}
	b.do("remove the last added row", chromedp.Click(chromedp.CSS(`#pledgor-rows [data-row][data-index="1"] [data-remove-row]`)))
	if n := b.eval(`String(document.querySelectorAll("#pledgor-rows [data-row]").length)`); n != "1" {
		t.Fatalf("%s pledgor rows after removing the added ones, want 1", n)
	}

}

// The timeline is drawn whole by each call: two overlapping reads (an action's answer and the live
// event of the same transaction) show each entry once; its proofs are read at most four at a time, and
// one that cannot be read says so in words.
func TestConsole_TimelineOnceEachProofsFourAtATime(t *testing.T) {
	sys := itest.System(t)
	office := orgOf(t, sys, "IPOfficeMSP", "examiner1")
	asset := frozenRight(t) // registered, frozen, lifted, frozen, lifted: five entries
	liftFreeze(t, asset, 1)
	var block uint64
	submit(t, itest.As(t, "IPOfficeMSP", "examiner1"), "/v1/assets/"+asset+"/freezes", itest.Freeze(itest.Court, itest.Uniq("(2026)鄂01执保")), &block)
	itest.AwaitGateways(t, block)
	liftFreeze(t, asset, 2)

	b := signedIn(t, "ipoffice", office, "history?asset="+asset)
	b.settle("the history page", pageSettled(cons.DefaultLanguage)+` && document.querySelectorAll("#timeline li[data-tx]").length >= 5`)
	entries := b.eval(`String(document.querySelectorAll("#timeline li[data-tx]").length)`)

	// History reads answer late (the second first), the transaction reads slowly.
	b.do("slow reads", chromedp.Evaluate[chromedp.Void](`(() => {
  const real = window.fetch;
  window.__inFlight = 0; window.__most = 0; window.__histories = 0;
  window.fetch = async (url, opts) => {
    const u = String(url);
    if (u.includes("/history")) {
      const n = ++window.__histories;
      await new Promise((r) => setTimeout(r, n === 1 ? 600 : 200));
      return real(url, opts);
    }
    if (u.startsWith("/v1/transactions/")) {
      window.__inFlight++; window.__most = Math.max(window.__most, window.__inFlight);
      try {
        await new Promise((r) => setTimeout(r, 150));
        return await real(url, opts);
      } finally { window.__inFlight--; }
    }
    return real(url, opts);
  };
})()`))
	ctxRun, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	got, err := chromedp.Run(ctxRun, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
  const list = document.querySelector("#timeline");
  const drawn = await Promise.all([IPLedger.renderTimeline(list, "asset", %q), IPLedger.renderTimeline(list, "asset", %q)]);
  await Promise.all(drawn.map((d) => d && d.proofs));
  const txs = Array.from(list.querySelectorAll("li[data-tx]"), (li) => li.dataset.tx);
  // One draw alone: its proofs at most four at a time.
  window.__most = 0;
  await (await IPLedger.renderTimeline(list, "asset", %q)).proofs;
  return txs.length + " " + new Set(txs).size + " " + window.__most + " " + list.querySelectorAll("[data-proof-failed]").length;
})()`, asset, asset, asset), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var n, distinct, most, failedProofs int
	if _, err := fmt.Sscan(got, &n, &distinct, &most, &failedProofs); err != nil {
		t.Fatalf("%q: %v", got, err)
	}
	if fmt.Sprint(n) != entries || distinct != n {
		t.Errorf("after two overlapping draws: %d entries, %d distinct; want %s once each", n, distinct, entries)
	}
	if most > 4 || most == 0 {
		t.Errorf("%d transaction reads in flight at most, want 1 to 4", most)
	}
	if failedProofs != 0 {
		t.Errorf("%d failed proofs", failedProofs)
	}

	// One more draw whose first transaction read fails: it says so.
	b.do("fail a proof", chromedp.Evaluate[chromedp.Void](`(() => {
  const real = window.fetch;
  let failed = false;
  window.fetch = (url, opts) => {
    if (String(url).startsWith("/v1/transactions/") && !failed) { failed = true; return Promise.reject(new TypeError("network down")); }
    return real(url, opts);
  };
})()`))
	ctxRun2, cancel2 := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel2()
	said, err := chromedp.Run(ctxRun2, chromedp.Evaluate[string](fmt.Sprintf(`(async () => {
  const list = document.querySelector("#timeline");
  const d = await IPLedger.renderTimeline(list, "asset", %q);
  await d.proofs;
  return Array.from(list.querySelectorAll("[data-proof-failed]"), (s) => s.textContent).join("|");
})()`, asset), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	want := cons.Message("zh-CN", "timeline.proof-failed", "Message", cons.Message("zh-CN", "error.NETWORK"))
	if !strings.Contains(said, want) {
		t.Errorf("a proof that could not be read says %q, want %q", said, want)
	}
}

// The event stream closes when a page is left and opens again when the page comes back from the
// back/forward cache: after a walk through more pages than a key may hold streams, each page has its
// live updates, and the home page gone back to shows the next change.
func TestConsole_LiveUpdatesAfterBackAndForth(t *testing.T) {
	sys := itest.System(t)
	bank := orgOf(t, sys, "Bank1MSP", "officer1")
	b := signedIn(t, "bank", bank, "")
	live := `document.querySelector("#live").classList.contains("on")`
	for _, p := range []string{"pledges", "apply", "verify", "history", "parties", "", "pledges"} {
		b.open(p)
		b.waitFor("live updates on /console/"+p, live)
	}
	// history.back(), not chromedp.NavigateBack: a page restored from the back/forward cache fires no load event to wait for.
	b.do("back to the home page", chromedp.Evaluate[chromedp.Void](`history.back()`))
	b.afterNavigation("back on the home page", `document.body.dataset.page === "home"`)
	b.do("mark", chromedp.Evaluate[chromedp.Void](`window.__kept = true`))
	b.open("verify")
	b.waitFor("live updates on verify", live)
	b.do("back", chromedp.Evaluate[chromedp.Void](`history.back()`))
	b.afterNavigation("live updates on the home page gone back to", `document.body.dataset.page === "home" && `+live)
	if b.eval(`String(window.__kept === true)`) != "true" {
		t.Log("the home page was loaded anew, not restored from the back/forward cache")
	}
	var block uint64
	asset := itest.Uniq("CN-ZL-BACK")
	submit(t, itest.As(t, "IPOfficeMSP", "examiner1"), "/v1/assets", itest.Patent(asset), &block)
	// chromedp's Poll loses the page restored from the cache: asked with Evaluate.
	b.afterNavigation("the new right in the feed", fmt.Sprintf(`document.querySelector("#feed").textContent.includes(%q)`, asset))
}

// The home page's feed shows the last blocks' changes to a newcomer, each named in the page's words.
func TestConsole_HomeFeedShowsRecentChanges(t *testing.T) {
	sys := itest.System(t)
	regulator := orgOf(t, sys, "RegulatorMSP", "auditor1")
	var block uint64
	asset := itest.Uniq("CN-ZL-FEED")
	submit(t, itest.As(t, "IPOfficeMSP", "examiner1"), "/v1/assets", itest.Patent(asset), &block)
	itest.AwaitGateways(t, block)
	b := signedIn(t, "regulator", regulator, "")
	item := fmt.Sprintf(`Array.from(document.querySelectorAll("#feed li[data-tx]")).find((li) => li.textContent.includes(%q))`, asset)
	b.waitFor("the right registered before the page opened", "!!"+item)
	want := cons.Message("zh-CN", "enum.eventType.AssetRegistered")
	if got := b.eval(item + `.querySelector(".what").textContent`); !strings.HasPrefix(got, want+" ") || strings.Contains(got, "AssetRegistered") {
		t.Errorf("feed entry %q, want it to begin with %q", got, want)
	}
}

// afterNavigation waits until a condition holds on the page a navigation started in the script leads to:
// it asks again and again, as the page that was asked may be gone by the answer.
func (b *console) afterNavigation(what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.shot("failed-" + b.name)
			b.t.Fatalf("%s console: %s: not so after 20 s (%v)", b.name, what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
