// Package console is the IPLedger web console: title verification, examination and audit pages that
// each organization's gateway serves under /console/.
//
// The console is a client of the gateway's own HTTP API, nothing more. Its pages are server-rendered
// shells (html/template, embedded with go:embed); the browser fills them by calling /v1/... with the API
// key the user signed in with, so every read and every change goes through the same authentication,
// validation and chaincode as any other client, and the console holds no rule of its own. Errors are the
// API's error JSON, shown in words a clerk understands ([Messages]) with the rule id and the API's own
// message beside them.
//
// The API key stays in the browser's sessionStorage (gone when the tab closes) and travels only in the
// Authorization header, never in a cookie or a URL: no request the browser makes on its own carries it,
// so there is nothing for a cross-site request to borrow. Every page is sent with a strict Content
// Security Policy (scripts from this origin only, no inline script), so that ledger data, which the
// scripts insert as text, cannot become code. Live updates read /v1/events with fetch and a streamed
// body instead of EventSource, because EventSource cannot send an Authorization header; see
// docs/console.md.
package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"github.com/ipledger/ipledger/chaincode/api"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/ipledger/ipledger/docs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is the path the console is served under.
const Prefix = "/console/"

// Options configures the console.
type Options struct {
	// MSPID is the organization of the gateway that serves the console: it chooses the pages offered.
	MSPID string
	// Spec is the OpenAPI document whose schemas give the forms their client-side checks (default the
	// embedded docs/openapi.yaml).
	Spec []byte
	// Logger receives template failures (default slog.Default()).
	Logger *slog.Logger
}

// Page is one page of the console.
type Page struct {
	// Path is the page's path under [Prefix] ("" for the home page).
	Path string
	// Title is the heading and the navigation label.
	Title string
	// For lists the kinds of organization the page is for (bank, ipoffice, exchange, regulator); empty
	// means every organization.
	For []string
}

// Pages is every page, in navigation order.
var Pages = []Page{
	{Path: "", Title: "Home"},
	{Path: "verify", Title: "Verify title"},
	{Path: "history", Title: "History"},
	{Path: "parties", Title: "Parties"},
	{Path: "pledges", Title: "My pledges", For: []string{"bank"}},
	{Path: "apply", Title: "Apply for a pledge", For: []string{"bank"}},
	{Path: "queue", Title: "Examination queue", For: []string{"ipoffice"}},
	{Path: "transfers", Title: "Transfers", For: []string{"bank", "exchange", "ipoffice"}},
	{Path: "audit", Title: "All pledges", For: []string{"regulator"}},
	{Path: "pledge", Title: "Pledge"},
}

// navigation is the pages shown in the menu (the pledge page is reached from lists).
func navigation(kind string) []Page {
	var out []Page
	for _, p := range Pages {
		if p.Path == "pledge" {
			continue
		}
		if len(p.For) == 0 || slices.Contains(p.For, kind) {
			out = append(out, p)
		}
	}
	return out
}

// OrgKind tells what an organization is, from its MSP id: bank, ipoffice, exchange or regulator.
func OrgKind(mspID string) string {
	switch {
	case api.IsBank(api.MSPID(mspID)): // any bank, one that joined later too: none is named
		return "bank"
	case mspID == "IPOfficeMSP":
		return "ipoffice"
	case mspID == "ExchangeMSP":
		return "exchange"
	case mspID == "RegulatorMSP":
		return "regulator"
	}
	return "other"
}

// OrgName is an organization's name for people: Bank1MSP is "Bank 1", Bank3MSP "Bank 3"; a bank named
// otherwise (HubeiBankMSP) by its MSP id.
func OrgName(mspID string) string {
	switch mspID {
	case "IPOfficeMSP":
		return "IP office"
	case "ExchangeMSP":
		return "Wuhan IP Exchange"
	case "RegulatorMSP":
		return "Regulator"
	}
	if n, ok := strings.CutPrefix(strings.TrimSuffix(mspID, "MSP"), "Bank"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return "Bank " + n
	}
	return mspID
}

// Console serves the console's pages, scripts and QR codes.
type Console struct {
	opts   Options
	pages  map[string]*template.Template
	static http.Handler
	form   *formSchema
	log    *slog.Logger
}

// New parses the templates and the API document.
func New(opts Options) (*Console, error) {
	if opts.Spec == nil {
		opts.Spec = docs.OpenAPI
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	form, err := loadFormSchema(opts.Spec)
	if err != nil {
		return nil, err
	}
	c := &Console{opts: opts, pages: map[string]*template.Template{}, form: form, log: opts.Logger}
	funcs := template.FuncMap{"field": c.form.attrs}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	for _, p := range Pages {
		name := p.Path
		if name == "" {
			name = "home"
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console page %s: %w", name, err)
		}
		c.pages[p.Path] = t
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	c.static = http.StripPrefix(Prefix+"static/", http.FileServer(http.FS(sub)))
	return c, nil
}

// contentSecurityPolicy allows scripts, styles and images from this origin only: no inline script, so
// that ledger data inserted into a page can never run.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// ServeHTTP serves the pages under [Prefix].
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	switch {
	case strings.HasPrefix(path, "static/"):
		h.Set("Cache-Control", "no-cache")
		c.static.ServeHTTP(w, r)
		return
	case path == "qr.svg":
		c.serveQR(w, r)
		return
	}
	t, ok := c.pages[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	c.render(w, t, path)
}

// pageData is what every template sees.
type pageData struct {
	Page    Page
	MSPID   string
	OrgName string
	OrgKind string
	Nav     []Page
	// Messages is [Messages] as JSON, for the scripts (a data attribute: no inline script).
	Messages string
	// RefusalReasons are the IP office's reason codes.
	RefusalReasons []struct{ Code, Label string }
}

func (c *Console) render(w http.ResponseWriter, t *template.Template, path string) {
	var page Page
	for _, p := range Pages {
		if p.Path == path {
			page = p
		}
	}
	kind := OrgKind(c.opts.MSPID)
	msgs, _ := json.Marshal(Messages)
	data := pageData{Page: page, MSPID: c.opts.MSPID, OrgName: OrgName(c.opts.MSPID), OrgKind: kind,
		Nav: navigation(kind), Messages: string(msgs), RefusalReasons: RefusalReasons}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		c.log.Error("console template", "page", path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

var assetIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// VerifyURL is the console's verification page of an IP right at the given origin: what the QR code of
// a statement links to. Scanning it opens the same check, live, after signing in.
func VerifyURL(origin, assetID string) string {
	return strings.TrimSuffix(origin, "/") + Prefix + "verify?asset=" + url.QueryEscape(assetID)
}

// ExtractURL is the console's live search extract of a party (S2) at the given origin: what the QR
// code of a printed extract links to.
func ExtractURL(origin, partyID string) string {
	return strings.TrimSuffix(origin, "/") + Prefix + "parties?id=" + url.QueryEscape(partyID)
}

// serveQR answers an SVG QR code of the verification page of ?asset= (an IP right's statement) or of
// ?party= (a party's extract) on this gateway. It encodes only those links, so it is not a
// general-purpose QR service.
func (c *Console) serveQR(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	origin := scheme + "://" + r.Host
	var link string
	q := r.URL.Query()
	if party, ok := q["party"]; ok && !q.Has("asset") {
		if len(party) != 1 || !assetIDPattern.MatchString(party[0]) {
			http.Error(w, "party: not a party id", http.StatusBadRequest)
			return
		}
		link = ExtractURL(origin, party[0])
	} else {
		id := q.Get("asset")
		if !assetIDPattern.MatchString(id) {
			http.Error(w, "asset: not an IP right id", http.StatusBadRequest)
			return
		}
		link = VerifyURL(origin, id)
	}
	svg, err := QRSVG(link)
	if err != nil {
		c.log.Error("qr code", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(svg)
}
