package api

// StateFamilies are the object types of every composite key the chaincode writes to its public
// state: the records and their indexes. ListStateKeys enumerates one of them at a time, or the simple
// keys (family ""), of which the chaincode writes none: together they are the whole namespace, so a
// checker that reads them all compares every key. The rules' test TestStateFamiliesAreEveryFamily
// fails when a family is written that is not listed here.
var StateFamilies = []string{
	"accreditation",
	"asset", "asset-by-family", "asset-by-number", "asset-by-owner", "asset-by-owner-name",
	"cover", "cover-by-insurer", "cover-by-pledge", "cover-by-policy",
	"fund-claim", "fund-claim-by-pledge", "fund-claim-by-status", "fund-rules", "fund-usage",
	"pending-disposal",
	"pledge", "pledge-by-asset", "pledge-by-debtor", "pledge-by-debtor-name", "pledge-by-overdue-month",
	"pledge-by-pledgee", "pledge-by-pledgor", "pledge-by-pledgor-name", "pledge-by-regnumber", "pledge-by-status",
	"request",
	"subsidy", "subsidy-by-basis", "subsidy-by-pledge", "subsidy-by-status",
	"transfer", "transfer-by-asset", "transfer-by-requester",
	"valuation", "valuation-by-asset", "valuation-by-bank", "valuation-by-valuer", "valuation-cited-by",
}

// PrivateFamilies are the object types of the keys the chaincode writes to a bank's terms
// collection (terms<MSP>): a pledge's terms under its "pledge" key, a filed change's under
// "pledge-change". A collection cannot be enumerated on a peer that is not a member, so a checker
// compares private data by the hashes of given keys (GetStateDigests).
var PrivateFamilies = []string{"pledge", "pledge-change"}

// ValuationPrivateFamilies are the object types of the keys the chaincode writes to a valuation
// collection (valuation-<valuer>-<bank>, F2): a report's value under its "valuation" key.
var ValuationPrivateFamilies = []string{"valuation"}

// DefaultKeyPageSize and MaxKeyPageSize bound a page of ListStateKeys: far below the peer's
// ledger.state.totalQueryLimit (100000), which truncates a range query without an error.
const (
	DefaultKeyPageSize = 200
	MaxKeyPageSize     = 1000
)

// MaxDigestKeys and MaxDigestCollections bound one GetStateDigests call.
const (
	MaxDigestKeys        = 200
	MaxDigestCollections = 20
)

// StateKey is one key of the public state with the SHA-256 of its value (lower-case hex).
type StateKey struct {
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
}

// StateKeyPage is one page of ListStateKeys: the keys of one family (or the simple keys) in key
// order, with the hash of each value. Bookmark is "" after the last page. The chaincode does not know
// the block height it read at: a checker compares, then reads again the keys that differ once its
// read model has reached the peer's height.
type StateKeyPage struct {
	Bookmark string     `json:"bookmark"`
	Count    int        `json:"count"`
	Family   string     `json:"family"`
	Items    []StateKey `json:"items"`
}

// KeyDigest is what GetStateDigests answers for one key: whether it exists in the public state and
// the SHA-256 of its value, and for each collection asked, the same of its private value. A private
// value's hash is the peer's own (GetPrivateDataHash), known on every peer, member of the collection
// or not. Absent values have no hash.
type KeyDigest struct {
	Exists  bool            `json:"exists"`
	Key     string          `json:"key"`
	Private []PrivateDigest `json:"private,omitempty"`
	SHA256  string          `json:"sha256,omitempty"`
}

// PrivateDigest is the hash of a key's value in one private data collection.
type PrivateDigest struct {
	Collection string `json:"collection"`
	Exists     bool   `json:"exists"`
	SHA256     string `json:"sha256,omitempty"`
}

// KeyDigests is the answer of GetStateDigests, one item per key asked, in the order asked.
type KeyDigests struct {
	Items []KeyDigest `json:"items"`
}
