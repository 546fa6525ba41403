package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/network/netctl"
)

// snapshotCmd is `snapshot take`: a snapshot of the channel by the organization's peer, packed into
// export/ for a peer that joins by snapshot.
func snapshotCmd(n *netctl.Network, _ string, args []string) {
	if len(args) == 0 || args[0] != "take" {
		fail(fmt.Errorf("snapshot take [--org MSPID]"))
	}
	fs := flag.NewFlagSet("snapshot take", flag.ExitOnError)
	mspID := fs.String("org", "", "the organization whose peer makes the snapshot (required on a network of several organizations; a host of one acts as its own)")
	if pos := parseMixed(fs, args[1:]); len(pos) > 0 {
		fail(fmt.Errorf("snapshot take takes no argument besides --org, not %q", pos))
	}
	o, err := n.ActingOrg(*mspID)
	if err != nil {
		fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := n.TakeSnapshot(ctx, o)
	if err != nil {
		fail(fmt.Errorf("no snapshot: %w", err))
	}
	fmt.Printf("snapshot of channel %s by %s's peer in %.1fs: last block %d\n", s.Channel, o.MSPID, s.Took.Seconds(), s.LastBlock)
	fmt.Printf("snapshot_hash %s (a second organization's snapshot at block %d must have the same)\n", s.Hash, s.LastBlock)
	printArtifact("the snapshot: send it to the joining organization's host", s.Artifact)
}

// peerCmd is `peer rejoin`: the organization's peer leaves the channel and joins it again, from the
// genesis block or a snapshot, measured.
func peerCmd(n *netctl.Network, _ string, args []string) {
	if len(args) == 0 || args[0] != "rejoin" {
		fail(fmt.Errorf("peer rejoin --from genesis|snapshot:FILE@SHA256 [--snapshot-hash HASH] [--org MSPID]"))
	}
	fs := flag.NewFlagSet("peer rejoin", flag.ExitOnError)
	mspID := fs.String("org", "", "the organization whose peer rejoins (required on a network of several organizations; a host of one acts as its own)")
	from := fs.String("from", "", "genesis, or snapshot:FILE@SHA256 (a snapshot from `snapshot take`, with the sha256 its sender read out)")
	hash := fs.String("snapshot-hash", "", "the snapshot_hash of a second organization's snapshot at the same block: another hash is refused")
	if pos := parseMixed(fs, args[1:]); len(pos) > 0 {
		fail(fmt.Errorf("peer rejoin takes no argument besides its flags, not %q", pos))
	}
	if *from == "" {
		fail(fmt.Errorf("peer rejoin needs --from genesis or --from snapshot:FILE@SHA256"))
	}
	o, err := n.ActingOrg(*mspID)
	if err != nil {
		fail(err)
	}
	src, err := netctl.ParseJoinSource(*from, *hash)
	if err != nil {
		fail(err)
	}
	if !src.Genesis && *hash == "" {
		fmt.Fprintln(os.Stderr, "warning: no --snapshot-hash: the snapshot is not compared with a second organization's")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := n.RejoinPeer(ctx, o, src)
	if err != nil {
		fail(fmt.Errorf("rejoin from %s: %w", *from, err))
	}
	if r.SnapshotBlock > 0 {
		fmt.Printf("%s joined by snapshot at block %d (snapshot_hash %s)\n", r.Peer, r.SnapshotBlock, r.SnapshotHash)
		fmt.Printf("it has no block, history or private data before block %d: proofs (/v1/verify) and histories of earlier transactions fail on it\n", r.SnapshotBlock+1)
	} else {
		fmt.Printf("%s joined from the genesis block\n", r.Peer)
	}
	fmt.Printf("stop, unjoin, start %.1fs; join to height %d %.1fs; join to chaincode answering %.1fs\n",
		r.Reset.Seconds(), r.Target, r.ToHeight.Seconds(), r.ToAnswer.Seconds())
	if r.Stall > 5*time.Second {
		fmt.Printf("it stayed %.1fs at height %d: a block with private data only its own organization had (its approval of the chaincode), committed without it after Fabric's pullRetryThreshold\n",
			r.Stall.Seconds(), r.StallHeight)
	}
}
