package netctl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// Growth is what GrowLedger did.
type Growth struct {
	From, To     uint64        // the channel's height before and after
	Transactions int64         // committed
	Failures     int64         // endorsements or submissions that failed
	Took         time.Duration //
	FirstTxID    string        // a transaction it committed, the earliest it knows of
}

// maxGrowthFailures ends a growth whose submissions keep failing.
const maxGrowthFailures = 100

// GrowLedger submits Ping (read-only, valid, endorsed as the chaincode's policy asks) through the
// organization's peer as its admin, from concurrency clients, until the channel's height reaches
// target. With the ordering's maxMessageCount at 1 each transaction is a block of its own, so it
// grows a ledger of many blocks quickly; with more per block it still reaches the height, slower.
func GrowLedger(ctx context.Context, sys *System, mspID string, target uint64, concurrency int) (*Growth, error) {
	gw, conn, err := sys.Dial(mspID, "admin")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	defer gw.Close()
	contract := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
	g := &Growth{}
	start := time.Now()
	var height, failures, committed atomic.Int64
	var first sync.Once
	var lastErr atomic.Value
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range max(concurrency, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for cctx.Err() == nil && uint64(height.Load()) < target {
				block, txID, err := submitOnce(cctx, contract)
				if err != nil {
					if cctx.Err() == nil {
						lastErr.Store(err)
						if failures.Add(1) > maxGrowthFailures {
							cancel()
						}
					}
					continue
				}
				first.Do(func() { g.FirstTxID = txID; g.From = block })
				committed.Add(1)
				for {
					h := height.Load()
					if int64(block+1) <= h || height.CompareAndSwap(h, int64(block+1)) {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
	g.To, g.Transactions, g.Failures, g.Took = uint64(height.Load()), committed.Load(), failures.Load(), time.Since(start)
	if g.To < target {
		if err := ctx.Err(); err != nil {
			return g, err
		}
		e, _ := lastErr.Load().(error)
		if e == nil {
			e = errors.New("none failed")
		}
		return g, fmt.Errorf("the ledger grew to height %d of %d; %d submissions failed, the last: %w", g.To, target, g.Failures, e)
	}
	return g, nil
}

// submitOnce submits Ping and waits for its commit; it answers the block and the transaction.
func submitOnce(ctx context.Context, contract *client.Contract) (uint64, string, error) {
	proposal, err := contract.NewProposal(api.Ping.Name)
	if err != nil {
		return 0, "", err
	}
	tx, err := proposal.EndorseWithContext(ctx)
	if err != nil {
		return 0, "", err
	}
	commit, err := tx.SubmitWithContext(ctx)
	if err != nil {
		return 0, "", err
	}
	status, err := commit.StatusWithContext(ctx)
	if err != nil {
		return 0, "", err
	}
	if !status.Successful {
		return 0, "", fmt.Errorf("transaction %s committed as %s", status.TransactionID, status.Code)
	}
	return status.BlockNumber, status.TransactionID, nil
}

// fileSize is a file's size in bytes.
func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// OpenSystem is the network a running system describes (its data directory, port base and programs),
// with the topology it was started from: for commands and tests that act on a running network's
// nodes rather than only through its clients.
func OpenSystem(sys *System, topologyFile, networkDir, fabricConfig string) (*Network, error) {
	top, err := LoadTopology(topologyFile, sys.PortBase)
	if err != nil {
		return nil, err
	}
	var bin string
	for _, p := range sys.Processes {
		if p.Kind == "peer" {
			bin = filepath.Dir(p.Binary)
		}
	}
	if bin == "" {
		return nil, errors.New("the system description names no peer program")
	}
	return &Network{Top: top, Dir: sys.DataDir, PortBase: sys.PortBase, Bin: bin, FabricConfig: fabricConfig,
		NetworkDir: networkDir}, nil
}

// JoinFigures are the measurement of a peer joining the channel from the genesis block and from a
// snapshot, on a ledger of Height blocks.
type JoinFigures struct {
	Height       uint64        `json:"height"`
	Growth       *Growth       `json:"-"`
	Genesis      *Rejoin       `json:"genesis"`
	Snapshot     *Snapshot     `json:"-"`
	SnapshotTook time.Duration `json:"snapshotTook"`
	SnapshotSize int64         `json:"snapshotBytes"`
	SecondHash   string        `json:"secondSnapshotHash"`
	BySnapshot   *Rejoin       `json:"bySnapshot"`
}

// MeasureJoins measures, on a network whose ledger has grown and is quiet: joiner's peer rejoining
// from the genesis block; a snapshot made by source's peer and one by second's at the same block, and
// their snapshot_hash compared; joiner's peer rejoining from source's snapshot, checked against
// second's hash.
func (n *Network) MeasureJoins(ctx context.Context, sys *System, joiner, source, second *Organization) (*JoinFigures, error) {
	f := &JoinFigures{}
	var err error
	if f.Height, err = n.ordererHeight(source); err != nil {
		return nil, err
	}
	if err := sys.WaitForBlock(ctx, f.Height-1); err != nil {
		return nil, fmt.Errorf("every peer at height %d: %w", f.Height, err)
	}
	if f.Genesis, err = n.RejoinPeer(ctx, joiner, &JoinSource{Genesis: true}); err != nil {
		return nil, fmt.Errorf("rejoin from the genesis block: %w", err)
	}
	if f.Snapshot, err = n.TakeSnapshot(ctx, source); err != nil {
		return nil, fmt.Errorf("%s's snapshot: %w", source.MSPID, err)
	}
	f.SnapshotTook = f.Snapshot.Took
	other, err := n.TakeSnapshot(ctx, second)
	if err != nil {
		return nil, fmt.Errorf("%s's snapshot: %w", second.MSPID, err)
	}
	if other.LastBlock != f.Snapshot.LastBlock {
		return nil, fmt.Errorf("%s's snapshot is at block %d, %s's at %d: the ledger was not quiet", source.MSPID, f.Snapshot.LastBlock, second.MSPID, other.LastBlock)
	}
	f.SecondHash = other.Hash
	if fi, err := fileSize(f.Snapshot.Path); err == nil {
		f.SnapshotSize = fi
	}
	src, err := ParseJoinSource("snapshot:"+f.Snapshot.Path+"@"+f.Snapshot.SHA256, other.Hash)
	if err != nil {
		return nil, err
	}
	if f.BySnapshot, err = n.RejoinPeer(ctx, joiner, src); err != nil {
		return nil, fmt.Errorf("rejoin by snapshot %s: %w", filepath.Base(f.Snapshot.Path), err)
	}
	return f, nil
}
