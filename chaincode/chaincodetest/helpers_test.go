//go:build integration

package chaincodetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// network holds one gateway connection per identity used, each to that organization's own peer.
type network struct {
	t   *testing.T
	sys *netctl.System
	gws map[string]*client.Gateway
}

// connect reads the network description named by IPLEDGER_SYSTEM_FILE (itest.System: the test fails
// when it is unset).
func connect(t *testing.T) *network {
	t.Helper()
	return &network{t: t, sys: itest.System(t), gws: map[string]*client.Gateway{}}
}

// gateway dials msp's own peer as user once and keeps the connection for the test. Not safe for
// concurrent use: dial every identity before starting goroutines.
func (n *network) gateway(msp, user string) *client.Gateway {
	n.t.Helper()
	key := msp + "/" + user
	gw, ok := n.gws[key]
	if !ok {
		g, conn, err := n.sys.Dial(msp, user, client.WithCommitStatusTimeout(30*time.Second))
		if err != nil {
			n.t.Fatal(err)
		}
		n.t.Cleanup(func() { g.Close(); conn.Close() })
		n.gws[key], gw = g, g
	}
	return gw
}

func (n *network) contract(msp, user string) *client.Contract {
	n.t.Helper()
	return n.gateway(msp, user).GetNetwork(n.sys.Channel).GetContract(n.sys.Chaincode.Name)
}

// ledger reads the channel's ledger (qscc) through the IP office's peer.
func (n *network) ledger() *qscc.Reader {
	return qscc.NewReader(n.gateway(string(api.MSPIPOffice), "examiner1"), n.sys.Channel)
}

// submit submits, waits for the commit on every organization's peer and returns the result and the
// endorsing organizations the ledger recorded.
func (n *network) submit(msp, user string, opts []client.ProposalOption, fn string, args ...string) ([]byte, []string) {
	n.t.Helper()
	opts = append(opts, client.WithArguments(args...))
	res, commit, err := n.contract(msp, user).SubmitAsync(fn, opts...)
	if err != nil {
		n.t.Fatalf("%s by %s: %v", fn, msp, err)
	}
	status, err := commit.Status()
	if err != nil || !status.Successful {
		n.t.Fatalf("%s by %s did not commit: %v %+v", fn, msp, err, status)
	}
	tx, err := qscc.NewReader(n.gws[msp+"/"+user], n.sys.Channel).Transaction(commit.TransactionID())
	if err != nil {
		n.t.Fatal(err)
	}
	n.waitBlock(status.BlockNumber)
	n.t.Logf("%-16s by %-12s tx %.12s… block %d endorsed by %v", fn, msp, tx.TxID, tx.BlockNumber, tx.EndorsingOrgs)
	o, ok := api.ParseOutcome(res)
	if !ok || o.Refusal != nil {
		n.t.Fatalf("%s by %s: no result: %s", fn, msp, res)
	}
	return o.Result, tx.EndorsingOrgs
}

// decision decodes a submission's answer (I3): its result, or its refusal under a rule, which is a
// successful response that commits to be kept under the request id.
func decision(res []byte) (result []byte, refusal *api.Error) {
	o, ok := api.ParseOutcome(res)
	if !ok {
		return res, nil
	}
	return o.Result, o.Refusal
}

// evaluate runs a query on msp's own peer as user and decodes its JSON answer into v.
func (n *network) evaluate(msp, user string, v any, fn string, args ...string) {
	n.t.Helper()
	out, err := n.contract(msp, user).EvaluateTransaction(fn, args...)
	if err != nil {
		n.t.Fatalf("%s(%v) by %s: %v", fn, args, msp, errorDetails(err))
	}
	if err := json.Unmarshal(out, v); err != nil {
		n.t.Fatalf("%s(%v): %s: %v", fn, args, out, err)
	}
}

func endorsers(orgs ...string) []client.ProposalOption {
	return []client.ProposalOption{client.WithEndorsingOrganizations(orgs...)}
}

// call is one submission: who, what, and which organizations endorse it.
type call struct {
	MSP, User, Fn string
	Args          []string
	Endorsers     []string
	Transient     map[string][]byte
}

func (c call) options() []client.ProposalOption {
	opts := []client.ProposalOption{client.WithArguments(c.Args...)}
	if len(c.Endorsers) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(c.Endorsers...))
	}
	if c.Transient != nil {
		opts = append(opts, client.WithTransient(c.Transient))
	}
	return opts
}

// outcome is what became of one submission: refused at endorsement (Err, with the chaincode's error in
// Refusal when there is one), or ordered and validated (Code is the peer's validation code), with its
// result or, for a refusal under a rule that commits to be kept (I3), its Refusal.
type outcome struct {
	Call    call
	Result  []byte
	TxID    string
	Err     error
	Refusal *api.Error
	Code    string
	Block   uint64
}

// valid: committed with a result (a committed refusal is valid for the peers, not a success).
func (o outcome) valid() bool { return o.Err == nil && o.Code == "VALID" && o.Refusal == nil }

// race submits every call at once, from its own goroutine released by one signal, and waits for every
// commit status.
func (n *network) race(calls []call) []outcome {
	n.t.Helper()
	contracts := make([]*client.Contract, len(calls))
	for i, c := range calls {
		contracts[i] = n.contract(c.MSP, c.User)
	}
	out := make([]outcome, len(calls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			o := outcome{Call: c}
			res, commit, err := contracts[i].SubmitAsync(c.Fn, c.options()...)
			if err != nil {
				o.Err = err
				o.Refusal, _ = api.ParseError(errorDetails(err))
				out[i] = o
				return
			}
			o.Result, o.Refusal = decision(res)
			o.TxID = commit.TransactionID()
			st, err := commit.Status()
			if err != nil {
				o.Err = err
			} else {
				o.Code, o.Block = st.Code.String(), st.BlockNumber
			}
			out[i] = o
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// commitAll submits calls concurrently and fails the test unless every one commits valid. Use it only
// for calls that cannot conflict (they write disjoint keys).
func (n *network) commitAll(what string, calls []call) [][]byte {
	n.t.Helper()
	begin := time.Now()
	res := make([][]byte, len(calls))
	outs := n.race(calls)
	for i, o := range outs {
		if !o.valid() {
			n.t.Fatalf("%s: %s by %s: %s %v", what, o.Call.Fn, o.Call.MSP, o.Code, errorDetails(o.Err))
		}
		res[i] = o.Result
	}
	n.waitAll(outs)
	n.t.Logf("fixture: %-40s %2d transactions committed in %v", what, len(calls), time.Since(begin).Round(time.Millisecond))
	return res
}

// waitAll waits until every organization's peer has committed the blocks of the outcomes, so the next
// step may read or endorse on any peer.
func (n *network) waitAll(outs []outcome) {
	n.t.Helper()
	var last uint64
	for _, o := range outs {
		last = max(last, o.Block)
	}
	n.waitBlock(last)
}

// waitBlock waits until every organization's peer has committed block.
func (n *network) waitBlock(block uint64) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.sys.WaitForBlock(ctx, block); err != nil {
		n.t.Fatal(err)
	}
}

// blockTxIDs returns the transaction ids in blocks [from, to) of the channel.
func (n *network) blockTxIDs(from, to uint64) map[string]bool {
	n.t.Helper()
	q := n.gateway(string(api.MSPIPOffice), "examiner1").GetNetwork(n.sys.Channel).GetContract("qscc")
	ids := map[string]bool{}
	for b := from; b < to; b++ {
		raw, err := q.EvaluateTransaction("GetBlockByNumber", n.sys.Channel, strconv.FormatUint(b, 10))
		if err != nil {
			n.t.Fatalf("block %d: %v", b, err)
		}
		var block common.Block
		if err := proto.Unmarshal(raw, &block); err != nil {
			n.t.Fatalf("block %d: %v", b, err)
		}
		for _, data := range block.GetData().GetData() {
			var env common.Envelope
			if err := proto.Unmarshal(data, &env); err != nil {
				n.t.Fatalf("block %d: %v", b, err)
			}
			tx, err := qscc.Decode(&env)
			if err != nil {
				n.t.Fatalf("block %d: %v", b, err)
			}
			ids[tx.TxID] = true
		}
	}
	return ids
}

// errorDetails flattens a gateway error and the peers' messages in its gRPC status details, where the
// chaincode's JSON error is.
func errorDetails(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, d := range status.Convert(err).Details() {
		if ed, ok := d.(*gateway.ErrorDetail); ok {
			s += " " + ed.GetMessage()
		}
	}
	return s
}

// Payloads. Every right belongs to one company, which pledges it.
const (
	ownerID   = "91420100MA4K0001X"
	ownerName = "Wuhan Optics Co."
)

// runID makes ids unique to one run, so tests can run again on the same network.
func runID() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// patentJSON is a valid RegisterAsset payload for a granted invention patent, fees paid, owned by
// ownerID.
func patentJSON(t *testing.T, id string) string {
	return mustJSON(t, api.AssetInput{ID: id, Kind: api.KindPatentInvention, Number: id, Title: "Test patent " + id,
		Owners:          []api.Owner{{ID: ownerID, Name: ownerName, Share: 10000}},
		ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15", FeesPaidThrough: "2099-01-01"})
}

// applicationJSON is a valid ApplyPledge payload for the rights, debt term 2025-03-01 to 2027-03-01.
func applicationJSON(t *testing.T, pledgeeName string, assetIDs ...string) string {
	return mustJSON(t, api.PledgeApplication{AssetIDs: assetIDs, ContractHash: strings.Repeat("c", 64), DebtKind: "loan",
		DebtTermStart: "2025-03-01", DebtTermEnd: "2027-03-01", PledgeeName: pledgeeName,
		Pledgors: []api.Party{{ID: ownerID, Name: ownerName}}})
}

// termsTransient is a transient map with valid private terms and a fresh salt.
func termsTransient(t *testing.T) map[string][]byte {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	return map[string][]byte{"terms": []byte(mustJSON(t, api.Terms{Amount: "5000000.00", Currency: "CNY",
		InterestRate: "3.85", Salt: hex.EncodeToString(salt), Scope: "principal and interest"}))}
}

// tradeJSON is a RequestTransfer payload from the exchange: an assignment of the right to buyer.
func tradeJSON(t *testing.T, assetID, buyer, tradeRef string) string {
	return mustJSON(t, api.TransferRequest{AssetID: assetID, Kind: "assignment", Origin: "trade", TradeRef: tradeRef,
		NewOwners: []api.Owner{{ID: buyer, Name: "Buyer " + buyer, Share: 10000}}})
}

func pledgeOf(t *testing.T, raw []byte) api.Pledge {
	t.Helper()
	var p api.Pledge
	if err := json.Unmarshal(raw, &p); err != nil || p.ID == "" {
		t.Fatalf("not a pledge: %s %v", raw, err)
	}
	return p
}

func transferOf(t *testing.T, raw []byte) api.Transfer {
	t.Helper()
	var tr api.Transfer
	if err := json.Unmarshal(raw, &tr); err != nil || tr.ID == "" {
		t.Fatalf("not a transfer: %s %v", raw, err)
	}
	return tr
}

func describe(o outcome) string {
	switch {
	case o.Refusal != nil:
		return fmt.Sprintf("refused %s/%s", o.Refusal.Code, o.Refusal.Details["reason"])
	case o.Err != nil:
		return "error " + errorDetails(o.Err)
	default:
		return o.Code
	}
}
