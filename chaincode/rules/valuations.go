package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Keys of the IP-finance record (docs/ip-finance.md).
const (
	keyAccreditation    = "accreditation"       // valuer MSP
	keyValuation        = "valuation"           // report id; also its private value's key
	idxValuationValuer  = "valuation-by-valuer" // valuer MSP, report id
	idxValuationBank    = "valuation-by-bank"   // client bank MSP, report id
	idxValuationAsset   = "valuation-by-asset"  // asset id, report id
	idxValuationCitedBy = "valuation-cited-by"  // report id, pledge id (under the pledge's policy)
	maxReportNumberLen  = 64
	maxValuerNameLen    = 200
	maxAccreditationLen = 64
)

// ValuationEndorsement is the key-level policy of a valuation report's keys (I1): the issuing agency
// and the IP office, so that neither changes a report alone.
func ValuationEndorsement(valuer api.MSPID) api.Endorsement {
	return api.Endorsement{All: []api.MSPID{valuer, api.MSPIPOffice}}
}

func accreditationKey(msp api.MSPID) string { return CompositeKey(keyAccreditation, string(msp)) }
func valuationKey(id string) string         { return CompositeKey(keyValuation, id) }

// ParseAccreditation decodes and validates a RecordAccreditation payload (F1).
func ParseAccreditation(payload string) (api.AccreditationInput, error) {
	var in api.AccreditationInput
	if err := DecodeStrict("accreditation", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.text("name", in.Name, 1, maxValuerNameLen)
	c.text("filingNumber", in.FilingNumber, 1, maxAccreditationLen)
	c.date("validFrom", in.ValidFrom)
	c.date("validUntil", in.ValidUntil)
	if c.err == nil && in.ValidUntil < in.ValidFrom {
		c.fail("validUntil", "must not be before validFrom")
	}
	return in, c.err
}

// RecordAccreditation records, or renews with a new period, the accreditation of the valuation agency
// valuerMSP (F1): from then on it issues reports on the days of its period. IP office only; the
// regulator writes nothing (V3).
func (s *Service) RecordAccreditation(requestID, valuerMSP, payload string) (string, error) {
	return s.submit(api.RecordAccreditation.Name, requestID, valuerMSP+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "F1", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			msp := api.MSPID(valuerMSP)
			if !api.IsValuer(msp) {
				return nil, api.Event{}, api.Invalid("valuerMsp", "must be a valuation agency's MSP id: "+api.ValuerMSPPattern)
			}
			in, err := ParseAccreditation(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			a := &api.Accreditation{}
			found, err := s.get(accreditationKey(msp), a)
			if err != nil {
				return nil, api.Event{}, err
			}
			action := "AccreditationRecorded"
			if found {
				action = "AccreditationRenewed"
			}
			version := a.Version
			*a = api.Accreditation{DocType: keyAccreditation, FilingNumber: in.FilingNumber, MSP: msp, Name: in.Name,
				Status: api.AccreditationActive, ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil, Version: version}
			if err := s.saveAccreditation(a, action); err != nil {
				return nil, api.Event{}, err
			}
			return a, api.Event{Type: action, ID: string(msp), Status: a.Status}, nil
		})
}

// SetAccreditationStatus suspends or withdraws an agency's accreditation, with a reason, or accredits
// a suspended agency again (F1). A withdrawn accreditation is not restored: the IP office records a
// new one (RecordAccreditation). IP office only.
func (s *Service) SetAccreditationStatus(requestID, valuerMSP, payload string) (string, error) {
	return s.submit(api.SetAccreditationStatus.Name, requestID, valuerMSP+"\x00"+payload,
		func() error { return requireOrg(s.tx.Caller, "F1", api.MSPIPOffice) },
		func() (any, api.Event, error) {
			var in api.AccreditationStatusInput
			if err := DecodeStrict("status", payload, &in); err != nil {
				return nil, api.Event{}, err
			}
			var c check
			enum(&c, "status", in.Status, api.AccreditationStatuses)
			c.text("reason", in.Reason, 1, 500)
			if c.err != nil {
				return nil, api.Event{}, c.err
			}
			a, err := s.loadAccreditation(api.MSPID(valuerMSP))
			if err != nil {
				return nil, api.Event{}, err
			}
			switch a.Status {
			case in.Status:
				return nil, api.Event{}, api.Conflict("F1", "the accreditation is "+a.Status+" already",
					"valuerMsp", valuerMSP, "status", a.Status, "reason", "status-unchanged")
			case api.AccreditationWithdrawn:
				return nil, api.Event{}, api.Conflict("F1", "a withdrawn accreditation is not restored: record a new one",
					"valuerMsp", valuerMSP, "status", a.Status, "reason", "accreditation-withdrawn")
			}
			a.Status, a.StatusReason = in.Status, in.Reason
			action := "AccreditationReinstated"
			switch in.Status {
			case api.AccreditationSuspended:
				action = "AccreditationSuspended"
			case api.AccreditationWithdrawn:
				action = "AccreditationWithdrawn"
			}
			if err := s.saveAccreditation(a, action); err != nil {
				return nil, api.Event{}, err
			}
			return a, api.Event{Type: action, ID: valuerMSP, Status: a.Status}, nil
		})
}

func (s *Service) saveAccreditation(a *api.Accreditation, action string) error {
	a.Version++
	a.LastChange = s.change(action)
	return s.put(accreditationKey(a.MSP), a, api.RightEndorsement)
}

func (s *Service) loadAccreditation(msp api.MSPID) (*api.Accreditation, error) {
	a := &api.Accreditation{}
	found, err := s.get(accreditationKey(msp), a)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.NotFound("accreditation", string(msp))
	}
	return a, nil
}

// GetAccreditation returns an agency's accreditation (F1); public to members.
func (s *Service) GetAccreditation(valuerMSP string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	a, err := s.loadAccreditation(api.MSPID(valuerMSP))
	if err != nil {
		return "", err
	}
	return marshal(a)
}

// checkAccredited refuses (F1) an agency that is not accredited on day: none recorded, suspended,
// withdrawn, or day outside its period. reason says which.
func (s *Service) checkAccredited(msp api.MSPID, day string, rule api.Code) (*api.Accreditation, error) {
	a := &api.Accreditation{}
	found, err := s.get(accreditationKey(msp), a)
	if err != nil {
		return nil, err
	}
	refuse := func(reason, msg string) error {
		return api.Conflict(rule, msg, "valuerMsp", string(msp), "day", day, "reason", reason)
	}
	switch {
	case !found:
		return nil, refuse("valuer-not-accredited", "the valuation agency has no accreditation on the register")
	case a.Status == api.AccreditationSuspended:
		return nil, refuse("valuer-suspended", "the valuation agency's accreditation is suspended")
	case a.Status == api.AccreditationWithdrawn:
		return nil, refuse("valuer-withdrawn", "the valuation agency's accreditation is withdrawn")
	case day < a.ValidFrom || day > a.ValidUntil:
		return nil, refuse("valuer-outside-accreditation", fmt.Sprintf("the valuation agency is accredited from %s to %s",
			a.ValidFrom, a.ValidUntil))
	}
	return a, nil
}

// ParseValuationReport decodes and validates an IssueValuationReport payload (F2).
func ParseValuationReport(payload string) (api.ValuationReportInput, error) {
	var in api.ValuationReportInput
	if err := DecodeStrict("report", payload, &in); err != nil {
		return in, err
	}
	var c check
	c.assetIDs(in.AssetIDs)
	if !api.IsBank(in.ClientBank) {
		c.fail("clientBank", "must be a bank's MSP id: "+api.BankMSPPattern)
	}
	enum(&c, "method", in.Method, api.ValuationMethods)
	c.hash("reportHash", in.ReportHash)
	c.text("reportNumber", in.ReportNumber, 1, maxReportNumberLen)
	c.date("valuationDate", in.ValuationDate)
	c.date("validUntil", in.ValidUntil)
	if c.err == nil {
		vd, _ := time.Parse(time.DateOnly, in.ValuationDate)
		switch {
		case in.ValidUntil < in.ValuationDate:
			c.fail("validUntil", "must not be before valuationDate")
		case in.ValidUntil > vd.AddDate(0, 0, api.MaxValuationValidityDays).Format(time.DateOnly):
			c.fail("validUntil", fmt.Sprintf("must be at most %d days after valuationDate", api.MaxValuationValidityDays))
		}
	}
	return in, c.err
}

// ParseValuationValue decodes and validates a report's private value (F2) from the transient map.
func ParseValuationValue(raw []byte) (api.ValuationValue, error) {
	var v api.ValuationValue
	if err := DecodeStrict("transient.valuation", string(raw), &v); err != nil {
		return v, err
	}
	var c check
	v.Value = c.positiveMoney("valuation.value", v.Value)
	if !currencyPattern.MatchString(v.Currency) {
		c.fail("valuation.currency", "must be an ISO 4217 code such as CNY")
	}
	c.salt("valuation.salt", v.Salt)
	return v, c.err
}

// ValuationHash is the public hash of a report's private value (F2): the SHA-256 of its JSON, whose
// fields (currency, salt, value; strings of ASCII) Go writes in the order RFC 8785 sorts them.
func ValuationHash(v api.ValuationValue) string {
	raw, _ := json.Marshal(v)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// privateValuation is a report's private record in its collection.
type privateValuation struct {
	ReportID  string             `json:"reportId"`
	TxID      string             `json:"txId"`
	Value     api.ValuationValue `json:"value"`
	ValueHash string             `json:"valueHash"`
}

// IssueValuationReport records a valuation report of the calling agency (F2): accredited on the day
// of issue (F1), of rights on the register, for one client bank, with a valuation date not after today
// and a validity of at most a year from it. The value travels in the transient map under "valuation"
// and goes to the collection of the agency and the client bank; the record keeps its salted hash.
func (s *Service) IssueValuationReport(requestID, payload string) (string, error) {
	return s.submit(api.IssueValuationReport.Name, requestID, payload+s.transientFingerprint(api.TransientValuationKey),
		func() error { return requireKind(s.tx.Caller, "F2", api.KindValuer) },
		func() (any, api.Event, error) {
			in, err := ParseValuationReport(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			raw, ok := s.tx.Transient[api.TransientValuationKey]
			if !ok || len(raw) == 0 {
				return nil, api.Event{}, api.Invalid("transient.valuation", "the report's value is required in the transient map under \"valuation\"")
			}
			value, err := ParseValuationValue(raw)
			if err != nil {
				return nil, api.Event{}, err
			}
			today := s.today()
			if in.ValuationDate > today {
				return nil, api.Event{}, api.Invalid("valuationDate", "must not be after today (UTC+8)")
			}
			if in.ValidUntil < today {
				return nil, api.Event{}, api.Conflict("F2", "the report's validity has already ended",
					"validUntil", in.ValidUntil, "reason", "validity-ended")
			}
			valuer := s.tx.Caller.MSP
			acc, err := s.checkAccredited(valuer, today, "F2")
			if err != nil {
				return nil, api.Event{}, err
			}
			if _, err := s.loadAssets(in.AssetIDs); err != nil {
				return nil, api.Event{}, err
			}
			r := &api.ValuationReport{AssetIDs: in.AssetIDs, ClientBank: in.ClientBank,
				Collection: api.ValuationCollection(valuer, in.ClientBank), DocType: keyValuation, ID: s.derivedID("VR-"),
				IssuedAt: s.now(), Method: in.Method, ReportHash: in.ReportHash, ReportNumber: in.ReportNumber,
				Status: api.ValuationIssued, ValidUntil: in.ValidUntil, ValuationDate: in.ValuationDate,
				ValueHash: ValuationHash(value), Valuer: valuer, ValuerName: acc.Name}
			if found, err := s.exists(valuationKey(r.ID)); err != nil {
				return nil, api.Event{}, err
			} else if found {
				return nil, api.Event{}, api.Conflict("I3", "a valuation report with this id exists", "reportId", r.ID)
			}
			if err := s.fileValuation(r, value); err != nil {
				return nil, api.Event{}, err
			}
			return r, api.Event{Type: "ValuationReportIssued", ID: r.ID, AssetIDs: r.AssetIDs, Status: r.Status}, nil
		})
}

// fileValuation writes a new report with its indexes, all under its policy, and its value to the
// collection of its agency and client bank (F2).
func (s *Service) fileValuation(r *api.ValuationReport, value api.ValuationValue) error {
	if err := s.saveValuation(r, "ValuationReportIssued"); err != nil {
		return err
	}
	pol := ValuationEndorsement(r.Valuer)
	for _, idx := range [][]string{{idxValuationValuer, string(r.Valuer), r.ID}, {idxValuationBank, string(r.ClientBank), r.ID}} {
		if err := s.putIndex(pol, idx[0], idx[1:]...); err != nil {
			return err
		}
	}
	for _, id := range r.AssetIDs {
		if err := s.putIndex(pol, idxValuationAsset, id, r.ID); err != nil {
			return err
		}
	}
	rec, err := json.Marshal(privateValuation{ReportID: r.ID, TxID: s.tx.ID, Value: value, ValueHash: r.ValueHash})
	if err != nil {
		return internal("encode valuation", err)
	}
	if err := s.l.PutPrivate(r.Collection, valuationKey(r.ID), rec); err != nil {
		return valuationWriteError(r.Collection, err)
	}
	return nil
}

// valuationWriteError is the refusal of a value written to a collection the chaincode definition
// lacks (F2 `no-valuation-collection`): the agency and the bank are both members of the channel, but
// the definition does not have their collection yet.
func valuationWriteError(collection string, err error) error {
	e := privateWriteError(collection, err)
	if ae, ok := api.AsError(e); !ok || ae.Code != "P1" {
		return e
	}
	return api.Conflict("F2", "the collection of this agency and bank is not in the chaincode definition yet",
		"reason", "no-valuation-collection", "collection", collection)
}

func (s *Service) saveValuation(r *api.ValuationReport, action string) error {
	r.Version++
	r.LastChange = s.change(action)
	return s.put(valuationKey(r.ID), r, ValuationEndorsement(r.Valuer))
}

func (s *Service) loadValuation(id string) (*api.ValuationReport, error) {
	var c check
	if c.id("reportId", id); c.err != nil {
		return nil, c.err
	}
	r := &api.ValuationReport{}
	found, err := s.get(valuationKey(id), r)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, api.NotFound("valuation report", id)
	}
	return r, nil
}

// WithdrawValuationReport withdraws a report of the calling agency (F2), with a reason: it can no
// longer be cited. A report cited by an active or applied pledge is not withdrawn.
func (s *Service) WithdrawValuationReport(requestID, reportID, payload string) (string, error) {
	return s.submit(api.WithdrawValuationReport.Name, requestID, reportID+"\x00"+payload,
		func() error { return requireKind(s.tx.Caller, "F2", api.KindValuer) },
		func() (any, api.Event, error) {
			in, err := parseReason(payload)
			if err != nil {
				return nil, api.Event{}, err
			}
			r, err := s.loadValuation(reportID)
			if err != nil {
				return nil, api.Event{}, err
			}
			if r.Valuer != s.tx.Caller.MSP {
				return nil, api.Event{}, api.Forbidden("F2", "only the issuing agency withdraws its report",
					"msp", string(s.tx.Caller.MSP), "valuer", string(r.Valuer))
			}
			if r.Status == api.ValuationWithdrawn {
				return nil, api.Event{}, api.Conflict("F2", "the report is withdrawn already", "reportId", r.ID,
					"reason", "report-withdrawn")
			}
			citing, err := s.l.Scan(idxValuationCitedBy, []string{r.ID})
			if err != nil {
				return nil, api.Event{}, internal("scan", err)
			}
			for _, k := range citing {
				_, attrs, err := SplitCompositeKey(k)
				if err != nil || len(attrs) != 2 {
					return nil, api.Event{}, internal("split key", fmt.Errorf("%q", k))
				}
				p, err := s.loadPledge(attrs[1])
				if err != nil {
					return nil, api.Event{}, err
				}
				if p.Status == api.PledgeApplied || p.Status.IsActive() {
					return nil, api.Event{}, api.Conflict("F2", "a pledge that cites the report is "+string(p.Status),
						"reportId", r.ID, "pledgeId", p.ID, "reason", "report-cited")
				}
			}
			r.Status = api.ValuationWithdrawn
			r.Withdrawal = &api.Closure{At: s.now(), Reason: in.Reason, TxID: s.tx.ID}
			if err := s.saveValuation(r, "ValuationReportWithdrawn"); err != nil {
				return nil, api.Event{}, err
			}
			return r, api.Event{Type: "ValuationReportWithdrawn", ID: r.ID, AssetIDs: r.AssetIDs, Status: r.Status}, nil
		})
}

// GetValuationReport returns a report's public record (F2); public to members.
func (s *Service) GetValuationReport(reportID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	r, err := s.loadValuation(reportID)
	if err != nil {
		return "", err
	}
	return marshal(r)
}

// mayReadValuation says whether the caller's organization may read a report's value (F2): the issuing
// agency, the client bank, the IP office and the regulator.
func mayReadValuation(c Caller, r *api.ValuationReport) bool {
	return c.MSP == r.Valuer || c.MSP == r.ClientBank || c.MSP == api.MSPIPOffice || c.MSP == api.MSPRegulator
}

// valuationValue reads a report's private value from its collection.
func (s *Service) valuationValue(r *api.ValuationReport) (*privateValuation, error) {
	raw, err := s.l.GetPrivate(r.Collection, valuationKey(r.ID))
	if err != nil {
		return nil, internal("get private data", err)
	}
	if raw == nil {
		return nil, api.NotFound("valuation value", r.ID)
	}
	var rec privateValuation
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, internal("decode valuation", err)
	}
	return &rec, nil
}

// GetValuationValue returns a report's value to the callers entitled to it (F2), refusing the others
// before anything private is read.
func (s *Service) GetValuationValue(reportID string) (string, error) {
	if err := requireMember(s.tx.Caller); err != nil {
		return "", err
	}
	r, err := s.loadValuation(reportID)
	if err != nil {
		return "", err
	}
	if !mayReadValuation(s.tx.Caller, r) {
		return "", api.Forbidden("F2", "a report's value is for the agency, the client bank, the IP office and the regulator",
			"msp", string(s.tx.Caller.MSP))
	}
	rec, err := s.valuationValue(r)
	if err != nil {
		return "", err
	}
	return marshal(api.ValuationView{ReportID: r.ID, Value: rec.Value, ValueHash: r.ValueHash,
		Verified: ValuationHash(rec.Value) == r.ValueHash})
}

// checkCitable refuses (F3) a report that pledge p may not cite on day: not the pledgee's, withdrawn,
// not valid that day, of other rights than the pledge's, or of an agency not accredited that day.
func (s *Service) checkCitable(r *api.ValuationReport, p *api.Pledge, day string) error {
	refuse := func(reason, msg string, kv ...string) error {
		return api.Conflict("F3", msg, append([]string{"reportId", r.ID, "reason", reason}, kv...)...)
	}
	switch {
	case r.ClientBank != p.Pledgee.MSP:
		return refuse("report-for-another-bank", "the report was issued for another bank", "clientBank", string(r.ClientBank))
	case r.Status == api.ValuationWithdrawn:
		return refuse("report-withdrawn", "the report is withdrawn")
	case day < r.ValuationDate:
		return refuse("report-not-yet-valid", "the report's valuation date is after this day", "valuationDate", r.ValuationDate)
	case day > r.ValidUntil:
		return refuse("report-expired", "the report's validity ended on "+r.ValidUntil, "validUntil", r.ValidUntil)
	case !sameIDs(r.AssetIDs, p.AssetIDs, func(id string) string { return id }):
		return refuse("report-of-other-rights", "the report values other rights than the pledge's")
	}
	if _, err := s.checkAccredited(r.Valuer, day, "F3"); err != nil {
		return err
	}
	return nil
}

// citeValuation checks the report an application cites (F3) and indexes the citation under the
// pledge's policy. An application citing a report gives no valuation in its terms.
func (s *Service) citeValuation(p *api.Pledge, terms api.Terms) error {
	if p.ValuationReportID == "" {
		return nil
	}
	if terms.Valuation != nil {
		return api.Invalid("transient.terms.valuation", "must be left out when the application cites a valuation report")
	}
	r, err := s.loadValuation(p.ValuationReportID)
	if err != nil {
		return err
	}
	if err := s.checkCitable(r, p, s.today()); err != nil {
		return err
	}
	return s.putIndex(api.PledgeEndorsement(p.Pledgee.MSP), idxValuationCitedBy, r.ID, p.ID)
}

// recheckValuation checks the cited report again when the pledge is registered (F3): still the
// pledgee's, not withdrawn, valid and of an accredited agency on the day of registration.
func (s *Service) recheckValuation(p *api.Pledge) error {
	if p.ValuationReportID == "" {
		return nil
	}
	r, err := s.loadValuation(p.ValuationReportID)
	if err != nil {
		return err
	}
	return s.checkCitable(r, p, s.today())
}

// citedValuation is the cited report's value and the loan-to-value for a pledge's terms view (F3).
func (s *Service) citedValuation(p *api.Pledge, terms api.Terms) (*api.CitedValuation, error) {
	if p.ValuationReportID == "" {
		return nil, nil
	}
	r, err := s.loadValuation(p.ValuationReportID)
	if err != nil {
		return nil, err
	}
	rec, err := s.valuationValue(r)
	if err != nil {
		// The terms are still shown: the value may not have reached the answering peer yet.
		return &api.CitedValuation{ReportID: r.ID, ValueUnavailable: true}, nil //nolint:nilerr // named in the answer
	}
	out := &api.CitedValuation{Currency: rec.Value.Currency, ReportID: r.ID, Value: rec.Value.Value}
	if rec.Value.Currency == terms.Currency {
		out.LoanToValue = percent(mustCents(terms.Amount), mustCents(rec.Value.Value))
	}
	return out, nil
}

// percent is num/den in percent with two decimals, rounded half up; den > 0. In big numbers: amounts
// go up to 10^17 cents, which times 100 is beyond int64.
func percent(num, den int64) string {
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(num), big.NewInt(100)), big.NewInt(den))
	return r.FloatString(2)
}

// ListValuationReports lists one page of reports, in id order, by the agency that issued them, the bank
// they are for, or a right they value: exactly one of the three (F2).
func (s *Service) ListValuationReports(valuer, clientBank, assetID string, size int32, bookmark string) (string, error) {
	var family, attr string
	n := 0
	for _, f := range []struct{ family, v string }{{idxValuationValuer, valuer}, {idxValuationBank, clientBank},
		{idxValuationAsset, assetID}} {
		if f.v != "" {
			family, attr = f.family, f.v
			n++
		}
	}
	if n != 1 {
		return "", api.Invalid("valuer", "give exactly one of valuer, clientBank and assetId")
	}
	items, next, err := listPage(s, family, []string{attr}, size, bookmark, s.loadValuation, nil)
	if err != nil {
		return "", err
	}
	return marshal(api.ValuationReportPage{Bookmark: next, Count: len(items), Items: items})
}
