package contract

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// world is the committed state the fake stubs share: public state, key-level policies, private data,
// history and events.
type world struct {
	state    map[string][]byte
	policies map[string][]byte
	private  map[string]map[string][]byte
	history  map[string][]*queryresult.KeyModification
	events   []*peer.ChaincodeEvent
	n        int
	// undefined are collections the chaincode definition lacks: the peer refuses their use.
	undefined map[string]bool
	// refuseBatch, when set, is the peer's refusal of every write batch sent.
	refuseBatch string
}

func newWorld() *world {
	return &world{state: map[string][]byte{}, policies: map[string][]byte{}, private: map[string]map[string][]byte{},
		history: map[string][]*queryresult.KeyModification{}, undefined: map[string]bool{}}
}

// fakeStub is a hand-written shim.ChaincodeStubInterface: the methods the contract uses are real, the
// others panic through the nil embedded interface. Writes are buffered until commit, as on a peer.
type fakeStub struct {
	shim.ChaincodeStubInterface
	w         *world
	txID      string
	ts        time.Time
	creator   []byte
	args      [][]byte
	transient map[string][]byte
	writes    map[string][]byte
	// batching is set by StartWriteBatch until FinishWriteBatch; batched says it was ever set;
	// unbatched counts the public writes (PutState, DelState, key-level policies) made outside a batch.
	batching  bool
	batched   bool
	unbatched int
	pending   error // a write of the batch the peer refuses when it is sent
	deleted   map[string]bool
	pols      map[string][]byte
	pWrites   map[string]map[string][]byte
	event     *peer.ChaincodeEvent
}

func (w *world) stub(creator []byte, transient map[string][]byte, fn string, args ...string) *fakeStub {
	w.n++
	all := [][]byte{[]byte(fn)}
	for _, a := range args {
		all = append(all, []byte(a))
	}
	sum := sha256.Sum256([]byte(fmt.Sprint("tx", w.n)))
	ts := time.Date(2025, 3, 3, 2, w.n, 0, 0, time.UTC)
	// The endorser's clock reads the proposal's time (rule I4 is tested on its own).
	clock = func() time.Time { return ts }
	return &fakeStub{w: w, txID: hex.EncodeToString(sum[:]), ts: ts,
		creator: creator, args: all, transient: transient, writes: map[string][]byte{}, deleted: map[string]bool{},
		pols: map[string][]byte{}, pWrites: map[string]map[string][]byte{}}
}

func (s *fakeStub) commit() {
	for _, k := range slices.Sorted(maps.Keys(s.writes)) {
		s.w.state[k] = s.writes[k]
		s.w.history[k] = append(s.w.history[k], &queryresult.KeyModification{TxId: s.txID, Value: s.writes[k], Timestamp: timestamppb.New(s.ts)})
	}
	for k := range s.deleted {
		delete(s.w.state, k)
		s.w.history[k] = append(s.w.history[k], &queryresult.KeyModification{TxId: s.txID, IsDelete: true, Timestamp: timestamppb.New(s.ts)})
	}
	maps.Copy(s.w.policies, s.pols)
	for c, kv := range s.pWrites {
		if s.w.private[c] == nil {
			s.w.private[c] = map[string][]byte{}
		}
		maps.Copy(s.w.private[c], kv)
	}
	if s.event != nil {
		s.w.events = append(s.w.events, s.event)
	}
}

func (s *fakeStub) GetArgs() [][]byte { return s.args }
func (s *fakeStub) GetStringArgs() []string {
	out := make([]string, len(s.args))
	for i, a := range s.args {
		out[i] = string(a)
	}
	return out
}
func (s *fakeStub) GetFunctionAndParameters() (string, []string) {
	a := s.GetStringArgs()
	return a[0], a[1:]
}
func (s *fakeStub) GetTxID() string                          { return s.txID }
func (s *fakeStub) GetChannelID() string                     { return "ipledger" }
func (s *fakeStub) GetCreator() ([]byte, error)              { return s.creator, nil }
func (s *fakeStub) GetTransient() (map[string][]byte, error) { return s.transient, nil }
func (s *fakeStub) GetTxTimestamp() (*timestamppb.Timestamp, error) {
	return timestamppb.New(s.ts), nil
}
func (s *fakeStub) GetState(key string) ([]byte, error) { return s.w.state[key], nil }
func (s *fakeStub) StartWriteBatch()                    { s.batching, s.batched = true, true }

// FinishWriteBatch sends the batch: the peer's refusal of a write in it, if any. The shim calls it
// when the function returns (the harness does).
func (s *fakeStub) FinishWriteBatch() error {
	err := s.pending
	if err == nil && s.batching && s.w.refuseBatch != "" {
		err = fmt.Errorf("failed send batch: WRITE_BATCH_STATE failed: transaction ID: %s: %s", s.txID, s.w.refuseBatch)
	}
	s.batching, s.pending = false, nil
	return err
}

func (s *fakeStub) PutState(key string, value []byte) error {
	if !s.batching {
		s.unbatched++
	}
	s.writes[key] = value
	delete(s.deleted, key)
	return nil
}
func (s *fakeStub) DelState(key string) error {
	if !s.batching {
		s.unbatched++
	}
	delete(s.writes, key)
	s.deleted[key] = true
	return nil
}
func (s *fakeStub) SetStateValidationParameter(key string, ep []byte) error {
	if !s.batching {
		s.unbatched++
	}
	s.pols[key] = ep
	return nil
}
func (s *fakeStub) GetStateValidationParameter(key string) ([]byte, error) {
	return s.w.policies[key], nil
}
func (s *fakeStub) SetEvent(name string, payload []byte) error {
	s.event = &peer.ChaincodeEvent{EventName: name, Payload: payload, TxId: s.txID}
	return nil
}
func (s *fakeStub) GetPrivateData(collection, key string) ([]byte, error) {
	if s.w.undefined[collection] {
		return nil, fmt.Errorf("GET_STATE failed: transaction ID: %s: collection [%s] not defined in the collection config for chaincode [ipledger]", s.txID, collection)
	}
	return s.w.private[collection][key], nil
}
func (s *fakeStub) PutPrivateData(collection, key string, value []byte) error {
	if s.w.undefined[collection] { // the peer's text (privdata.NoSuchCollectionError) behind the shim's
		if s.batching { // the peer sees the write when the batch is sent: the shim's text then
			s.pending = fmt.Errorf("failed send batch: WRITE_BATCH_STATE failed: transaction ID: %s: collection ipledger/ipledger/%s could not be found", s.txID, collection)
			return nil
		}
		return fmt.Errorf("PUT_STATE failed: transaction ID: %s: collection ipledger/ipledger/%s could not be found", s.txID, collection)
	}
	if s.pWrites[collection] == nil {
		s.pWrites[collection] = map[string][]byte{}
	}
	s.pWrites[collection][key] = value
	return nil
}

func (s *fakeStub) scan(objectType string, attrs []string) []*queryresult.KV {
	prefix := "\x00" + objectType + "\x00"
	for _, a := range attrs {
		prefix += a + "\x00"
	}
	var out []*queryresult.KV
	for _, k := range slices.Sorted(maps.Keys(s.w.state)) {
		if strings.HasPrefix(k, prefix) {
			out = append(out, &queryresult.KV{Key: k, Value: s.w.state[k]})
		}
	}
	return out
}

func (s *fakeStub) GetStateByPartialCompositeKey(objectType string, attrs []string) (shim.StateQueryIteratorInterface, error) {
	return &kvIter{items: s.scan(objectType, attrs)}, nil
}

func (s *fakeStub) GetStateByPartialCompositeKeyWithPagination(objectType string, attrs []string, pageSize int32,
	bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	all := s.scan(objectType, attrs)
	start := 0
	if bookmark != "" {
		start, _ = strconv.Atoi(bookmark)
	}
	end := min(start+int(pageSize), len(all))
	// Like the peer, always return a bookmark.
	return &kvIter{items: all[start:end]}, &peer.QueryResponseMetadata{FetchedRecordsCount: int32(end - start), Bookmark: strconv.Itoa(end)}, nil
}

func (s *fakeStub) GetHistoryForKey(key string) (shim.HistoryQueryIteratorInterface, error) {
	h := slices.Clone(s.w.history[key])
	slices.Reverse(h) // newest first, as Fabric returns it
	return &histIter{items: h}, nil
}

type kvIter struct{ items []*queryresult.KV }

func (i *kvIter) HasNext() bool { return len(i.items) > 0 }
func (i *kvIter) Close() error  { return nil }
func (i *kvIter) Next() (*queryresult.KV, error) {
	kv := i.items[0]
	i.items = i.items[1:]
	return kv, nil
}

type histIter struct {
	items []*queryresult.KeyModification
}

func (i *histIter) HasNext() bool { return len(i.items) > 0 }
func (i *histIter) Close() error  { return nil }
func (i *histIter) Next() (*queryresult.KeyModification, error) {
	m := i.items[0]
	i.items = i.items[1:]
	return m, nil
}

// creatorKeys are the private keys of the identities creator made, by serialized identity.
var creatorKeys sync.Map

// creator returns a serialized identity of mspID with an X.509 certificate carrying role in the
// ipledger.role attribute, encoded as fabric-ca does (extension 1.2.3.4.5.6.7.8.1). Its key is an ECDSA
// P-256 key, as fabric-ca issues, kept in creatorKeys.
func creator(t *testing.T, mspID, cn, role string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := creatorWithKey(t, mspID, cn, role, key.Public(), key)
	creatorKeys.Store(string(id), key)
	return id
}

// creatorWithKey is creator's identity with a certificate for pub, signed by signer.
func creatorWithKey(t *testing.T, mspID, cn, role string, pub crypto.PublicKey, signer crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn, OrganizationalUnit: []string{"client"}},
		Issuer: pkix.Name{CommonName: "ca." + mspID}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	if role != "" {
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1},
			Value: []byte(`{"attrs":{"hf.EnrollmentID":"` + cn + `","ipledger.role":"` + role + `"}}`)}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	id, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID,
		IdBytes: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
