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
	pagesOwnFiles(t, c, `<link rel="stylesheet" href="([^"]+)"`, "console.css", ".css", "text/css")
	res, body := get(t, c, Prefix+"static/pages/parties.css")
	if res.Code != http.StatusOK || !regexp.MustCompile(`@page\s*\{[^}]*size:\s*A4`).MatchString(body) {
		t.Errorf("parties.css: status %d, no @page of size A4", res.Code)
	}
}

// pagesOwnFiles checks, on every page, the files the page names by pattern (its scripts or style
// sheets): the shared one (static/<shared>) then the page's own (static/pages/<name><ext>, served as
// contentType) when it has one, the shared one alone otherwise.
func pagesOwnFiles(t *testing.T, c *Console, pattern, shared, ext, contentType string) {
	t.Helper()
	named := regexp.MustCompile(pattern)
	for _, p := range Pages {
		_, body := get(t, c, Prefix+p.Path)
		var files []string
		for _, m := range named.FindAllStringSubmatch(body, -1) {
			files = append(files, m[1])
		}
		own := Prefix + "static/pages/" + p.Name() + ext
		res, _ := get(t, c, own)
		switch {
		case res.Code == http.StatusOK:
			if len(files) != 2 || files[0] != Prefix+"static/"+shared || files[1] != own {
				t.Errorf("%s: %v, want %s then %s", p.Name(), files, shared, own)
			}
			if ct := res.Header().Get("Content-Type"); !strings.HasPrefix(ct, contentType) {
				t.Errorf("%s: served as %q", own, ct)
			}
		case len(files) != 1:
			t.Errorf("%s: %v, but the page has no %s of its own", p.Name(), files, ext)
		}
	}
}
