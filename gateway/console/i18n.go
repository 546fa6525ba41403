package console

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

// The console's words live in catalogues per language, embedded in the gateway and read through
// go-i18n: locales/<tag>.toml for the words every page shares, and locales/<area>.<tag>.toml for the
// words of one area of pages (a page's own file keeps parallel work on pages apart). A key is in
// exactly one file of a language. Each line is one message: a quoted, dotted key and its text,
//
//	"verify.heading" = "权属与权利负担核验"
//
// and the key is written the same way wherever it is used, so that a grep finds every use: {{t "key"}}
// in the templates, t("key") in console.js. Variables are go-i18n's {{.Name}}, filled in by the server
// (go-i18n's template) and by console.js (the same syntax, replaced as text). TestCatalogues_* fail when
// a key is missing or empty in either language, or used but not defined.

//go:embed locales/*.toml
var localeFS embed.FS

// Language is one language the console speaks.
type Language struct {
	// Tag is the BCP 47 tag: the catalogue's file name, the cookie's value, <html lang>.
	Tag string
	// Name is the language's name in itself, as the switch shows it.
	Name string
}

// Languages are the console's languages, the default first.
var Languages = []Language{{Tag: "zh-CN", Name: "中文"}, {Tag: "en", Name: "English"}}

// DefaultLanguage is the console's language until the user switches: Chinese, as its users asked. The
// browser's Accept-Language header is deliberately not consulted: a clerk's browser set up in English
// still gets the Chinese console, and English only by the switch (remembered in [LanguageCookie]).
const DefaultLanguage = "zh-CN"

// LanguageCookie remembers the language chosen with the switch (or ?lang=). It holds nothing but the
// tag: the API key never goes into a cookie.
const LanguageCookie = "ipledger_lang"

// catalogues are the parsed message files: a go-i18n bundle and localizer per language, and each
// language's messages as plain text (for console.js and the tests).
type catalogues struct {
	bundle *i18n.Bundle
	loc    map[string]*i18n.Localizer
	text   map[string]map[string]string
}

var catalogue = mustLoadCatalogues()

func mustLoadCatalogues() *catalogues {
	c, err := loadCatalogues()
	if err != nil {
		panic(err) // the catalogues are embedded: every test fails on this, no deployment can
	}
	return c
}

func loadCatalogues() (*catalogues, error) {
	b := i18n.NewBundle(language.MustParse(DefaultLanguage))
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &catalogues{bundle: b, loc: map[string]*i18n.Localizer{}, text: map[string]map[string]string{}}
	files, err := fs.Glob(localeFS, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	for _, l := range Languages {
		m := map[string]string{}
		where := map[string]string{}
		for _, name := range files {
			if catalogueLanguage(name) != l.Tag {
				continue
			}
			f, err := b.LoadMessageFileFS(localeFS, name)
			if err != nil {
				return nil, fmt.Errorf("console: catalogue %s: %w", name, err)
			}
			if f.Tag.String() != l.Tag {
				return nil, fmt.Errorf("console: catalogue %s is read as language %s", name, f.Tag)
			}
			for _, msg := range f.Messages {
				if other, dup := where[msg.ID]; dup {
					return nil, fmt.Errorf("console: message %q is in both %s and %s", msg.ID, other, name)
				}
				where[msg.ID] = name
				m[msg.ID] = msg.Other
			}
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("console: no catalogue for %s", l.Tag)
		}
		c.text[l.Tag] = m
		c.loc[l.Tag] = i18n.NewLocalizer(b, l.Tag)
	}
	return c, nil
}

// catalogueLanguage is the language of a catalogue file by its name: locales/zh-CN.toml and
// locales/pledge.zh-CN.toml are both zh-CN's (go-i18n reads the tag from the name the same way).
func catalogueLanguage(name string) string {
	base := strings.TrimSuffix(path.Base(name), ".toml")
	if i := strings.LastIndex(base, "."); i >= 0 {
		base = base[i+1:]
	}
	return base
}

// languageOf answers a supported tag, or "" for anything else.
func languageOf(s string) string {
	for _, l := range Languages {
		if strings.EqualFold(s, l.Tag) {
			return l.Tag
		}
	}
	return ""
}

// chooseLanguage is the language of a request: ?lang= (which the caller then remembers in the cookie),
// else the cookie, else [DefaultLanguage]. Accept-Language is not read (see DefaultLanguage).
func chooseLanguage(r *http.Request) (lang string, fromQuery bool) {
	if q := languageOf(r.URL.Query().Get("lang")); q != "" {
		return q, true
	}
	if ck, err := r.Cookie(LanguageCookie); err == nil {
		if l := languageOf(ck.Value); l != "" {
			return l, false
		}
	}
	return DefaultLanguage, false
}

// localize is a message in a language with its variables (name, value pairs). A key missing in the
// catalogue is an error: the tests render every page in every language, so none reaches a user.
func localize(lang, id string, kv ...any) (string, error) {
	loc, ok := catalogue.loc[lang]
	if !ok {
		return "", fmt.Errorf("console: no language %q", lang)
	}
	if _, ok := catalogue.text[lang][id]; !ok {
		return "", fmt.Errorf("console: no message %q in %s", id, lang)
	}
	if len(kv)%2 != 0 {
		return "", fmt.Errorf("console: message %q: variables must be name, value pairs", id)
	}
	var data map[string]any
	if len(kv) > 0 {
		data = make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			name, ok := kv[i].(string)
			if !ok {
				return "", fmt.Errorf("console: message %q: variable name %v is not a string", id, kv[i])
			}
			data[name] = kv[i+1]
		}
	}
	return loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
}

// Message is a message of the catalogue of lang, with its variables (name, value pairs) filled in; the
// key itself when there is none (for other packages and tests: the templates fail on a missing key).
func Message(lang, id string, kv ...any) string {
	s, err := localize(lang, id, kv...)
	if err != nil {
		return id
	}
	return s
}

// Catalogue is every message of a language, as console.js receives it.
func Catalogue(lang string) map[string]string {
	return catalogue.text[lang]
}

// LanguageTags lists the tags of [Languages].
func LanguageTags() []string {
	out := make([]string, 0, len(Languages))
	for _, l := range Languages {
		out = append(out, l.Tag)
	}
	return out
}

// isLanguage tells whether tag is one of [Languages].
func isLanguage(tag string) bool { return slices.Contains(LanguageTags(), tag) }

// Enums are the API's enumerations the console shows, by name; each value's words are
// "enum.<name>.<value>" in every catalogue (console.js: tEnum(name, value)). "flag" are the marks the
// console puts beside a status; "action" the history's actions, the chaincode's transactions that write.
var Enums = map[string][]string{
	"pledgeStatus":   {"applied", "registered", "refused", "released", "revoked", "defaulted", "disposed", "discharged", "deregistered"},
	"transferStatus": {"requested", "recorded", "refused"},
	"assetKind":      {"patent-invention", "patent-utility", "patent-design", "trademark", "copyright"},
	"legalStatus":    {"valid", "lapsed", "invalidated", "expired", "revoked"},
	"debtKind":       {"loan", "credit-line", "bond", "guarantee", "other"},
	"securityType":   {"ordinary", "maximum-amount"},
	"transferKind":   {"assignment", "license"},
	"transferOrigin": {"trade", "owner-request", "court-order", "judicial-auction"},
	"licenseType":    {"exclusive", "sole", "ordinary"},
	"licenseStatus":  {api.LicenseInForce, api.LicenseNotYetInForce, api.LicenseExpired, api.LicenseTerminated},
	"proceedsUse":    {"early-repayment", "escrow"},
	"measureKind":    {api.MeasureFreeze},
	"measureStatus":  {string(api.MeasureEffective), string(api.MeasureWaiting), string(api.MeasureLifted)},
	"flag":           {"frozen", "disputed", "invalidation-pending", "overdue"},
	"coverKind":      api.CoverKinds,
	"subsidyKind":    api.SubsidyKinds,
	// The IP-finance pages' (docs/ip-finance.md): an accreditation's status, a report's method and
	// status, a claim's or subsidy's status, and the flags of a subsidy's loan.
	"accreditationStatus": api.AccreditationStatuses,
	"valuationMethod":     api.ValuationMethods,
	"valuationStatus":     {api.ValuationIssued, api.ValuationWithdrawn},
	"fundStatus":          {api.FundFiled, api.FundApproved, api.FundRefused, api.FundPaid},
	"subsidyFlag":         {api.FlagDefaulted, api.FlagReleasedEarly, api.FlagRevoked, api.FlagDeregistered},
	"action":              writingOperations(),
	"eventType": {"AssetRegistered", "AssetsImported", "AssetUpdated", "FreezeRecorded", "FreezeLifted", "LicenseTerminated",
		"PledgeApplied", "PledgeRegistered", "PledgeRefused", "PledgeRevoked", "PledgeChangeFiled", "PledgeChangeRecorded",
		"PledgeChangeRefused", "PledgeClaimStated", "PledgeReleased", "PledgeDefaulted", "PledgeDisposed", "PledgeDeregistered",
		"TransferRequested", "TransferConsented", "TransferRecorded", "TransferRefused",
		// The IP-finance record (docs/ip-finance.md).
		"AccreditationRecorded", "AccreditationRenewed", "AccreditationSuspended", "AccreditationReinstated",
		"AccreditationWithdrawn", "ValuationReportIssued", "ValuationReportWithdrawn", "CoverRecorded", "CoverPaid",
		"FundRulesSet", "FundClaimFiled", "FundClaimApproved", "FundClaimRefused", "FundClaimPaid",
		"SubsidyApplied", "SubsidyApproved", "SubsidyRefused", "SubsidyPaid"},
}

func writingOperations() []string {
	var out []string
	for _, op := range api.Operations {
		if !op.ReadOnly {
			out = append(out, op.Name)
		}
	}
	return out
}
