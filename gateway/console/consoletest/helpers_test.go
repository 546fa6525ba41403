//go:build integration

package consoletest

import (
	"context"
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
	ctx := browser(t, regulator.spki(t))
	b := (&console{t: t}).tab("regulator", regulator, ctx, screenshotDir(t))
	b.open("audit")
	b.signIn("")
	b.settle("the audit page", pageSettled(cons.DefaultLanguage))

	b.do("a cut list", chromedp.Evaluate[chromedp.Void](`IPLedger.truncationNote(document.querySelector("#audit-filters"), [], Object.assign([1, 2], { truncated: true }))`))
	want := strings.ReplaceAll(cons.Message(cons.DefaultLanguage, "list.truncated"), "{{.Count}}", "5,000")
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
