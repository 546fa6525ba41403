package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// regionPattern is a territory's region code: an ISO 3166-1 country (CN) or an ISO 3166-2 subdivision
// (CN-HB), optionally one level further (CN-HB-01).
var regionPattern = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3}){0,2}$`)

// licenseTerms validates a licence's register details (L1): the type, the term's dates in order,
// the territory's region codes (distinct, none inside another), its note and the filing number.
func (c *check) licenseTerms(field string, l *api.LicenseTerms) {
	enum(c, field+".type", l.Type, api.LicenseTypes)
	c.date(field+".termStart", l.TermStart)
	c.date(field+".termEnd", l.TermEnd)
	if c.err == nil && l.TermEnd < l.TermStart {
		c.fail(field+".termEnd", "must not be before termStart")
	}
	c.count(field+".territory", len(l.Territory), 1, api.MaxLicenseTerritories)
	for i, r := range l.Territory {
		f := fmt.Sprintf("%s.territory[%d]", field, i)
		if !regionPattern.MatchString(r) {
			c.fail(f, "must be a region code: an ISO 3166-1 country (CN) or ISO 3166-2 subdivision (CN-HB)")
		}
		for _, o := range l.Territory[:i] {
			if regionsOverlap(r, o) {
				c.fail(f, "repeats or lies within "+o)
			}
		}
	}
	c.text(field+".territoryNote", l.TerritoryNote, 0, 500)
	c.text(field+".filingNumber", l.FilingNumber, 1, 64)
}

// regionsOverlap says whether two region codes cover a common place: one is the other or lies
// within it (CN and CN-HB; not CN-HB and CN-GD).
func regionsOverlap(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+"-") || strings.HasPrefix(b, a+"-")
}

func territoriesOverlap(a, b []string) bool {
	return slices.ContainsFunc(a, func(x string) bool {
		return slices.ContainsFunc(b, func(y string) bool { return regionsOverlap(x, y) })
	})
}

// lastDayInForce is the last day a recorded licence is in force: its term's end, or the day before
// its termination (L3). ok is false for a licence without register details.
func lastDayInForce(l api.License) (string, bool) {
	if l.Type == "" {
		return "", false
	}
	if l.Termination != nil && l.Termination.Date <= l.TermEnd {
		d, err := time.Parse(time.DateOnly, l.Termination.Date)
		if err != nil {
			return l.TermEnd, true
		}
		return d.AddDate(0, 0, -1).Format(time.DateOnly), true
	}
	return l.TermEnd, true
}

// licenseStatus is the status of a recorded licence on day (L3, L4).
func licenseStatus(l api.License, day string) string {
	switch {
	case l.Termination != nil && l.Termination.Date <= day:
		return api.LicenseTerminated
	case l.Type == "":
		return api.LicenseInForce
	case l.TermEnd < day:
		return api.LicenseExpired
	case l.TermStart > day:
		return api.LicenseNotYetInForce
	}
	return api.LicenseInForce
}

// checkLicensable refuses a licence the register cannot record on right a on day today: the right is
// not valid, or the term is not within the right's life or has already ended (L1); it overlaps in
// time and territory an exclusive or sole licence, or is itself exclusive or sole and overlaps another
// exclusive or sole licence (L2). Licences terminated or ended before the new term starts do not count.
func checkLicensable(a *api.Asset, l *api.LicenseTerms, today string) error {
	if a.LegalStatus != api.LegalValid {
		return api.Conflict("L1", "the IP right is "+string(a.LegalStatus)+": it cannot be licensed",
			"assetId", a.ID, "legalStatus", string(a.LegalStatus), "reason", "not-valid")
	}
	if l.TermStart < a.GrantDate || l.TermEnd > a.ExpiryDate {
		return api.Conflict("L1", "the licence term must lie within the right's life, from its grant to its expiry",
			"assetId", a.ID, "grantDate", a.GrantDate, "expiryDate", a.ExpiryDate, "reason", "term-outside-right")
	}
	if l.TermEnd < today {
		return api.Conflict("L1", "the licence term has already ended", "assetId", a.ID, "termEnd", l.TermEnd,
			"reason", "term-ended")
	}
	for _, x := range a.Licenses {
		if !api.ExcludesOthers(x.Type) && !api.ExcludesOthers(l.Type) {
			continue // two ordinary licences coexist
		}
		last, ok := lastDayInForce(x)
		if !ok || last < x.TermStart || l.TermStart > last || x.TermStart > l.TermEnd ||
			!territoriesOverlap(l.Territory, x.Territory) {
			continue // no details, terminated before its start, or apart in time or territory
		}
		switch {
		case api.ExcludesOthers(x.Type) && api.ExcludesOthers(l.Type):
			return api.Conflict("L2", "an "+x.Type+" licence overlaps this one in time and territory",
				"assetId", a.ID, "licenseTransferId", x.TransferID, "licenseType", x.Type, "reason", "exclusive-license-overlaps")
		case api.ExcludesOthers(x.Type):
			return api.Conflict("L2", "an "+x.Type+" licence is in force in this term and territory: no other licence may be granted",
				"assetId", a.ID, "licenseTransferId", x.TransferID, "licenseType", x.Type, "reason", "exclusive-license-in-force")
		}
	}
	return nil
}

// addLicense adds the licence of a recorded transfer to its right, with its register details (L1),
// after checking that the register can record it now (L1, L2). A licence requested before the register
// kept licence details is recorded without them.
func (s *Service) addLicense(a *api.Asset, t *api.Transfer, now string) error {
	l := api.License{Licensees: t.NewOwners, RecordedAt: now, TransferID: t.ID, TxID: s.tx.ID}
	if t.License != nil {
		if err := checkLicensable(a, t.License, s.today()); err != nil {
			return err
		}
		l.FilingNumber, l.TermEnd, l.TermStart, l.Territory, l.TerritoryNote, l.Type = t.License.FilingNumber,
			t.License.TermEnd, t.License.TermStart, t.License.Territory, t.License.TerritoryNote, t.License.Type
	}
	a.Licenses = append(a.Licenses, l)
	return nil
}

// ParseTermination decodes and validates a TerminateLicense payload (L3).
func ParseTermination(payload string) (api.TerminationInput, error) {
	var in api.TerminationInput
	if err := DecodeStrict("termination", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.date("date", in.Date)
	c.text("reason", in.Reason, 1, 500)
	return in, c.err
}

// TerminateLicense records the early termination of a licence of a right (L3): the licence, named by
// the transfer that recorded it, is no longer in force from the date given, which is not after the
// recording day. A licence already terminated, or whose term ended before that date, is refused. IP
// office only.
func (s *Service) TerminateLicense(requestID, assetID, transferID, payload string) (string, error) {
	return s.submit(api.TerminateLicense.Name, requestID, assetID+"\x00"+transferID+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "L3", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			in, err := ParseTermination(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			if in.Date > s.today() {
				return nil, api.Event{}, api.Invalid("date", "must not be after today (UTC+8): the register records a termination that has taken effect")
			}
			var c check
			if c.id("transferId", transferID); c.err != nil {
				return nil, api.Event{}, c.err
			}
			a, err := s.loadAsset(assetID)
			if err != nil {
				return nil, api.Event{}, err
			}
			i := slices.IndexFunc(a.Licenses, func(l api.License) bool { return l.TransferID == transferID })
			if i < 0 {
				return nil, api.Event{}, api.NotFound("license", transferID)
			}
			l := &a.Licenses[i]
			if l.Termination != nil {
				return nil, api.Event{}, api.Conflict("L3", "the licence is already terminated", "assetId", a.ID,
					"transferId", transferID, "terminationDate", l.Termination.Date, "reason", "already-terminated")
			}
			if l.Type != "" && in.Date > l.TermEnd {
				return nil, api.Event{}, api.Conflict("L3", "the licence term ended before that date: it expired",
					"assetId", a.ID, "transferId", transferID, "termEnd", l.TermEnd, "reason", "after-term-end")
			}
			l.Termination = &api.LicenseTermination{At: s.now(), Date: in.Date, MSP: s.tx.Caller.MSP, Reason: in.Reason,
				Submitter: s.tx.Caller.Submitter, TxID: s.tx.ID}
			if err := s.saveAsset(a, "LicenseTerminated:"+transferID); err != nil {
				return nil, api.Event{}, err
			}
			return a, api.Event{Type: "LicenseTerminated", ID: transferID, AssetIDs: []string{a.ID},
				Status: api.LicenseTerminated}, nil
		})
}

// statementLicenses lists the licences of a right that are not terminated on day, with their status,
// whether one is in force, and the obstacles of its exclusive or sole licences in force or yet to
// start (L4).
func statementLicenses(a *api.Asset, day string) (out []api.StatementLicense, licensed bool, obstacles []string) {
	out = []api.StatementLicense{}
	for _, l := range a.Licenses {
		st := licenseStatus(l, day)
		if st == api.LicenseTerminated {
			continue
		}
		out = append(out, api.StatementLicense{FilingNumber: l.FilingNumber, Licensees: l.Licensees,
			RecordedAt: l.RecordedAt, Status: st, TermEnd: l.TermEnd, TermStart: l.TermStart, Territory: l.Territory,
			TerritoryNote: l.TerritoryNote, TransferID: l.TransferID, TxID: l.TxID, Type: l.Type})
		licensed = licensed || st == api.LicenseInForce
		if api.ExcludesOthers(l.Type) && st != api.LicenseExpired {
			obstacles = append(obstacles, l.Type+"-license:"+l.TransferID)
		}
	}
	return out, licensed, obstacles
}
