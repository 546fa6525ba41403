package netctl

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// A ledger snapshot (Fabric's `peer snapshot submitrequest`) is the channel's state at one block:
// public state, private data hashes, transaction ids and configuration history, with two metadata
// files. The peer writes it to {CORE_LEDGER_SNAPSHOTS_ROOTDIR}/completed/<channel>/<last block>
// (nodes.go peerProcess sets the root to <peer>/data/snapshots). A peer joined by snapshot has no
// block before it, no history and no private data before it (docs/operations.md, "A peer joins from
// a snapshot").

// Fabric's snapshot metadata files (core/ledger/kvledger/snapshot.go).
const (
	snapshotSignableMetadata   = "_snapshot_signable_metadata.json"
	snapshotAdditionalMetadata = "_snapshot_additional_metadata.json"
)

// SnapshotInfo is what a snapshot's metadata files say: its channel, its last block and the hash
// over its files that two organizations compare before a third trusts it.
type SnapshotInfo struct {
	Channel   string `json:"channel_name"`
	LastBlock uint64 `json:"last_block_number"`
	Hash      string `json:"snapshot_hash"`
}

// Snapshot is a peer's snapshot packed into the export directory to send to another host.
type Snapshot struct {
	Artifact
	SnapshotInfo
	Took time.Duration // from the request to the completed directory, before packing
}

// snapshotTimeout bounds the wait for a snapshot's generation.
const snapshotTimeout = 10 * time.Minute

// snapshotsDir is where an organization's peer writes completed snapshots of the channel.
func (n *Network) snapshotsDir(o *Organization) string {
	return filepath.Join(n.nodeDir(o, o.Peer.Name), "data", "snapshots", "completed", n.Top.Channel)
}

// snapshotArgs are the peer CLI's arguments naming the organization's peer for the snapshot service.
func (n *Network) snapshotArgs(o *Organization) []string {
	return []string{"-c", n.Top.Channel, "--peerAddress", Addr(o.Host, o.Peer.Port), "--tlsRootCertFile", n.caCert(o)}
}

// TakeSnapshot has the organization's peer make a snapshot of the channel at its last committed block
// (as the organization's admin, which the snapshot service requires), waits until the peer has no
// request pending and the snapshot's directory is complete, and packs it into
// export/snapshot-<channel>-<block>.tar.gz.
func (n *Network) TakeSnapshot(ctx context.Context, o *Organization) (*Snapshot, error) {
	if n.began.IsZero() {
		n.began = time.Now()
	}
	if n.Pid(n.peerProcess(o)) == 0 {
		return nil, fmt.Errorf("%s is not running: a snapshot is made by a running peer (start it with up or org up)", PeerName(o))
	}
	height, err := n.peerHeight(o)
	if err != nil {
		return nil, fmt.Errorf("%s's height: %w", PeerName(o), err)
	}
	if height < 2 {
		return nil, fmt.Errorf("%s has %d block(s): nothing to snapshot beyond the genesis block", PeerName(o), height)
	}
	pending, err := n.pendingSnapshots(o)
	if err != nil {
		return nil, err
	}
	if len(pending) > 0 {
		return nil, fmt.Errorf("%s already has snapshot requests pending at blocks %v: wait for them (peer snapshot listpending) or cancel them (peer snapshot cancelrequest)", PeerName(o), pending)
	}
	start := time.Now()
	// Block 0 asks for the last committed block: with blocks still coming, a number read before the
	// request could be behind the peer already, which the peer refuses.
	args := append([]string{"snapshot", "submitrequest", "-b", "0"}, n.snapshotArgs(o)...)
	// A peer that made a snapshot of its last block already says so ("snapshot already generated
	// for block number N"): that snapshot is the one to pack.
	if err := n.peerCLI(o, args...); err != nil && !strings.Contains(err.Error(), "snapshot already generated") {
		return nil, fmt.Errorf("%s refused the snapshot request: %w", PeerName(o), err)
	}
	var dir string
	err = waitFor(ctx, snapshotTimeout, 200*time.Millisecond, func() error {
		if n.Pid(n.peerProcess(o)) == 0 {
			return final(fmt.Errorf("%s exited while making the snapshot", PeerName(o)))
		}
		pending, err := n.pendingSnapshots(o)
		if err != nil {
			return err
		}
		if len(pending) > 0 {
			return fmt.Errorf("%s is still making the snapshot at block %v", PeerName(o), pending)
		}
		dir, err = n.latestSnapshot(o, height-1)
		if err != nil {
			return final(err)
		}
		return nil
	})
	if err != nil {
		return nil, n.withCause(PeerName(o), err)
	}
	took := time.Since(start)
	info, err := ReadSnapshotInfo(dir)
	if err != nil {
		return nil, err
	}
	art, err := n.packSnapshot(o, dir, info)
	if err != nil {
		return nil, err
	}
	return &Snapshot{Artifact: art, SnapshotInfo: *info, Took: took}, nil
}

// pendingSnapshots lists the blocks of the snapshot requests pending on the organization's peer.
func (n *Network) pendingSnapshots(o *Organization) ([]uint64, error) {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), append([]string{"snapshot", "listpending"}, n.snapshotArgs(o)...)...)
	if err != nil {
		return nil, fmt.Errorf("%s's pending snapshot requests: %w", PeerName(o), err)
	}
	return parsePending(out)
}

var pendingList = regexp.MustCompile(`Successfully got pending snapshot requests: \[([0-9 ]*)\]`)

// parsePending reads `peer snapshot listpending`'s answer: "Successfully got pending snapshot
// requests: [12 40]".
func parsePending(out string) ([]uint64, error) {
	m := pendingList.FindStringSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("peer snapshot listpending answered %q", lastLines(out, 2))
	}
	var blocks []uint64
	for _, f := range strings.Fields(m[1]) {
		b, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("peer snapshot listpending answered %q", lastLines(out, 2))
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

// latestSnapshot is the completed snapshot directory of the highest block, which must be at least
// the block the peer had before the request.
func (n *Network) latestSnapshot(o *Organization, atLeast uint64) (string, error) {
	entries, err := os.ReadDir(n.snapshotsDir(o))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	best, found := uint64(0), false
	for _, e := range entries {
		if b, err := strconv.ParseUint(e.Name(), 10, 64); err == nil && e.IsDir() && (!found || b > best) {
			best, found = b, true
		}
	}
	if !found || best < atLeast {
		return "", fmt.Errorf("%s has no request pending and no completed snapshot at block %d or later in %s: the snapshot failed",
			PeerName(o), atLeast, n.snapshotsDir(o))
	}
	return filepath.Join(n.snapshotsDir(o), strconv.FormatUint(best, 10)), nil
}

// ReadSnapshotInfo reads a snapshot directory's metadata files.
func ReadSnapshotInfo(dir string) (*SnapshotInfo, error) {
	var info SnapshotInfo
	for _, f := range []string{snapshotSignableMetadata, snapshotAdditionalMetadata} {
		raw, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, fmt.Errorf("not a complete ledger snapshot: %w", err)
		}
		if err := json.Unmarshal(raw, &info); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, f), err)
		}
	}
	if info.Channel == "" || info.Hash == "" {
		return nil, fmt.Errorf("%s: the snapshot's metadata names no channel or no snapshot_hash", dir)
	}
	return &info, nil
}

// snapshotFile is the name of a packed snapshot: snapshot-<channel>-<block>.tar.gz; on a network of
// several organizations on one machine the organization is named too, so that two organizations'
// snapshots at the same block (compared by their snapshot_hash) do not overwrite each other.
func (n *Network) snapshotFile(o *Organization, info *SnapshotInfo) string {
	if n.scoped() {
		return fmt.Sprintf("snapshot-%s-%d.tar.gz", info.Channel, info.LastBlock)
	}
	return fmt.Sprintf("snapshot-%s-%d.%s.tar.gz", info.Channel, info.LastBlock, o.Name)
}

// packSnapshot writes a snapshot directory's files into a tar.gz in the export directory, streamed
// (a snapshot of a large state does not fit in memory), and returns it with its sha256.
func (n *Network) packSnapshot(o *Organization, dir string, info *SnapshotInfo) (Artifact, error) {
	if err := os.MkdirAll(n.ExportDir(), 0o755); err != nil {
		return Artifact{}, err
	}
	path := filepath.Join(n.ExportDir(), n.snapshotFile(o, info))
	tmp, err := os.CreateTemp(n.ExportDir(), ".snapshot-*.tmp")
	if err != nil {
		return Artifact{}, err
	}
	defer os.Remove(tmp.Name())
	sum := sha256.New()
	err = writeSnapshotTar(io.MultiWriter(tmp, sum), dir)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return Artifact{}, fmt.Errorf("packing %s: %w", dir, err)
	}
	return Artifact{Path: path, SHA256: hex.EncodeToString(sum.Sum(nil))}, nil
}

// writeSnapshotTar writes the regular files of a directory (a snapshot has no subdirectory) as a
// gzipped tar of plain names.
func writeSnapshotTar(w io.Writer, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		if !e.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file; a snapshot holds only files", filepath.Join(dir, e.Name()))
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.Name(), Mode: 0o644, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
			return err
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		_, err = io.Copy(tw, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// unpackSnapshot unpacks a packed snapshot into dir (made here): plain file names only, nothing
// outside dir, and both metadata files present.
func unpackSnapshot(raw []byte, dir string) (*SnapshotInfo, error) {
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("not a packed snapshot (tar.gz): %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a packed snapshot (tar.gz): %w", err)
		}
		if h.Typeflag != tar.TypeReg || h.Name != filepath.Base(h.Name) || h.Name == "." || h.Name == ".." || strings.HasPrefix(h.Name, "/") {
			return nil, fmt.Errorf("the packed snapshot holds %q, not a plain file: refused", h.Name)
		}
		f, err := os.OpenFile(filepath.Join(dir, h.Name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
	}
	return ReadSnapshotInfo(dir)
}

// JoinSource is where a peer joins the channel from: the genesis block, or a packed snapshot that was
// checked against the sha256 its sender read out.
type JoinSource struct {
	Genesis  bool
	Snapshot []byte // the packed snapshot's content
	File     string // its path, for messages
	// SnapshotHash is, when given, the snapshot_hash a second organization read out of its own
	// snapshot at the same block: a snapshot with another hash is refused.
	SnapshotHash string
	info         *SnapshotInfo
}

// ParseJoinSource reads --from: "genesis" or "snapshot:FILE@SHA256" (the sha256 as the snapshot's
// sender read it out: a file with another hash, or named without one, is refused).
func ParseJoinSource(from, snapshotHash string) (*JoinSource, error) {
	switch {
	case from == "genesis":
		if snapshotHash != "" {
			return nil, errors.New("--snapshot-hash is for a join by snapshot (--from snapshot:FILE@SHA256)")
		}
		return &JoinSource{Genesis: true}, nil
	case strings.HasPrefix(from, "snapshot:"):
		raw, path, err := ReadChecked(strings.TrimPrefix(from, "snapshot:"), false)
		if err != nil {
			return nil, err
		}
		return &JoinSource{Snapshot: raw, File: path, SnapshotHash: strings.ToLower(strings.TrimSpace(snapshotHash))}, nil
	}
	return nil, fmt.Errorf("--from %q: genesis or snapshot:FILE@SHA256", from)
}

// ParseJoiningSource reads `org up --join` of a bank that joins a running channel: as ParseJoinSource,
// but a snapshot needs the snapshot_hash of a second member's snapshot at the same block. Fabric checks
// a snapshot's files against its own metadata only: a snapshot one member made up, consistent with
// itself, would give the new bank that member's state of the register, which no later block corrects.
func ParseJoiningSource(from, snapshotHash string) (*JoinSource, error) {
	if strings.HasPrefix(from, "snapshot:") && strings.TrimSpace(snapshotHash) == "" {
		return nil, errors.New("--join snapshot:… needs --snapshot-hash: the snapshot_hash a second member read out of its own " +
			"snapshot at the same block (`netctl snapshot take` on its host); one member's snapshot alone is not trusted")
	}
	return ParseJoinSource(from, snapshotHash)
}

// inspect unpacks the snapshot into a temporary directory to read its metadata and checks it against
// the channel and the second organization's hash, before anything on the peer changes.
func (s *JoinSource) inspect(channel string) (*SnapshotInfo, error) {
	if s.Genesis {
		return nil, nil
	}
	if s.info != nil {
		return s.info, nil
	}
	dir, err := os.MkdirTemp("", "ipledger-snapshot-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	info, err := unpackSnapshot(s.Snapshot, dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	if err := checkSnapshot(info, channel, s.SnapshotHash); err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	s.info = info
	return info, nil
}

// checkSnapshot checks a snapshot's metadata: its channel, and its hash against the one a second
// organization read out, when given.
func checkSnapshot(info *SnapshotInfo, channel, wantHash string) error {
	if info.Channel != channel {
		return fmt.Errorf("a snapshot of channel %q, not %q: refused", info.Channel, channel)
	}
	if wantHash != "" && !strings.EqualFold(wantHash, info.Hash) {
		return fmt.Errorf("its snapshot_hash is %s, but the second organization's snapshot at block %d has %s: "+
			"the two peers' states differ, or the snapshots are of other blocks; refused (ask both for snapshots at the same block)",
			info.Hash, info.LastBlock, wantHash)
	}
	return nil
}

// joinPeerBySnapshot joins the organization's peer, running and not in the channel, to the channel
// from a packed snapshot: unpacked beside the peer's data, joined with `peer channel joinbysnapshot`
// (asynchronous), polled with joinbysnapshotstatus until done and the peer lists the channel. The
// unpacked copy is deleted once the peer has imported it. Bank3's `org up` calls it with the file
// another organization sent; the checks of the file (FILE@SHA256, the second hash) come first.
func (n *Network) joinPeerBySnapshot(ctx context.Context, o *Organization, src *JoinSource) error {
	info, err := src.inspect(n.Top.Channel)
	if err != nil {
		return err
	}
	base := filepath.Join(n.nodeDir(o, o.Peer.Name), "snapshot-import")
	dir := filepath.Join(base, strconv.FormatUint(info.LastBlock, 10))
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	defer os.RemoveAll(base)
	if _, err := unpackSnapshot(src.Snapshot, dir); err != nil {
		return err
	}
	if err := n.peerCLI(o, "channel", "joinbysnapshot", "--snapshotpath", dir); err != nil {
		return n.withCause(PeerName(o), fmt.Errorf("%s refused to join by snapshot: %w", PeerName(o), err))
	}
	return n.withCause(PeerName(o), waitFor(ctx, snapshotTimeout, 200*time.Millisecond, func() error {
		if n.Pid(n.peerProcess(o)) == 0 {
			return final(fmt.Errorf("%s exited while joining by snapshot", PeerName(o)))
		}
		out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "channel", "joinbysnapshotstatus")
		if err != nil {
			return err
		}
		if !strings.Contains(out, "No joinbysnapshot operation is in progress") {
			return fmt.Errorf("%s is still joining by snapshot: %s", PeerName(o), lastLines(out, 1))
		}
		joined, err := n.peerHasChannel(o)
		if err != nil {
			return err
		}
		if !joined {
			return final(fmt.Errorf("%s finished joining by snapshot without the channel %s: the join failed", PeerName(o), n.Top.Channel))
		}
		return nil
	}))
}

// Rejoin is what a rejoin measured.
type Rejoin struct {
	Peer   string `json:"peer"`
	From   string `json:"from"` // genesis, or the snapshot's file
	Target uint64 `json:"targetHeight"`
	// SnapshotBlock is the snapshot's last block (a join by snapshot).
	SnapshotBlock uint64        `json:"snapshotBlock,omitempty"`
	SnapshotHash  string        `json:"snapshotHash,omitempty"`
	Reset         time.Duration `json:"reset"`    // stop, unjoin, start
	ToHeight      time.Duration `json:"toHeight"` // from the join until the peer's height reaches Target
	ToAnswer      time.Duration `json:"toAnswer"` // from the join until the chaincode answers an evaluate
	// Stall is the longest the peer stayed at one height while it caught up, and StallHeight that
	// height: a block holding private data that no other peer can send (its own organization's
	// approval of a chaincode definition, in its implicit collection) holds the commit for Fabric's
	// peer.gossip.pvtData.pullRetryThreshold (60 s by default) before the block commits without it.
	Stall       time.Duration `json:"stall"`
	StallHeight uint64        `json:"stallHeight"`
}

// RejoinPeer makes an organization's peer join the channel again from nothing: it reads the channel's
// height from an orderer, checks the snapshot (if it joins from one), stops the peer, unjoins it from
// the channel (`peer node unjoin`, its ledger of the channel deleted), starts it, joins it from the
// genesis block or the snapshot, and waits until its height reaches the orderers' and its chaincode
// answers an evaluate. The chaincode's package stays installed (unjoin deletes the channel's ledger
// only), and the peer finds its organization's approval by the hash the channel holds.
func (n *Network) RejoinPeer(ctx context.Context, o *Organization, src *JoinSource) (*Rejoin, error) {
	if n.began.IsZero() {
		n.began = time.Now()
	}
	r := &Rejoin{Peer: PeerName(o), From: "genesis"}
	info, err := src.inspect(n.Top.Channel)
	if err != nil {
		return nil, err
	}
	if info != nil {
		r.From, r.SnapshotBlock, r.SnapshotHash = filepath.Base(src.File), info.LastBlock, info.Hash
	} else if _, err := os.Stat(n.genesisBlock()); err != nil {
		return nil, fmt.Errorf("no genesis block on this host (%s): import it first (org import)", n.genesisBlock())
	}
	p := n.peerProcess(o)
	if n.Pid(p) == 0 {
		return nil, fmt.Errorf("%s is not running: start it (up, org up) before it rejoins", PeerName(o))
	}
	r.Target, err = n.ordererHeight(o)
	if err != nil {
		return nil, fmt.Errorf("the channel's height, asked of an orderer: %w", err)
	}
	if info != nil && info.LastBlock+1 > r.Target {
		return nil, fmt.Errorf("the snapshot is at block %d, beyond the orderers' height %d: not this channel's", info.LastBlock, r.Target)
	}
	n.progress("channel %s at height %d on the orderers; %s rejoins from %s", n.Top.Channel, r.Target, PeerName(o), r.From)
	t := time.Now()
	if err := n.step("peer stopped, unjoined, started", func() error { return n.resetPeer(ctx, o) }); err != nil {
		return nil, err
	}
	r.Reset = time.Since(t)
	t = time.Now()
	if err := n.step("peer joined", func() error {
		if src.Genesis {
			return n.joinPeer(ctx, o)
		}
		return n.joinPeerBySnapshot(ctx, o, src)
	}); err != nil {
		return nil, err
	}
	if err := n.step(fmt.Sprintf("peer at height %d", r.Target), func() error {
		var err error
		r.Stall, r.StallHeight, err = n.waitPeerHeight(ctx, o, r.Target)
		return err
	}); err != nil {
		return nil, err
	}
	r.ToHeight = time.Since(t)
	if err := n.step("chaincode answers an evaluate", func() error { return n.waitEvaluate(ctx, o) }); err != nil {
		return nil, err
	}
	r.ToAnswer = time.Since(t)
	return r, nil
}

// resetPeer stops a peer, unjoins it from the channel (which needs it stopped: `peer node unjoin`
// runs with the peer's own configuration and deletes the channel's ledger and transient data), and
// starts it again without the channel.
func (n *Network) resetPeer(ctx context.Context, o *Organization) error {
	p := n.peerProcess(o)
	if err := n.Stop(p, 10*time.Second); err != nil {
		return fmt.Errorf("stopping %s: %w", PeerName(o), err)
	}
	if err := n.run(p.Env, n.ProgramPath("peer"), "node", "unjoin", "-c", n.Top.Channel); err != nil {
		return fmt.Errorf("%s is stopped but not unjoined (run the command again): %w", PeerName(o), err)
	}
	if err := n.Start(p); err != nil {
		return fmt.Errorf("%s is unjoined but does not start (run the command again, or up): %w", PeerName(o), err)
	}
	if err := n.waitHealthy(ctx, p, joinTimeout); err != nil {
		return n.withCause(PeerName(o), fmt.Errorf("%s is unjoined and does not come up: %w", PeerName(o), err))
	}
	joined, err := n.peerHasChannel(o)
	if err != nil {
		return err
	}
	if joined {
		return fmt.Errorf("%s still lists channel %s after unjoin", PeerName(o), n.Top.Channel)
	}
	return nil
}

// waitPeerHeight waits until the organization's peer has height blocks, and answers the longest
// time the peer stayed at one height meanwhile, and that height.
func (n *Network) waitPeerHeight(ctx context.Context, o *Organization, height uint64) (time.Duration, uint64, error) {
	var last, stallAt uint64
	var stall time.Duration
	since := time.Now()
	err := n.withCause(PeerName(o), waitFor(ctx, 30*time.Minute, 200*time.Millisecond, func() error {
		if n.Pid(n.peerProcess(o)) == 0 {
			return final(fmt.Errorf("%s exited", PeerName(o)))
		}
		h, err := n.peerHeight(o)
		if err != nil {
			return err
		}
		if h != last {
			if d := time.Since(since); d > stall && last != 0 {
				stall, stallAt = d, last
			}
			last, since = h, time.Now()
		}
		if h < height {
			return fmt.Errorf("%s at height %d, waiting for %d", PeerName(o), h, height)
		}
		return nil
	}))
	return stall, stallAt, err
}

// waitEvaluate waits until the organization's chaincode answers Ping through its peer, as its admin.
func (n *Network) waitEvaluate(ctx context.Context, o *Organization) error {
	return n.withCause(ChaincodeServerName(o), waitFor(ctx, 2*time.Minute, 200*time.Millisecond, func() error {
		_, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "chaincode", "query", "-C", n.Top.Channel,
			"-n", n.Top.Chaincode.Name, "-c", `{"function":"Ping","Args":[]}`)
		if err != nil {
			return fmt.Errorf("%s's chaincode does not answer through %s: %w", o.MSPID, PeerName(o), err)
		}
		return nil
	}))
}

// peerHeight is the channel's height on the organization's peer (peer channel getinfo).
func (n *Network) peerHeight(o *Organization) (uint64, error) {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "channel", "getinfo", "-c", n.Top.Channel)
	if err != nil {
		return 0, err
	}
	return parseChainInfo(out)
}

// ordererHeight is the channel's height on an orderer that answers: its newest block's number + 1,
// fetched as the organization's admin (a reader of the channel), which works from any member's host.
func (n *Network) ordererHeight(o *Organization) (uint64, error) {
	newest, err := n.ordererBlock(o, "newest")
	if err != nil {
		return 0, err
	}
	return newest + 1, nil
}

// ordererBlock is the number of a block an orderer serves (which: newest, or config for the channel's
// last configuration block), fetched as the organization's admin.
func (n *Network) ordererBlock(o *Organization, which string) (uint64, error) {
	dir, err := os.MkdirTemp("", "ipledger-"+which+"-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, which+".block")
	if err := n.peerCLI(o, slices.Concat([]string{"channel", "fetch", which, file, "-c", n.Top.Channel}, n.ordererArgs())...); err != nil {
		return 0, err
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	var b cb.Block
	if err := proto.Unmarshal(raw, &b); err != nil {
		return 0, fmt.Errorf("the %s block from the orderer does not parse: %w", which, err)
	}
	if b.Header == nil {
		return 0, fmt.Errorf("the %s block from the orderer has no header", which)
	}
	return b.Header.Number, nil
}
