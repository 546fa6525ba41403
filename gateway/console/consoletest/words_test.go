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

	ctx := browser(t, office.spki(t))
	o := (&console{t: t}).tab("ipoffice", office, ctx, screenshotDir(t))
	o.open("rights?asset=" + id)
	o.signIn("")
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
