//go:build integration

package consoletest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	cons "github.com/ipledger/ipledger/gateway/console"
	"github.com/ipledger/ipledger/network/itest"
)

// mediaBox matches a PDF page's /MediaBox [x0 y0 x1 y1], in points.
var mediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s*\]`)

// The exchange's console prints a party's certified search extract (S2) on A4 in Chinese: the
// letterhead (the title, the issuing organization, the ledger height and time it holds at, the QR
// code), no navigation, search or buttons, rows that a page break does not cut. Chromium's own
// print-to-PDF is asked for its default paper (US Letter) but told to prefer the page's CSS size:
// the PDF's pages are A4 only if the console's style sheet says so.
func TestExtract_PrintsOnA4InChinese(t *testing.T) {
	sys := itest.System(t)
	exchange, office := orgOf(t, sys, "ExchangeMSP", "trader1"), orgOf(t, sys, "IPOfficeMSP", "examiner1")
	dir := screenshotDir(t)

	// A party of its own with three rights, registered through the API (invented code and names).
	suffix := fmt.Sprintf("%09d", time.Now().UnixNano()%1e9)
	party := "91420111PT" + suffix[1:]
	var assets []string
	for i, title := range []string{"一种光纤传感解调方法", "一种激光打标装置", "打印测试外观设计"} {
		id := fmt.Sprintf("CN-PRINT-%s-%d", suffix, i+1)
		office.post(t, "/v1/assets", map[string]any{
			"id": id, "kind": []string{"patent-invention", "patent-utility", "patent-design"}[i], "number": fmt.Sprintf("ZL2022%s%d", suffix, i+1),
			"title": title, "owners": []map[string]any{{"id": party, "name": "武汉打印测试光电有限公司", "share": 10000}},
			"applicationDate": "2021-03-15", "grantDate": "2022-06-01", "expiryDate": "2031-03-14", "feesPaidThrough": "2031-03-14",
		})
		assets = append(assets, id)
	}

	ctx := browser(t, exchange.spki(t))
	root := &console{t: t}
	x := root.tab("exchange-extract", exchange, ctx, dir)
	x.open("parties?id=" + party)
	x.signIn("")
	x.waitFor("the extract with the party's rights", fmt.Sprintf(`!document.querySelector("#extract").hidden && document.querySelectorAll("#ex-rights tr").length === %d`, len(assets)))
	x.waitFor("QR code", `document.querySelector("#ex-qr").complete && document.querySelector("#ex-qr").naturalWidth > 0`)

	// The letterhead, in Chinese, with the words of the catalogues.
	if got, want := x.eval(`document.querySelector("#extract h1").textContent`), cons.Message("zh-CN", "parties.extract"); got != want || want != "质押登记检索证明" {
		t.Errorf("title %q, want %q (质押登记检索证明)", got, want)
	}
	if got := x.eval(`document.querySelector("#ex-issuer").textContent`); !strings.Contains(got, cons.OrgName("zh-CN", "ExchangeMSP")) || !strings.Contains(got, "ExchangeMSP") {
		t.Errorf("issuing organization %q, want the exchange's name", got)
	}
	height := x.eval(`document.querySelector("#ex-height").textContent`)
	validAt := x.eval(`document.querySelector("#ex-valid-at").textContent`)
	if n, err := strconv.Atoi(height); err != nil || n < 1 || !strings.Contains(validAt, "账本高度 "+height) {
		t.Errorf("valid at %q, ledger height %q: want the height in the sentence", validAt, height)
	}
	if got := x.eval(`document.querySelector("#ex-link").textContent`); !strings.HasSuffix(got, "/console/parties?id="+party) {
		t.Errorf("the QR code's link %q is not the live extract of %s", got, party)
	}
	x.shot("14-exchange-extract")

	// In print media: no navigation, search or button; the letterhead and the note; rows kept whole.
	x.do("print media", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return chromedp.Void{}, err
	})
	// The navigation's header is not displayed; no box is drawn for what is inside a hidden parent.
	if got := x.eval(`getComputedStyle(document.querySelector("header.top")).display`); got != "none" {
		t.Errorf("print: the header with the navigation shows (display %s)", got)
	}
	printed := func(sel string) string {
		return x.eval(fmt.Sprintf(`(function(){const e=document.querySelector(%q); return !e ? "missing" : e.checkVisibility() ? "printed" : "not printed"})()`, sel))
	}
	for _, sel := range []string{"#nav", "#lang-switch", "#parties-form", "#ex-print", "footer"} {
		if got := printed(sel); got != "not printed" {
			t.Errorf("print: %s is %s", sel, got)
		}
	}
	for _, sel := range []string{"#extract", "#ex-issuer", "#ex-qr", "#ex-valid-at", "#extract .extract-note"} {
		if got := printed(sel); got != "printed" {
			t.Errorf("print: %s is %s", sel, got)
		}
	}
	if got := x.eval(`getComputedStyle(document.querySelector("#ex-rights tr")).breakInside`); got != "avoid" {
		t.Errorf("print: a row of the extract may be cut by a page break (break-inside %s)", got)
	}
	if got := x.eval(`getComputedStyle(document.querySelector("#ex-rights-table thead")).display`); got != "table-header-group" {
		t.Errorf("print: the header row does not repeat on each page (display %s)", got)
	}
	x.shot("15-exchange-extract-print")

	// Chromium's print to PDF: A4 (595 × 842 points) because the page asks for it.
	var pdf []byte
	x.do("print to PDF", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		prefer := true
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &prefer})
		pdf = res.Data
		return chromedp.Void{}, err
	})
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("print to PDF: not a PDF (%d bytes)", len(pdf))
	}
	path := filepath.Join(dir, "15-exchange-extract-a4.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("PDF %s (%d bytes)", path, len(pdf))
	boxes := mediaBox.FindAllSubmatch(pdf, -1)
	if len(boxes) == 0 {
		t.Fatal("the PDF has no /MediaBox")
	}
	for _, b := range boxes {
		w := num(b[3]) - num(b[1])
		h := num(b[4]) - num(b[2])
		if w < 593 || w > 597 || h < 840 || h > 844 {
			t.Errorf("a PDF page is %.2f × %.2f points, not A4 (595 × 842): %s", w, h, b[0])
		}
	}
}

func num(b []byte) float64 {
	f, _ := strconv.ParseFloat(string(b), 64)
	return f
}
