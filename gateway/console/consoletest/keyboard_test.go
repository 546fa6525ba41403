//go:build integration

package consoletest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// tabStop is where one Tab put the focus: the control's tag in the scope (data-kb) or "" outside it,
// a description, and whether it shows a focus indicator: an outline or a box shadow in its computed
// style while it has the focus (a date field's focus is inside it: the field matches :focus-within,
// not :focus or :focus-visible; the style sheet outlines a focused field whatever the pointer).
type tabStop struct {
	KB        string `json:"kb"`
	What      string `json:"what"`
	Indicator bool   `json:"indicator"`
	Style     string `json:"style"` // the focus's pseudo-classes and computed outline and box-shadow
}

// markControls tags every control in scope that a user can operate now (shown and enabled: form
// controls, buttons and links) with data-kb, and returns how many there are.
func (b *console) markControls(scope string) int {
	b.t.Helper()
	n := b.eval(fmt.Sprintf(`(() => {
  const els = [...document.querySelectorAll(%q + " :is(input, select, textarea, button, a[href])")]
    .filter((e) => !e.disabled && e.getClientRects().length > 0 && !e.closest("[hidden], fieldset:disabled"));
  els.forEach((e, i) => { e.dataset.kb = String(i); });
  return String(els.length);
})()`, scope))
	count, err := strconv.Atoi(n)
	if err != nil || count == 0 {
		b.t.Fatalf("%s console: no control in %s", b.name, scope)
	}
	return count
}

// press sends one key (chromedp's kb: kb.Tab, kb.Enter, " ") as the keyboard would, and reports where the
// focus is then.
func (b *console) press(key string) tabStop {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.KeyEvent(key)); err != nil {
		b.t.Fatalf("%s console: key %q: %v", b.name, key, err)
	}
	st, err := chromedp.Run(ctx, chromedp.Evaluate[tabStop](`(() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  return {kb: e.dataset.kb || "", style: ":focus-within " + e.matches(":focus-within") + ", :focus-visible " + e.matches(":focus-visible") + ", outline " + s.outline + ", box-shadow " + s.boxShadow, what: e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.name ? "[name=" + e.name + "]" : "") + (e.type ? "[type=" + e.type + "]" : ""),
    indicator: e.matches(":focus-within") && (outline || s.boxShadow !== "none")};
})()`))
	if err != nil {
		b.t.Fatalf("%s console: focus after %q: %v", b.name, key, err)
	}
	return st
}

// tabThrough presses Tab until every control markControls tagged has had the focus (at most limit
// times), and fails the test for a control never reached or one focused without a visible indicator.
func (b *console) tabThrough(scope string, limit int) {
	b.t.Helper()
	n := b.markControls(scope)
	reached := map[string]bool{}
	var order []string
	for i := 0; i < limit && len(reached) < n; i++ {
		st := b.press(kb.Tab)
		if st.KB == "" {
			continue
		}
		if !reached[st.KB] {
			order = append(order, st.What)
		}
		reached[st.KB] = true
		if !st.Indicator {
			b.t.Errorf("%s console: %s has the focus but no visible focus indicator (%s)", b.name, st.What, st.Style)
		}
	}
	if len(reached) < n {
		missing := b.eval(fmt.Sprintf(`[...document.querySelectorAll(%q + " [data-kb]")].filter((e) => !%s.includes(e.dataset.kb)).map((e) => e.outerHTML.slice(0, 120)).join("\n")`,
			scope, mustJSON(keys(reached))))
		b.t.Errorf("%s console: %d of %d controls in %s reached by Tab in %d presses; not reached:\n%s", b.name, len(reached), n, scope, limit, missing)
	}
	b.t.Logf("%s console: Tab reached %d controls in %s: %s", b.name, len(reached), scope, strings.Join(order, " → "))
}

func keys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestConsole_Keyboard uses the application form (Bank 1) and the examination queue (IP office) with the
// keyboard alone: Tab reaches every control and button, each with a visible focus indicator; Enter
// submits the application form (its checks answer) and registers an application in the queue.
func TestConsole_Keyboard(t *testing.T) {
	sys := itest.System(t)
	dir := screenshotDir(t)
	bank, office := orgOf(t, sys, "Bank1MSP", "officer1"), orgOf(t, sys, "IPOfficeMSP", "examiner1")

	// An application of this test's own in the queue.
	var block uint64
	asset := itest.Uniq("CN-ZL-KBD")
	submit(t, itest.As(t, "IPOfficeMSP", "examiner1"), "/v1/assets", itest.Patent(asset), &block)
	itest.AwaitGateways(t, block)
	pledge := submit(t, itest.As(t, "Bank1MSP", "officer1"), "/v1/pledges", itest.Application(asset), &block).Str(t, "id")
	itest.AwaitGateways(t, block)

	ctx := browser(t, bank.spki(t), office.spki(t))
	root := &console{t: t}

	// Bank 1's application form: from the top of the page, Tab reaches every field and button of the
	// form (the optional parts, disabled and hidden, are not offered); then Enter in the first field
	// submits the empty form and the checks answer, the focus on the first field in error.
	b := root.tab("bank", bank, ctx, dir)
	b.open("apply")
	b.signIn("")
	b.settle("the application form", pageSettled(cons.DefaultLanguage)+` && !!document.querySelector("#apply-form")`)
	b.do("focus at the top", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur(); window.scrollTo(0, 0)`))
	b.tabThrough("#apply-form", 150)
	// The third-party checkbox, by Space, offers the debtor's fields, which Tab reaches too.
	b.do("focus the checkbox", chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-thirdparty").focus()`))
	b.press(" ")
	b.waitFor("debtor fields offered", `!document.querySelector("#f-debtor").disabled`)
	if st := b.press(kb.Tab); !strings.Contains(st.What, "#f-debtor-id") {
		t.Errorf("after the third-party checkbox, Tab went to %s, not the debtor's id", st.What)
	}
	b.do("focus the first field", chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-assets").value = ""; document.querySelector("#f-assets").focus()`))
	b.press(kb.Enter)
	b.waitFor("the form's checks after Enter", `document.querySelector('[data-error-for="assetIds"]').textContent !== ""`)
	if got := b.eval(`document.querySelector("#alert").textContent`); got != cons.Message(cons.DefaultLanguage, "apply.correct-fields") {
		t.Errorf("after Enter: alert %q", got)
	}
	if got := b.eval(`document.activeElement.id`); got != "f-assets" {
		t.Errorf("after Enter: the focus is on %q, not the first field in error", got)
	}
	b.shot("keyboard-apply-enter")

	// The IP office's queue: from the application's link, Tab reaches its registration number, every
	// refusal reason, the note and both buttons; Enter in the registration number registers it.
	o := root.tab("ipoffice", office, ctx, dir)
	o.open("queue")
	o.signIn("")
	sel := fmt.Sprintf(`section.application[data-pledge=%q]`, pledge)
	o.settle("the application in the queue", pageSettled(cons.DefaultLanguage)+fmt.Sprintf(` && !!document.querySelector('%s .checks li')`, sel))
	o.do("focus the application's link", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('%s h2 a').focus()`, sel)))
	o.tabThrough(sel+" .decide", 60)
	o.do("back to the application's link", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('%s h2 a').focus()`, sel)))
	if st := o.press(kb.Tab); !strings.Contains(st.What, "[name=registrationNumber]") {
		t.Fatalf("from the application's link, Tab went to %s, not the registration number", st.What)
	}
	o.do("type the registration number", chromedp.KeyEvent("Y2026-KB-"+strings.ToUpper(pledge[len(pledge)-6:])))
	o.press(kb.Enter)
	o.waitFor("registered by Enter", fmt.Sprintf(`document.querySelector("#notice").dataset.outcome === %q`, "register:"+pledge))
	o.shot("keyboard-queue-registered")
}
