package gateway

import (
	"context"
	"errors"

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
	// DefinitionHeight is the height after the last block, applied since the start, that committed
	// a new definition of the chaincode (an upgrade: its _lifecycle fields were written); 0 when none.
	// From it on, reads go to the chaincode until a Ping begun after it confirms the rules version.
	DefinitionHeight() uint64
}

// ErrPrivateMissing is the error of a read the read model cannot answer as the chaincode would: it
// read a private value of a collection its organization is a member of that its peer committed
// without (requiredPeerCount 0: the value comes later by reconciliation), so it has the value's hash
// and not the value. The gateway answers such a read from the chaincode, the authority.
var ErrPrivateMissing = errors.New("the read model lacks a private value its peer committed without")

// ReadView is one read of a [ReadModel]: every answer is valid at the same height.
type ReadView interface {
	// Evaluate answers a read-only operation as the chaincode would (its errors are *api.Error).
	Evaluate(function string, args ...string) ([]byte, error)
	// Transaction is a committed transaction as its block records it (what qscc answers).
	Transaction(txID string) (*api.Transaction, error)
}
