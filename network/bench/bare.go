package bench

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"github.com/ipledger/ipledger/network/netctl"
)

// Bare drives the chaincode with the Fabric Gateway client directly, as the HTTP gateway does inside:
// the IP office's examiner and Bank1's loan officer, each over one connection to its own peer, naming
// the endorsing organizations docs/chaincode.md lists.
type Bare struct {
	ipoffice, bank1 *client.Contract
	ledger          *qscc.Reader     // through the IP office's peer
	bankLedger      *qscc.Reader     // through Bank1's peer
	qscc            *client.Contract // the IP office's peer's qscc, for whole blocks
	gateway         *client.Gateway  // the IP office's examiner's, for other chaincodes (register.go)
	channel         string
	closers         []func()
}

// NewBare connects the bare client to a running network.
func NewBare(sys *netctl.System) (*Bare, error) {
	b := &Bare{}
	dial := func(msp, user string) (*client.Gateway, error) {
		gw, conn, err := sys.Dial(msp, user)
		if err != nil {
			return nil, err
		}
		b.closers = append(b.closers, func() { gw.Close(); conn.Close() })
		return gw, nil
	}
	ipo, err := dial(string(api.MSPIPOffice), "examiner1")
	if err != nil {
		return nil, err
	}
	bank, err := dial(string(api.MSPBank1), "officer1")
	if err != nil {
		b.Close()
		return nil, err
	}
	b.gateway = ipo
	b.ipoffice = ipo.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
	b.bank1 = bank.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
	b.ledger = qscc.NewReader(ipo, sys.Channel)
	b.qscc, b.channel = ipo.GetNetwork(sys.Channel).GetContract("qscc"), sys.Channel
	b.bankLedger = qscc.NewReader(bank, sys.Channel)
	return b, nil
}

// Name is "bare".
func (b *Bare) Name() string { return "bare" }

// Close closes the connections.
func (b *Bare) Close() {
	for _, c := range b.closers {
		c()
	}
}

// commitTx endorses, submits and waits for the commit of one proposal; it answers the transaction
// and its commit status.
func commitTx(ctx context.Context, c *client.Contract, fn string, opts ...client.ProposalOption) (*client.Transaction, *client.Status, error) {
	proposal, err := c.NewProposal(fn, opts...)
	if err != nil {
		return nil, nil, err
	}
	tx, err := proposal.EndorseWithContext(ctx)
	if err != nil {
		return nil, nil, err
	}
	commit, err := tx.SubmitWithContext(ctx)
	if err != nil {
		return nil, nil, err
	}
	status, err := commit.StatusWithContext(ctx)
	if err != nil {
		return nil, nil, err
	}
	return tx, status, nil
}

// submitBlock endorses, submits and waits for the commit, and answers the result and the block.
func submitBlock(ctx context.Context, c *client.Contract, fn string, opts ...client.ProposalOption) ([]byte, uint64, error) {
	tx, status, err := commitTx(ctx, c, fn, opts...)
	if err != nil {
		return nil, 0, err
	}
	if !status.Successful {
		return nil, 0, fmt.Errorf("%s: transaction %s committed as %s", fn, status.TransactionID, status.Code)
	}
	o, ok := api.ParseOutcome(tx.Result())
	switch {
	case !ok:
		return nil, 0, fmt.Errorf("%s: no outcome: %.200s", fn, tx.Result())
	case o.Refusal != nil:
		return nil, 0, fmt.Errorf("%s: refused: %w", fn, o.Refusal)
	}
	return o.Result, status.BlockNumber, nil
}

// waitEndorsers waits until both endorsers of a pledge's transactions, the IP office's peer and
// Bank1's, have committed block: each reads the state the last step left, or their answers differ
// ("ProposalResponsePayloads do not match" — a release of hundreds of rights takes the second peer a
// moment longer to commit than the first).
func (b *Bare) waitEndorsers(ctx context.Context, block uint64) error {
	if err := netctl.WaitForHeight(ctx, b.ledger, block+1); err != nil {
		return err
	}
	return netctl.WaitForHeight(ctx, b.bankLedger, block+1)
}

var pledgeEndorsers = client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1))

// RegisterAsset submits RegisterAsset as the IP office.
func (b *Bare) RegisterAsset(ctx context.Context, requestID string, a api.AssetInput) (uint64, error) {
	_, block, err := submitBlock(ctx, b.ipoffice, api.RegisterAsset.Name, client.WithArguments(requestID, mustJSON(a)),
		client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1)))
	return block, err
}

// ApplyPledge submits ApplyPledge as Bank1 with the terms in the transient map, once Bank1's peer
// has afterBlock (what the HTTP gateway does for IPLedger-After-Block).
func (b *Bare) ApplyPledge(ctx context.Context, requestID string, app api.PledgeApplication, terms api.Terms, afterBlock uint64) (string, uint64, error) {
	if err := b.waitEndorsers(ctx, afterBlock); err != nil {
		return "", 0, err
	}
	res, block, err := submitBlock(ctx, b.bank1, api.ApplyPledge.Name, client.WithArguments(requestID, mustJSON(app)),
		client.WithTransient(map[string][]byte{api.TransientTermsKey: []byte(mustJSON(terms))}), pledgeEndorsers)
	if err != nil {
		return "", 0, err
	}
	var p struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(res, &p); err != nil || p.ID == "" {
		return "", 0, fmt.Errorf("ApplyPledge answered %s", res)
	}
	return p.ID, block, nil
}

// RegisterPledge submits RegisterPledge as the IP office, once its peer has afterBlock.
func (b *Bare) RegisterPledge(ctx context.Context, requestID, pledgeID, regNo string, afterBlock uint64) (uint64, error) {
	if err := b.waitEndorsers(ctx, afterBlock); err != nil {
		return 0, err
	}
	_, block, err := submitBlock(ctx, b.ipoffice, api.RegisterPledge.Name, client.WithArguments(requestID, pledgeID,
		mustJSON(map[string]string{"registrationNumber": regNo})), pledgeEndorsers)
	return block, err
}

// ReleasePledge submits ReleasePledge as Bank1, once its peer has afterBlock.
func (b *Bare) ReleasePledge(ctx context.Context, requestID, pledgeID string, afterBlock uint64) (uint64, error) {
	if err := b.waitEndorsers(ctx, afterBlock); err != nil {
		return 0, err
	}
	_, block, err := submitBlock(ctx, b.bank1, api.ReleasePledge.Name, client.WithArguments(requestID, pledgeID,
		mustJSON(map[string]string{"reason": "loan repaid"})), pledgeEndorsers)
	return block, err
}

// Verify evaluates the statement and reads the proof of each transaction it names from the ledger,
// the same calls the HTTP gateway makes for /v1/verify.
func (b *Bare) Verify(ctx context.Context, assetID string) error {
	raw, err := b.ipoffice.EvaluateWithContext(ctx, api.GetStatement.Name, client.WithArguments(assetID))
	if err != nil {
		return err
	}
	var st api.Statement
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	txs := []string{st.TitleTxID}
	if st.LastTxID != st.TitleTxID {
		txs = append(txs, st.LastTxID)
	}
	for _, e := range st.Encumbrances {
		txs = append(txs, e.RegistrationTxID)
	}
	for _, id := range txs {
		if id == "" {
			continue
		}
		if _, err := b.ledger.Transaction(id); err != nil {
			return err
		}
	}
	_, err = b.ledger.Height()
	return err
}

// History evaluates GetAssetHistory.
func (b *Bare) History(ctx context.Context, assetID string) error {
	_, err := b.ipoffice.EvaluateWithContext(ctx, api.GetAssetHistory.Name, client.WithArguments(assetID))
	return err
}

func mustJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// SearchParties evaluates SearchParties (the first page).
func (b *Bare) SearchParties(ctx context.Context, id, name string) error {
	_, err := b.ipoffice.EvaluateWithContext(ctx, api.SearchParties.Name, client.WithArguments(id, name, "0", ""))
	return err
}
