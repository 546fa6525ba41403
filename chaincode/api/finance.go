package api

// The province's IP-finance record (docs/ip-finance.md): the accreditation of valuation agencies (F1),
// their valuation reports (F2) and a report cited by a pledge application (F3).

// Accreditation statuses (F1). An agency issues reports only while accredited, within its period.
const (
	AccreditationActive    = "accredited"
	AccreditationSuspended = "suspended"
	AccreditationWithdrawn = "withdrawn"
)

// AccreditationStatuses lists the statuses of an accreditation (F1).
var AccreditationStatuses = []string{AccreditationActive, AccreditationSuspended, AccreditationWithdrawn}

// AccreditationInput is the payload of RecordAccreditation (F1): the agency's name, its filing number
// with the finance authority (资产评估机构备案编号) and the period of the accreditation (UTC+8 dates, both
// included). Recording it again renews it: a new period, accredited again.
type AccreditationInput struct {
	FilingNumber string `json:"filingNumber"`
	Name         string `json:"name"`
	ValidFrom    string `json:"validFrom"`
	ValidUntil   string `json:"validUntil"`
}

// AccreditationStatusInput is the payload of SetAccreditationStatus (F1): suspended or withdrawn with
// a reason, or accredited again after a suspension.
type AccreditationStatusInput struct {
	Reason string `json:"reason"`
	Status string `json:"status"`
}

// Accreditation is a valuation agency's accreditation as the IP office recorded it (F1), public to
// members. StatusReason is the reason of its last change of status.
type Accreditation struct {
	DocType      string `json:"docType"`
	FilingNumber string `json:"filingNumber"`
	LastChange   Change `json:"lastChange"`
	MSP          MSPID  `json:"msp"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	StatusReason string `json:"statusReason,omitempty"`
	ValidFrom    string `json:"validFrom"`
	ValidUntil   string `json:"validUntil"`
	Version      int    `json:"version"`
}

// Valuation methods (F2): 收益法, 市场法, 成本法 of the 资产评估执业准则—知识产权.
var ValuationMethods = []string{"income", "market", "cost"}

// Valuation report statuses (F2).
const (
	ValuationIssued    = "issued"
	ValuationWithdrawn = "withdrawn"
)

// MaxValuationValidityDays bounds a report's validity (F2): its last day of validity is at most one
// year after its valuation date (评估基准日).
const MaxValuationValidityDays = 365

// TransientValuationKey is the transient-map key that carries a report's private value
// ([ValuationValue]) to IssueValuationReport. It never appears in arguments, events or the public
// record.
const TransientValuationKey = "valuation"

// ValuationCollection is the private data collection of the reports a valuation agency issues for one
// client bank (F2): its members are exactly that agency, that bank, the IP office and the regulator.
func ValuationCollection(valuer, bank MSPID) string {
	return "valuation-" + string(valuer) + "-" + string(bank)
}

// ValuationReportInput is the public part of a valuation report (F2): the rights valued (one, or a
// package as a pledge holds), the bank it is issued for, the method, the valuation date, the last day
// of validity, the agency's number of the report and the SHA-256 of the signed report.
type ValuationReportInput struct {
	AssetIDs      []string `json:"assetIds"`
	ClientBank    MSPID    `json:"clientBank"`
	Method        string   `json:"method"`
	ReportHash    string   `json:"reportHash"`
	ReportNumber  string   `json:"reportNumber"`
	ValidUntil    string   `json:"validUntil"`
	ValuationDate string   `json:"valuationDate"`
}

// ValuationValue is a report's private part (F2), in the transient map under
// [TransientValuationKey]: the value of the rights together, its currency and a salt chosen as a
// pledge's terms salt is. The public record keeps ValueHash, the SHA-256 of its JSON with the fields in
// this order (currency, salt, value; the money in canonical form), which is also its RFC 8785 form.
type ValuationValue struct {
	Currency string `json:"currency"`
	Salt     string `json:"salt"`
	Value    string `json:"value"`
}

// ValuationReport is the public record of a valuation report (F2). Its value is in Collection.
type ValuationReport struct {
	AssetIDs      []string `json:"assetIds"`
	ClientBank    MSPID    `json:"clientBank"`
	Collection    string   `json:"collection"`
	DocType       string   `json:"docType"`
	ID            string   `json:"id"`
	IssuedAt      string   `json:"issuedAt"`
	LastChange    Change   `json:"lastChange"`
	Method        string   `json:"method"`
	ReportHash    string   `json:"reportHash"`
	ReportNumber  string   `json:"reportNumber"`
	Status        string   `json:"status"`
	ValidUntil    string   `json:"validUntil"`
	ValuationDate string   `json:"valuationDate"`
	ValueHash     string   `json:"valueHash"`
	Valuer        MSPID    `json:"valuer"`
	ValuerName    string   `json:"valuerName"`
	Version       int      `json:"version"`
	Withdrawal    *Closure `json:"withdrawal,omitempty"`
}

// ValuationView is what GetValuationValue shows an entitled caller (F2): the issuing agency, the
// client bank, the IP office and the regulator. Verified says the stored value hashes to the public
// record's ValueHash.
type ValuationView struct {
	ReportID  string         `json:"reportId"`
	Value     ValuationValue `json:"value"`
	ValueHash string         `json:"valueHash"`
	Verified  bool           `json:"verified"`
}

// CitedValuation is the report a pledge cites (F3) as its private terms view shows it: the report's
// value and, when the terms' amount is in the same currency, the loan-to-value in percent (two
// decimals, the amount over the value).
//
// ValueUnavailable is true, with no value, when the answering peer could not read the report's value
// (it has not received it yet): the terms are shown without it.
type CitedValuation struct {
	Currency         string `json:"currency,omitempty"`
	LoanToValue      string `json:"loanToValue,omitempty"`
	ReportID         string `json:"reportId"`
	Value            string `json:"value,omitempty"`
	ValueUnavailable bool   `json:"valueUnavailable,omitempty"`
}

// ValuationReportPage is one page of a list of valuation reports. Bookmark is "" after the last page.
type ValuationReportPage struct {
	Bookmark string             `json:"bookmark"`
	Count    int                `json:"count"`
	Items    []*ValuationReport `json:"items"`
}

// Kinds of cover on a pledge loan (F4): an IP pledge-financing insurance policy (知识产权质押融资保证保险)
// or a guarantee (担保) by the same institution.
const (
	CoverInsurance = "insurance"
	CoverGuarantee = "guarantee"
)

// CoverKinds lists the kinds of cover (F4).
var CoverKinds = []string{CoverInsurance, CoverGuarantee}

// CoverInput is the payload of RecordCover (F4): the registered pledge whose loan is covered, the
// policy or guarantee number, the share of the loss covered (basis points, 1 to 10000), the term
// (UTC+8 dates, both included), and the premium (or guarantee fee) with its currency.
type CoverInput struct {
	CoveredShare int    `json:"coveredShare"`
	Currency     string `json:"currency"`
	Kind         string `json:"kind"`
	PledgeID     string `json:"pledgeId"`
	PolicyNumber string `json:"policyNumber"`
	Premium      string `json:"premium"`
	TermEnd      string `json:"termEnd"`
	TermStart    string `json:"termStart"`
}

// CoverPaymentInput is the payload of RecordCoverPayment (F5): the amount the insurer paid on the
// bank's loss, in the loss's currency, and its claim reference.
type CoverPaymentInput struct {
	Amount    string `json:"amount"`
	Reference string `json:"reference"`
}

// CoverPayment is what an insurer paid on a cover (F5): the amount, the loss it was checked against
// (the stated claim less the proceeds the pledge received, [Loss]) and the claim's reference.
type CoverPayment struct {
	Amount    string `json:"amount"`
	At        string `json:"at"`
	Currency  string `json:"currency"`
	Loss      string `json:"loss"`
	Reference string `json:"reference"`
	TxID      string `json:"txId"`
}

// Cover is insurance or a guarantee on a pledge loan as the insurer recorded it (F4), public to
// members, with its payment once made (F5).
type Cover struct {
	CoveredShare int           `json:"coveredShare"`
	Currency     string        `json:"currency"`
	DocType      string        `json:"docType"`
	ID           string        `json:"id"`
	Insurer      MSPID         `json:"insurer"`
	Kind         string        `json:"kind"`
	LastChange   Change        `json:"lastChange"`
	Payment      *CoverPayment `json:"payment,omitempty"`
	PledgeID     string        `json:"pledgeId"`
	Pledgee      MSPID         `json:"pledgee"`
	PolicyNumber string        `json:"policyNumber"`
	Premium      string        `json:"premium"`
	RecordedAt   string        `json:"recordedAt"`
	TermEnd      string        `json:"termEnd"`
	TermStart    string        `json:"termStart"`
	Version      int           `json:"version"`
}

// CoverPage is one page of a list of covers. Bookmark is "" after the last page.
type CoverPage struct {
	Bookmark string   `json:"bookmark"`
	Count    int      `json:"count"`
	Items    []*Cover `json:"items"`
}

// Loss is a pledgee bank's loss on a pledge ended by a disposal (F5, F7), from the ledger's own
// figures: the claim it stated (public since the default, P8), the proceeds the pledge received from
// the sale, what insurers paid on it (F5), and what is left (Net, never below zero). All in the claim's
// currency.
type Loss struct {
	Claim         string `json:"claim"`
	Currency      string `json:"currency"`
	Gross         string `json:"gross"`
	InsurancePaid string `json:"insurancePaid"`
	Net           string `json:"net"`
	PledgeID      string `json:"pledgeId"`
	Proceeds      string `json:"proceeds"`
}

// FundRulesInput is the payload of SetFundRules (F6): the fund's figures for one calendar year (UTC+8),
// as the province decided them. Shares are basis points (0 to 10000); caps are money in Currency.
// LossShare is the share of a bank's net loss the fund compensates (F7); CapPerLoan, CapPerBank and
// CapPerYear cap what it approves for one loan, for one bank in the year, and in all in the year.
// The subsidy shares are of the basis an application states (interest paid, premium, valuation fee),
// and SubsidyCapPerEnterprise caps the subsidies one enterprise receives in the year (F8).
type FundRulesInput struct {
	CapPerBank               string `json:"capPerBank"`
	CapPerLoan               string `json:"capPerLoan"`
	CapPerYear               string `json:"capPerYear"`
	Currency                 string `json:"currency"`
	InterestSubsidyShare     int    `json:"interestSubsidyShare"`
	LossShare                int    `json:"lossShare"`
	PremiumSubsidyShare      int    `json:"premiumSubsidyShare"`
	SubsidyCapPerEnterprise  string `json:"subsidyCapPerEnterprise"`
	ValuationFeeSubsidyShare int    `json:"valuationFeeSubsidyShare"`
}

// FundRules are the fund's figures for Year as recorded (F6). Fixed is true once the first claim or
// subsidy of the year was approved: from then on they are not changed.
type FundRules struct {
	FundRulesInput
	DocType    string `json:"docType"`
	Fixed      bool   `json:"fixed"`
	LastChange Change `json:"lastChange"`
	Version    int    `json:"version"`
	Year       int    `json:"year"`
}

// FundUsage is what the fund approved in a year (F7, F8), in the rules' currency, for a Scope: "all"
// (claims), "bank:<MSP id>" (claims of one bank) or "enterprise:<unified social credit code>"
// (subsidies to one enterprise).
type FundUsage struct {
	Approved string `json:"approved"`
	Scope    string `json:"scope"`
	Year     int    `json:"year"`
}

// FundClaimPage is one page of a list of claims on the fund. Bookmark is "" after the last page.
type FundClaimPage struct {
	Bookmark string       `json:"bookmark"`
	Count    int          `json:"count"`
	Items    []*FundClaim `json:"items"`
}

// SubsidyPage is one page of a list of subsidies. Bookmark is "" after the last page.
type SubsidyPage struct {
	Bookmark string     `json:"bookmark"`
	Count    int        `json:"count"`
	Items    []*Subsidy `json:"items"`
}

// Statuses of a fund claim (F7) and of a subsidy (F8).
const (
	FundFiled    = "filed"
	FundApproved = "approved"
	FundRefused  = "refused"
	FundPaid     = "paid"
)

// FundClaimInput is the payload of FileFundClaim (F7): the disposed pledge whose loss is claimed.
type FundClaimInput struct {
	PledgeID string `json:"pledgeId"`
}

// FundDecisionInput is the payload of ApproveFundClaim and ApproveSubsidy: an optional note.
type FundDecisionInput struct {
	Note string `json:"note,omitempty"`
}

// FundPaymentInput is the payload of PayFundClaim and PaySubsidy: the payment's reference (the
// treasury's voucher number).
type FundPaymentInput struct {
	Reference string `json:"reference"`
}

// FundPayment records a payment of the fund (F7, F8).
type FundPayment struct {
	At        string `json:"at"`
	Reference string `json:"reference"`
	TxID      string `json:"txId"`
}

// FundClaim is a bank's claim on the risk-compensation fund for its loss on a disposed pledge (F7).
// Loss and Computed are as of the filing (the fund's share of the net loss, capped per loan); Approved
// is what the fund manager approved, capped again by what was left of the bank's and the year's caps
// on the day of the decision, whose Year it counts in.
type FundClaim struct {
	FundDecision
	Bank       MSPID  `json:"bank"`
	Computed   string `json:"computed"`
	Currency   string `json:"currency"`
	DocType    string `json:"docType"`
	FiledAt    string `json:"filedAt"`
	ID         string `json:"id"`
	LastChange Change `json:"lastChange"`
	Loss       Loss   `json:"loss"`
	PledgeID   string `json:"pledgeId"`
	Version    int    `json:"version"`
}

// FundDecision is the fund manager's decision on a claim (F7) or a subsidy (F8), and its payment: the
// status (filed, approved, refused, paid), the amount approved and the year it counts in, the note,
// the refusal's reason codes.
type FundDecision struct {
	Approved       string       `json:"approved,omitempty"`
	DecidedAt      string       `json:"decidedAt,omitempty"`
	Note           string       `json:"note,omitempty"`
	Payment        *FundPayment `json:"payment,omitempty"`
	RefusalReasons []string     `json:"refusalReasons,omitempty"`
	Status         string       `json:"status"`
	Year           int          `json:"year,omitempty"`
}

// Kinds of subsidy (F8).
const (
	SubsidyInterest     = "loan-interest"
	SubsidyPremium      = "premium"
	SubsidyValuationFee = "valuation-fee"
)

// SubsidyKinds lists the kinds of subsidy (F8).
var SubsidyKinds = []string{SubsidyInterest, SubsidyPremium, SubsidyValuationFee}

// SubsidyInput is the payload of ApplyForSubsidy (F8): the kind, the registered pledge it supports,
// the enterprise that receives it (a pledgor or the debtor of the pledge), the basis (the interest paid
// over PeriodStart to PeriodEnd, the cover's premium, or the cited report's fee) in Currency, what
// it is for (CoverID for a premium, the pledge's cited report for a valuation fee) and the SHA-256 of
// the evidence (the interest statement, the premium invoice, the fee invoice).
type SubsidyInput struct {
	Basis        string `json:"basis"`
	CoverID      string `json:"coverId,omitempty"`
	Currency     string `json:"currency"`
	Enterprise   Party  `json:"enterprise"`
	EvidenceHash string `json:"evidenceHash"`
	Kind         string `json:"kind"`
	PeriodEnd    string `json:"periodEnd,omitempty"`
	PeriodStart  string `json:"periodStart,omitempty"`
	PledgeID     string `json:"pledgeId"`
}

// Subsidy flags (F8): what happened to the supported loan since, from its pledge as it is now.
const (
	FlagDefaulted     = "defaulted"
	FlagReleasedEarly = "released-early"
	FlagRevoked       = "revoked"
	FlagDeregistered  = "deregistered"
)

// Subsidy is an application for a subsidy and its decision and payment (F8). Computed is the rule's
// share of the basis; Approved what the fund manager approved, within the enterprise's cap for Year.
// Flags are not stored: every answer computes them from the pledge as it is ([FlagDefaulted]...).
type Subsidy struct {
	SubsidyInput
	FundDecision
	Bank       MSPID    `json:"bank"`
	Computed   string   `json:"computed,omitempty"`
	DocType    string   `json:"docType"`
	FiledAt    string   `json:"filedAt"`
	Flags      []string `json:"flags"`
	ID         string   `json:"id"`
	LastChange Change   `json:"lastChange"`
	Version    int      `json:"version"`
}
