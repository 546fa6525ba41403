package rules

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// MemLedger is an in-memory [Ledger] with Fabric's semantics where the rules could notice them: writes
// are buffered until [MemLedger.Commit] and invisible to reads of the same transaction; a collection
// can be made unreadable, as on a peer that is not a member; history is kept per key; one event per
// transaction. It is for tests: the rules' own, and the gateway's HTTP tests, which run the real rules
// behind the HTTP layer with it (it is not a test file so that they can import it). Not safe for
// concurrent use.
type MemLedger struct {
	state       map[string][]byte
	policies    map[string]api.Endorsement
	private     map[string]map[string][]byte
	history     map[string][]HistoryEntry
	NonMemberOf map[string]bool // collections this "peer" may not read
	// Undefined are collections that the chaincode definition lacks (a bank's before the definition
	// gains it): reading or writing one fails with the peer's own text.
	Undefined map[string]bool

	txID     string
	txTime   time.Time
	writes   map[string][]byte // nil value: delete
	pWrites  map[string]map[string][]byte
	pols     map[string]api.Endorsement
	events   []MemEvent
	Events   []MemEvent // events of committed transactions, in order
	ReadOnly bool       // when set, ScanPage is allowed and writes fail (an evaluate)
}

// MemEvent is an event set by a transaction.
type MemEvent struct {
	Name    string
	Payload []byte
}

// NewMemLedger returns an empty ledger.
func NewMemLedger() *MemLedger {
	m := &MemLedger{state: map[string][]byte{}, policies: map[string]api.Endorsement{},
		private: map[string]map[string][]byte{}, history: map[string][]HistoryEntry{}, NonMemberOf: map[string]bool{},
		Undefined: map[string]bool{}}
	m.Begin("", time.Time{})
	return m
}

// Begin starts a transaction; its writes are pending until Commit.
func (m *MemLedger) Begin(txID string, at time.Time) {
	m.txID, m.txTime = txID, at
	m.writes, m.pWrites, m.pols, m.events = map[string][]byte{}, map[string]map[string][]byte{}, map[string]api.Endorsement{}, nil
}

// Commit applies the pending writes, in key order as a peer would.
func (m *MemLedger) Commit() {
	for _, k := range slices.Sorted(maps.Keys(m.writes)) {
		v := m.writes[k]
		if v == nil {
			delete(m.state, k)
		} else {
			m.state[k] = v
		}
		m.history[k] = append(m.history[k], HistoryEntry{TxID: m.txID, Time: m.txTime, IsDelete: v == nil, Value: v})
	}
	maps.Copy(m.policies, m.pols)
	for c, kv := range m.pWrites {
		if m.private[c] == nil {
			m.private[c] = map[string][]byte{}
		}
		maps.Copy(m.private[c], kv)
	}
	m.Events = append(m.Events, m.events...)
	m.Begin("", time.Time{})
}

// Writes returns the keys the pending transaction writes, in order; for tests of "writes nothing".
func (m *MemLedger) Writes() []string { return slices.Sorted(maps.Keys(m.writes)) }

// PendingEvents returns the events set by the pending transaction.
func (m *MemLedger) PendingEvents() []MemEvent { return m.events }

// Policy returns the committed key-level endorsement of key.
func (m *MemLedger) Policy(key string) (api.Endorsement, bool) {
	p, ok := m.policies[key]
	return p, ok
}

// Private returns a committed private value, bypassing membership.
func (m *MemLedger) Private(collection, key string) []byte { return m.private[collection][key] }

// Keys returns every committed key, in order.
func (m *MemLedger) Keys() []string { return slices.Sorted(maps.Keys(m.state)) }

// GetState implements [Ledger].
func (m *MemLedger) GetState(key string) ([]byte, error) { return m.state[key], nil }

// PutState implements [Ledger].
func (m *MemLedger) PutState(key string, value []byte) error {
	if m.ReadOnly {
		return errors.New("read-only transaction")
	}
	if key == "" || value == nil {
		return errors.New("empty key or nil value")
	}
	m.writes[key] = slices.Clone(value)
	return nil
}

// DelState implements [Ledger].
func (m *MemLedger) DelState(key string) error {
	if m.ReadOnly {
		return errors.New("read-only transaction")
	}
	m.writes[key] = nil
	return nil
}

// SetEndorsement implements [Ledger].
func (m *MemLedger) SetEndorsement(key string, e api.Endorsement) error {
	if len(e.All) == 0 {
		return errors.New("empty policy")
	}
	m.pols[key] = e
	return nil
}

func (m *MemLedger) scan(objectType string, attrs []string) []string {
	prefix := CompositeKey(objectType, attrs...)
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(m.state)) {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	return keys
}

// Scan implements [Ledger].
func (m *MemLedger) Scan(objectType string, attrs []string) ([]string, error) {
	return m.scan(objectType, attrs), nil
}

// ScanPage implements [Ledger]. The bookmark is the index of the next key.
func (m *MemLedger) ScanPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]string, string, error) {
	return m.page(m.scan(objectType, attrs), pageSize, bookmark)
}

// page is one page of keys, as ScanPage and the value scans make them.
func (m *MemLedger) page(keys []string, pageSize int32, bookmark string) ([]string, string, error) {
	if !m.ReadOnly {
		return nil, "", errors.New("paginated queries are only supported in read-only transactions")
	}
	if pageSize <= 0 {
		return nil, "", fmt.Errorf("page size %d: must be positive", pageSize)
	}
	start := 0
	if bookmark != "" {
		n, err := strconv.Atoi(bookmark)
		if err != nil || n < 0 || n > len(keys) {
			return nil, "", fmt.Errorf("bad bookmark %q", bookmark)
		}
		start = n
	}
	end := min(start+int(pageSize), len(keys))
	next := ""
	if end < len(keys) {
		next = strconv.Itoa(end)
	}
	return keys[start:end], next, nil
}

func (m *MemLedger) values(keys []string) []KV {
	out := make([]KV, len(keys))
	for i, k := range keys {
		out[i] = KV{Key: k, Value: slices.Clone(m.state[k])}
	}
	return out
}

// ScanValuesPage implements [Ledger]. The bookmark is the index of the next key.
func (m *MemLedger) ScanValuesPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]KV, string, error) {
	keys, next, err := m.page(m.scan(objectType, attrs), pageSize, bookmark)
	return m.values(keys), next, err
}

// SimpleKeysPage implements [Ledger]: the keys that are not composite keys. The bookmark is the index
// of the next key.
func (m *MemLedger) SimpleKeysPage(pageSize int32, bookmark string) ([]KV, string, error) {
	var simple []string
	for _, k := range slices.Sorted(maps.Keys(m.state)) {
		if !strings.HasPrefix(k, compositeKeyNamespace) {
			simple = append(simple, k)
		}
	}
	keys, next, err := m.page(simple, pageSize, bookmark)
	return m.values(keys), next, err
}

// GetPrivateHash implements [Ledger]: the hash is known on a peer that is not a member too.
func (m *MemLedger) GetPrivateHash(collection, key string) ([]byte, error) {
	if m.Undefined[collection] {
		return nil, fmt.Errorf("collection [%s] not defined in the collection config for chaincode [ipledger]", collection)
	}
	v, ok := m.private[collection][key]
	if !ok || v == nil {
		return nil, nil
	}
	sum := sha256.Sum256(v)
	return sum[:], nil
}

// GetPrivate implements [Ledger]; it fails for collections in NonMemberOf, as on a non-member peer.
func (m *MemLedger) GetPrivate(collection, key string) ([]byte, error) {
	if m.Undefined[collection] {
		return nil, fmt.Errorf("collection [%s] not defined in the collection config for chaincode [ipledger]", collection)
	}
	if m.NonMemberOf[collection] {
		return nil, fmt.Errorf("tx creator does not have read access permission on privatedata in chaincodeName:ipledger collectionName: %s", collection)
	}
	return m.private[collection][key], nil
}

// PutPrivate implements [Ledger].
func (m *MemLedger) PutPrivate(collection, key string, value []byte) error {
	if m.ReadOnly {
		return errors.New("read-only transaction")
	}
	if m.Undefined[collection] { // the peer's text, behind the shim's prefix
		return fmt.Errorf("PUT_STATE failed: transaction ID: %s: collection ipledger/ipledger/%s could not be found", m.txID, collection)
	}
	if m.pWrites[collection] == nil {
		m.pWrites[collection] = map[string][]byte{}
	}
	m.pWrites[collection][key] = slices.Clone(value)
	return nil
}

// History implements [Ledger].
func (m *MemLedger) History(key string) ([]HistoryEntry, error) {
	return slices.Clone(m.history[key]), nil
}

// SetEvent implements [Ledger]. Fabric keeps only the last event of a transaction; MemLedger keeps all
// so that tests can prove there is exactly one.
func (m *MemLedger) SetEvent(name string, payload []byte) error {
	m.events = append(m.events, MemEvent{Name: name, Payload: slices.Clone(payload)})
	return nil
}
