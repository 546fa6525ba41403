// Package qscc reads what the ledger itself says about a transaction: its validation code, its block,
// the organizations that endorsed it and its time. It asks a peer's query system chaincode (qscc)
// through the Fabric Gateway client, so the answer comes from the peer's ledger, not from a client's
// own bookkeeping. It is the Fabric side of [api.Transaction], the unit of every proof.
package qscc

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/chaincode/api"
	"google.golang.org/protobuf/proto"
)

// Reader reads from one channel's ledger through a gateway connection.
type Reader struct {
	channel string
	qscc    *client.Contract
}

// NewReader reads the ledger of the named channel.
func NewReader(gw *client.Gateway, channel string) *Reader {
	return &Reader{channel: channel, qscc: gw.GetNetwork(channel).GetContract("qscc")}
}

// Height is the number of blocks in the channel's ledger.
func (r *Reader) Height() (uint64, error) {
	raw, err := r.qscc.EvaluateTransaction("GetChainInfo", r.channel)
	if err != nil {
		return 0, err
	}
	var info common.BlockchainInfo
	if err := proto.Unmarshal(raw, &info); err != nil {
		return 0, fmt.Errorf("chain info: %w", err)
	}
	return info.GetHeight(), nil
}

// Transaction looks a transaction up by id. One qscc call: the block that holds it gives the block
// number, the envelope and, in the block's metadata, the validation code.
func (r *Reader) Transaction(txID string) (*api.Transaction, error) {
	raw, err := r.qscc.EvaluateTransaction("GetBlockByTxID", r.channel, txID)
	if err != nil {
		return nil, err
	}
	txs, number, err := decodeBlock(raw)
	if err != nil {
		return nil, err
	}
	for _, tx := range txs {
		if tx.TxID == txID {
			return tx, nil
		}
	}
	return nil, fmt.Errorf("block %d does not hold transaction %s", number, txID)
}

// Block reads the transactions of block number, each with its validation code.
func (r *Reader) Block(number uint64) ([]*api.Transaction, error) {
	raw, err := r.qscc.EvaluateTransaction("GetBlockByNumber", r.channel, strconv.FormatUint(number, 10))
	if err != nil {
		return nil, err
	}
	txs, _, err := decodeBlock(raw)
	return txs, err
}

// decodeBlock decodes a block's transactions with their block number and validation codes (from the
// block's metadata).
func decodeBlock(raw []byte) ([]*api.Transaction, uint64, error) {
	var b common.Block
	if err := proto.Unmarshal(raw, &b); err != nil {
		return nil, 0, fmt.Errorf("block: %w", err)
	}
	number := b.GetHeader().GetNumber()
	filter := b.GetMetadata().GetMetadata()
	var codes []byte
	if int(common.BlockMetadataIndex_TRANSACTIONS_FILTER) < len(filter) {
		codes = filter[common.BlockMetadataIndex_TRANSACTIONS_FILTER]
	}
	var txs []*api.Transaction
	for i, data := range b.GetData().GetData() {
		var env common.Envelope
		if err := proto.Unmarshal(data, &env); err != nil {
			return nil, number, fmt.Errorf("block %d envelope %d: %w", number, i, err)
		}
		tx, err := Decode(&env)
		if err != nil {
			continue
		}
		tx.BlockNumber = number
		code := peer.TxValidationCode_NOT_VALIDATED
		if i < len(codes) {
			code = peer.TxValidationCode(codes[i])
		}
		tx.ValidationCode, tx.Valid = code.String(), code == peer.TxValidationCode_VALID
		txs = append(txs, tx)
	}
	return txs, number, nil
}

// Header reads an envelope's payload and the channel header in it.
func Header(env *common.Envelope) (*common.Payload, *common.ChannelHeader, error) {
	var payload common.Payload
	if err := proto.Unmarshal(env.GetPayload(), &payload); err != nil {
		return nil, nil, fmt.Errorf("payload: %w", err)
	}
	var ch common.ChannelHeader
	if err := proto.Unmarshal(payload.GetHeader().GetChannelHeader(), &ch); err != nil {
		return nil, nil, fmt.Errorf("channel header: %w", err)
	}
	return &payload, &ch, nil
}

// Decode reads the id, time, creator, chaincode and endorsing organizations of an endorser
// transaction envelope.
func Decode(env *common.Envelope) (*api.Transaction, error) {
	payload, ch, err := Header(env)
	if err != nil {
		return nil, err
	}
	tx := &api.Transaction{TxID: ch.GetTxId(), Time: ch.GetTimestamp().AsTime().UTC()}
	var sh common.SignatureHeader
	if err := proto.Unmarshal(payload.GetHeader().GetSignatureHeader(), &sh); err == nil {
		tx.CreatorMSP = mspOf(sh.GetCreator())
	}
	if common.HeaderType(ch.GetType()) != common.HeaderType_ENDORSER_TRANSACTION {
		return tx, nil
	}
	var etx peer.Transaction
	if err := proto.Unmarshal(payload.GetData(), &etx); err != nil {
		return nil, fmt.Errorf("transaction: %w", err)
	}
	seen := map[string]bool{}
	for _, action := range etx.GetActions() {
		var cap peer.ChaincodeActionPayload
		if err := proto.Unmarshal(action.GetPayload(), &cap); err != nil {
			return nil, fmt.Errorf("action payload: %w", err)
		}
		var cpp peer.ChaincodeProposalPayload
		if err := proto.Unmarshal(cap.GetChaincodeProposalPayload(), &cpp); err == nil {
			var spec peer.ChaincodeInvocationSpec
			if err := proto.Unmarshal(cpp.GetInput(), &spec); err == nil {
				tx.Chaincode = spec.GetChaincodeSpec().GetChaincodeId().GetName()
			}
		}
		for _, e := range cap.GetAction().GetEndorsements() {
			if m := mspOf(e.GetEndorser()); m != "" && !seen[m] {
				seen[m] = true
				tx.EndorsingOrgs = append(tx.EndorsingOrgs, m)
			}
		}
	}
	sort.Strings(tx.EndorsingOrgs)
	return tx, nil
}

func mspOf(serialized []byte) string {
	var id msp.SerializedIdentity
	if err := proto.Unmarshal(serialized, &id); err != nil {
		return ""
	}
	return id.GetMspid()
}
