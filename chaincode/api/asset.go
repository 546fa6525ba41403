package api

import "encoding/json"

// Records are JSON documents on the public ledger. Their struct fields are in alphabetical order of
// their JSON names, and no map is ever written, so that every endorsing peer produces the same bytes.

// AssetKind is the kind of an IP right (A2).
type AssetKind string

// Kinds of IP right (A2).
const (
	KindPatentInvention AssetKind = "patent-invention"
	KindPatentUtility   AssetKind = "patent-utility"
	KindPatentDesign    AssetKind = "patent-design"
	KindTrademark       AssetKind = "trademark"
	KindCopyright       AssetKind = "copyright"
)

// AssetKinds lists the kinds of IP right (A2).
var AssetKinds = []AssetKind{KindPatentInvention, KindPatentUtility, KindPatentDesign, KindTrademark, KindCopyright}

// IsPatent says whether k is one of the three patent kinds.
func (k AssetKind) IsPatent() bool {
	return k == KindPatentInvention || k == KindPatentUtility || k == KindPatentDesign
}

// LegalStatus is the legal status of an IP right (A2).
type LegalStatus string

// Legal statuses of an IP right (A2).
const (
	LegalValid       LegalStatus = "valid"
	LegalLapsed      LegalStatus = "lapsed"
	LegalInvalidated LegalStatus = "invalidated"
	LegalExpired     LegalStatus = "expired"
	LegalRevoked     LegalStatus = "revoked"
)

// LegalStatuses lists the legal statuses of an IP right (A2).
var LegalStatuses = []LegalStatus{LegalValid, LegalLapsed, LegalInvalidated, LegalExpired, LegalRevoked}

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

// Flag is a court freeze, an ownership dispute or a pending invalidation request (A2). Since is the
// date (UTC+8) of the transaction that raised it. The freeze flag is the court measure in effect
// (C1, C2): Court and Ref are its court and decision reference, Since the day it took effect.
type Flag struct {
	Active bool   `json:"active"`
	Court  string `json:"court,omitempty"`
	Ref    string `json:"ref,omitempty"`
	Since  string `json:"since,omitempty"`
}

// Change says who changed a record last, and in which transaction (I2). It is part of every written
// record, so the history of a key shows the organization and identity behind each version.
type Change struct {
	Action    string `json:"action"`
	MSP       MSPID  `json:"msp"`
	RequestID string `json:"requestId"`
	Submitter string `json:"submitter"`
	Time      string `json:"time"`
	TxID      string `json:"txId"`
}

// Encumbrance is an active pledge (registered or defaulted) as listed on the IP right it encumbers.
// Rank is the order of registration on that right, from 1 (Civil Code 414, P5); ranks are not reused.
//
// A pledge registered since security types exist also shows, for the reader of the register, its
// security type and claim-determination period (P11) and its debtors (P12).
type Encumbrance struct {
	ClaimPeriod        *ClaimPeriod `json:"claimPeriod,omitempty"`
	Debtors            []Party      `json:"debtors,omitempty"`
	PledgeID           string       `json:"pledgeId"`
	PledgeeMSP         MSPID        `json:"pledgeeMsp"`
	Rank               int          `json:"rank"`
	RegisteredAt       string       `json:"registeredAt"`
	RegistrationNumber string       `json:"registrationNumber"`
	RegistrationTxID   string       `json:"registrationTxId"`
	SecurityType       string       `json:"securityType,omitempty"`
	Status             PledgeStatus `json:"status"`
}

// License is a license of the right recorded through a transfer of kind "license" (P7), with its
// register details (L1: type, term, territory, filing number) and its early termination once the IP
// office records it (L3). A licence recorded before the register kept these details has none of them.
type License struct {
	FilingNumber  string              `json:"filingNumber,omitempty"`
	Licensees     []Owner             `json:"licensees"`
	RecordedAt    string              `json:"recordedAt"`
	TermEnd       string              `json:"termEnd,omitempty"`
	TermStart     string              `json:"termStart,omitempty"`
	Termination   *LicenseTermination `json:"termination,omitempty"`
	Territory     []string            `json:"territory,omitempty"`
	TerritoryNote string              `json:"territoryNote,omitempty"`
	TransferID    string              `json:"transferId"`
	TxID          string              `json:"txId"`
	Type          string              `json:"type,omitempty"`
}

// Asset is an IP right on the public register (A2, A3). CourtMeasures are the courts' freezes in their
// order of arrival, lifted ones included (C1, C2); Freeze is the one in effect.
type Asset struct {
	ApplicationDate string         `json:"applicationDate"`
	CourtMeasures   []CourtMeasure `json:"courtMeasures,omitempty"`
	Dispute         Flag           `json:"dispute"`
	DocType         string         `json:"docType"`
	Encumbrances    []Encumbrance  `json:"encumbrances"`
	ExpiryDate      string         `json:"expiryDate"`
	FeesPaidThrough string         `json:"feesPaidThrough,omitempty"`
	Freeze          Flag           `json:"freeze"`
	GrantDate       string         `json:"grantDate"`
	ID              string         `json:"id"`
	Invalidation    Flag           `json:"invalidation"`
	Kind            AssetKind      `json:"kind"`
	LastChange      Change         `json:"lastChange"`
	LegalStatus     LegalStatus    `json:"legalStatus"`
	Licenses        []License      `json:"licenses"`
	MarkFamily      string         `json:"markFamily,omitempty"`
	NextRank        int            `json:"nextRank"`
	NiceClass       int            `json:"niceClass,omitempty"`
	Number          string         `json:"number"`
	Owners          []Owner        `json:"owners"`
	Title           string         `json:"title"`
	TitleTxID       string         `json:"titleTxId"`
	Version         int            `json:"version"`
}

// AssetInput is the payload of RegisterAsset (A2).
type AssetInput struct {
	ApplicationDate string      `json:"applicationDate"`
	ExpiryDate      string      `json:"expiryDate"`
	FeesPaidThrough string      `json:"feesPaidThrough"`
	GrantDate       string      `json:"grantDate"`
	ID              string      `json:"id"`
	Kind            AssetKind   `json:"kind"`
	LegalStatus     LegalStatus `json:"legalStatus"`
	MarkFamily      string      `json:"markFamily"`
	NiceClass       int         `json:"niceClass"`
	Number          string      `json:"number"`
	Owners          []Owner     `json:"owners"`
	Title           string      `json:"title"`
}

// FlagInput raises (Active) or lifts a flag of an IP right; Ref is the court's or case reference.
type FlagInput struct {
	Active bool   `json:"active"`
	Ref    string `json:"ref"`
}

// AssetPatch is the payload of UpdateAsset: the fields to change; absent fields stay as they are. A
// court's freeze is not patched: RecordFreeze and LiftFreeze record the courts' measures (C1, C2).
type AssetPatch struct {
	Dispute         *FlagInput   `json:"dispute"`
	ExpiryDate      *string      `json:"expiryDate"`
	FeesPaidThrough *string      `json:"feesPaidThrough"`
	Invalidation    *FlagInput   `json:"invalidation"`
	LegalStatus     *LegalStatus `json:"legalStatus"`
	MarkFamily      *string      `json:"markFamily"`
	Title           *string      `json:"title"`
}

// MaxImportAssets bounds the rights of one ImportAssets transaction.
const MaxImportAssets = 100

// ImportInput is the payload of ImportAssets.
type ImportInput struct {
	Assets []json.RawMessage `json:"assets"`
}

// ImportResult is the response of ImportAssets.
type ImportResult struct {
	AssetIDs []string `json:"assetIds"`
	Count    int      `json:"count"`
}

// AssetsByNumber is the answer of FindAssetsByNumber.
type AssetsByNumber struct {
	Count int      `json:"count"`
	Items []*Asset `json:"items"`
}
