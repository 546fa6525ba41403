package rules

// Records are JSON documents on the public ledger. Their struct fields are in alphabetical order of
// their JSON names, and no map is ever written, so that every endorsing peer produces the same bytes.

// Kinds of IP right (A2).
const (
	KindPatentInvention = "patent-invention"
	KindPatentUtility   = "patent-utility"
	KindPatentDesign    = "patent-design"
	KindTrademark       = "trademark"
	KindCopyright       = "copyright"
)

// AssetKinds lists the kinds of IP right (A2).
var AssetKinds = []string{KindPatentInvention, KindPatentUtility, KindPatentDesign, KindTrademark, KindCopyright}

// Legal statuses of an IP right (A2).
const (
	LegalValid       = "valid"
	LegalLapsed      = "lapsed"
	LegalInvalidated = "invalidated"
	LegalExpired     = "expired"
	LegalRevoked     = "revoked"
)

// LegalStatuses lists the legal statuses of an IP right (A2).
var LegalStatuses = []string{LegalValid, LegalLapsed, LegalInvalidated, LegalExpired, LegalRevoked}

// IsPatent says whether kind is one of the three patent kinds.
func IsPatent(kind string) bool {
	return kind == KindPatentInvention || kind == KindPatentUtility || kind == KindPatentDesign
}

// Owner is a registered owner of an IP right, or a new owner or licensee in a transfer.
// Share is in basis points: the shares of one right sum to 10000.
type Owner struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Share int    `json:"share"`
}

// Party is a pledgor: a registered owner, who is not a member of the network (P1).
type Party struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Pledgee is the bank that holds the pledge; MSP is always the applying organization.
type Pledgee struct {
	MSP  string `json:"msp"`
	Name string `json:"name"`
}

// Flag is a court freeze (Ref: the court's reference), an ownership dispute or a pending invalidation
// request (A2). Since is the date (UTC+8) of the transaction that raised it.
type Flag struct {
	Active bool   `json:"active"`
	Ref    string `json:"ref,omitempty"`
	Since  string `json:"since,omitempty"`
}

// Change says who changed a record last, and in which transaction (I2). It is part of every written
// record, so the history of a key shows the organization and identity behind each version.
type Change struct {
	Action    string `json:"action"`
	MSP       string `json:"msp"`
	RequestID string `json:"requestId"`
	Submitter string `json:"submitter"`
	Time      string `json:"time"`
	TxID      string `json:"txId"`
}

// Encumbrance is an active pledge (registered or defaulted) as listed on the IP right it encumbers.
// Rank is the order of registration on that right, from 1 (Civil Code 414, P5); ranks are not reused.
type Encumbrance struct {
	PledgeID           string `json:"pledgeId"`
	PledgeeMSP         string `json:"pledgeeMsp"`
	Rank               int    `json:"rank"`
	RegisteredAt       string `json:"registeredAt"`
	RegistrationNumber string `json:"registrationNumber"`
	RegistrationTxID   string `json:"registrationTxId"`
	Status             string `json:"status"`
}

// License is a license of the right recorded through a transfer of kind "license" (P7).
type License struct {
	Licensees  []Owner `json:"licensees"`
	RecordedAt string  `json:"recordedAt"`
	TransferID string  `json:"transferId"`
	TxID       string  `json:"txId"`
}

// Asset is an IP right on the public register (A2, A3).
type Asset struct {
	ApplicationDate string        `json:"applicationDate"`
	Dispute         Flag          `json:"dispute"`
	DocType         string        `json:"docType"`
	Encumbrances    []Encumbrance `json:"encumbrances"`
	ExpiryDate      string        `json:"expiryDate"`
	FeesPaidThrough string        `json:"feesPaidThrough,omitempty"`
	Freeze          Flag          `json:"freeze"`
	GrantDate       string        `json:"grantDate"`
	ID              string        `json:"id"`
	Invalidation    Flag          `json:"invalidation"`
	Kind            string        `json:"kind"`
	LastChange      Change        `json:"lastChange"`
	LegalStatus     string        `json:"legalStatus"`
	Licenses        []License     `json:"licenses"`
	MarkFamily      string        `json:"markFamily,omitempty"`
	NextRank        int           `json:"nextRank"`
	NiceClass       int           `json:"niceClass,omitempty"`
	Number          string        `json:"number"`
	Owners          []Owner       `json:"owners"`
	Title           string        `json:"title"`
	TitleTxID       string        `json:"titleTxId"`
	Version         int           `json:"version"`
}

// Pledge statuses. A pledge is active (it encumbers its rights) while registered or defaulted.
const (
	PledgeApplied    = "applied"
	PledgeRegistered = "registered"
	PledgeRefused    = "refused"
	PledgeReleased   = "released"
	PledgeRevoked    = "revoked"
	PledgeDefaulted  = "defaulted"
	PledgeDisposed   = "disposed"
)

// PledgeStatuses lists every pledge status.
var PledgeStatuses = []string{PledgeApplied, PledgeRegistered, PledgeRefused, PledgeReleased, PledgeRevoked,
	PledgeDefaulted, PledgeDisposed}

// IsActive says whether a pledge in this status encumbers its rights.
func IsActive(status string) bool { return status == PledgeRegistered || status == PledgeDefaulted }

// DebtKinds lists the kinds of secured debt (P2).
var DebtKinds = []string{"loan", "credit-line", "bond", "guarantee", "other"}

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

// Proceed is the part of a disposal's price applied to one pledge (P8).
type Proceed struct {
	Amount   string `json:"amount"`
	PledgeID string `json:"pledgeId"`
	Rank     int    `json:"rank"`
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

// DisposalMethods lists how defaulted rights may be realized (P8).
var DisposalMethods = []string{"auction", "sale", "agreed-value"}

// Pledge is the public record of a pledge (V1). Its private terms are in the pledgee's collection;
// TermsHash is the SHA-256 of their canonical JSON, salt included (V2).
type Pledge struct {
	AcknowledgeInvalidationRisk bool      `json:"acknowledgeInvalidationRisk"`
	AppliedAt                   string    `json:"appliedAt"`
	AssetIDs                    []string  `json:"assetIds"`
	ContractHash                string    `json:"contractHash"`
	DebtKind                    string    `json:"debtKind"`
	DebtTermEnd                 string    `json:"debtTermEnd"`
	DebtTermStart               string    `json:"debtTermStart"`
	DecidedAt                   string    `json:"decidedAt,omitempty"`
	Default                     *Closure  `json:"default,omitempty"`
	Disposal                    *Disposal `json:"disposal,omitempty"`
	DocType                     string    `json:"docType"`
	ExaminationDueBy            string    `json:"examinationDueBy"`
	ID                          string    `json:"id"`
	LastChange                  Change    `json:"lastChange"`
	Pledgee                     Pledgee   `json:"pledgee"`
	Pledgors                    []Party   `json:"pledgors"`
	Ranks                       []Rank    `json:"ranks"`
	RefusalNote                 string    `json:"refusalNote,omitempty"`
	RefusalReasons              []string  `json:"refusalReasons,omitempty"`
	RegisteredAt                string    `json:"registeredAt,omitempty"`
	RegistrationNumber          string    `json:"registrationNumber,omitempty"`
	RegistrationTxID            string    `json:"registrationTxId,omitempty"`
	Release                     *Closure  `json:"release,omitempty"`
	Revocation                  *Closure  `json:"revocation,omitempty"`
	Status                      string    `json:"status"`
	TermsCollection             string    `json:"termsCollection"`
	TermsHash                   string    `json:"termsHash"`
	Version                     int       `json:"version"`
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
	Amount       string     `json:"amount"`
	Conditions   string     `json:"conditions,omitempty"`
	Currency     string     `json:"currency"`
	InterestRate string     `json:"interestRate"`
	Salt         string     `json:"salt"`
	Scope        string     `json:"scope"`
	Valuation    *Valuation `json:"valuation,omitempty"`
}

// PrivateTerms is the record stored in the pledgee's collection under the pledge id.
type PrivateTerms struct {
	PledgeID  string `json:"pledgeId"`
	Terms     Terms  `json:"terms"`
	TermsHash string `json:"termsHash"`
	TxID      string `json:"txId"`
}

// Transfer statuses.
const (
	TransferRequested = "requested"
	TransferRecorded  = "recorded"
	TransferRefused   = "refused"
)

// Transfer kinds, origins and the uses of proceeds a pledgee may choose when consenting (P7).
var (
	TransferKinds   = []string{"assignment", "license"}
	TransferOrigins = []string{"trade", "owner-request"}
	ProceedsUses    = []string{"early-repayment", "escrow"}
)

// Consent is a pledgee's recorded consent to a transfer of a pledged right (P7, T2).
type Consent struct {
	At          string `json:"at"`
	MSP         string `json:"msp"`
	PledgeID    string `json:"pledgeId"`
	ProceedsUse string `json:"proceedsUse"`
	Submitter   string `json:"submitter"`
	TxID        string `json:"txId"`
}

// Transfer is a request to change the owners of a right, or to license it (T1).
type Transfer struct {
	AssetID          string    `json:"assetId"`
	Consents         []Consent `json:"consents"`
	DecidedAt        string    `json:"decidedAt,omitempty"`
	DisposalPledgeID string    `json:"disposalPledgeId,omitempty"`
	DocType          string    `json:"docType"`
	FromOwners       []Owner   `json:"fromOwners"`
	ID               string    `json:"id"`
	Kind             string    `json:"kind"`
	LastChange       Change    `json:"lastChange"`
	NewOwners        []Owner   `json:"newOwners"`
	Origin           string    `json:"origin"`
	RefusalNote      string    `json:"refusalNote,omitempty"`
	RefusalReasons   []string  `json:"refusalReasons,omitempty"`
	RequestedAt      string    `json:"requestedAt"`
	Status           string    `json:"status"`
	TradeRef         string    `json:"tradeRef,omitempty"`
	Version          int       `json:"version"`
}

// Event is the payload of the one chaincode event of every transaction that changes state (I2). Its
// name is Type. It never carries private terms.
type Event struct {
	AssetIDs  []string `json:"assetIds"`
	ID        string   `json:"id"`
	MSP       string   `json:"msp"`
	RequestID string   `json:"requestId"`
	Status    string   `json:"status,omitempty"`
	Submitter string   `json:"submitter"`
	Time      string   `json:"time"`
	TxID      string   `json:"txId"`
	Type      string   `json:"type"`
}

// RequestRecord is what the ledger keeps of a request id (I3): the first outcome.
type RequestRecord struct {
	Function    string `json:"function"`
	PayloadHash string `json:"payloadHash"`
	Response    string `json:"response"`
	Time        string `json:"time"`
	TxID        string `json:"txId"`
}
