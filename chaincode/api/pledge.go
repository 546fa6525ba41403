package api

// PledgeStatus is the status of a pledge. A pledge is active (it encumbers its rights) while
// registered or defaulted.
type PledgeStatus string

// Pledge statuses.
const (
	PledgeApplied    PledgeStatus = "applied"
	PledgeRegistered PledgeStatus = "registered"
	PledgeRefused    PledgeStatus = "refused"
	PledgeReleased   PledgeStatus = "released"
	PledgeRevoked    PledgeStatus = "revoked"
	PledgeDefaulted  PledgeStatus = "defaulted"
	PledgeDisposed   PledgeStatus = "disposed"
	// PledgeDischarged: the pledge ended with the disposal of its rights by another pledge, with the
	// share of the price it received (P8): the buyer takes the rights free of it.
	PledgeDischarged PledgeStatus = "discharged"
	// PledgeDeregistered: the IP office deregistered (注销) the pledge on the pledgor's request with the
	// pledgee's release document, or on a court judgment or arbitral award (P13).
	PledgeDeregistered PledgeStatus = "deregistered"
)

// PledgeStatuses lists every pledge status.
var PledgeStatuses = []PledgeStatus{PledgeApplied, PledgeRegistered, PledgeRefused, PledgeReleased, PledgeRevoked,
	PledgeDefaulted, PledgeDisposed, PledgeDischarged, PledgeDeregistered}

// IsActive says whether a pledge in this status encumbers its rights.
func (s PledgeStatus) IsActive() bool { return s == PledgeRegistered || s == PledgeDefaulted }

// DebtKinds lists the kinds of secured debt (P2).
var DebtKinds = []string{"loan", "credit-line", "bond", "guarantee", "other"}

// Security types of a pledge (P11): an ordinary pledge secures a debt; a maximum-amount pledge
// (最高额质权, Civil Code 420–424 through 439) secures the claims arising within its claim-determination
// period up to the maximum amount of its private terms.
const (
	SecurityOrdinary      = "ordinary"
	SecurityMaximumAmount = "maximum-amount"
)

// SecurityTypes lists the security types of a pledge (P11).
var SecurityTypes = []string{SecurityOrdinary, SecurityMaximumAmount}

// Bases of a deregistration by the IP office (P13).
const (
	DeregistrationPledgorRequest = "pledgor-request"
	DeregistrationCourtDecision  = "court-decision"
	DeregistrationArbitralAward  = "arbitral-award"
)

// DeregistrationBases lists the bases of a deregistration (P13).
var DeregistrationBases = []string{DeregistrationPledgorRequest, DeregistrationCourtDecision, DeregistrationArbitralAward}

// DisposalMethods lists how defaulted rights may be realized (P8).
var DisposalMethods = []string{"auction", "sale", "agreed-value"}

// TransientTermsKey is the transient-map key that carries the private terms (V2) to ApplyPledge and
// AmendPledge (a change filed, in force once recorded). The terms never appear in arguments, events or the public record.
const TransientTermsKey = "terms"

// MaxPackage is the largest number of IP rights in one pledge (P2): one application, registered,
// released or disposed in one transaction, all or nothing. Patent packages pledged in Hubei hold dozens
// to hundreds of rights; what 500 costs at every layer is measured in docs/benchmarks.md.
const MaxPackage = 500

// Pledgee is the bank that holds the pledge; MSP is always the applying organization.
type Pledgee struct {
	MSP  MSPID  `json:"msp"`
	Name string `json:"name"`
}

// Rank is a pledge's rank on one of its rights.
type Rank struct {
	AssetID string `json:"assetId"`
	Rank    int    `json:"rank"`
}

// Closure records why and when a pledge was released, revoked or defaulted.
type Closure struct {
	At     string `json:"at"`
	Reason string `json:"reason"`
	TxID   string `json:"txId"`
}

// Proceed is the part of a disposal's price applied to one pledge (P8), with the claim it was checked
// against and the pledge's status before the disposal ended it (restored if the disposal fails).
type Proceed struct {
	Amount      string       `json:"amount"`
	Claim       string       `json:"claim,omitempty"`
	PledgeID    string       `json:"pledgeId"`
	PriorStatus PledgeStatus `json:"priorStatus"`
	Rank        int          `json:"rank"`
}

// Claim is the outstanding secured claim a pledgee states for a disposal (P8): on default, or for
// another active pledge on the rights with StateClaim. It is checked against the private terms' amount
// and is public from then on. TermsHash is the hash of the private terms it was checked against.
//
// For a maximum-amount pledge (P11) ArisenFrom and ArisenTo are the dates on which the first and the
// last of the claims stated arose, within the claim-determination period.
type Claim struct {
	Amount     string `json:"amount"`
	ArisenFrom string `json:"arisenFrom,omitempty"`
	ArisenTo   string `json:"arisenTo,omitempty"`
	At         string `json:"at"`
	Currency   string `json:"currency"`
	TermsHash  string `json:"termsHash"`
	TxID       string `json:"txId"`
}

// ClaimInput is the payload of StateClaim and the claim part of DeclareDefault's (P8). ArisenFrom and
// ArisenTo (dates) are required for a maximum-amount pledge and absent for an ordinary one (P11).
type ClaimInput struct {
	Amount     string `json:"amount"`
	ArisenFrom string `json:"arisenFrom,omitempty"`
	ArisenTo   string `json:"arisenTo,omitempty"`
	Currency   string `json:"currency"`
}

// ClaimPeriod is the claim-determination period (债权确定期间) of a maximum-amount pledge (P11): the
// claims it secures are those arising from Start to End, both dates included (UTC+8).
type ClaimPeriod struct {
	End   string `json:"end"`
	Start string `json:"start"`
}

// Determination records when the claims a maximum-amount pledge secures were determined (债权确定,
// Civil Code 423): Basis "default" (the pledgee declared default to realize the pledge) or
// "period-ended" (the claim-determination period ran out, recorded by the next transaction on the
// pledge). Date is the day of determination (UTC+8): no claim arising later is secured (P11).
type Determination struct {
	At    string `json:"at"`
	Basis string `json:"basis"`
	Date  string `json:"date"`
	TxID  string `json:"txId"`
}

// Bases of a determination of claims (P11).
const (
	DeterminationDefault     = "default"
	DeterminationPeriodEnded = "period-ended"
)

// Deregistration is the payload of DeregisterPledge (P13): the basis, the SHA-256 of the document
// (the pledgee's release document, the judgment or the award) and its reference (the court's or
// arbitration body's case number; optional on the pledgor's request).
type Deregistration struct {
	Basis        string `json:"basis"`
	DocumentHash string `json:"documentHash"`
	Reference    string `json:"reference,omitempty"`
}

// DeregistrationRecord is a deregistration (注销) recorded by the IP office on a pledge (P13).
type DeregistrationRecord struct {
	At           string `json:"at"`
	Basis        string `json:"basis"`
	DocumentHash string `json:"documentHash"`
	Reference    string `json:"reference,omitempty"`
	TxID         string `json:"txId"`
}

// DefaultInput is the payload of DeclareDefault (P8): why, and the outstanding secured claim.
type DefaultInput struct {
	Claim  ClaimInput `json:"claim"`
	Reason string     `json:"reason"`
}

// Discharge records the end of a pledge by the disposal of its rights through another pledge (P8):
// what it received from the price. A pledge purged by a court's sale of its right (C3) names instead
// the court, its decision and the transfer recorded; the court distributes the price.
type Discharge struct {
	Amount           string `json:"amount,omitempty"`
	At               string `json:"at"`
	Court            string `json:"court,omitempty"`
	CourtRef         string `json:"courtRef,omitempty"`
	Currency         string `json:"currency,omitempty"`
	DisposalPledgeID string `json:"disposalPledgeId,omitempty"`
	SaleRef          string `json:"saleRef,omitempty"`
	TransferID       string `json:"transferId,omitempty"`
	TxID             string `json:"txId"`
}

// CollateralLoss records on an active pledge that one of its rights left the valid legal status (P10):
// it lapsed, was invalidated, expired or was revoked, in the IP office's transaction TxID. When the
// right is valid again (a lapsed patent restored), RestoredAt and RestoredTxID say when.
type CollateralLoss struct {
	AssetID      string      `json:"assetId"`
	At           string      `json:"at"`
	LegalStatus  LegalStatus `json:"legalStatus"`
	RestoredAt   string      `json:"restoredAt,omitempty"`
	RestoredTxID string      `json:"restoredTxId,omitempty"`
	TxID         string      `json:"txId"`
}

// Disposal is the sale, auction or agreed value of defaulted pledged rights (P8).
type Disposal struct {
	At          string    `json:"at"`
	Buyers      []Owner   `json:"buyers"`
	Currency    string    `json:"currency"`
	Method      string    `json:"method"`
	Price       string    `json:"price"`
	Proceeds    []Proceed `json:"proceeds"`
	SaleRef     string    `json:"saleRef"`
	Surplus     string    `json:"surplus"`
	SurplusTo   []Party   `json:"surplusTo"`
	TransferIDs []string  `json:"transferIds"`
	TxID        string    `json:"txId"`
}

// FailedDisposal is a disposal undone because the IP office refused the buyer's title (P8): Failure
// says when, in which transaction, and which transfer was refused for what reasons.
type FailedDisposal struct {
	Disposal Disposal `json:"disposal"`
	Failure  Closure  `json:"failure"`
}

// Pledge is the public record of a pledge (V1). Its private terms are in the pledgee's collection;
// TermsHash is the SHA-256 of their RFC 8785 canonical JSON, salt included (V2, docs/terms-hash.md). Changes lists the changes and
// extensions filed by the pledgee (P6), oldest first; PendingChangeID names the one filed and not yet
// recorded or refused by the IP office, if any (at most one at a time).
type Pledge struct {
	AcknowledgeInvalidationRisk bool                  `json:"acknowledgeInvalidationRisk"`
	AppliedAt                   string                `json:"appliedAt"`
	AssetIDs                    []string              `json:"assetIds"`
	Changes                     []PledgeChange        `json:"changes,omitempty"`
	Claim                       *Claim                `json:"claim,omitempty"`
	ClaimPeriod                 *ClaimPeriod          `json:"claimPeriod,omitempty"`
	ClaimsDetermination         *Determination        `json:"claimsDetermination,omitempty"`
	CollateralLosses            []CollateralLoss      `json:"collateralLosses,omitempty"`
	ContractHash                string                `json:"contractHash"`
	DebtKind                    string                `json:"debtKind"`
	DebtTermEnd                 string                `json:"debtTermEnd"`
	DebtTermStart               string                `json:"debtTermStart"`
	Debtors                     []Party               `json:"debtors,omitempty"`
	DecidedAt                   string                `json:"decidedAt,omitempty"`
	Default                     *Closure              `json:"default,omitempty"`
	Deregistration              *DeregistrationRecord `json:"deregistration,omitempty"`
	Discharge                   *Discharge            `json:"discharge,omitempty"`
	Disposal                    *Disposal             `json:"disposal,omitempty"`
	DocType                     string                `json:"docType"`
	ExaminationDueBy            string                `json:"examinationDueBy"`
	FailedDisposals             []FailedDisposal      `json:"failedDisposals,omitempty"`
	ID                          string                `json:"id"`
	// Industry and Region are the borrower's, as the application gave them (F9).
	Industry           string       `json:"industry,omitempty"`
	LastChange         Change       `json:"lastChange"`
	PendingChangeID    string       `json:"pendingChangeId,omitempty"`
	Pledgee            Pledgee      `json:"pledgee"`
	Pledgors           []Party      `json:"pledgors"`
	Ranks              []Rank       `json:"ranks"`
	RefusalNote        string       `json:"refusalNote,omitempty"`
	RefusalReasons     []string     `json:"refusalReasons,omitempty"`
	RegisteredAt       string       `json:"registeredAt,omitempty"`
	RegistrationNumber string       `json:"registrationNumber,omitempty"`
	RegistrationTxID   string       `json:"registrationTxId,omitempty"`
	Region             string       `json:"region,omitempty"`
	Release            *Closure     `json:"release,omitempty"`
	Revocation         *Closure     `json:"revocation,omitempty"`
	SecurityType       string       `json:"securityType,omitempty"`
	Status             PledgeStatus `json:"status"`
	TermsCollection    string       `json:"termsCollection"`
	TermsHash          string       `json:"termsHash"`
	// ValuationReportID is the valuation report the application cited (F3), if any.
	ValuationReportID string `json:"valuationReportId,omitempty"`
	Version           int    `json:"version"`
}

// Valuation is an optional appraisal of the pledged rights (P2); private (V2).
type Valuation struct {
	Appraiser  string `json:"appraiser"`
	ReportHash string `json:"reportHash"`
	Value      string `json:"value"`
}

// Terms are the private terms of a pledge (V2), passed in the transient map under "terms". Salt is
// chosen by the client (at least 32 hex digits) so that the public TermsHash cannot be brute-forced.
type Terms struct {
	Amount       string `json:"amount"`
	Conditions   string `json:"conditions,omitempty"`
	Currency     string `json:"currency"`
	InterestRate string `json:"interestRate"`
	// MaximumAmount is the ceiling of the claims a maximum-amount pledge secures (P11); required for
	// such a pledge, absent for an ordinary one.
	MaximumAmount string     `json:"maximumAmount,omitempty"`
	Salt          string     `json:"salt"`
	Scope         string     `json:"scope"`
	Valuation     *Valuation `json:"valuation,omitempty"`
}

// ChangeStatus is the status of a filed change of a pledge (P6).
type ChangeStatus string

// Statuses of a change of a pledge.
const (
	ChangeFiled    ChangeStatus = "filed"
	ChangeRecorded ChangeStatus = "recorded"
	ChangeRefused  ChangeStatus = "refused"
)

// Kinds of change of a pledge (P6).
const (
	ChangeAmendment = "amendment" // 变更: names, debt kind, private terms (amount), contract
	ChangeExtension = "extension" // 延期: the debt term's end
)

// PledgeChange is a change (变更) or extension (延期) of a registered pledge, filed by its pledgee and in
// force only once the IP office records it (P6). It holds what the change sets, public fields only:
// new private terms are in the pledgee's collection until recorded, here only their salted hash
// (TermsHash, V2). ContractHash is the hash of the supplementary contract, required when the secured
// amount changes. TxID is the filing's transaction, DecisionTxID the recording's or refusal's.
type PledgeChange struct {
	ContractHash   string       `json:"contractHash,omitempty"`
	DebtKind       string       `json:"debtKind,omitempty"`
	DebtTermEnd    string       `json:"debtTermEnd,omitempty"`
	DecidedAt      string       `json:"decidedAt,omitempty"`
	DecisionTxID   string       `json:"decisionTxId,omitempty"`
	FiledAt        string       `json:"filedAt"`
	ID             string       `json:"id"`
	Kind           string       `json:"kind"`
	PledgeeName    string       `json:"pledgeeName,omitempty"`
	Pledgors       []Party      `json:"pledgors,omitempty"`
	RefusalNote    string       `json:"refusalNote,omitempty"`
	RefusalReasons []string     `json:"refusalReasons,omitempty"`
	Status         ChangeStatus `json:"status"`
	TermsHash      string       `json:"termsHash,omitempty"`
	TxID           string       `json:"txId"`
}

// PendingTerms are the private terms of a change filed and not yet recorded (P6, V2), shown by
// GetPledgeTerms to the same callers as the terms in force. Verified says they hash to the change's
// public TermsHash, TermsEncoding under which canonical encoding (as [TermsView]'s).
type PendingTerms struct {
	ChangeID      string `json:"changeId"`
	Terms         Terms  `json:"terms"`
	TermsEncoding string `json:"termsEncoding,omitempty"`
	TermsHash     string `json:"termsHash"`
	Verified      bool   `json:"verified"`
}

// TermsView is what GetPledgeTerms shows an entitled caller (V2); on a peer it travels sealed to the
// caller's certificate key ([SealedTerms]). Verified says the stored terms hash to the public record's
// TermsHash; TermsEncoding names the canonical encoding they hash under: "rfc8785" (RFC 8785 JSON
// canonicalization, every hash made now) or "go-json" (Go's encoding/json, a hash made before, kept).
// Pending are the terms of a change filed and not yet recorded.
type TermsView struct {
	// CitedValuation is the valuation report the pledge cites, with the loan-to-value (F3).
	CitedValuation *CitedValuation `json:"citedValuation,omitempty"`
	Pending        *PendingTerms   `json:"pending,omitempty"`
	PledgeID       string          `json:"pledgeId"`
	Terms          Terms           `json:"terms"`
	TermsEncoding  string          `json:"termsEncoding,omitempty"`
	TermsHash      string          `json:"termsHash"`
	TxID           string          `json:"txId"`
	Verified       bool            `json:"verified"`
}

// Sealed is an answer encrypted to the certificate key of the identity that asked (V2):
// GetPledgeTerms answers its [TermsView] so on a peer, so that a member who submits the query instead
// of evaluating it writes only ciphertext into the block. Algorithm is "ECDH-ES+HKDF-SHA256+A256GCM"
// (chaincode/seal): EphemeralKey is the uncompressed point of a fresh key of the recipient's curve,
// Nonce the AES-GCM nonce, Ciphertext the encrypted answer with its tag, all in standard padded
// base64; Recipient is the hex SHA-256 of the recipient's public key (PKIX DER). The gateway, which
// holds the caller's private key, opens it.
type Sealed struct {
	Algorithm    string `json:"alg"`
	Ciphertext   string `json:"ciphertext"`
	EphemeralKey string `json:"epk"`
	Nonce        string `json:"nonce"`
	Recipient    string `json:"recipient"`
}

// PledgeApplication is the public part of a pledge application (P1, P2). The pledgee is the applying
// bank; its private terms travel in the transient map.
//
// SecurityType is "ordinary" (the default) or "maximum-amount", which needs ClaimPeriod (P11). Debtor
// is the debtor of the secured claims when it is not the pledgors (third-party security, P12); by
// default the pledgors are the debtors.
type PledgeApplication struct {
	AcknowledgeInvalidationRisk bool         `json:"acknowledgeInvalidationRisk"`
	AssetIDs                    []string     `json:"assetIds"`
	ClaimPeriod                 *ClaimPeriod `json:"claimPeriod,omitempty"`
	ContractHash                string       `json:"contractHash"`
	DebtKind                    string       `json:"debtKind"`
	DebtTermEnd                 string       `json:"debtTermEnd"`
	DebtTermStart               string       `json:"debtTermStart"`
	Debtor                      *Party       `json:"debtor,omitempty"`
	// Industry is the borrower's industry, a code of GB/T 4754 ([IndustryPattern]); Region its region,
	// a code of GB/T 2260 ([RegionPattern]). Both optional and public: the regulator's evaluation
	// counts the loans by them (F9).
	Industry     string  `json:"industry,omitempty"`
	PledgeeName  string  `json:"pledgeeName"`
	Pledgors     []Party `json:"pledgors"`
	Region       string  `json:"region,omitempty"`
	SecurityType string  `json:"securityType,omitempty"`
	// ValuationReportID cites an accredited agency's valuation report of exactly these rights, issued
	// for the applying bank and valid on the filing day (F3); the terms then give no valuation.
	ValuationReportID string `json:"valuationReportId,omitempty"`
}

// Registration is the payload of RegisterPledge: the IP office's registration number (P3).
type Registration struct {
	RegistrationNumber string `json:"registrationNumber"`
}

// Refusal is the payload of RefusePledge and RefuseTransfer: reason codes and an optional note.
type Refusal struct {
	Note    string   `json:"note"`
	Reasons []string `json:"reasons"`
}

// Reason is the payload of RevokePledge and ReleasePledge.
type Reason struct {
	Reason string `json:"reason"`
}

// Amendment is the payload of AmendPledge (P6): names and debt kind; new private terms, if any, travel
// in the transient map. Pledgors, when given, must be the same ids: only their names may change.
// ContractHash is the hash of the supplementary contract, required (and new) when the terms change the
// secured amount.
type Amendment struct {
	ContractHash string  `json:"contractHash"`
	DebtKind     string  `json:"debtKind"`
	PledgeeName  string  `json:"pledgeeName"`
	Pledgors     []Party `json:"pledgors"`
}

// Extension is the payload of ExtendPledge (P6); ContractHash, optional, is the hash of the
// supplementary contract that extends the term.
type Extension struct {
	ContractHash string `json:"contractHash"`
	DebtTermEnd  string `json:"debtTermEnd"`
}

// ProceedInput is one pledge's share of a disposal's price.
type ProceedInput struct {
	Amount   string `json:"amount"`
	PledgeID string `json:"pledgeId"`
}

// DisposalInput is the payload of DisposePledge (P8).
type DisposalInput struct {
	Buyers   []Owner        `json:"buyers"`
	Currency string         `json:"currency"`
	Method   string         `json:"method"`
	Price    string         `json:"price"`
	Proceeds []ProceedInput `json:"proceeds"`
	SaleRef  string         `json:"saleRef"`
	Surplus  string         `json:"surplus"`
}
