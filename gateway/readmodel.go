package gateway

import (
	"context"

	"github.com/ipledger/ipledger/chaincode/api"
)

// ReadModel is the gateway's read model (gateway/readmodel): a replica of what the organization may
// see, built from its own peer's committed blocks, which answers the read-only operations with the
// chaincode's own rules. The HTTP API asks it while it is Ready and the chaincode runs the rules it
// was built with (RulesVersion); otherwise the chaincode answers.
type ReadModel interface {
	// Ready: caught up with the peer at least once since the start, and following.
	Ready() bool
	// RulesVersion is the version of the rules it runs (the chaincode's Ping answers its own).
	RulesVersion() string
	// Height is the number of blocks applied.
	Height() uint64
	// AwaitHeight returns once the height is at least h, with the height; when ctx ends first, the
	// height reached and ctx's error.
	AwaitHeight(ctx context.Context, h uint64) (uint64, error)
	// Read runs fn in one read transaction as the named identity and returns the height every answer
	// of fn is valid at.
	Read(ctx context.Context, identity string, fn func(ReadView) error) (uint64, error)
}

// ReadView is one read of a [ReadModel]: every answer is valid at the same height.
type ReadView interface {
	// Evaluate answers a read-only operation as the chaincode would (its errors are *api.Error).
	Evaluate(function string, args ...string) ([]byte, error)
	// Transaction is a committed transaction as its block records it (what qscc answers).
	Transaction(txID string) (*api.Transaction, error)
}
