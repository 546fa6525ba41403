package console

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// A page with its own style sheet (static/pages/<name>.css) links it after console.css, and it is
// served as CSS; a page without one links only console.css. The parties page's sets the extract's A4
// paper for print.
func TestPages_APagesOwnStyleSheetIsLinkedAfterConsoleCSS(t *testing.T) {
	c := newConsole(t, "ExchangeMSP")
	links := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`)
	for _, p := range Pages {
		_, body := get(t, c, Prefix+p.Path)
		var hrefs []string
		for _, m := range links.FindAllStringSubmatch(body, -1) {
			hrefs = append(hrefs, m[1])
		}
		own := Prefix + "static/pages/" + p.Name() + ".css"
		res, _ := get(t, c, own)
		switch {
		case res.Code == http.StatusOK:
			if len(hrefs) != 2 || hrefs[0] != Prefix+"static/console.css" || hrefs[1] != own {
				t.Errorf("%s: style sheets %v, want console.css then %s", p.Name(), hrefs, own)
			}
			if ct := res.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
				t.Errorf("%s: served as %q", own, ct)
			}
		case len(hrefs) != 1:
			t.Errorf("%s: style sheets %v, but the page has none of its own", p.Name(), hrefs)
		}
	}
	res, body := get(t, c, Prefix+"static/pages/parties.css")
	if res.Code != http.StatusOK || !regexp.MustCompile(`@page\s*\{[^}]*size:\s*A4`).MatchString(body) {
		t.Errorf("parties.css: status %d, no @page of size A4", res.Code)
	}
}
