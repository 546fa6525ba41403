package api

// License types on the licence register (L1): exclusive (独占: only the licensee works the right in
// the licensed territory and term, not even the licensor), sole (排他: the licensee and the licensor,
// no one else) and ordinary (普通: the licensor may license others too). SPC interpretation on
// technology contract disputes (2004, amended 2020), art. 25.
const (
	LicenseExclusive = "exclusive"
	LicenseSole      = "sole"
	LicenseOrdinary  = "ordinary"
)

// LicenseTypes lists the licence types (L1).
var LicenseTypes = []string{LicenseExclusive, LicenseSole, LicenseOrdinary}

// ExcludesOthers says whether a licence of type typ excludes further licences in its term and
// territory (L2): exclusive and sole licences do.
func ExcludesOthers(typ string) bool { return typ == LicenseExclusive || typ == LicenseSole }

// License statuses as a statement shows them on its date (L3, L4). A licence recorded before the
// register kept licence details has no term: it is shown in force until terminated.
const (
	LicenseInForce       = "in-force"
	LicenseNotYetInForce = "not-yet-in-force"
	LicenseExpired       = "expired"
	LicenseTerminated    = "terminated"
)

// MaxLicenseTerritories bounds the region codes of one licence's territory.
const MaxLicenseTerritories = 40

// LicenseTerms are a licence's register details, given with a transfer request of kind "license"
// (L1): its type, its term (first and last day, inclusive, UTC+8 dates), its territory as region codes
// (ISO 3166-1 country, or ISO 3166-2 subdivision such as CN-HB for Hubei; a code covers its
// subdivisions) with the contract's words in TerritoryNote, and the filing number (备案号) under which
// the licence contract was filed with the IP office.
type LicenseTerms struct {
	FilingNumber  string   `json:"filingNumber"`
	TermEnd       string   `json:"termEnd"`
	TermStart     string   `json:"termStart"`
	Territory     []string `json:"territory"`
	TerritoryNote string   `json:"territoryNote,omitempty"`
	Type          string   `json:"type"`
}

// LicenseTermination is the early termination of a licence as the IP office recorded it (L3): the
// day from which the licence is no longer in force, the reason, and the recording transaction.
type LicenseTermination struct {
	At        string `json:"at"`
	Date      string `json:"date"`
	MSP       MSPID  `json:"msp"`
	Reason    string `json:"reason"`
	Submitter string `json:"submitter"`
	TxID      string `json:"txId"`
}

// TerminationInput is the payload of TerminateLicense (L3): the day from which the licence is no
// longer in force (not after the recording day) and why (early termination by agreement, rescission,
// the licensee's withdrawal...).
type TerminationInput struct {
	Date   string `json:"date"`
	Reason string `json:"reason"`
}

// StatementLicense is a licence as a statement shows it (L4): its register details and its status on
// the statement's date (in-force, not-yet-in-force or expired; terminated licences are not shown).
type StatementLicense struct {
	FilingNumber  string   `json:"filingNumber,omitempty"`
	Licensees     []Owner  `json:"licensees"`
	RecordedAt    string   `json:"recordedAt"`
	Status        string   `json:"status"`
	TermEnd       string   `json:"termEnd,omitempty"`
	TermStart     string   `json:"termStart,omitempty"`
	Territory     []string `json:"territory,omitempty"`
	TerritoryNote string   `json:"territoryNote,omitempty"`
	TransferID    string   `json:"transferId"`
	TxID          string   `json:"txId"`
	Type          string   `json:"type,omitempty"`
}
