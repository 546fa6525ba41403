package readmodel

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// stores opens a fresh store of every driver the test can reach: SQLite always, PostgreSQL when
// IPLEDGER_TEST_POSTGRES_DSN names a server (its tables are dropped first and after).
func stores(t testing.TB) map[string]func(t testing.TB) *Store {
	out := map[string]func(t testing.TB) *Store{
		"sqlite": func(t testing.TB) *Store {
			return openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")})
		},
	}
	if dsn := os.Getenv("IPLEDGER_TEST_POSTGRES_DSN"); dsn != "" {
		out["postgres"] = func(t testing.TB) *Store {
			cfg := gateway.ReadModelConfig{Driver: "postgres", DSN: dsn}
			s := openT(t, cfg)
			drop(t, s)
			s.Close()
			s = openT(t, cfg)
			t.Cleanup(func() { drop(t, s) })
			return s
		}
	}
	return out
}

func drop(t testing.TB, s *Store) {
	for _, tbl := range []string{"rm_meta", "rm_state", "rm_history", "rm_tx", "rm_collection", "rm_pvt_hash", "rm_pvt_missing"} {
		if _, err := s.w.Exec(`DROP TABLE IF EXISTS ` + tbl); err != nil {
			t.Fatal(err)
		}
	}
}

func openT(t testing.TB, cfg gateway.ReadModelConfig) *Store {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// kv is one write of a transaction built in a test: coll "" for the public state.
type kv struct {
	coll, key string
	value     []byte
	del       bool
}

// txSpec is one transaction of a block built in a test.
type txSpec struct {
	id        string
	creator   string
	endorsers []string
	code      peer.TxValidationCode
	at        time.Time
	writes    []kv
	ns        string // "" for ipledger
}

func serialized(mspID string) []byte {
	b, _ := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: []byte("-----BEGIN CERTIFICATE-----")})
	return b
}

func mustMarshal(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// block builds a committed block as the peer delivers it, with the private data of the given
// transactions (by number) of the collections listed in withPvt (nil: every collection written).
func block(number uint64, txs []txSpec, withPvt func(coll string) bool) *peer.BlockAndPrivateData {
	b := &common.Block{Header: &common.BlockHeader{Number: number}, Data: &common.BlockData{},
		Metadata: &common.BlockMetadata{Metadata: make([][]byte, 5)}}
	codes := make([]byte, len(txs))
	pvt := map[uint64]*rwset.TxPvtReadWriteSet{}
	for i, tx := range txs {
		ns := tx.ns
		if ns == "" {
			ns = Namespace
		}
		codes[i] = byte(tx.code)
		var pub kvrwset.KVRWSet
		colls := map[string]*kvrwset.KVRWSet{}
		var collOrder []string
		for _, w := range tx.writes {
			kw := &kvrwset.KVWrite{Key: w.key, Value: w.value, IsDelete: w.del}
			if w.coll == "" {
				pub.Writes = append(pub.Writes, kw)
				continue
			}
			if colls[w.coll] == nil {
				colls[w.coll] = &kvrwset.KVRWSet{}
				collOrder = append(collOrder, w.coll)
			}
			colls[w.coll].Writes = append(colls[w.coll].Writes, kw)
		}
		// Every private write is in the block as hashes, for members and non-members alike.
		nsrw := &rwset.NsReadWriteSet{Namespace: ns, Rwset: mustMarshal(&pub)}
		for _, c := range collOrder {
			var h kvrwset.HashedRWSet
			for _, w := range colls[c].Writes {
				kh, vh := sha256.Sum256([]byte(w.Key)), sha256.Sum256(w.Value)
				h.HashedWrites = append(h.HashedWrites, &kvrwset.KVWriteHash{KeyHash: kh[:], ValueHash: vh[:], IsDelete: w.IsDelete})
			}
			nsrw.CollectionHashedRwset = append(nsrw.CollectionHashedRwset, &rwset.CollectionHashedReadWriteSet{CollectionName: c,
				HashedRwset: mustMarshal(&h)})
		}
		txrw := &rwset.TxReadWriteSet{DataModel: rwset.TxReadWriteSet_KV, NsRwset: []*rwset.NsReadWriteSet{nsrw}}
		var nsp *rwset.NsPvtReadWriteSet
		for _, c := range collOrder {
			if withPvt != nil && !withPvt(c) {
				continue
			}
			if nsp == nil {
				nsp = &rwset.NsPvtReadWriteSet{Namespace: ns}
			}
			nsp.CollectionPvtRwset = append(nsp.CollectionPvtRwset, &rwset.CollectionPvtReadWriteSet{CollectionName: c, Rwset: mustMarshal(colls[c])})
		}
		if nsp != nil {
			pvt[uint64(i)] = &rwset.TxPvtReadWriteSet{DataModel: rwset.TxReadWriteSet_KV, NsPvtRwset: []*rwset.NsPvtReadWriteSet{nsp}}
		}
		cca := &peer.ChaincodeAction{Results: mustMarshal(txrw)}
		prp := &peer.ProposalResponsePayload{Extension: mustMarshal(cca)}
		var ends []*peer.Endorsement
		for _, e := range tx.endorsers {
			ends = append(ends, &peer.Endorsement{Endorser: serialized(e)})
		}
		cpp := &peer.ChaincodeProposalPayload{Input: mustMarshal(&peer.ChaincodeInvocationSpec{
			ChaincodeSpec: &peer.ChaincodeSpec{ChaincodeId: &peer.ChaincodeID{Name: ns}}})}
		cap := &peer.ChaincodeActionPayload{ChaincodeProposalPayload: mustMarshal(cpp),
			Action: &peer.ChaincodeEndorsedAction{ProposalResponsePayload: mustMarshal(prp), Endorsements: ends}}
		etx := &peer.Transaction{Actions: []*peer.TransactionAction{{Payload: mustMarshal(cap)}}}
		ch := &common.ChannelHeader{Type: int32(common.HeaderType_ENDORSER_TRANSACTION), TxId: tx.id, ChannelId: "ipledger",
			Timestamp: timestamppb.New(tx.at)}
		sh := &common.SignatureHeader{Creator: serialized(tx.creator)}
		payload := &common.Payload{Header: &common.Header{ChannelHeader: mustMarshal(ch), SignatureHeader: mustMarshal(sh)},
			Data: mustMarshal(etx)}
		b.Data.Data = append(b.Data.Data, mustMarshal(&common.Envelope{Payload: mustMarshal(payload)}))
	}
	b.Metadata.Metadata[common.BlockMetadataIndex_TRANSACTIONS_FILTER] = codes
	return &peer.BlockAndPrivateData{Block: b, PrivateDataMap: pvt}
}

// configBlock is a block of one config transaction (no endorsements, no writes).
func configBlock(number uint64) *peer.BlockAndPrivateData {
	ch := &common.ChannelHeader{Type: int32(common.HeaderType_CONFIG), TxId: "", ChannelId: "ipledger", Timestamp: timestamppb.Now()}
	payload := &common.Payload{Header: &common.Header{ChannelHeader: mustMarshal(ch),
		SignatureHeader: mustMarshal(&common.SignatureHeader{Creator: serialized("OrdererMSP")})}}
	b := &common.Block{Header: &common.BlockHeader{Number: number},
		Data:     &common.BlockData{Data: [][]byte{mustMarshal(&common.Envelope{Payload: mustMarshal(payload)})}},
		Metadata: &common.BlockMetadata{Metadata: [][]byte{nil, nil, {0}, nil, nil}}}
	return &peer.BlockAndPrivateData{Block: b}
}

func apply(t *testing.T, s *Store, b *peer.BlockAndPrivateData) bool {
	t.Helper()
	u, err := Parse(b, Namespace)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := s.Apply(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return applied
}

func txid(n int) string {
	sum := sha256.Sum256([]byte(fmt.Sprint("tx", n)))
	return hex.EncodeToString(sum[:])
}

var t0 = time.Date(2025, 3, 3, 2, 0, 0, 123456789, time.UTC)

func readState(t *testing.T, s *Store, coll, key string) []byte {
	t.Helper()
	var out []byte
	if _, err := s.Read(context.Background(), func(v *View) error {
		var err error
		l := &ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}
		if coll == "" {
			out, err = l.GetState(key)
		} else {
			out, err = l.GetPrivate(coll, key)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A valid transaction's writes are applied, public and private, deletes too; an invalid one's are
// not, yet its record (code, block, endorsers, creator, time) is kept like a valid one's; the private
// data of a collection the peer did not deliver leaves nothing.
func TestApply_ValidInvalidDeletesAndPrivateData(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			apply(t, s, configBlock(0))
			apply(t, s, block(1, []txSpec{
				{id: txid(1), creator: "IPOfficeMSP", endorsers: []string{"IPOfficeMSP", "Bank1MSP"}, at: t0,
					writes: []kv{{key: "a", value: []byte("1")}, {key: "gone", value: []byte("x")},
						{coll: "termsBank1MSP", key: "p", value: []byte("secret")}, {coll: "termsBank2MSP", key: "q", value: []byte("other")}}},
				{id: txid(2), creator: "Bank2MSP", endorsers: []string{"IPOfficeMSP"}, at: t0.Add(time.Second),
					code: peer.TxValidationCode_MVCC_READ_CONFLICT, writes: []kv{{key: "a", value: []byte("never")}}},
				{id: txid(3), creator: "Bank1MSP", endorsers: []string{"Bank1MSP"}, at: t0, ns: "othercc",
					writes: []kv{{key: "a", value: []byte("other namespace")}}},
			}, func(c string) bool { return c == "termsBank1MSP" }))
			apply(t, s, block(2, []txSpec{{id: txid(4), creator: "IPOfficeMSP", endorsers: []string{"IPOfficeMSP"}, at: t0.Add(time.Minute),
				writes: []kv{{key: "gone", del: true}, {key: "a", value: []byte("2")}}}}, nil))

			if got := readState(t, s, "", "a"); string(got) != "2" {
				t.Errorf("a = %q, want 2 (the invalid transaction's write is not applied)", got)
			}
			if got := readState(t, s, "", "gone"); got != nil {
				t.Errorf("a deleted key reads %q", got)
			}
			if got := readState(t, s, "termsBank1MSP", "p"); string(got) != "secret" {
				t.Errorf("private p = %q", got)
			}
			if n, _ := s.Count(context.Background(), "termsBank2MSP"); n != 0 {
				t.Errorf("%d rows of a collection the peer did not deliver", n)
			}
			colls, _ := s.Collections(context.Background())
			if !slices.Equal(colls, []string{"ipledger/termsBank1MSP"}) {
				t.Errorf("collections %v", colls)
			}
			h, err := s.Read(context.Background(), func(v *View) error {
				bad, err := v.Transaction(txid(2))
				if err != nil {
					return err
				}
				want := api.Transaction{TxID: txid(2), ValidationCode: "MVCC_READ_CONFLICT", BlockNumber: 1, Time: t0.Add(time.Second),
					CreatorMSP: "Bank2MSP", Chaincode: "ipledger", EndorsingOrgs: []string{"IPOfficeMSP"}}
				if !equalTx(*bad, want) {
					t.Errorf("invalid transaction %+v, want %+v", *bad, want)
				}
				good, err := v.Transaction(txid(1))
				if err != nil {
					return err
				}
				if !good.Valid || !slices.Equal(good.EndorsingOrgs, []string{"Bank1MSP", "IPOfficeMSP"}) || !good.Time.Equal(t0) {
					t.Errorf("valid transaction %+v", *good)
				}
				if _, err := v.Transaction(txid(3)); err != nil {
					t.Errorf("a transaction of another namespace is not recorded: %v", err)
				}
				_, err = v.Transaction("nope")
				if e, ok := api.AsError(err); !ok || e.Code != api.CodeNotFound {
					t.Errorf("an unknown transaction: %v", err)
				}
				hist, err := (&ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}).History("gone")
				if err != nil {
					return err
				}
				if len(hist) != 2 || hist[0].TxID != txid(1) || hist[0].IsDelete || !hist[1].IsDelete || hist[1].TxID != txid(4) ||
					!hist[1].Time.Equal(t0.Add(time.Minute)) {
					t.Errorf("history of gone: %+v", hist)
				}
				return nil
			})
			if err != nil || h != 3 {
				t.Fatalf("read at height %d: %v", h, err)
			}
		})
	}
}

func equalTx(a, b api.Transaction) bool {
	return a.TxID == b.TxID && a.ValidationCode == b.ValidationCode && a.Valid == b.Valid && a.BlockNumber == b.BlockNumber &&
		a.Time.Equal(b.Time) && a.CreatorMSP == b.CreatorMSP && a.Chaincode == b.Chaincode && slices.Equal(a.EndorsingOrgs, b.EndorsingOrgs)
}

// A record with a field the gateway's types do not know is stored and answered byte for byte.
func TestApply_UnknownFieldKeptByteForByte(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			raw := []byte(`{"id":"X1","futureField":{"added":"by an upgrade"},"kind":"patent-invention","zeros":"\u0000\u00ff"}`)
			key := rules.CompositeKey("asset", "X1")
			apply(t, s, block(0, []txSpec{{id: txid(1), creator: "IPOfficeMSP", at: t0, writes: []kv{{key: key, value: raw}}}}, nil))
			if got := readState(t, s, "", key); !bytes.Equal(got, raw) {
				t.Fatalf("stored %q, want %q", got, raw)
			}
		})
	}
}

// Each block is applied once: a block below the height is skipped, one above it refused, and a store
// reopened (a restart) resumes at the height it had.
func TestApply_ExactlyOnceAndResumesAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rm.db")
	cfg := gateway.ReadModelConfig{Driver: "sqlite", Path: path}
	s := openT(t, cfg)
	apply(t, s, configBlock(0))
	apply(t, s, block(1, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0, writes: []kv{{key: "k", value: []byte("1")}}}}, nil))
	if apply(t, s, block(1, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0, writes: []kv{{key: "k", value: []byte("again")}}}}, nil)) {
		t.Fatal("block 1 applied twice")
	}
	u, _ := Parse(configBlock(5), Namespace)
	var gap *ErrGap
	if _, err := s.Apply(context.Background(), u); !errors.As(err, &gap) {
		t.Fatalf("a block above the height: %v", err)
	}
	s.Close()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the store's file mode: %v %v", fi.Mode().Perm(), err)
	}
	s2 := openT(t, cfg)
	if s2.Height() != 2 {
		t.Fatalf("reopened at height %d, want 2", s2.Height())
	}
	if got := readState(t, s2, "", "k"); string(got) != "1" {
		t.Fatalf("k = %q", got)
	}
	apply(t, s2, block(2, []txSpec{{id: txid(2), creator: "Bank1MSP", at: t0, writes: []kv{{key: "k", value: []byte("2")}}}}, nil))
	if s2.Height() != 3 {
		t.Fatalf("height %d", s2.Height())
	}
}

// A store written by a newer schema is refused with a clear error.
func TestOpen_RefusesNewerSchema(t *testing.T) {
	cfg := gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")}
	s := openT(t, cfg)
	if _, err := s.w.Exec(`UPDATE rm_meta SET value = $1 WHERE name = 'schema_version'`, SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "newer than this gateway's") {
		t.Fatalf("a newer schema: %v", err)
	}
}

// A block the read model cannot read is an error, never skipped.
func TestParse_UnreadableBlockIsAnError(t *testing.T) {
	b := block(3, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0}}, nil)
	b.Block.Data.Data[0] = []byte{0xff, 0xff, 0xff}
	var pe *ParseError
	if _, err := Parse(b, Namespace); !errors.As(err, &pe) || pe.Block != 3 {
		t.Fatalf("want a ParseError of block 3, got %v", err)
	}
	b = block(4, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0}}, nil)
	b.Block.Metadata.Metadata[common.BlockMetadataIndex_TRANSACTIONS_FILTER] = nil
	if _, err := Parse(b, Namespace); !errors.As(err, &pe) {
		t.Fatalf("a block without validation codes: %v", err)
	}
}

// A transaction the peers marked invalid is recorded with what decodes of it, however junk its data:
// any member can have junk ordered, and it must not stop every read model; the block's valid
// transactions are applied.
func TestParse_JunkMarkedInvalidIsRecordedNotAStop(t *testing.T) {
	b := block(3, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0}, {id: txid(2), creator: "Bank1MSP", at: t0,
		writes: []kv{{key: "k", value: []byte("v")}}}}, nil)
	b.Block.Data.Data[0] = []byte{0xff, 0xff, 0xff}
	b.Block.Metadata.Metadata[common.BlockMetadataIndex_TRANSACTIONS_FILTER][0] = byte(peer.TxValidationCode_BAD_PAYLOAD)
	u, err := Parse(b, Namespace)
	if err != nil {
		t.Fatalf("a junk transaction marked invalid stops the read model: %v", err)
	}
	if len(u.Txs) != 2 || u.Txs[0].Valid || u.Txs[0].ValidationCode != "BAD_PAYLOAD" || len(u.Writes) != 1 {
		t.Errorf("recorded %+v, writes %+v", u.Txs, u.Writes)
	}
}

// The hashes of every private write are kept, of collections the organization is not a member of
// too (their values never reach it): what the chaincode's GetPrivateDataHash answers; a delete
// removes the hash.
func TestApply_PrivateHashesOfEveryCollection(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			apply(t, s, configBlock(0))
			apply(t, s, block(1, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0, writes: []kv{{coll: "termsBank1MSP", key: "p1", value: []byte("terms")}}}},
				func(string) bool { return false }))
			hash := func() []byte {
				var h []byte
				if _, err := s.Read(context.Background(), func(v *View) error {
					var err error
					h, err = (&ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}).GetPrivateHash("termsBank1MSP", "p1")
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return h
			}
			want := sha256.Sum256([]byte("terms"))
			if got := hash(); string(got) != string(want[:]) {
				t.Errorf("the hash of a non-member collection's value: %x, want %x", got, want)
			}
			if n, _ := s.Count(context.Background(), "termsBank1MSP"); n != 0 {
				t.Errorf("%d values of a collection the peer did not deliver", n)
			}
			apply(t, s, block(2, []txSpec{{id: txid(2), creator: "Bank1MSP", at: t0, writes: []kv{{coll: "termsBank1MSP", key: "p1", del: true}}}},
				func(string) bool { return false }))
			if got := hash(); got != nil {
				t.Errorf("after a delete: %x", got)
			}
		})
	}
}

// Pages follow the peer's LevelDB bookmarks: the bookmark is the next page's first key, "" after the
// last; keys in bytewise order; the range of a partial composite key ends at prefix + U+10FFFF.
func TestScanPage_BookmarksAsLevelDB(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			var writes []kv
			for _, id := range []string{"b", "a", "c", "\u00e9", "d", "\U0010fffe"} {
				writes = append(writes, kv{key: rules.CompositeKey("idx", "S", id), value: []byte{0}})
			}
			writes = append(writes, kv{key: rules.CompositeKey("idx", "T", "a"), value: []byte{0}},
				kv{key: rules.CompositeKey("idy", "S", "a"), value: []byte{0}})
			apply(t, s, block(0, []txSpec{{id: txid(1), creator: "Bank1MSP", at: t0, writes: writes}}, nil))
			_, err := s.Read(context.Background(), func(v *View) error {
				l := &ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}
				all, err := l.Scan("idx", []string{"S"})
				if err != nil {
					return err
				}
				want := []string{"a", "b", "c", "d", "\u00e9", "\U0010fffe"}
				for i, k := range all {
					_, attrs, _ := rules.SplitCompositeKey(k)
					if attrs[1] != want[i] {
						t.Errorf("key %d: %q, want %q", i, attrs[1], want[i])
					}
				}
				if len(all) != len(want) {
					t.Fatalf("scan: %d keys, want %d", len(all), len(want))
				}
				page, next, err := l.ScanPage("idx", []string{"S"}, 4, "")
				if err != nil || len(page) != 4 || next != all[4] {
					t.Fatalf("first page %q next %q %v", page, next, err)
				}
				page, next, err = l.ScanPage("idx", []string{"S"}, 2, next)
				if err != nil || !slices.Equal(page, all[4:]) || next != "" {
					t.Fatalf("last (full) page %q next %q %v", page, next, err)
				}
				page, next, err = l.ScanPage("idx", []string{"S"}, 3, all[4])
				if err != nil || len(page) != 2 || next != "" {
					t.Fatalf("short page %q next %q %v", page, next, err)
				}
				if err := l.PutState("x", nil); err == nil {
					t.Error("a write succeeded")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Every read-only operation of the catalogue but Ping and PlanSubmission resolves to a rules method
// whose arguments are strings and int32s, as many as the catalogue's.
func TestEveryReadOnlyOperationResolves(t *testing.T) {
	n := 0
	for _, op := range api.Operations {
		if !op.ReadOnly || op.Name == api.Ping.Name || op.Name == api.PlanSubmission.Name {
			continue
		}
		n++
		m, ok := methods[op.Name]
		if !ok {
			t.Errorf("%s: no *rules.Service method", op.Name)
			continue
		}
		if len(m.args) != len(op.Args) {
			t.Errorf("%s: %d arguments, the catalogue has %d", op.Name, len(m.args), len(op.Args))
		}
	}
	t.Logf("FIGURE read-only operations resolved: %d", n)
	if len(ReadOnlyOperations()) != n {
		t.Errorf("resolved %d of %d", len(ReadOnlyOperations()), n)
	}
}
