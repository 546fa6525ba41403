// Package gateway is the IPLedger HTTP gateway's domain: what the gateway asks of the ledger
// ([Ledger]), who may ask ([Keyring]), how it is configured ([Config]) and how any failure is
// classified for clients ([ErrorOf], as an api.Error). Its words are those of chaincode/api. It depends
// on no HTTP, Fabric or gRPC package (`scripts/ipledger lint` checks it): the Fabric implementation is
// in gateway/fabric, the HTTP API in gateway/httpapi (whose tests fake the Ledger), and
// gateway/cmd/ipledger-gateway wires them together.
//
// One gateway process serves one organization. It holds only that organization's enrolled identities
// and dials only its own peer. Every call to a [Ledger] names the identity it acts as; the chaincode
// decides what that identity may do, and the gateway translates, authenticates, retries and explains.
package gateway

import (
	"context"

	"github.com/ipledger/ipledger/chaincode/api"
)

// Ledger is what the HTTP API needs of the channel. Every method acts as the named identity of this
// gateway's organization. Errors are *api.Error values, or errors that [ErrorOf] can classify.
type Ledger interface {
	// Submit endorses, submits and (unless the submission is asynchronous) waits for the commit of
	// one chaincode transaction, retrying as [Submission] describes.
	Submit(ctx context.Context, identity string, s Submission) (*Receipt, error)
	// Evaluate runs a read-only chaincode transaction on this organization's peer.
	Evaluate(ctx context.Context, identity, function string, args ...string) ([]byte, error)
	// Transaction reads a committed transaction from the ledger (via qscc).
	Transaction(ctx context.Context, identity, txID string) (*api.Transaction, error)
	// Height is the number of blocks in the channel's ledger.
	Height(ctx context.Context, identity string) (uint64, error)
	// AwaitBlock returns once this organization's peer has committed block (its height is above it),
	// with the height; when ctx ends first, the height last known and ctx's error. It asks the peer
	// nothing: one block-event listener per gateway feeds every wait ([Heights]).
	AwaitBlock(ctx context.Context, block uint64) (uint64, error)
	// Events streams the chaincode's events from a checkpoint, or from the next block when from is
	// nil. The channel closes when ctx ends or the stream breaks.
	Events(ctx context.Context, identity string, from *Checkpoint) (<-chan Event, error)
	// OpenCheckpoint opens the durable checkpoint of a named event stream of identity, kept by the
	// fabric-gateway file checkpointer in the configured checkpoint directory.
	OpenCheckpoint(identity, stream string) (Checkpointer, error)
	// Ping asks the chaincode for its version: the peer is reachable and the chaincode answers.
	Ping(ctx context.Context) (string, error)
}

// Checkpointer keeps the position of a durable event stream across connections and restarts.
type Checkpointer interface {
	// Checkpoint is the position to resume after.
	Checkpoint() Checkpoint
	// Save records that every event up to and including e was delivered.
	Save(e Event) error
	Close() error
}

// Observer is told how submissions went, for metrics. Outcomes: committed, submitted (asynchronous),
// refused (a refusal under a rule, committed and kept under the request id), replayed (a request decided
// before, answered without a transaction), rejected (the chaincode's error: nothing decided),
// conflict (read conflicts outlasted the retries), invalid (committed invalid), timeout, unavailable,
// error.
type Observer interface {
	Retried(function, reason string)
	Finished(function, outcome string)
}

// NopObserver observes nothing.
type NopObserver struct{}

// Retried does nothing.
func (NopObserver) Retried(string, string) {}

// Finished does nothing.
func (NopObserver) Finished(string, string) {}

// Submission is one state-changing chaincode transaction.
//
// The request id is the chaincode's first argument (rule I3): repeating a submission with the same
// request id returns the first outcome and never writes twice, so a new proposal after an MVCC or
// phantom read conflict is always safe. A transaction that may have been ordered is never endorsed
// again: after Unavailable or a timeout at submit, the same transaction id is checked and resubmitted.
type Submission struct {
	// Function is the chaincode transaction, e.g. "ApplyPledge".
	Function string
	// RequestID is the idempotency key (I3), passed as the first argument.
	RequestID string
	// Args follow the request id.
	Args []string
	// Transient is private data for the chaincode only (the pledge terms under "terms").
	Transient map[string][]byte
	// EndorsingOrgs names the organizations that must endorse, where discovery cannot know them
	// (state-based endorsement, private data). Empty leaves the choice to the peer's discovery.
	EndorsingOrgs []api.MSPID
	// Async returns as soon as the orderer accepted the transaction, without waiting for its commit.
	Async bool
}

// Receipt is the outcome of a submission.
type Receipt struct {
	// TxID is the id of the transaction that carried the submission (the last one, after retries).
	TxID string
	// BlockNumber is the block the transaction committed in; 0 for an asynchronous submission.
	BlockNumber uint64
	// Committed says whether the commit was awaited and valid.
	Committed bool
	// Replay: the request was decided by an earlier transaction (TxID, BlockNumber); nothing new was
	// written or ordered (I3).
	Replay bool
	// Result is the chaincode's response (JSON).
	Result []byte
	// Attempts is the number of proposals made (1 without retries).
	Attempts int
}

// Checkpoint is a position in the stream of chaincode events: the block in which the next event is
// expected and the last transaction already delivered within it ("" for none: the block from its start).
type Checkpoint struct {
	BlockNumber   uint64
	TransactionID string
}

// IsZero says whether c names no position.
func (c Checkpoint) IsZero() bool { return c.BlockNumber == 0 && c.TransactionID == "" }

// Event is one chaincode event, as the ledger delivered it.
type Event struct {
	BlockNumber   uint64
	TransactionID string
	Name          string
	Payload       []byte
}
