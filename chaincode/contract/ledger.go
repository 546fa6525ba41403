package contract

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
)

// stubLedger adapts a chaincode stub to the rules' [rules.Ledger].
type stubLedger struct {
	stub shim.ChaincodeStubInterface
}

var _ rules.Ledger = stubLedger{}

func (l stubLedger) GetState(key string) ([]byte, error)     { return l.stub.GetState(key) }
func (l stubLedger) PutState(key string, value []byte) error { return l.stub.PutState(key, value) }
func (l stubLedger) DelState(key string) error               { return l.stub.DelState(key) }

func (l stubLedger) SetEndorsement(key string, e api.Endorsement) error {
	ep, err := SignaturePolicy(e)
	if err != nil {
		return err
	}
	// A key's policy never changes once set, so it is written only when it differs. Writing it again
	// on every change would make the peers refuse, as ENDORSEMENT_POLICY_FAILURE and before the
	// read-conflict check, every later transaction of the same block that writes the key: a lost race
	// would look like a wrong set of endorsers instead of MVCC_READ_CONFLICT, which clients retry.
	current, err := l.stub.GetStateValidationParameter(key)
	if err != nil {
		return err
	}
	if bytes.Equal(current, ep) {
		return nil
	}
	return l.stub.SetStateValidationParameter(key, ep)
}

func (l stubLedger) Scan(objectType string, attrs []string) ([]string, error) {
	it, err := l.stub.GetStateByPartialCompositeKey(objectType, attrs)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var keys []string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, err
		}
		keys = append(keys, kv.GetKey())
	}
	return keys, nil
}

func (l stubLedger) ScanPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]string, string, error) {
	it, meta, err := l.stub.GetStateByPartialCompositeKeyWithPagination(objectType, attrs, pageSize, bookmark)
	if err != nil {
		return nil, "", err
	}
	defer it.Close()
	var keys []string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, "", err
		}
		keys = append(keys, kv.GetKey())
	}
	next := meta.GetBookmark()
	// The peer returns a bookmark even after the last page; a short page means there is no more.
	if int32(len(keys)) < pageSize {
		next = ""
	}
	return keys, next, nil
}

func (l stubLedger) GetPrivate(collection, key string) ([]byte, error) {
	return l.stub.GetPrivateData(collection, key)
}

// PutPrivate writes at once, also in a submission's write batch: the peer checks the collection only
// when the batch reaches it, so the batch so far (the private writes, released first) is sent here
// and a collection the definition lacks refuses this write (P1 no-terms-collection) as it would
// without batching, before any public write, instead of failing the whole transaction at its end.
func (l stubLedger) PutPrivate(collection, key string, value []byte) error {
	if err := l.stub.PutPrivateData(collection, key, value); err != nil {
		return err
	}
	if err := l.stub.FinishWriteBatch(); err != nil {
		return err
	}
	l.stub.StartWriteBatch()
	return nil
}

func (l stubLedger) History(key string) ([]rules.HistoryEntry, error) {
	it, err := l.stub.GetHistoryForKey(key)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []rules.HistoryEntry
	for it.HasNext() {
		m, err := it.Next()
		if err != nil {
			return nil, err
		}
		if m.GetTimestamp() == nil {
			return nil, fmt.Errorf("history entry %s has no timestamp", m.GetTxId())
		}
		out = append(out, rules.HistoryEntry{TxID: m.GetTxId(), Time: m.GetTimestamp().AsTime(),
			IsDelete: m.GetIsDelete(), Value: m.GetValue()})
	}
	// Fabric returns the newest version first; the rules want them in order of time.
	slices.Reverse(out)
	return out, nil
}

func (l stubLedger) SetEvent(name string, payload []byte) error {
	return l.stub.SetEvent(name, payload)
}

func (l stubLedger) ScanValuesPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]rules.KV, string, error) {
	it, meta, err := l.stub.GetStateByPartialCompositeKeyWithPagination(objectType, attrs, pageSize, bookmark)
	if err != nil {
		return nil, "", err
	}
	return pageOf(it, meta.GetBookmark(), pageSize)
}

func (l stubLedger) SimpleKeysPage(pageSize int32, bookmark string) ([]rules.KV, string, error) {
	it, meta, err := l.stub.GetStateByRangeWithPagination("", "", pageSize, bookmark)
	if err != nil {
		return nil, "", err
	}
	return pageOf(it, meta.GetBookmark(), pageSize)
}

// pageOf reads one page of a paginated range query. The peer returns a bookmark even after the last
// page; a short page means there is no more.
func pageOf(it shim.StateQueryIteratorInterface, next string, pageSize int32) ([]rules.KV, string, error) {
	defer it.Close()
	var out []rules.KV
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, "", err
		}
		out = append(out, rules.KV{Key: kv.GetKey(), Value: kv.GetValue()})
	}
	if int32(len(out)) < pageSize {
		next = ""
	}
	return out, next, nil
}

func (l stubLedger) GetPrivateHash(collection, key string) ([]byte, error) {
	return l.stub.GetPrivateDataHash(collection, key)
}
