package rules

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ipledger/ipledger/chaincode/api"
)

// Ledger is the little of a Fabric transaction that the rules need. The contract package implements it
// over shim.ChaincodeStubInterface; the rules' tests implement it in memory (memledger.go). Like Fabric, an
// implementation need not show a transaction its own writes: the rules never read what they wrote.
type Ledger interface {
	// GetState returns the committed value of key, or nil when it does not exist.
	GetState(key string) ([]byte, error)
	PutState(key string, value []byte) error
	DelState(key string) error
	// SetEndorsement sets the key-level (state-based) endorsement policy of key (I1).
	SetEndorsement(key string, e api.Endorsement) error
	// Scan returns every key of a partial composite key, in key order. Used inside submissions, on
	// small ranges only (the owner's marks of one family).
	Scan(objectType string, attrs []string) ([]string, error)
	// ScanPage returns one page of keys of a partial composite key and the bookmark of the next page
	// ("" after the last). Read-only transactions only.
	ScanPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]string, string, error)
	// ScanValuesPage is ScanPage with the values: one page of the keys of a partial composite key, in
	// key order, each with its value, and the bookmark of the next page ("" after the last).
	// Read-only transactions only.
	ScanValuesPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]KV, string, error)
	// SimpleKeysPage returns one page of the simple (not composite) keys of the namespace, in key
	// order, each with its value, and the bookmark of the next page ("" after the last): Fabric's
	// GetStateByRangeWithPagination("", "", …). Read-only transactions only.
	SimpleKeysPage(pageSize int32, bookmark string) ([]KV, string, error)
	// GetPrivate reads a private data collection. It fails on a peer that is not a member.
	GetPrivate(collection, key string) ([]byte, error)
	// GetPrivateHash returns the SHA-256 of a key's value in a private data collection, nil when
	// there is none: Fabric's GetPrivateDataHash, which works on a peer that is not a member too.
	GetPrivateHash(collection, key string) ([]byte, error)
	PutPrivate(collection, key string, value []byte) error
	// History returns every committed version of key, oldest first.
	History(key string) ([]HistoryEntry, error)
	// SetEvent sets the transaction's chaincode event; the rules call it at most once per transaction.
	SetEvent(name string, payload []byte) error
}

// KV is a key of the state and its value.
type KV struct {
	Key   string
	Value []byte
}

// HistoryEntry is one committed version of a key, from the peer's history database.
type HistoryEntry struct {
	TxID     string
	Time     time.Time
	IsDelete bool
	Value    []byte
}

// Caller is the identity that submitted the transaction.
type Caller struct {
	MSP       api.MSPID // MSP id of the submitter's organization
	Role      api.Role  // value of the ipledger.role certificate attribute, "" when absent
	Submitter string    // the submitter's identity: "x509::<subject>::<issuer>"
}

// Tx is what the rules know of the running transaction. Time is the transaction timestamp chosen by the
// client and signed in the proposal: the same on every endorsing peer, unlike the peer's clock.
type Tx struct {
	ID        string
	Time      time.Time
	Caller    Caller
	Transient map[string][]byte
}

// Composite keys use Fabric's layout (U+0000, object type, U+0000, each attribute followed by U+0000),
// so the in-memory ledger and the peer order and split them alike.
const compositeKeyNamespace = "\x00"

// CompositeKey builds a Fabric composite key. Attributes are validated ids, so they never contain U+0000.
func CompositeKey(objectType string, attrs ...string) string {
	var b strings.Builder
	b.WriteString(compositeKeyNamespace)
	b.WriteString(objectType)
	b.WriteByte(0)
	for _, a := range attrs {
		b.WriteString(a)
		b.WriteByte(0)
	}
	return b.String()
}

// SplitCompositeKey is the inverse of [CompositeKey].
func SplitCompositeKey(key string) (string, []string, error) {
	if !strings.HasPrefix(key, compositeKeyNamespace) || !strings.HasSuffix(key, "\x00") || !utf8.ValidString(key) {
		return "", nil, fmt.Errorf("not a composite key: %q", key)
	}
	parts := strings.Split(key[1:len(key)-1], "\x00")
	return parts[0], parts[1:], nil
}
