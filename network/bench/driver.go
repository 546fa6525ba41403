// Package bench measures IPLedger: the HTTP gateways against a bare Fabric Gateway client doing the
// same chaincode transactions, in one run, on the same network. `scripts/ipledger bench` runs it.
package bench

import (
	"context"

	"github.com/ipledger/ipledger/chaincode/api"
)

// Driver performs the benchmark's operations through one path to the ledger. The pledge life cycle
// (register a right, apply, register the pledge, release) is submitted and waits for each commit;
// Verify and History read.
type Driver interface {
	Name() string
	// RegisterAsset answers the block the right was committed in.
	RegisterAsset(ctx context.Context, requestID string, a api.AssetInput) (block uint64, err error)
	// The steps that follow one at another organization go on once their own organization's peer has
	// the previous step's block (afterBlock), and answer the block they committed in.
	ApplyPledge(ctx context.Context, requestID string, app api.PledgeApplication, terms api.Terms, afterBlock uint64) (pledgeID string, block uint64, err error)
	RegisterPledge(ctx context.Context, requestID, pledgeID, registrationNumber string, afterBlock uint64) (block uint64, err error)
	ReleasePledge(ctx context.Context, requestID, pledgeID string, afterBlock uint64) (block uint64, err error)
	// Verify produces the title-and-encumbrance statement with its proof (the transactions of the
	// title and of each encumbrance, read from the ledger, and the ledger height).
	Verify(ctx context.Context, assetID string) error
	History(ctx context.Context, assetID string) error
	Close()
}
