//go:build integration

package netctl

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway/fabric"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
)

// A peer leaves the channel and joins it again, from the genesis block and from a snapshot, on a
// ledger grown to 300 blocks (IPLEDGER_SNAPSHOT_BLOCKS) on a network of its own whose ordering cuts a
// block per transaction (the test network's base + 300, or IPLEDGER_SNAPSHOT_PORT_BASE): both joins
// reach the orderers' height, the snapshots of two organizations at the same block have the same
// snapshot_hash, a snapshot whose hash is not the second organization's is refused before the peer is
// touched, the snapshot-joined peer's chaincode answers an evaluate through its peer gateway, and a
// transaction before the snapshot is not available on it (qscc, which /v1/verify reads), while the
// IP office's peer has it.
func TestRejoin_FromGenesisAndBySnapshot(t *testing.T) {
	t.Setenv("IPLEDGER_NO_GATEWAY", "1")
	blocks := uint64(300)
	if v := os.Getenv("IPLEDGER_SNAPSHOT_BLOCKS"); v != "" {
		b, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		blocks = b
	}
	n := ScratchNetwork(t, 300, "IPLEDGER_SNAPSHOT_PORT_BASE", func(base int) *Topology {
		top := loadTestTopology(t, base)
		top.Ordering.MaxMessageCount = 1
		return top
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	sys, err := n.Up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	org := func(msp string) *Organization {
		t.Helper()
		for _, o := range n.Top.Organizations {
			if o.MSPID == msp {
				return o
			}
		}
		t.Fatalf("no %s in the topology", msp)
		return nil
	}
	regulator, ipoffice, exchange := org(string(api.MSPRegulator)), org(string(api.MSPIPOffice)), org(string(api.MSPExchange))
	g, err := GrowLedger(ctx, sys, ipoffice.MSPID, blocks, 16)
	if err != nil {
		t.Fatalf("growing the ledger: %v", err)
	}
	t.Logf("FIGURE rejoin-test growth: %d Ping transactions to height %d in %.1fs (%.0f blocks/s), %d failed",
		g.Transactions, g.To, g.Took.Seconds(), float64(g.Transactions)/g.Took.Seconds(), g.Failures)

	f, err := n.MeasureJoins(ctx, sys, regulator, ipoffice, exchange)
	if err != nil {
		t.Fatal(err)
	}
	if f.Height < blocks || f.Genesis.Target != f.Height || f.BySnapshot.Target < f.Height {
		t.Errorf("heights: ledger %d (grown to %d), genesis join to %d, snapshot join to %d", f.Height, blocks, f.Genesis.Target, f.BySnapshot.Target)
	}
	if f.Snapshot.Hash != f.SecondHash || f.BySnapshot.SnapshotHash != f.Snapshot.Hash || f.BySnapshot.SnapshotBlock != f.Height-1 {
		t.Errorf("snapshots: %s's %s at block %d, the second %s; joined from %s at block %d",
			ipoffice.MSPID, f.Snapshot.Hash, f.Snapshot.LastBlock, f.SecondHash, f.BySnapshot.SnapshotHash, f.BySnapshot.SnapshotBlock)
	}
	t.Logf("FIGURE rejoin-test genesis join at height %d: reset %.1fs, to height %.1fs (longest at one height %.1fs, at %d), to chaincode answering %.1fs",
		f.Height, f.Genesis.Reset.Seconds(), f.Genesis.ToHeight.Seconds(), f.Genesis.Stall.Seconds(), f.Genesis.StallHeight, f.Genesis.ToAnswer.Seconds())
	t.Logf("FIGURE rejoin-test snapshot at block %d by %s: %.2fs, %d bytes packed",
		f.Snapshot.LastBlock, ipoffice.MSPID, f.SnapshotTook.Seconds(), f.SnapshotSize)
	t.Logf("FIGURE rejoin-test snapshot join at height %d: reset %.1fs, to height %.1fs, to chaincode answering %.1fs",
		f.BySnapshot.Target, f.BySnapshot.Reset.Seconds(), f.BySnapshot.ToHeight.Seconds(), f.BySnapshot.ToAnswer.Seconds())

	// A snapshot whose hash is not the second organization's is refused before the peer is touched.
	bad, err := ParseJoinSource("snapshot:"+f.Snapshot.Path+"@"+f.Snapshot.SHA256, strings.Repeat("0", 64))
	if err != nil {
		t.Fatal(err)
	}
	pid := n.Pid(n.peerProcess(regulator))
	if _, err := n.RejoinPeer(ctx, regulator, bad); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("a snapshot with another hash than the second organization's: %v", err)
	}
	if n.Pid(n.peerProcess(regulator)) != pid || pid == 0 {
		t.Error("the refused rejoin touched the peer")
	}

	// The snapshot-joined peer serves its chaincode through its peer gateway, and has no transaction
	// before the snapshot; the IP office's peer, joined from genesis, has it.
	reader := func(msp string) (*qscc.Reader, func()) {
		gw, conn, err := sys.Dial(msp, "admin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name).EvaluateWithContext(ctx, api.Ping.Name); err != nil {
			t.Errorf("%s's peer does not evaluate Ping: %v", msp, err)
		}
		return qscc.NewReader(gw, sys.Channel), func() { gw.Close(); conn.Close() }
	}
	reg, closeReg := reader(regulator.MSPID)
	defer closeReg()
	ipo, closeIPO := reader(ipoffice.MSPID)
	defer closeIPO()
	if h, err := reg.Height(); err != nil || h < f.Height {
		t.Errorf("the snapshot-joined peer's height: %d, %v; want %d", h, err, f.Height)
	}
	if _, err := ipo.Transaction(g.FirstTxID); err != nil {
		t.Errorf("the IP office's peer does not have transaction %s: %v", g.FirstTxID, err)
	}
	_, err = reg.Transaction(g.FirstTxID)
	if err == nil || !fabric.BeforeSnapshot.In(err.Error()) {
		t.Errorf("a transaction before the snapshot, asked of the snapshot-joined peer: %v; want Fabric's \"Ledger bootstrapped from a snapshot\"", err)
	} else {
		t.Logf("a proof of a transaction before the snapshot is refused on the snapshot-joined peer, as documented: %v", err)
	}
}
