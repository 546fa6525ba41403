//go:build integration

package consoletest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// AxeEnv names the environment variable that holds the path of axe-core's axe.min.js: the test
// command sets it from `scripts/ipledger axe`, which installs the version pinned in
// scripts/tools/axe-core with npm.
const AxeEnv = "IPLEDGER_AXE_JS"

// axeTags are the rules axe runs: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

var (
	axeOnce sync.Once
	axeJS   string
	axeErr  error
)

// axeSource is axe.min.js, read once. It fails the test (never skips it) when IPLEDGER_AXE_JS is unset
// or unreadable: a browser test that cannot check accessibility must not pass as if it had.
func axeSource(t testing.TB) string {
	t.Helper()
	axeOnce.Do(func() {
		path := os.Getenv(AxeEnv)
		if path == "" {
			axeErr = fmt.Errorf("%s is not set: the accessibility check needs axe-core's axe.min.js; "+
				"scripts/ipledger test integration installs it, or run %s=$(scripts/ipledger axe) go test …", AxeEnv, AxeEnv)
			return
		}
		b, err := os.ReadFile(path)
		if err != nil {
			axeErr = fmt.Errorf("%s: %w (install it with scripts/ipledger axe)", AxeEnv, err)
			return
		}
		if !strings.Contains(string(b), "axe") || len(b) < 100_000 {
			axeErr = fmt.Errorf("%s=%s is not axe-core's axe.min.js (%d bytes)", AxeEnv, path, len(b))
			return
		}
		axeJS = string(b)
	})
	if axeErr != nil {
		t.Fatal(axeErr)
	}
	return axeJS
}

// axeNode is one element a rule found wrong: its CSS selector path and axe's summary of what to fix.
type axeNode struct {
	Target  json.RawMessage `json:"target"` // selectors; nested arrays for shadow DOM
	Summary string          `json:"summary"`
}

// axeViolation is one rule broken on a page.
type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

// axeResult is what axe.run found on one page.
type axeResult struct {
	Version    string         `json:"version"`
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
	Incomplete []string       `json:"incomplete"` // rules axe could not decide, with where: to look at by hand
}

// failing are the violations of impact serious or critical: the ones the test fails on.
func (r axeResult) failing() []axeViolation {
	var out []axeViolation
	for _, v := range r.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			out = append(out, v)
		}
	}
	return out
}

// byImpact counts the violating elements per impact (critical, serious, moderate, minor).
func (r axeResult) byImpact() map[string]int {
	m := map[string]int{}
	for _, v := range r.Violations {
		m[v.Impact] += len(v.Nodes)
	}
	return m
}

func (v axeViolation) String() string {
	var targets []string
	for _, n := range v.Nodes {
		targets = append(targets, string(n.Target))
	}
	return fmt.Sprintf("%s (%s): %s — %s\n    at %s", v.ID, v.Impact, v.Help, v.HelpURL, strings.Join(targets, ", "))
}

// axeRun is the script that runs axe on the page and keeps what the report needs.
var axeRun = `axe.run(document, {runOnly: {type: "tag", values: ` + mustJSON(axeTags) + `}, resultTypes: ["violations", "incomplete"]}).then((r) => ({
  version: axe.version,
  violations: r.violations.map((v) => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary || ""}))})),
  passes: r.passes.length, incomplete: r.incomplete.map((v) => v.id + " (" + v.nodes.map((n) => n.target.join(" ")).join(", ") + ")")}))`

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// axe injects axe-core into the page that is open and runs it. The injection is a DevTools Runtime
// evaluation, which the page's Content Security Policy does not govern (checkCSPSparesDevTools shows
// both halves of that): the console's CSP stays as strict as it is served.
func (b *console) axe() axeResult {
	b.t.Helper()
	src := axeSource(b.t)
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Minute)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object" && typeof window.axe.run === "function"`))
	if err == nil && !loaded {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src))
	}
	if err != nil {
		b.t.Fatalf("%s console: inject axe-core: %v", b.name, err)
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s console: axe.run: %v", b.name, err)
	}
	return r
}

// checkCSPSparesDevTools shows, on the page that is open, that its Content Security Policy is in force
// (a script element the page would add inline is refused, with a securitypolicyviolation event) and
// that a DevTools evaluation runs all the same (axe-core is there afterwards): the accessibility check
// needs no exception in the console's policy.
func (b *console) checkCSPSparesDevTools() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise((ok) => {
  document.addEventListener("securitypolicyviolation", (e) => ok("refused:" + e.effectiveDirective), {once: true});
  const s = document.createElement("script");
  s.textContent = "window.__inlineRan = true";
  document.head.append(s);
  setTimeout(() => ok(window.__inlineRan ? "ran" : "no event"), 5000);
})`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("inline script probe: %v", err)
	}
	if !strings.HasPrefix(got, "refused:script-src") {
		b.t.Fatalf("the page's CSP does not refuse an inline script (%s): the check below would prove nothing", got)
	}
	b.axe()
	if ok := b.eval(`String(typeof window.axe.run === "function" && !window.__inlineRan)`); ok != "true" {
		b.t.Fatalf("axe-core was not evaluated under the page's CSP (%s)", ok)
	}
	// And axe finds what it should: a field without a label, planted for one run and removed.
	b.eval(`(() => { const i = document.createElement("input"); i.id = "axe-planted"; document.querySelector("main").append(i); return ""; })()`)
	r := b.axe()
	b.eval(`(() => { document.querySelector("#axe-planted").remove(); return ""; })()`)
	found := false
	for _, v := range r.failing() {
		found = found || (v.ID == "label" && strings.Contains(v.String(), "#axe-planted"))
	}
	if !found {
		b.t.Fatalf("axe-core did not report a planted field without a label: %v", r.Violations)
	}
}

// maxShotHeight bounds a full-page screenshot (CSS pixels): a list of thousands of records is not a
// picture anyone reads, and would take long to encode.
const maxShotHeight = 8000

// fullShot saves a full-page PNG of the current page (up to maxShotHeight) as name.png, and returns
// its path.
func (b *console) fullShot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Minute)
	defer cancel()
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.documentElement.scrollWidth, document.documentElement.scrollHeight]`))
	if err != nil || len(size) != 2 {
		b.t.Fatalf("page size: %v", err)
	}
	w, h := size[0], size[1]
	if h > maxShotHeight {
		b.t.Logf("%s: the page is %.0f px high; the screenshot shows its first %d", name, h, maxShotHeight)
		h = maxShotHeight
	}
	yes := true
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng,
		FromSurface: &yes, CaptureBeyondViewport: &yes, Clip: &page.Viewport{Width: w, Height: h, Scale: 1}})
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, shot.Data, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}
