package bench

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/netctl"
)

// JoinResult is the join workload's measurement: a ledger grown to Height blocks with cheap valid
// transactions, then a peer leaving the channel and joining it again, from the genesis block and from
// another organization's snapshot.
type JoinResult struct {
	Height          uint64    `json:"height"`
	Transactions    int64     `json:"growthTransactions"`
	GrowthFailures  int64     `json:"growthFailures"`
	GrowthSeconds   float64   `json:"growthSeconds"`
	BlocksPerSecond float64   `json:"growthBlocksPerSecond"`
	Joiner          string    `json:"joiner"`
	Genesis         JoinTimes `json:"genesis"`
	SnapshotBy      string    `json:"snapshotBy"`
	SnapshotBlock   uint64    `json:"snapshotBlock"`
	SnapshotSeconds float64   `json:"snapshotSeconds"`
	SnapshotBytes   int64     `json:"snapshotBytes"`
	SnapshotHash    string    `json:"snapshotHash"`
	SecondBy        string    `json:"secondSnapshotBy"`
	SecondHash      string    `json:"secondSnapshotHash"`
	BySnapshot      JoinTimes `json:"bySnapshot"`
}

// JoinTimes are one rejoin's times, in seconds: stop, unjoin and start; from the join until the peer
// has the orderers' height; from the join until its chaincode answers an evaluate.
type JoinTimes struct {
	Reset    float64 `json:"resetSeconds"`
	ToHeight float64 `json:"toHeightSeconds"`
	ToAnswer float64 `json:"toAnswerSeconds"`
	// Stall is the longest the peer stayed at one height while it caught up (StallHeight).
	Stall       float64 `json:"stallSeconds"`
	StallHeight uint64  `json:"stallHeight"`
}

func joinTimes(r *netctl.Rejoin) JoinTimes {
	return JoinTimes{Reset: round2(r.Reset.Seconds()), ToHeight: round2(r.ToHeight.Seconds()), ToAnswer: round2(r.ToAnswer.Seconds()),
		Stall: round2(r.Stall.Seconds()), StallHeight: r.StallHeight}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// joinGrowthClients is the number of clients that grow the ledger.
const joinGrowthClients = 32

// runJoin grows the ledger to cfg.Blocks with Ping transactions submitted through the IP office's
// peer, then has the regulator's peer rejoin from the genesis block, the IP office's and the
// exchange's peers make snapshots at the same block, and the regulator's peer rejoin from the IP
// office's snapshot checked against the exchange's hash.
func (r *Runner) runJoin(ctx context.Context) error {
	n := r.cfg.Network
	if n == nil {
		return errors.New("the join workload acts on the network's nodes: run it through scripts/ipledger bench, which starts a network of its own")
	}
	joiner, err := n.ActingOrg(string(api.MSPRegulator))
	if err != nil {
		return err
	}
	source, err := n.ActingOrg(string(api.MSPIPOffice))
	if err != nil {
		return err
	}
	second, err := n.ActingOrg(string(api.MSPExchange))
	if err != nil {
		return err
	}
	r.logf("join: growing the ledger to %d blocks with Ping from %d clients (MaxMessageCount %d)", r.cfg.Blocks, joinGrowthClients, r.res.Settings.MaxMessageCount)
	g, err := netctl.GrowLedger(ctx, r.sys, source.MSPID, uint64(r.cfg.Blocks), joinGrowthClients)
	if err != nil {
		return fmt.Errorf("growing the ledger: %w", err)
	}
	r.logf("join: %d transactions to height %d in %.1fs, %d failed", g.Transactions, g.To, g.Took.Seconds(), g.Failures)
	f, err := n.MeasureJoins(ctx, r.sys, joiner, source, second)
	if err != nil {
		return err
	}
	r.res.Join = &JoinResult{Height: f.Height, Transactions: g.Transactions, GrowthFailures: g.Failures,
		GrowthSeconds: round2(g.Took.Seconds()), BlocksPerSecond: round2(float64(g.Transactions) / g.Took.Seconds()),
		Joiner: netctl.PeerName(joiner), Genesis: joinTimes(f.Genesis),
		SnapshotBy: source.MSPID, SnapshotBlock: f.Snapshot.LastBlock, SnapshotSeconds: round2(f.SnapshotTook.Seconds()),
		SnapshotBytes: f.SnapshotSize, SnapshotHash: f.Snapshot.Hash, SecondBy: second.MSPID, SecondHash: f.SecondHash,
		BySnapshot: joinTimes(f.BySnapshot)}
	j := r.res.Join
	r.logf("join at height %d: genesis %.1fs to height, %.1fs to answer | snapshot %.2fs (%d bytes) | by snapshot %.1fs to height, %.1fs to answer",
		j.Height, j.Genesis.ToHeight, j.Genesis.ToAnswer, j.SnapshotSeconds, j.SnapshotBytes, j.BySnapshot.ToHeight, j.BySnapshot.ToAnswer)
	return nil
}

// joinMarkdown renders the join workload's figures.
func (j *JoinResult) markdown() string {
	return fmt.Sprintf(`### Join: a peer rejoins the channel from the genesis block and from a snapshot

Ledger of %d blocks, grown by %d Ping transactions (%.1f s, %.0f blocks/s, %d failed). %s rejoins;
the snapshot is %s's at block %d (%s's at the same block has the same snapshot_hash: %t).

| join | stop, unjoin, start s | join to height s | join to chaincode answering s | longest at one height s (height) |
| --- | ---: | ---: | ---: | ---: |
| from the genesis block | %.2f | %.2f | %.2f | %.2f (%d) |
| by snapshot | %.2f | %.2f | %.2f | %.2f (%d) |

Snapshot made in %.2f s, %d bytes packed (tar.gz).

`, j.Height, j.Transactions, j.GrowthSeconds, j.BlocksPerSecond, j.GrowthFailures, j.Joiner, j.SnapshotBy, j.SnapshotBlock,
		j.SecondBy, j.SnapshotHash == j.SecondHash, j.Genesis.Reset, j.Genesis.ToHeight, j.Genesis.ToAnswer, j.Genesis.Stall,
		j.Genesis.StallHeight, j.BySnapshot.Reset, j.BySnapshot.ToHeight, j.BySnapshot.ToAnswer, j.BySnapshot.Stall,
		j.BySnapshot.StallHeight, j.SnapshotSeconds, j.SnapshotBytes)
}
