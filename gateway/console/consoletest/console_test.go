//go:build integration

// Package consoletest drives the web console in headless Chromium (chromedp) against the real network
// that `scripts/ipledger test` starts: a pledge application filed in Bank 1's console, registered in
// the IP office's, verified in the exchange's and audited in the regulator's, each through that
// organization's own gateway and API key. The consoles speak Chinese, their default; the test selects by
// ids and data attributes and compares words with the catalogues (console.Message), and one check turns
// Bank 1's console English with the switch and finds it still English on the next page. It saves a screenshot of every page to
// $IPLEDGER_SCREENSHOT_DIR (default out/screenshots in the repository).
package consoletest

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/ipledger/ipledger/gateway/apiclient"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
)

// org is one organization's gateway and the API key of one of its users.
type org struct {
	base, key string
	api       *apiclient.Client // trusts only the organization's CA
}

func orgOf(t *testing.T, sys *netctl.System, mspID, user string) org {
	t.Helper()
	api, err := sys.APIClient(mspID, user)
	if err != nil {
		t.Fatal(err)
	}
	return org{base: api.BaseURL, key: api.Key, api: api}
}

// spki is the base64 SHA-256 of the public key of the gateway's TLS certificate, after Go has verified
// that certificate against the organization's CA (and only that CA) for the gateway's address. The
// browser is told to accept exactly these keys: it has no way to be given a CA of its own here.
func (o org) spki(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(o.base)
	if err != nil {
		t.Fatal(err)
	}
	tc := o.api.HTTP.Transport.(*http.Transport).TLSClientConfig.Clone()
	tc.ServerName = u.Hostname()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", u.Host, tc)
	if err != nil {
		t.Fatalf("%s: %v", o.base, err)
	}
	defer c.Close()
	sum := sha256.Sum256(c.ConnectionState().PeerCertificates[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// post calls the API directly, for the set-up the console does not do (registering the IP right).
func (o org) post(t *testing.T, path string, body any) map[string]any {
	t.Helper()
	r, err := o.api.Do(context.Background(), http.MethodPost, path, body,
		"Idempotency-Key", fmt.Sprintf("console-setup-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusCreated {
		t.Fatalf("POST %s: %s", path, r)
	}
	var m map[string]any
	_ = r.Decode(&m)
	return m
}

// screenshotDir is $IPLEDGER_SCREENSHOT_DIR, or out/screenshots at the repository's root.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("IPLEDGER_SCREENSHOT_DIR")
	if dir == "" {
		wd, _ := os.Getwd()
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(d, "out", "screenshots")
				break
			}
			if filepath.Dir(d) == d {
				dir = filepath.Join(wd, "screenshots")
				break
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts headless Chromium with the flags it needs as root and in a container, and a fresh
// profile. It accepts the gateways' HTTPS certificates by their public keys (spkis, from org.spki),
// and no other certificate that does not verify.
func browser(t *testing.T, spkis ...string) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed (scripts/ipledger test integration installs Debian's chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
		chromedp.Flag("ignore-certificate-errors-spki-list", strings.Join(spkis, ",")))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		t.Fatal(err)
	}
	return bctx
}

// console is one organization's console in a tab of its own.
type console struct {
	t    *testing.T
	ctx  context.Context
	org  org
	name string
	dir  string
}

func (b *console) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot("failed-" + b.name)
		b.t.Fatalf("%s console: %s: %v", b.name, what, err)
	}
}

// waitFor polls a JavaScript condition in the page (the console's live updates usually make it true;
// another organization's peer may be a block behind).
func (b *console) waitFor(what, cond string) {
	b.t.Helper()
	b.do(what, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](cond, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))(ctx, t)
		return chromedp.Void{}, err
	})
}

func (b *console) eval(js string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s console: %s: %v", b.name, js, err)
	}
	return s
}

// shot saves a full-page PNG of the current page. The bound is generous: the first page drawn in
// Chinese loads the CJK font (tens of megabytes), which took longer than 10 s on a busy machine.
func (b *console) shot(name string) {
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Error(err)
	}
	b.t.Logf("screenshot %s", path)
}

func (b *console) open(page string) {
	b.t.Helper()
	b.do("open "+page, chromedp.Navigate(b.org.base+"/console/"+page), chromedp.WaitReady(chromedp.CSS("body")))
}

// signIn signs in on the page that is open, with the organization's API key.
func (b *console) signIn(shotName string) {
	b.t.Helper()
	b.do("sign-in form", chromedp.WaitVisible(chromedp.CSS("#apikey")))
	if shotName != "" {
		b.shot(shotName)
	}
	b.do("sign in", chromedp.SetValue(chromedp.CSS("#apikey"), b.org.key),
		chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#app")))
	b.waitFor("live updates", `document.querySelector("#live").classList.contains("on")`)
}

func (b *console) tab(name string, o org, browserCtx context.Context, dir string) *console {
	ctx, cancel := chromedp.NewContext(browserCtx)
	b.t.Cleanup(cancel)
	// The first action opens the tab, which lives as long as the context of that action: not a timeout.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatal(err)
	}
	return &console{t: b.t, ctx: ctx, org: o, name: name, dir: dir}
}

func TestConsole_ApplyRegisterVerifyAudit(t *testing.T) {
	sys := itest.System(t)
	began := time.Now()
	bank, office := orgOf(t, sys, "Bank1MSP", "officer1"), orgOf(t, sys, "IPOfficeMSP", "examiner1")
	exchange, regulator := orgOf(t, sys, "ExchangeMSP", "trader1"), orgOf(t, sys, "RegulatorMSP", "auditor1")
	dir := screenshotDir(t)

	// The IP office registers the patent through the API (the console has no page for it).
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	asset := "CN-ZL-UI-" + suffix
	office.post(t, "/v1/assets", map[string]any{
		"id": asset, "kind": "patent-invention", "number": "ZL2021" + suffix, "title": "Optical waveguide coupler for silicon photonics",
		"owners":          []map[string]any{{"id": "91420100MA4K0001", "name": "Wuhan Optics Co., Ltd.", "share": 10000}},
		"applicationDate": "2020-01-15", "grantDate": "2022-03-01", "expiryDate": "2040-01-15", "feesPaidThrough": "2031-01-15",
	})

	root := &console{t: t}
	var spkis []string
	for _, o := range []org{bank, office, exchange, regulator} {
		spkis = append(spkis, o.spki(t))
	}
	ctx := browser(t, spkis...)

	// Bank 1: the application form, its client-side checks, a 422 from the ledger beside its field, then
	// the filing.
	b := root.tab("bank", bank, ctx, dir)
	b.open("apply")
	b.signIn("01-signin")
	b.do("submit the empty form", chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-currency").value = ""`), chromedp.Click(chromedp.CSS("#apply-submit")))
	// "请填写“…”。": the words of check.required before the field's name.
	required := strings.SplitN(cons.Message("zh-CN", "check.required", "Field", "\x00"), "\x00", 2)[0]
	b.waitFor("client-side messages", `document.querySelector('[data-error-for="assetIds"]').textContent !== ""`)
	for _, f := range []string{"assetIds", "terms.currency"} {
		if got := b.eval(fmt.Sprintf(`document.querySelector('[data-error-for=%q]').textContent`, f)); required == "" || !strings.Contains(got, required) {
			t.Errorf("%s: client-side message %q, want %q", f, got, required)
		}
	}
	b.shot("02-bank-apply-client-checks")
	b.do("fill in the application",
		chromedp.SetValue(chromedp.CSS("#f-assets"), asset),
		chromedp.SetValue(chromedp.CSS("[name=pledgor-id]"), "91420100MA4K0001"),
		chromedp.SetValue(chromedp.CSS("[name=pledgor-name]"), "Wuhan Optics Co., Ltd."),
		chromedp.SetValue(chromedp.CSS("#f-pledgee"), "Bank One, Hubei Branch"),
		chromedp.SetValue(chromedp.CSS("#f-debtkind"), "loan"),
		chromedp.SetValue(chromedp.CSS("#f-start"), "2026-01-01"),
		chromedp.SetValue(chromedp.CSS("#f-end"), "2025-12-31"), // before the start: the chaincode answers 422
		chromedp.SetValue(chromedp.CSS("#f-amount"), "5000000.00"),
		chromedp.SetValue(chromedp.CSS("#f-currency"), "CNY"),
		chromedp.SetValue(chromedp.CSS("#f-rate"), "3.85"),
		chromedp.SetValue(chromedp.CSS("#f-contract"), strings.Repeat("9f2c4e7a", 8)),
		chromedp.Click(chromedp.CSS("#apply-submit")))
	b.waitFor("the ledger's 422 beside debtTermEnd", `document.querySelector('[data-error-for="debtTermEnd"]').textContent.includes("debtTermEnd: must be after debtTermStart")`)
	if got := b.eval(`document.querySelector("#alert").textContent`); !strings.Contains(got, cons.Message("zh-CN", "error.INVALID_ARGUMENT")) {
		t.Errorf("422 alert: %q", got)
	}
	b.shot("03-bank-apply-server-422")
	b.do("correct the term and file", chromedp.SetValue(chromedp.CSS("#f-end"), "2028-12-31"), chromedp.Click(chromedp.CSS("#apply-submit")),
		chromedp.WaitVisible(chromedp.CSS("#applied")))
	pledge := b.eval(`document.querySelector("#applied").dataset.pledge`)
	if pledge == "" {
		t.Fatal("no pledge id after filing")
	}
	t.Logf("pledge %s filed on %s", pledge, asset)
	b.shot("04-bank-apply-filed")

	// IP office: the examination queue shows it with its rule checks; register it.
	o := root.tab("ipoffice", office, ctx, dir)
	o.open("queue")
	o.signIn("")
	sel := fmt.Sprintf(`section.application[data-pledge=%q]`, pledge)
	o.waitFor("the application in the queue", fmt.Sprintf(`!!document.querySelector(%q)`, sel))
	checks := o.eval(fmt.Sprintf(`document.querySelector(%q).querySelector(".checks").textContent`, sel))
	for _, want := range []string{"P1", cons.Message("zh-CN", "check.owners-pledgors"),
		cons.Message("zh-CN", "check.legal-status", "Status", cons.Message("zh-CN", "enum.legalStatus.valid")),
		cons.Message("zh-CN", "check.fees", "Date", "2031年1月15日"), "P5"} {
		if !strings.Contains(checks, want) {
			t.Errorf("queue checks lack %q: %s", want, checks)
		}
	}
	if n := o.eval(fmt.Sprintf(`String(document.querySelector(%q).querySelectorAll(".checks .fail").length)`, sel)); n != "0" {
		t.Errorf("%s failing checks: %s", n, checks)
	}
	o.do("scroll to the application", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).scrollIntoView()`, sel)))
	o.shot("05-ipoffice-queue")
	// The registration number is the office's to assign: the field starts empty, and is required.
	if got := o.eval(fmt.Sprintf(`document.querySelector(%q).value`, sel+" [name=registrationNumber]")); got != "" {
		t.Errorf("the registration number is filled in before the examiner types it: %q", got)
	}
	regNo := "Y2026-" + strings.ToUpper(pledge[len(pledge)-6:])
	o.do("register", fill(sel+" [name=registrationNumber]", regNo), chromedp.Click(chromedp.CSS(sel+" form.register button")))
	o.waitFor("registered", fmt.Sprintf(`document.querySelector("#notice").dataset.outcome === %q && document.querySelector("#notice").textContent.includes(%q) && document.querySelector("#notice").textContent.includes(%q)`,
		"register:"+pledge, pledge, regNo))
	o.shot("06-ipoffice-registered")

	// Exchange: the title statement with the registered pledge, its proof and QR code; and as printed.
	// The trader looks the right up by its official number, as a clerk would.
	x := root.tab("exchange", exchange, ctx, dir)
	x.open("verify?asset=ZL2021" + suffix)
	x.signIn("")
	x.waitFor("statement with the pledge", fmt.Sprintf(`!document.querySelector("#statement").hidden && document.querySelector("#st-enc").textContent.includes(%q)`, pledge))
	x.waitFor("QR code", `document.querySelector("#st-qr").complete && document.querySelector("#st-qr").naturalWidth > 0`)
	proof := x.eval(`document.querySelector("#pr-rows").textContent`)
	for _, want := range []string{cons.Message("zh-CN", "verify.proof-title"), cons.Message("zh-CN", "verify.proof-pledge", "Pledge", pledge, "Rank", 1),
		"IPOfficeMSP", "Bank1MSP"} {
		if !strings.Contains(proof, want) {
			t.Errorf("proof lacks %q: %s", want, proof)
		}
	}
	x.shot("07-exchange-verify")
	x.do("print media", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return chromedp.Void{}, err
	})
	if got := x.eval(`getComputedStyle(document.querySelector("header.top")).display`); got != "none" {
		t.Errorf("print: the navigation shows (%s)", got)
	}
	x.shot("08-exchange-statement-print")

	// Regulator: every pledge, filtered to Bank 1's patents, with counts; then the pledge's timeline.
	r := root.tab("regulator", regulator, ctx, dir)
	r.open("audit")
	r.signIn("")
	row := fmt.Sprintf(`tr[data-pledge=%q]`, pledge)
	r.waitFor("the registered pledge in the audit list", fmt.Sprintf(`!!document.querySelector(%q)`, row+` .badge[data-status="registered"]`))
	if got := r.eval(fmt.Sprintf(`document.querySelector(%q).textContent`, row+` .badge`)); got != cons.Message("zh-CN", "enum.pledgeStatus.registered") {
		t.Errorf("status badge %q", got)
	}
	r.do("filter", chromedp.SetValue(chromedp.CSS("[name=bank]"), "Bank1MSP"), chromedp.SetValue(chromedp.CSS("[name=kind]"), "patent-invention"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#audit-filters").dispatchEvent(new Event("change"))`))
	r.waitFor("filtered", fmt.Sprintf(`!!document.querySelector(%q) && document.querySelector("#audit-counts").textContent.includes(%q)`, row, cons.OrgName("zh-CN", "Bank1MSP")))
	r.shot("09-regulator-audit")
	r.open("pledge?id=" + pledge)
	r.waitFor("timeline of the pledge", fmt.Sprintf(`document.querySelectorAll("#timeline li[data-tx]").length >= 2 && document.querySelector("#timeline").textContent.includes(%q)`,
		cons.Message("zh-CN", "common.block")))
	// Dates in Chinese, times in China time.
	if got := r.eval(`document.querySelector("#p-facts").textContent`); !strings.Contains(got, "2028年12月31日") || !strings.Contains(got, "年") {
		t.Errorf("pledge facts: dates %q", got)
	}
	if got := r.eval(`getComputedStyle(document.querySelector("#p-overdue")).display`); got != "none" {
		t.Errorf("a registered pledge is marked overdue (%s)", got)
	}
	if got := r.eval(`document.querySelector("#p-terms-list").textContent`); !strings.Contains(got, "¥5,000,000.00") {
		t.Errorf("regulator: private terms %q", got)
	}
	r.shot("10-regulator-pledge-history")

	// Bank 1: its pledges, the new one registered, with Release offered.
	b.open("pledges")
	b.waitFor("my pledges", fmt.Sprintf(`!!document.querySelector(%q)`, row+` .badge[data-status="registered"]`))
	b.shot("11-bank-my-pledges")

	// The language switch: Bank 1's console turns English, and stays English on the next page.
	if got := b.eval(`document.documentElement.lang + " " + document.querySelector('[data-nav="pledges"]').textContent`); got != "zh-CN "+cons.Message("zh-CN", "page.pledges.title") {
		t.Errorf("before the switch: %q", got)
	}
	// The switch is a link: the click loads the page again with ?lang=en, which sets the cookie.
	b.do("switch to English", chromedp.Click(chromedp.CSS("#lang-en")), chromedp.WaitReady(chromedp.CSS(`html[lang="en"] #app`)))
	b.waitFor("English page", `document.documentElement.lang === "en" && !document.querySelector("#app").hidden`)
	b.waitFor("English statuses", fmt.Sprintf(`(document.querySelector(%q)||{textContent:""}).textContent === %q`, row+` .badge[data-status="registered"]`,
		cons.Message("en", "enum.pledgeStatus.registered")))
	if got := b.eval(`document.querySelector('[data-nav="pledges"]').textContent`); got != cons.Message("en", "page.pledges.title") {
		t.Errorf("after the switch: navigation %q", got)
	}
	b.shot("12-bank-my-pledges-english")
	b.open("verify?asset=" + asset)
	b.waitFor("still English on the next page", fmt.Sprintf(`document.documentElement.lang === "en" && !document.querySelector("#statement").hidden && document.querySelector("#st-kind").textContent === %q`,
		cons.Message("en", "enum.assetKind.patent-invention")))
	if got := b.eval(`document.querySelector("#app h1").textContent`); got != cons.Message("en", "verify.heading") {
		t.Errorf("next page: heading %q", got)
	}
	b.shot("13-bank-verify-english")
	t.Logf("the four consoles took %s", time.Since(began).Round(time.Millisecond))
}
