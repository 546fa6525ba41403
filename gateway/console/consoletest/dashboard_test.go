//go:build integration

package consoletest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// call sends one request to an organization's gateway and wants the status; after, when not 0, is the
// block the organization's peer must hold first (IPLedger-After-Block). It answers the decoded JSON
// and the block the submission committed in.
func (o org) call(t *testing.T, method, path string, body any, want int, after int) (map[string]any, int) {
	t.Helper()
	headers := []string{"Idempotency-Key", fmt.Sprintf("dashboard-%d", time.Now().UnixNano())}
	if after > 0 {
		headers = append(headers, "IPLedger-After-Block", strconv.Itoa(after))
	}
	r, err := o.api.Do(context.Background(), method, path, body, headers...)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != want {
		t.Fatalf("%s %s: %s", method, path, r)
	}
	var m map[string]any
	_ = r.Decode(&m)
	block, _ := m["blockNumber"].(float64)
	return m, int(block)
}

// statistics reads GET /v1/statistics?query as the test's client: the JSON (or the CSV's bytes) and
// the ledger height it is valid at.
func (o org) statistics(t *testing.T, query string, after int) (map[string]any, []byte, int) {
	t.Helper()
	var headers []string
	if after > 0 {
		headers = []string{"IPLedger-After-Block", strconv.Itoa(after)}
	}
	r, err := o.api.Do(context.Background(), http.MethodGet, "/v1/statistics?"+query, nil, headers...)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("GET /v1/statistics?%s: %v %v", query, r, err)
	}
	h, _ := strconv.Atoi(r.Header.Get("IPLedger-Ledger-Height"))
	var m map[string]any
	if !strings.Contains(query, "format=csv") {
		if err := r.Decode(&m); err != nil {
			t.Fatal(err)
		}
	}
	return m, r.Body, h
}

// withoutAsOf drops the CSV's asOf row: the time of each answer.
func withoutAsOf(csv []byte) string {
	var keep []string
	for _, line := range strings.Split(string(csv), "\r\n") {
		if !strings.HasPrefix(line, "query,,,,,,,asOf,") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\r\n")
}

func number(m map[string]any, key string) int {
	f, _ := m[key].(float64)
	return int(f)
}

// amountsOf is an API amount list as the page's data-value writes it: "CNY 5000000.00;USD …".
func amountsOf(list any) string {
	var out []string
	for _, a := range asList(list) {
		m := a.(map[string]any)
		out = append(out, fmt.Sprint(m["currency"])+" "+fmt.Sprint(m["amount"]))
	}
	return strings.Join(out, ";")
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestConsole_RegulatorDashboard: on a network with pledges registered, released, defaulted and
// disposed of, and refused, the regulator's dashboard shows the totals /v1/statistics gives, a chart
// (SVG) and a data table for each measure, follows the filters in its URL, refreshes on a pledge event,
// and downloads the API's CSV; a bank has no dashboard.
func TestConsole_RegulatorDashboard(t *testing.T) {
	sys := itest.System(t)
	bank1, bank2 := orgOf(t, sys, "Bank1MSP", "officer1"), orgOf(t, sys, "Bank2MSP", "officer1")
	office, exchange, regulator := orgOf(t, sys, "IPOfficeMSP", "examiner1"), orgOf(t, sys, "ExchangeMSP", "trader1"), orgOf(t, sys, "RegulatorMSP", "auditor1")
	dir := screenshotDir(t)

	// The ledger: five rights; a patent pledged to Bank 1 and registered, a trademark pledged to Bank 1,
	// registered and released, a copyright pledged to Bank 2, registered, defaulted and sold by the
	// exchange, a utility model's application refused; the fifth right is pledged later, while the
	// dashboard is open.
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	party := func(n int) map[string]any {
		return map[string]any{"id": fmt.Sprintf("91420100MA4D%04d", n), "name": fmt.Sprintf("Hubei Dashboard Co. %d", n)}
	}
	owner := func(n int) []map[string]any {
		o := party(n)
		o["share"] = 10000
		return []map[string]any{o}
	}
	asset := func(n int, kind string) string {
		id := fmt.Sprintf("CN-DASH-%d-%s", n, suffix)
		body := map[string]any{"id": id, "kind": kind, "number": fmt.Sprintf("DASH%d-%s", n, suffix), "title": "Dashboard right " + strconv.Itoa(n),
			"owners": owner(n), "applicationDate": "2020-01-15", "grantDate": "2022-03-01", "expiryDate": "2040-01-15"}
		switch kind {
		case "trademark":
			body["niceClass"] = 9
		case "copyright":
		default:
			body["feesPaidThrough"] = "2031-01-15"
		}
		office.call(t, http.MethodPost, "/v1/assets", body, http.StatusCreated, 0)
		return id
	}
	var last int
	apply := func(b org, n int, id, amount string) string {
		body := map[string]any{"assetIds": []string{id}, "pledgors": []map[string]any{party(n)}, "pledgeeName": "Dashboard Bank", "debtKind": "loan",
			"debtTermStart": "2026-01-01", "debtTermEnd": "2028-12-31", "contractHash": strings.Repeat("4d61736b", 8),
			"terms": map[string]any{"amount": amount, "currency": "CNY", "interestRate": "3.85", "scope": "principal and interest"}}
		m, blk := b.call(t, http.MethodPost, "/v1/pledges", body, http.StatusCreated, last)
		last = blk
		return m["id"].(string)
	}
	step := func(o org, path string, body any) {
		_, blk := o.call(t, http.MethodPost, path, body, http.StatusOK, last)
		last = blk
	}
	patent, mark, work, utility, later := asset(1, "patent-invention"), asset(2, "trademark"), asset(3, "copyright"), asset(4, "patent-utility"), asset(5, "patent-design")
	p1, p2, p3, p4 := apply(bank1, 1, patent, "5000000"), apply(bank1, 2, mark, "2000000"), apply(bank2, 3, work, "3000000"), apply(bank2, 4, utility, "1000000")
	for i, p := range []string{p1, p2, p3} {
		step(office, "/v1/pledges/"+p+"/register", map[string]any{"registrationNumber": fmt.Sprintf("Y-DASH-%d-%s", i, suffix)})
	}
	step(office, "/v1/pledges/"+p4+"/refuse", map[string]any{"reasons": []string{"P2-incomplete"}, "note": "dashboard test"})
	step(bank1, "/v1/pledges/"+p2+"/release", map[string]any{"reason": "loan repaid"})
	step(bank2, "/v1/pledges/"+p3+"/default", map[string]any{"claim": map[string]any{"amount": "2500000.00", "currency": "CNY"}, "reason": "instalments overdue 90 days"})
	step(exchange, "/v1/pledges/"+p3+"/dispose", map[string]any{"buyers": []map[string]any{{"id": "91420100MA4D9999", "name": "Dashboard Buyer Ltd.", "share": 10000}},
		"currency": "CNY", "method": "auction", "price": "2800000.00", "proceeds": []map[string]any{{"amount": "2500000.00", "pledgeId": p3}},
		"saleRef": "WHIPE-DASH-" + suffix, "surplus": "300000.00"})

	// What the API says, once the regulator's gateway holds every block above.
	want, _, height := regulator.statistics(t, "", last)
	totals := want["totals"].(map[string]any)
	for _, m := range []string{"registrations", "releases", "defaults", "disposals", "refusals"} {
		if number(totals, m) < 1 {
			t.Fatalf("the statistics count no %s after the set-up: %v", m, totals)
		}
	}

	var spkis []string
	for _, o := range []org{bank1, regulator} {
		spkis = append(spkis, o.spki(t))
	}
	ctx := browser(t, spkis...)
	root := &console{t: t}
	r := root.tab("regulator", regulator, ctx, dir)
	r.open("dashboard")
	r.signIn("")
	r.waitFor("the dashboard drawn", `!!document.querySelector("#dashboard").dataset.asOf && document.querySelectorAll("#dash-totals tr[data-measure]").length > 0`)

	// The totals are the API's.
	measure := func(m string) string {
		return r.eval(fmt.Sprintf(`(document.querySelector('#dash-totals tr[data-measure=%q]')||{dataset:{}}).dataset.value || "missing"`, m))
	}
	for _, m := range []string{"applications", "registrations", "refusals", "releases", "revocations", "deregistrations", "defaults", "disposals"} {
		if got, w := measure(m), strconv.Itoa(number(totals, m)); got != w {
			t.Errorf("total %s: the page shows %s, the API %s", m, got, w)
		}
	}
	if got, w := measure("decisions"), strconv.Itoa(number(totals["decisionTimes"].(map[string]any), "count")); got != w {
		t.Errorf("decisions: the page shows %s, the API %s", got, w)
	}
	for _, m := range []string{"securedAmount", "disposalPrice", "proceedsApplied"} {
		if got, w := measure(m), amountsOf(totals[m]); got != w || w == "" {
			t.Errorf("total %s: the page shows %q, the API %q", m, got, w)
		}
	}
	// Money in yuan with thousands separators: the secured amount's words.
	secured := asList(totals["securedAmount"])[0].(map[string]any)["amount"].(string)
	if got := r.eval(`document.querySelector('#dash-totals tr[data-measure="securedAmount"] td').textContent`); !strings.Contains(got, cons.FormatMoney(secured, "CNY")) || !strings.Contains(got, "¥") {
		t.Errorf("secured amount %q, want %s", got, cons.FormatMoney(secured, "CNY"))
	}

	// What the figures are valid at: the ledger height (at least the test's own read's), the time, the
	// terms coverage (the regulator reads every bank's terms).
	if got, _ := strconv.Atoi(r.eval(`document.querySelector("#dash-height").dataset.height`)); got < height ||
		!strings.HasPrefix(r.eval(`document.querySelector("#dash-height").textContent`), strconv.Itoa(got)) {
		t.Errorf("ledger height %d, the API's read said %d", got, height)
	}
	if got := r.eval(`document.querySelector("#dash-time").textContent`); !strings.Contains(got, "年") {
		t.Errorf("as-of time %q", got)
	}
	if got := r.eval(`document.querySelector("#dash-coverage").dataset.complete + " " + document.querySelector("#dash-coverage").textContent`); !strings.HasPrefix(got, "true ") ||
		!strings.Contains(got, cons.Message("zh-CN", "dashboard.coverage-complete")) {
		t.Errorf("terms coverage %q", got)
	}

	// Every chart: an SVG image with a name, a data table with column headers, rows.
	for _, c := range []string{"flow", "decision", "defaults", "secured", "bank", "kind", "concentration"} {
		sec := fmt.Sprintf(`document.querySelector('[data-chart=%q]')`, c)
		got := r.eval(fmt.Sprintf(`(() => { const s = %s; const svg = s.querySelector("svg[role=img]"); const tb = s.querySelector("table.data");
			return [!!svg && svg.getAttribute("aria-label").length > 0, !!tb && tb.querySelectorAll("th[scope=col]").length > 1, !!tb && tb.querySelectorAll("tbody tr").length > 0,
				!!svg && svg.querySelectorAll("text").length > 2].join(","); })()`, sec))
		if got != "true,true,true,true" {
			t.Errorf("chart %s: svg named, table headed, rows, axis text: %s", c, got)
		}
	}
	// The bars draw the API's figures: registrations per period add up to the total; the defaults chart
	// has the default; the bank table names both banks with their amounts.
	if got := r.eval(`String([...document.querySelectorAll('[data-chart="flow"] rect[data-series="registrations"]')].reduce((s, r) => s + Number(r.dataset.value), 0))`); got != strconv.Itoa(number(totals, "registrations")) {
		t.Errorf("registration bars add up to %s, the API's total is %d", got, number(totals, "registrations"))
	}
	if got := r.eval(`String([...document.querySelectorAll('[data-chart="defaults"] rect[data-series="defaults"]')].reduce((s, r) => s + Number(r.dataset.value), 0))`); got != strconv.Itoa(number(totals, "defaults")) {
		t.Errorf("default bars add up to %s, the API's total is %d", got, number(totals, "defaults"))
	}
	if n := r.eval(`String(document.querySelectorAll('[data-chart="decision"] line[data-ref]').length)`); n != "2" {
		t.Errorf("decision chart: %s reference lines (the statutory limits), want 2", n)
	}
	for _, b := range asList(want["byBank"]) {
		bm := b.(map[string]any)
		row := r.eval(fmt.Sprintf(`(document.querySelector('[data-chart="bank"] tr[data-bank=%q]')||{textContent:"missing"}).textContent`, bm["msp"]))
		amt := asList(bm["amounts"])[0].(map[string]any)["amount"].(string)
		if !strings.Contains(row, cons.OrgName("zh-CN", bm["msp"].(string))) || !strings.Contains(row, cons.FormatMoney(amt, "CNY")) {
			t.Errorf("bank row %q lacks %s and %s", row, bm["msp"], cons.FormatMoney(amt, "CNY"))
		}
	}
	r.shot("dashboard-01-regulator")

	// A pledge event reloads the figures: one more application.
	before := number(totals, "applications")
	apply(bank1, 5, later, "750000")
	r.waitFor("the application counted", fmt.Sprintf(`(document.querySelector('#dash-totals tr[data-measure="applications"]')||{dataset:{}}).dataset.value === "%d"`, before+1))

	// A filter: 2020 by quarter. The figures and the URL change; the same view opened from the URL.
	const q2020 = "from=2020-01-01&to=2020-12-31&interval=quarter"
	old, _, _ := regulator.statistics(t, q2020, 0)
	r.do("filter to 2020 by quarter", chromedp.SetValue(chromedp.CSS("#d-from"), "2020-01-01"), chromedp.SetValue(chromedp.CSS("#d-to"), "2020-12-31"),
		chromedp.SetValue(chromedp.CSS("#d-interval"), "quarter"), chromedp.Click(chromedp.CSS("#dash-apply")))
	r.waitFor("the filtered view", fmt.Sprintf(`document.querySelector("#dashboard").dataset.query === %q && location.search === %q`, q2020, "?"+q2020))
	if got, w := measure("registrations"), strconv.Itoa(number(old["totals"].(map[string]any), "registrations")); got != w || w == strconv.Itoa(number(totals, "registrations")) {
		t.Errorf("2020: registrations %s on the page, %s from the API (and %d unfiltered)", got, w, number(totals, "registrations"))
	}
	if n := r.eval(`String(document.querySelectorAll('[data-chart="flow"] tbody tr[data-period]').length)`); n != strconv.Itoa(len(asList(old["periods"]))) || n != "4" {
		t.Errorf("2020 by quarter: %s periods on the page, %d from the API", n, len(asList(old["periods"])))
	}
	r.open("dashboard?" + q2020)
	r.waitFor("the bookmarked view", fmt.Sprintf(`document.querySelector("#dashboard").dataset.query === %q`, q2020))
	if got := r.eval(`[document.querySelector("#d-from").value, document.querySelector("#d-to").value, document.querySelector("#d-interval").value].join(" ")`); got != "2020-01-01 2020-12-31 quarter" {
		t.Errorf("the bookmark's filters: %q", got)
	}

	// The CSV: the API's for the filters shown, downloaded through the page (the key in a header).
	r.do("reset the filters", chromedp.Click(chromedp.CSS("#dash-reset")))
	r.waitFor("the default view", `document.querySelector("#dashboard").dataset.query === "" && location.search === ""`)
	downloads := t.TempDir()
	// The browser says when the download is on disk (its downloadProgress event, "completed").
	saved := make(chan struct{})
	var once sync.Once
	if err := chromedp.ListenBrowser(r.ctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			once.Do(func() { close(saved) })
		}
	}); err != nil {
		t.Fatal(err)
	}
	events := true
	r.do("allow downloads", func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow,
			DownloadPath: downloads, EventsEnabled: &events})
		return chromedp.Void{}, err
	}, chromedp.Click(chromedp.CSS("#dash-csv")))
	r.waitFor("the CSV saved", `!!document.querySelector("#dash-csv-status").dataset.file`)
	name := r.eval(`document.querySelector("#dash-csv-status").dataset.file`)
	select {
	case <-saved:
	case <-time.After(2 * time.Minute): // a backstop for a browser that never says so, not a budget
		t.Fatalf("the browser never said the download of %s completed", name)
	}
	got, err := os.ReadFile(filepath.Join(downloads, name))
	if err != nil {
		t.Fatal(err)
	}
	_, csv, _ := regulator.statistics(t, "format=csv", 0)
	if !bytes.HasPrefix(got, []byte("\uFEFFtable,period,start,end,bank,kind,currency,measure,value\r\n")) {
		t.Errorf("download %s: %.120q", name, got)
	} else if withoutAsOf(got) != withoutAsOf(csv) {
		t.Errorf("download %s differs from the API's CSV:\n%s\n---\n%s", name, got, csv)
	}
	if !strings.HasPrefix(name, "ipledger-statistics-") || !strings.HasSuffix(name, "-month.csv") {
		t.Errorf("the file is named %q", name)
	}
	if strings.Contains(r.eval(`performance.getEntriesByType("resource").map((e) => e.name).join(" ")`), regulator.key) {
		t.Error("the API key is in a URL the page fetched")
	}

	// English, by the switch.
	r.do("switch to English", chromedp.Click(chromedp.CSS("#lang-en")), chromedp.WaitReady(chromedp.CSS(`html[lang="en"] #app`)))
	r.waitFor("the English dashboard", `document.documentElement.lang === "en" && !!document.querySelector("#dashboard").dataset.asOf`)
	if got := r.eval(`document.querySelector("#app h1").textContent`); got != cons.Message("en", "page.dashboard.title") {
		t.Errorf("English heading %q", got)
	}
	if got := r.eval(`document.querySelector('[data-chart="flow"] svg').getAttribute("aria-label")`); got != cons.Message("en", "dashboard.chart-label", "Title", cons.Message("en", "dashboard.flow.title")) {
		t.Errorf("English chart name %q", got)
	}
	r.shot("dashboard-02-regulator-english")

	// A bank has no dashboard: not in its navigation, and the page says it is the regulator's (in
	// English: the language cookie is the browser's for 127.0.0.1, whatever the port).
	b := root.tab("bank", bank1, ctx, dir)
	b.open("dashboard")
	b.signIn("")
	if got := b.eval(`String(!!document.querySelector('[data-nav="dashboard"]')) + " " + String(!!document.querySelector("#dashboard")) + " " + document.querySelector("#dashboard-not-yours").textContent`); got != "false false "+cons.Message("en", "dashboard.regulator-only") {
		t.Errorf("a bank's dashboard: %q", got)
	}
}
