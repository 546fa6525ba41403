//go:build integration

package consoletest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
)

// pageSeed is the ledger data the pages show, filed through the API before the browser opens: rights
// of a pledgor of this run's own (so that its search extract holds only these), a pledge at each
// status the lists show, and a transfer waiting to be recorded.
type pageSeed struct {
	owner, ownerName string
	asset            string // the right of the registered pledge
	registered       string // pledge ids, one per status
	applied          string
	refused          string
	released         string
	transfer         string // requested, on the right of the refused pledge
}

// submit files one request through the API and fails the test unless it succeeded; it returns the
// answer and raises *block to the block it committed in.
func submit(t *testing.T, c *itest.Caller, path string, body any, block *uint64) itest.Reply {
	t.Helper()
	r := c.Do(http.MethodPost, path, body)
	if r.Status < 200 || r.Status > 299 {
		t.Fatalf("%s POST %s: %s", c.Org, path, r)
	}
	*block = max(*block, r.Block())
	return r
}

func seedPages(t *testing.T) pageSeed {
	t.Helper()
	began := time.Now()
	office, exchange := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "ExchangeMSP", "trader1")
	bank1, bank2 := itest.As(t, "Bank1MSP", "officer1"), itest.As(t, "Bank2MSP", "officer1")
	s := pageSeed{owner: fmt.Sprintf("91420100MA%08d", time.Now().UnixNano()%1e8), ownerName: "武汉光谷光电科技有限公司"}
	party := map[string]any{"id": s.owner, "name": s.ownerName}
	var block uint64
	right := func(title string) string {
		id := itest.Uniq("CN-ZL-A11Y")
		p := itest.Patent(id)
		p["title"] = title
		p["owners"] = []any{map[string]any{"id": s.owner, "name": s.ownerName, "share": 10000}}
		submit(t, office, "/v1/assets", p, &block)
		return id
	}
	apply := func(bank *itest.Caller, asset, pledgee string) string {
		a := itest.Application(asset)
		a["pledgors"] = []any{party}
		a["pledgeeName"] = pledgee
		return submit(t, bank, "/v1/pledges", a, &block).Str(t, "id")
	}
	// The rights and the applications first; each decision once every gateway has read them (a
	// submission names a record its gateway must know).
	s.asset = right("一种硅基光子波导耦合器")
	s.registered = apply(bank1, s.asset, "银行1湖北省分行")
	s.applied = apply(bank1, right("一种半导体激光器封装结构"), "银行1湖北省分行")
	refusedOn := right("光纤传感监测系统")
	s.refused = apply(bank2, refusedOn, "银行2武汉分行")
	s.released = apply(bank1, right("一种光模块散热装置"), "银行1湖北省分行")
	itest.AwaitGateways(t, block)
	regNo := func(id string) map[string]any {
		return map[string]any{"registrationNumber": "Y2026-" + strings.ToUpper(id[len(id)-6:])}
	}
	submit(t, office, "/v1/pledges/"+s.registered+"/register", regNo(s.registered), &block)
	submit(t, office, "/v1/pledges/"+s.released+"/register", regNo(s.released), &block)
	submit(t, office, "/v1/pledges/"+s.refused+"/refuse", map[string]any{"reasons": []string{"P4-fees-unpaid"}, "note": "年费缴纳凭证未提交"}, &block)
	itest.AwaitGateways(t, block)
	submit(t, bank1, "/v1/pledges/"+s.released+"/release", map[string]any{"reason": "借款已清偿"}, &block)
	s.transfer = submit(t, exchange, "/v1/transfers", itest.TradeTransfer(refusedOn), &block).Str(t, "id")
	// Every gateway reads from its read model, a moment behind its peer: wait until each has the last block.
	itest.AwaitGateways(t, block)
	t.Logf("seeded in %s: right %s, pledges registered %s, applied %s, refused %s, released %s, transfer %s (owner %s)",
		time.Since(began).Round(time.Millisecond), s.asset, s.registered, s.applied, s.refused, s.released, s.transfer, s.owner)
	return s
}

// pageVisit is how a page is opened and when its data is there: the query it is opened with and a
// JavaScript condition on what the page's script fills. A page the table does not name is opened
// bare and waited for by the conditions every page meets (pageSettled): a new page in console.Pages
// is covered without a change here.
type pageVisit struct {
	query string
	ready string
}

func pageVisits(s pageSeed) map[string]pageVisit {
	qrLoaded := func(img string) string {
		return fmt.Sprintf(`document.querySelector(%q).complete && document.querySelector(%q).naturalWidth > 0`, img, img)
	}
	return map[string]pageVisit{
		// A change of the seed's, from the last blocks the feed starts at: not the placeholder.
		"home": {ready: `!!document.querySelector("#feed li[data-tx]")`},
		"verify": {query: "asset=" + s.asset, ready: fmt.Sprintf(`!document.querySelector("#statement").hidden && document.querySelector("#st-enc").textContent.includes(%q) && %s`,
			s.registered, qrLoaded("#st-qr"))},
		"history": {query: "pledge=" + s.registered, ready: `!document.querySelector("#h-title").hidden && document.querySelectorAll("#timeline li[data-tx]").length >= 2`},
		"parties": {query: "id=" + s.owner, ready: fmt.Sprintf(`!document.querySelector("#extract").hidden && document.querySelector("#ex-rights").textContent.includes(%q) && %s`,
			s.asset, qrLoaded("#ex-qr"))},
		"pledges":   {ready: `!!document.querySelector("#my-pledges tr[data-pledge]")`},
		"apply":     {ready: `!!document.querySelector("#apply-form")`},
		"queue":     {ready: fmt.Sprintf(`!!document.querySelector('section.application[data-pledge=%q] .checks li')`, s.applied)},
		"transfers": {query: "id=" + s.transfer, ready: fmt.Sprintf(`!!document.querySelector('[data-transfer=%q]')`, s.transfer)},
		"audit":     {ready: fmt.Sprintf(`!!document.querySelector('#audit-rows tr[data-pledge=%q]')`, s.released)},
		"pledge":    {query: "id=" + s.registered, ready: `!document.querySelector("#pledge").hidden && document.querySelectorAll("#timeline li[data-tx]").length >= 2`},
		// The licence register and the court measures of the seeded right: their tables and forms drawn.
		"licences": {query: "asset=" + s.asset, ready: `!document.querySelector("#licence-register").hidden && document.querySelector("#l-heading").textContent !== "" && document.querySelector("#l-rows").children.length > 0`},
		"court":    {query: "asset=" + s.asset, ready: `!document.querySelector("#court-right").hidden && document.querySelector("#c-heading").textContent !== "" && document.querySelector("#c-rows").children.length > 0`},
		// The IP-finance record's pages: their forms drawn and set up by their scripts, their lists read (an empty list is drawn too).
		"accreditations": {ready: `document.querySelector("#acc-form").hasAttribute("data-ready")`},
		"valuations":     {ready: `!!document.querySelector("#val-form #val-submit") && document.querySelector("#val-rows").hasAttribute("data-loaded")`},
		"covers":         {ready: `!!document.querySelector("#cover-form") && document.querySelector("#cover-rows").hasAttribute("data-loaded")`},
		"finance":        {ready: `document.querySelector("#claim-form").hasAttribute("data-ready") && document.querySelector("#subsidy-form").hasAttribute("data-ready")`},
		"fund":           {ready: `document.querySelector("#rules-year").value !== "" && document.querySelector("#claim-rows").hasAttribute("data-loaded") && document.querySelector("#subsidy-rows").hasAttribute("data-loaded")`},
		// The register of rights: the registration form with its first owner, and the seeded right's record in the change form.
		// The evaluation (F9): its tables drawn from the chaincode's answer.
		"evaluation": {ready: `document.querySelectorAll("#eval-loans table").length === 4 && !!document.querySelector("#eval-subsidies table")`},
		"rights":     {query: "asset=" + s.asset, ready: `!!document.querySelector("#r-owner-rows [data-row]") && !document.querySelector("#u-right").hidden && document.querySelector("#u-fact-id").textContent !== ""`},
	}
}

// pageSettled is what every page meets once signed in and loaded: in its language, the application
// shown, the live stream open, no "loading" placeholder left, its fonts loaded.
func pageSettled(lang string) string {
	return fmt.Sprintf(`document.documentElement.lang === %q && !document.querySelector("#app").hidden && document.querySelector("#live").classList.contains("on") &&
!document.querySelector("main").innerText.includes(%q) && document.fonts.status === "loaded"`, lang, cons.Message(lang, "common.loading"))
}

// consoleOrg is an organization with a gateway, as the browser signs in to it.
type consoleOrg struct {
	name, msp, kind string
	org             org
}

// consoleOrgs are the network's organizations with a gateway, each with its first user that has an API
// key and is no admin (an admin acts with netctl on its host, never through a gateway).
func consoleOrgs(t *testing.T, sys *netctl.System) []consoleOrg {
	var out []consoleOrg
	for _, o := range sys.Organizations {
		if o.Gateway == "" {
			continue
		}
		for _, u := range o.Users {
			if u.APIKeyFile != "" && u.Role != "admin" {
				out = append(out, consoleOrg{name: o.Name, msp: o.MSPID, kind: cons.OrgKind(o.MSPID), org: orgOf(t, sys, o.MSPID, u.Name)})
				break
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no organization with a gateway and a user's API key in the system description")
	}
	return out
}

// sees tells whether a page is for an organization of the kind (console.Pages' For).
func sees(p cons.Page, kind string) bool { return len(p.For) == 0 || slices.Contains(p.For, kind) }

// pageReport is one page's line in the summary: where axe ran and what it found.
type pageReport struct {
	Page       string         `json:"page"`
	Org        string         `json:"org"`
	MSPID      string         `json:"mspId"`
	Lang       string         `json:"lang"`
	Path       string         `json:"path"`
	Screenshot string         `json:"screenshot"`
	Axe        string         `json:"axe"` // axe-core's version
	ByImpact   map[string]int `json:"violationsByImpact"`
	Rules      []string       `json:"rules"` // the rules violated, "id (impact)"
	Passes     int            `json:"passes"`
	Incomplete []string       `json:"incomplete"` // rules axe could not decide, with where (to look at by hand)
	Error      string         `json:"error,omitempty"`
}

// writeSummary writes the reports as accessibility.json and accessibility.md beside the screenshots.
func writeSummary(t *testing.T, dir string, reports []pageReport) {
	if len(reports) == 0 {
		return
	}
	b, _ := json.MarshalIndent(reports, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "accessibility.json"), append(b, '\n'), 0o644); err != nil {
		t.Error(err)
	}
	var md strings.Builder
	fmt.Fprintf(&md, "# Accessibility: axe-core %s, rules %s\n\n", reports[0].Axe, strings.Join(axeTags, ", "))
	md.WriteString("| page | organization | language | critical | serious | moderate | minor | rules violated | passes | incomplete (to review by hand) | screenshot |\n")
	md.WriteString("| --- | --- | --- | --: | --: | --: | --: | --- | --: | --- | --- |\n")
	for _, r := range reports {
		rules := strings.Join(r.Rules, ", ")
		if r.Error != "" {
			rules = "not checked: " + r.Error
		} else if rules == "" {
			rules = "none"
		}
		fmt.Fprintf(&md, "| %s | %s | %s | %d | %d | %d | %d | %s | %d | %s | %s |\n", r.Page, r.Org, r.Lang, r.ByImpact["critical"], r.ByImpact["serious"],
			r.ByImpact["moderate"], r.ByImpact["minor"], rules, r.Passes, strings.ReplaceAll(strings.Join(r.Incomplete, "; "), "|", "\\|"), r.Screenshot)
	}
	if err := os.WriteFile(filepath.Join(dir, "accessibility.md"), []byte(md.String()), 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("accessibility summary: %s", filepath.Join(dir, "accessibility.md"))
}

// TestConsole_EveryPageAccessible opens every page of console.Pages, for every organization that sees
// it, in every language, with the data seeded above; waits until the page has filled in; runs axe-core
// (WCAG 2.0 and 2.1, A and AA) and fails on any violation of impact serious or critical; and saves a
// full-page screenshot <page>-<org>-<lang>.png. The summary of every page's result is
// accessibility.md and accessibility.json beside the screenshots.
func TestConsole_EveryPageAccessible(t *testing.T) {
	sys := itest.System(t)
	axeSource(t) // before anything is seeded: no axe-core, no test
	dir := screenshotDir(t)
	orgs := consoleOrgs(t, sys)
	seed := seedPages(t)
	visits := pageVisits(seed)
	var spkis []string
	for _, o := range orgs {
		spkis = append(spkis, o.org.spki(t))
	}
	ctx := browser(t, spkis...)
	began := time.Now()

	var reports []pageReport
	t.Cleanup(func() { writeSummary(t, dir, reports) })
	root := &console{t: t}
	checkedCSP := false
	for _, o := range orgs {
		tab := root.tab(o.name, o.org, ctx, dir)
		signedIn := false
		for _, lang := range cons.Languages {
			for _, p := range cons.Pages {
				if !sees(p, o.kind) {
					continue
				}
				name := fmt.Sprintf("%s-%s-%s", p.Name(), o.name, lang.Tag)
				v := visits[p.Name()]
				q := "lang=" + lang.Tag
				if v.query != "" {
					q = v.query + "&" + q
				}
				rep := pageReport{Page: p.Name(), Org: o.name, MSPID: o.msp, Lang: lang.Tag, Path: "/console/" + p.Path + "?" + q}
				t.Run(name, func(t *testing.T) {
					b := &console{t: t, ctx: tab.ctx, org: o.org, name: o.name, dir: dir}
					defer func() {
						if t.Failed() && rep.Error == "" && rep.Axe == "" {
							rep.Error = "the page did not load"
						}
						reports = append(reports, rep)
					}()
					b.do("open "+rep.Path, chromedp.Navigate(o.org.base+rep.Path), chromedp.WaitReady(chromedp.CSS("body")))
					if !signedIn {
						b.signIn("")
						signedIn = true
					}
					cond := pageSettled(lang.Tag)
					if v.ready != "" {
						cond += " && " + v.ready
					}
					b.settle("the page's data", cond)
					if !checkedCSP {
						b.checkCSPSparesDevTools()
						checkedCSP = true
					}
					r := b.axe()
					rep.Axe, rep.ByImpact, rep.Passes, rep.Incomplete = r.Version, r.byImpact(), r.Passes, r.Incomplete
					for _, v := range r.Violations {
						rep.Rules = append(rep.Rules, fmt.Sprintf("%s (%s)", v.ID, v.Impact))
					}
					sort.Strings(rep.Rules)
					rep.Screenshot = filepath.Base(b.fullShot(name))
					for _, v := range r.Violations {
						if v.Impact != "serious" && v.Impact != "critical" {
							t.Logf("%s: %s", name, v)
						}
					}
					if f := r.failing(); len(f) > 0 {
						var lines []string
						for _, v := range f {
							lines = append(lines, v.String())
						}
						t.Errorf("%s: %d serious or critical accessibility violations (axe-core %s):\n  %s", name, len(f), r.Version, strings.Join(lines, "\n  "))
					}
				})
			}
		}
	}
	// Every page, for every organization that sees it, in every language: exactly that many visits.
	want := 0
	for _, o := range orgs {
		for _, p := range cons.Pages {
			if sees(p, o.kind) {
				want += len(cons.Languages)
			}
		}
	}
	if len(reports) != want {
		t.Errorf("%d pages checked; console.Pages for %d organizations in %d languages makes %d", len(reports), len(orgs), len(cons.Languages), want)
	}
	t.Logf("%d pages checked in %s", len(reports), time.Since(began).Round(time.Millisecond))
}

// settle waits (up to a minute: a queue or a register of many records takes a while on a loaded
// machine) until a JavaScript condition on the page holds.
func (b *console) settle(what, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 70*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(250*time.Millisecond), chromedp.WithPollingTimeout(time.Minute)))
	if err != nil {
		b.shot("failed-" + b.name)
		actx, acancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer acancel()
		text, _ := chromedp.Run(actx, chromedp.Evaluate[string](`(document.querySelector("#alert")||{}).textContent || ""`))
		b.t.Fatalf("%s console: %s: %v (alert: %q)", b.name, what, err, text)
	}
}
