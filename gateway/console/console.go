// Package console is the IPLedger web console: title verification, examination and audit pages that
// each organization's gateway serves under /console/.
//
// The console is a client of the gateway's own HTTP API, nothing more. Its pages are server-rendered
// shells (html/template, embedded with go:embed); the browser fills them by calling /v1/... with the API
// key the user signed in with, so every read and every change goes through the same authentication,
// validation and chaincode as any other client, and the console holds no rule of its own. Errors are the
// API's error JSON, shown in words a clerk understands (the catalogues' "error.<code>") with the rule id
// and the API's own message beside them.
//
// The console speaks Chinese first (zh-CN) and English by a switch, remembered in a cookie: every word
// is in the catalogues locales/zh-CN.toml and locales/en.toml (i18n.go), which the templates read on the
// server and console.js receives as JSON (/console/i18n/<lang>.json).
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
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
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

// Page is one page of the console. A page's words are in the catalogues (locales/*.toml): its title,
// the heading and the navigation label, is "page.<name>.title"; its other strings "<name>.…".
// Adding a page: an entry here, templates/<name>.html, its keys in every catalogue (the tests say
// which are missing), and its script when it has one: static/pages/<name>.js, which registers
// IPLedger.pages.<name> (console.js's helpers are window.IPLedger), with its words in
// locales/<area>.<tag>.toml if they are its own; and its own style sheet, static/pages/<name>.css,
// if it needs one (the party extract's A4 print layout).
type Page struct {
	// Path is the page's path under [Prefix] ("" for the home page).
	Path string
	// For lists the kinds of organization the page is for (bank, ipoffice, exchange, regulator, fund,
	// valuer, insurer); empty means every organization.
	For []string
}

// Pages is every page, in navigation order.
var Pages = []Page{
	{Path: ""},
	{Path: "dashboard", For: []string{"regulator"}},
	{Path: "verify"},
	{Path: "history"},
	{Path: "parties"},
	{Path: "pledges", For: []string{"bank"}},
	{Path: "apply", For: []string{"bank"}},
	{Path: "queue", For: []string{"ipoffice"}},
	{Path: "rights", For: []string{"ipoffice"}},
	{Path: "transfers", For: []string{"bank", "exchange", "ipoffice", "regulator"}},
	{Path: "licences"},
	{Path: "court", For: []string{"ipoffice", "regulator"}},
	{Path: "audit", For: []string{"regulator"}},
	// The IP-finance record (docs/ip-finance.md): each member its own part of one loan's way.
	{Path: "accreditations", For: []string{"ipoffice"}},
	{Path: "valuations", For: []string{"valuer"}},
	{Path: "covers", For: []string{"insurer"}},
	{Path: "finance", For: []string{"bank"}},
	{Path: "fund", For: []string{"fund"}},
	{Path: "evaluation", For: []string{"regulator", "ipoffice", "fund", "bank"}},
	{Path: "pledge"},
}

// Name is the page's name: its template's and its keys' ("home" for the home page).
func (p Page) Name() string {
	if p.Path == "" {
		return "home"
	}
	return p.Path
}

// TitleKey is the catalogue key of the page's title.
func (p Page) TitleKey() string { return "page." + p.Name() + ".title" }

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

// OrgKind tells what an organization is, from its MSP id: bank, ipoffice, exchange, regulator, fund,
// valuer or insurer (the chaincode's kinds, api.KindOf), or other.
func OrgKind(mspID string) string {
	switch kind, _ := api.KindOf(api.MSPID(mspID)); {
	case kind == api.KindBank: // any bank, one that joined later too: none is named
		return "bank"
	case kind == api.KindFund || kind == api.KindValuer || kind == api.KindInsurer: // any agency or insurer
		return string(kind)
	case mspID == "IPOfficeMSP":
		return "ipoffice"
	case mspID == "ExchangeMSP":
		return "exchange"
	case mspID == "RegulatorMSP":
		return "regulator"
	}
	return "other"
}

// OrgName is an organization's name for people in a language: the catalogue's "org.<MSP id>" for the
// IP office, the exchange, the regulator, the fund's manager and the founding agency and insurer; Bank1MSP is "org.bank" with its number (银行1, Bank 1);
// a bank named otherwise (HubeiBankMSP) is its MSP id. console.js names them by the same keys.
func OrgName(lang, mspID string) string {
	switch mspID {
	case "IPOfficeMSP", "ExchangeMSP", "RegulatorMSP", "FundMSP", "ValuerMSP", "InsurerMSP":
		return Message(lang, "org."+mspID)
	}
	if n, ok := strings.CutPrefix(strings.TrimSuffix(mspID, "MSP"), "Bank"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return Message(lang, "org.bank", "N", n)
	}
	return mspID
}

// Console serves the console's pages, scripts and QR codes.
type Console struct {
	opts   Options
	pages  map[string]map[string]*template.Template // language → page path → template
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
	c := &Console{opts: opts, pages: map[string]map[string]*template.Template{}, form: form, log: opts.Logger}
	for _, l := range Languages {
		layout, err := template.New("layout.html").Funcs(templateFuncs(l.Tag, c.form)).ParseFS(templateFS, "templates/layout.html")
		if err != nil {
			return nil, err
		}
		c.pages[l.Tag] = map[string]*template.Template{}
		for _, p := range Pages {
			t, err := template.Must(layout.Clone()).ParseFS(templateFS, "templates/"+p.Name()+".html")
			if err != nil {
				return nil, fmt.Errorf("console page %s: %w", p.Name(), err)
			}
			c.pages[l.Tag][p.Path] = t
		}
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	c.static = http.StripPrefix(Prefix+"static/", http.FileServer(http.FS(sub)))
	return c, nil
}

// templateFuncs are the templates' functions in one language: t (a catalogue message, with name, value
// pairs for its variables), datetime, date and money (the formatting rules of format.go), org (an
// organization's name), and field (a form field's checks from the API document).
func templateFuncs(lang string, form *formSchema) template.FuncMap {
	return template.FuncMap{
		"t":        func(id string, kv ...any) (string, error) { return localize(lang, id, kv...) },
		"datetime": func(s string) string { return FormatTime(lang, s) },
		"date":     func(s string) string { return FormatDate(lang, s) },
		"money":    FormatMoney,
		"org":      func(msp string) string { return OrgName(lang, msp) },
		"field":    form.attrs,
	}
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
	case strings.HasPrefix(path, "i18n/"):
		c.serveCatalogue(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "i18n/"), ".json"))
		return
	}
	lang, chosen := chooseLanguage(r)
	t, ok := c.pages[lang][path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if chosen { // ?lang= is the switch: remembered for the next pages
		http.SetCookie(w, &http.Cookie{Name: LanguageCookie, Value: lang, Path: Prefix, MaxAge: 365 * 24 * 3600,
			SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	}
	c.render(w, r, t, path, lang)
}

// serveCatalogue answers a language's catalogue as JSON, for console.js: the same messages the
// templates use, one source of truth.
func (c *Console) serveCatalogue(w http.ResponseWriter, r *http.Request, lang string) {
	if !isLanguage(lang) {
		http.NotFound(w, r)
		return
	}
	b, err := json.Marshal(Catalogue(lang))
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

// pageData is what every template sees.
type pageData struct {
	Page    Page
	MSPID   string
	OrgName string
	OrgKind string
	Nav     []Page
	// Script tells whether the page has its own script, static/pages/<name>.js; Style whether it has
	// its own style sheet, static/pages/<name>.css (linked after console.css: e.g. its print layout).
	Script, Style bool
	// Lang is the page's language; Switch the language switch, a link per language.
	Lang   string
	Switch []langLink
	// RefusalReasons are the IP office's reason codes (their words: "refusal.<code>").
	RefusalReasons []string
	// The values of the API's enumerations the forms and filters offer (their words: "enum.<name>.<value>").
	PledgeStatuses, AssetKinds, DebtKinds, LegalStatuses []string
	// P9 are the statutory examination times the dashboard draws beside the measured ones, from the
	// chaincode's rules (rules.ExaminationLimits).
	P9 examinationLimits
	// ValuerMSPPattern is the API's pattern of a valuation agency's MSP id (the accreditation form's).
	ValuerMSPPattern string
}

// examinationLimits are P9's times: working days for a patent or a trademark (the same: the dashboard
// draws one line for both, TestDashboard_P9LimitsAreTheRules), calendar days for copyright.
type examinationLimits struct{ WorkingDays, CopyrightDays int }

func p9Limits() examinationLimits {
	patent, _, copyright := rules.ExaminationLimits()
	return examinationLimits{WorkingDays: patent, CopyrightDays: copyright}
}

// langLink is one language of the switch: this page again with ?lang=.
type langLink struct {
	Language
	Href    string
	Current bool
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, t *template.Template, path, lang string) {
	var page Page
	for _, p := range Pages {
		if p.Path == path {
			page = p
		}
	}
	var sw []langLink
	for _, l := range Languages {
		q := r.URL.Query()
		q.Set("lang", l.Tag)
		sw = append(sw, langLink{Language: l, Href: Prefix + path + "?" + q.Encode(), Current: l.Tag == lang})
	}
	kind := OrgKind(c.opts.MSPID)
	_, err := fs.Stat(staticFS, "static/pages/"+page.Name()+".js")
	_, styleErr := fs.Stat(staticFS, "static/pages/"+page.Name()+".css")
	data := pageData{Page: page, Script: err == nil, Style: styleErr == nil, MSPID: c.opts.MSPID, OrgName: OrgName(lang, c.opts.MSPID), OrgKind: kind,
		Nav: navigation(kind), Lang: lang, Switch: sw, RefusalReasons: RefusalReasons,
		PledgeStatuses: Enums["pledgeStatus"], AssetKinds: Enums["assetKind"], DebtKinds: Enums["debtKind"],
		LegalStatuses: Enums["legalStatus"], P9: p9Limits(), ValuerMSPPattern: api.ValuerMSPPattern}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		c.log.Error("console template", "page", path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
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
