package readmodel

import (
	"fmt"
	"strings"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"google.golang.org/protobuf/proto"
)

// Update is what one block changes in a read model: its transactions (every one, of any namespace,
// valid or not) and the writes of its valid transactions to the namespace followed.
type Update struct {
	Number uint64
	Txs    []TxRecord
	Writes []Write
	// Definition: a valid transaction of the block wrote the _lifecycle namespace's definition of
	// the namespace followed (its "namespaces/fields/<name>/…" keys, Sequence among them): the
	// chaincode was upgraded (or its definition changed) at this block.
	Definition bool
}

// TxRecord is one transaction of the channel: what a proof carries, and its place in the block.
type TxRecord struct {
	api.Transaction
	Num int // its number in the block
}

// Write is one key written (or deleted) by a valid transaction: Collection "" for the public state.
type Write struct {
	Namespace  string
	Collection string
	Key        string
	Value      []byte
	IsDelete   bool
	// KeyHash and ValueHash (SHA-256) are a private write as every peer's block carries it, member or
	// not: Key and Value are then empty.
	KeyHash, ValueHash []byte
	// Delivered (of a hashed write): the peer delivered the transaction's private data of the
	// collection with the block, so the value is among the block's writes too. A member peer may
	// commit a block without it (requiredPeerCount 0) and fetch it later by reconciliation.
	Delivered bool
	TxID      string
	TxNum     int
	Time      time.Time
}

// ParseError is a block the read model cannot read: the follower stops on it, never skips it.
type ParseError struct {
	Block uint64
	Err   error
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("block %d cannot be read: %v", e.Block, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads a block and the private data its peer delivered with it into the update of namespace
// ns. Every valid transaction's writes to ns, and to ns's private collections present in pvt, are
// kept as the ledger's bytes, untouched; deletes too.
func Parse(b *peer.BlockAndPrivateData, ns string) (*Update, error) {
	block := b.GetBlock()
	if block.GetHeader() == nil {
		return nil, &ParseError{Err: fmt.Errorf("no block header")}
	}
	number := block.GetHeader().GetNumber()
	u := &Update{Number: number}
	md := block.GetMetadata().GetMetadata()
	if len(md) <= int(common.BlockMetadataIndex_TRANSACTIONS_FILTER) {
		return nil, &ParseError{Block: number, Err: fmt.Errorf("no transactions filter in the block's metadata")}
	}
	codes := md[common.BlockMetadataIndex_TRANSACTIONS_FILTER]
	data := block.GetData().GetData()
	if len(codes) != len(data) {
		return nil, &ParseError{Block: number, Err: fmt.Errorf("%d validation codes for %d transactions", len(codes), len(data))}
	}
	for i, raw := range data {
		code := peer.TxValidationCode(codes[i])
		var env common.Envelope
		err := proto.Unmarshal(raw, &env)
		var tx *api.Transaction
		if err == nil {
			tx, err = qscc.Decode(&env)
		}
		if err != nil {
			if code == peer.TxValidationCode_VALID {
				return nil, &ParseError{Block: number, Err: fmt.Errorf("transaction %d: %w", i, err)}
			}
			// The peers marked it invalid; the orderer checks only an envelope's header and signature, so
			// any member can have junk ordered: recorded with what decodes, it never stops the read model.
			tx = invalidRecord(&env)
		}
		tx.BlockNumber, tx.ValidationCode, tx.Valid = number, code.String(), code == peer.TxValidationCode_VALID
		if !tx.Valid {
			tx.TxID, tx.Chaincode, tx.CreatorMSP = storable(tx.TxID), storable(tx.Chaincode), storable(tx.CreatorMSP)
		}
		if tx.EndorsingOrgs == nil {
			tx.EndorsingOrgs = []string{}
		}
		u.Txs = append(u.Txs, TxRecord{Transaction: *tx, Num: i})
		if !tx.Valid {
			continue
		}
		if err := u.addTx(&env, b.GetPrivateDataMap()[uint64(i)], ns, i, tx); err != nil {
			return nil, &ParseError{Block: number, Err: fmt.Errorf("transaction %d (%s): %w", i, tx.TxID, err)}
		}
	}
	return u, nil
}

// addTx adds the writes of valid transaction number i, tx, to ns (public, and private as pvt, the
// private data its peer delivered, has them), and notes a new definition of ns.
func (u *Update) addTx(env *common.Envelope, pvt *rwset.TxPvtReadWriteSet, ns string, i int, tx *api.Transaction) error {
	sets, err := nsRWSets(env)
	if err != nil {
		return err
	}
	ws, err := publicWrites(sets, ns)
	if err != nil {
		return err
	}
	pws, err := privateWrites(pvt, ns)
	if err != nil {
		return fmt.Errorf("private data: %w", err)
	}
	delivered := map[string]bool{}
	for _, w := range pws {
		delivered[w.Collection] = true
	}
	for j := range ws {
		if ws[j].KeyHash != nil {
			ws[j].Delivered = delivered[ws[j].Collection]
		}
	}
	def, err := definitionWritten(sets, ns)
	if err != nil {
		return err
	}
	u.Definition = u.Definition || def
	for _, w := range append(ws, pws...) {
		w.TxID, w.TxNum, w.Time = tx.TxID, i, tx.Time
		u.Writes = append(u.Writes, w)
	}
	return nil
}

// nsRWSets are the read-write sets of an endorser transaction, of every namespace: envelope →
// payload → Transaction → ChaincodeActionPayload → ProposalResponsePayload → ChaincodeAction →
// TxReadWriteSet. A config transaction has none.
func nsRWSets(env *common.Envelope) ([]*rwset.NsReadWriteSet, error) {
	payload, ch, err := qscc.Header(env)
	if err != nil {
		return nil, err
	}
	if common.HeaderType(ch.GetType()) != common.HeaderType_ENDORSER_TRANSACTION {
		return nil, nil
	}
	var etx peer.Transaction
	if err := proto.Unmarshal(payload.GetData(), &etx); err != nil {
		return nil, fmt.Errorf("transaction: %w", err)
	}
	var out []*rwset.NsReadWriteSet
	for _, action := range etx.GetActions() {
		var cap peer.ChaincodeActionPayload
		if err := proto.Unmarshal(action.GetPayload(), &cap); err != nil {
			return nil, fmt.Errorf("action payload: %w", err)
		}
		var prp peer.ProposalResponsePayload
		if err := proto.Unmarshal(cap.GetAction().GetProposalResponsePayload(), &prp); err != nil {
			return nil, fmt.Errorf("proposal response payload: %w", err)
		}
		var cca peer.ChaincodeAction
		if err := proto.Unmarshal(prp.GetExtension(), &cca); err != nil {
			return nil, fmt.Errorf("chaincode action: %w", err)
		}
		var txrw rwset.TxReadWriteSet
		if err := proto.Unmarshal(cca.GetResults(), &txrw); err != nil {
			return nil, fmt.Errorf("read-write set: %w", err)
		}
		out = append(out, txrw.GetNsRwset()...)
	}
	return out, nil
}

// publicWrites are the writes of a transaction's read-write sets to namespace ns, and the hashes of
// its writes to ns's private collections.
func publicWrites(sets []*rwset.NsReadWriteSet, ns string) ([]Write, error) {
	var out []Write
	for _, nsrw := range sets {
		if nsrw.GetNamespace() != ns {
			continue
		}
		var kv kvrwset.KVRWSet
		if err := proto.Unmarshal(nsrw.GetRwset(), &kv); err != nil {
			return nil, fmt.Errorf("namespace %s: %w", ns, err)
		}
		for _, w := range kv.GetWrites() {
			out = append(out, Write{Namespace: ns, Key: w.GetKey(), Value: w.GetValue(), IsDelete: w.GetIsDelete()})
		}
		for _, ch := range nsrw.GetCollectionHashedRwset() {
			var h kvrwset.HashedRWSet
			if err := proto.Unmarshal(ch.GetHashedRwset(), &h); err != nil {
				return nil, fmt.Errorf("namespace %s, collection %s: hashed writes: %w", ns, ch.GetCollectionName(), err)
			}
			for _, w := range h.GetHashedWrites() {
				out = append(out, Write{Namespace: ns, Collection: ch.GetCollectionName(), KeyHash: w.GetKeyHash(),
					ValueHash: w.GetValueHash(), IsDelete: w.GetIsDelete()})
			}
		}
	}
	return out, nil
}

// LifecycleNamespace is the namespace of Fabric's chaincode lifecycle: committing a chaincode
// definition writes its public keys "namespaces/metadata/<name>" and "namespaces/fields/<name>/<field>"
// (Sequence, EndorsementInfo, ValidationInfo, Collections: core/chaincode/lifecycle/lifecycle.go);
// an organization's approval writes only its own implicit collection.
const LifecycleNamespace = "_lifecycle"

// definitionWritten says whether a transaction's read-write sets write the definition of chaincode
// ns in the _lifecycle namespace's public state.
func definitionWritten(sets []*rwset.NsReadWriteSet, ns string) (bool, error) {
	for _, nsrw := range sets {
		if nsrw.GetNamespace() != LifecycleNamespace {
			continue
		}
		var kv kvrwset.KVRWSet
		if err := proto.Unmarshal(nsrw.GetRwset(), &kv); err != nil {
			return false, fmt.Errorf("namespace %s: %w", LifecycleNamespace, err)
		}
		for _, w := range kv.GetWrites() {
			if k := w.GetKey(); strings.HasPrefix(k, "namespaces/fields/"+ns+"/") || k == "namespaces/metadata/"+ns {
				return true, nil
			}
		}
	}
	return false, nil
}

// privateWrites are the writes of one transaction's private data (as the peer delivered it: only
// collections the requesting identity's organization is a member of) to ns's collections.
func privateWrites(pvt *rwset.TxPvtReadWriteSet, ns string) ([]Write, error) {
	var out []Write
	for _, nsp := range pvt.GetNsPvtRwset() {
		if nsp.GetNamespace() != ns {
			continue
		}
		for _, cp := range nsp.GetCollectionPvtRwset() {
			coll := cp.GetCollectionName()
			if coll == "" || strings.ContainsRune(coll, 0) {
				return nil, fmt.Errorf("a collection without a name")
			}
			var kv kvrwset.KVRWSet
			if err := proto.Unmarshal(cp.GetRwset(), &kv); err != nil {
				return nil, fmt.Errorf("collection %s: %w", coll, err)
			}
			for _, w := range kv.GetWrites() {
				out = append(out, Write{Namespace: ns, Collection: coll, Key: w.GetKey(), Value: w.GetValue(), IsDelete: w.GetIsDelete()})
			}
		}
	}
	return out, nil
}

// invalidRecord is what a proof can say of a transaction the peers marked invalid and that does not
// decode: its id and time from its channel header when those decode, its text made storable (valid
// UTF-8, no U+0000, which PostgreSQL's TEXT refuses).
func invalidRecord(env *common.Envelope) *api.Transaction {
	tx := &api.Transaction{}
	if _, ch, err := qscc.Header(env); err == nil {
		tx.TxID, tx.Time = storable(ch.GetTxId()), ch.GetTimestamp().AsTime().UTC()
	}
	return tx
}

func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
