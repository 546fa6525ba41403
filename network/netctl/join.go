package netctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// A bank that joins a running consortium (docs/operations.md, "A bank joins a running consortium"):
// the genesis block every host imports does not name its organization; a configuration update signed
// by a majority of the members added it later. Its host's `org up` then joins its peer from the genesis
// block, as every member's did, after checking with an orderer that the update is committed, and waits
// until its peer has caught up with the channel; its chaincode step approves the definition the
// members committed, or takes part in approving the next one when that lacks its collection
// (joinDefinition).

// ErrNotAdmitted is a joining organization's `org up` before the configuration update adding it is
// committed: the orderers refuse its admin the channel's blocks.
var ErrNotAdmitted = errors.New("not admitted to the channel yet")

// joinsLater says whether an organization joins a running channel: the channel's genesis block, which
// this host imported, does not name it.
func (n *Network) joinsLater(o *Organization) (bool, error) {
	raw, err := os.ReadFile(n.genesisBlock())
	if err != nil {
		return false, err
	}
	var b cb.Block
	if err := proto.Unmarshal(raw, &b); err != nil {
		return false, fmt.Errorf("%s: %w", n.genesisBlock(), err)
	}
	cfg, err := ConfigFromBlock(&b)
	if err != nil {
		return false, fmt.Errorf("%s: %w", n.genesisBlock(), err)
	}
	_, named := cfg.GetChannelGroup().GetGroups()["Application"].GetGroups()[o.MSPID]
	return !named, nil
}

// channelHeight is the channel's height from an orderer, asked as an organization's admin. An orderer
// refuses an organization that is not in the channel's configuration (its Readers policy):
// ErrNotAdmitted, with what the members must do.
func (n *Network) channelHeight(o *Organization) (uint64, error) {
	h, err := n.ordererHeight(o)
	if err != nil && strings.Contains(err.Error(), "FORBIDDEN") {
		return 0, fmt.Errorf("%w: the configuration update adding %s is not committed yet: the orderers refuse its "+
			"admin the blocks of channel %s (FORBIDDEN). The members propose, sign and submit it (`netctl channel "+
			"propose add-org %s.org.json@<sha256>` on a member's host, `channel sign` on the others', `channel "+
			"submit` with a majority of signatures); run `org up` again once it is committed", ErrNotAdmitted,
			o.MSPID, n.Top.Channel, o.Name)
	}
	if err != nil {
		return 0, fmt.Errorf("the channel's newest block from an orderer: %w", err)
	}
	return h, nil
}

// parseChainInfo reads peer channel getinfo's answer: `Blockchain info: {"height":12,...}`.
func parseChainInfo(out string) (uint64, error) {
	_, js, ok := strings.Cut(out, "Blockchain info:")
	var info struct {
		Height uint64 `json:"height"`
	}
	if !ok || json.Unmarshal([]byte(strings.TrimSpace(js)), &info) != nil {
		return 0, fmt.Errorf("peer channel getinfo: %s", lastLines(out, 3))
	}
	return info.Height, nil
}

// catchUpStall bounds how long a joining peer's ledger may stay at one height before its catch-up is
// taken for stuck: the wait has no overall bound, as a long channel takes long to replay.
// It is longer than Fabric's peer.gossip.pvtData.pullRetryThreshold (60 s), the time a peer holds a
// block whose private data it is eligible for and cannot get (a member's own chaincode approval,
// after a rejoin) before it commits the block without it.
const catchUpStall = 90 * time.Second

// catchUp waits until an organization's peer has the channel up to height (the orderers' height
// before it joined): until then its state is the past's, and what the chaincode step reads of it
// (the committed definition) is not the channel's.
// It says so when report is set (a join) or when the peer was behind.
func (n *Network) catchUp(ctx context.Context, o *Organization, height uint64, report bool) error {
	began := time.Now()
	var last uint64
	for first := true; ; first = false {
		h, err := n.peerHeight(o)
		if err == nil && h >= height {
			switch {
			case report:
				n.progress("%s has the channel up to height %d (replayed from the genesis block in %.1fs)",
					PeerName(o), h, time.Since(began).Seconds())
			case !first:
				n.progress("%s has caught up with the channel to height %d in %.1fs", PeerName(o), h, time.Since(began).Seconds())
			}
			return nil
		}
		if err == nil && h > last {
			last = h
		}
		// The stall window restarts whenever the height grows.
		err = waitFor(ctx, catchUpStall, 200*time.Millisecond, func() error {
			if n.Pid(n.peerProcess(o)) == 0 {
				return final(fmt.Errorf("%s exited", PeerName(o)))
			}
			h, err := n.peerHeight(o)
			if err != nil {
				return err
			}
			if h >= height || h > last {
				return nil
			}
			return fmt.Errorf("%s stays at height %d of %d: it receives no blocks from the orderers, or waits for private "+
				"data of the next block that no peer sends it (its log says which)", PeerName(o), h, height)
		})
		if err != nil {
			return err
		}
	}
}

// joinLater joins the peer of an organization that joins a running channel: the orderers must serve
// it the channel (the update adding it committed); then its peer joins from the genesis block and
// replays the channel to the height the orderers had.
func (n *Network) joinLater(ctx context.Context, o *Organization) error {
	ord := n.plan().OrdererOrgs()[0]
	if _, err := os.Stat(n.caCert(ord)); err != nil {
		return fmt.Errorf("%s's definition is not imported on this host: its peer reaches the orderers with their "+
			"CA certificate: import %s.org.json (as every host has it) with `netctl org import`", ord.MSPID, ord.Name)
	}
	height, err := n.channelHeight(o)
	if err != nil {
		return err // the orderers' answer: the peer's log says nothing of it
	}
	if src := n.JoinSnapshot; src != nil {
		joined, err := n.peerHasChannel(o)
		if err != nil {
			return err
		}
		if joined { // by an earlier run, which may have stopped before its peer caught up
			return n.withCause(PeerName(o), n.catchUp(ctx, o, height, false))
		}
		if err := n.snapshotAdmits(o, src); err != nil {
			return err
		}
		began := time.Now()
		if err := n.joinPeerBySnapshot(ctx, o, src); err != nil {
			return err
		}
		n.progress("%s joined the channel from the snapshot in %.1fs", PeerName(o), time.Since(began).Seconds())
		return n.withCause(PeerName(o), n.catchUp(ctx, o, height, false))
	}
	return n.withCause(PeerName(o), func() error {
		if err := n.joinPeer(ctx, o); err != nil {
			return err
		}
		return n.catchUp(ctx, o, height, true)
	}())
}

// snapshotAdmits refuses a snapshot taken before the channel's last configuration block, which for a
// joining organization is (or follows) the update that admitted it: a peer joined from an earlier
// state would not find its own organization in the channel's configuration, and Fabric's gossip
// would refuse it its place.
func (n *Network) snapshotAdmits(o *Organization, src *JoinSource) error {
	info, err := src.inspect(n.Top.Channel)
	if err != nil {
		return err
	}
	config, err := n.ordererBlock(o, "config")
	if err != nil {
		return fmt.Errorf("the channel's last configuration block from an orderer: %w", err)
	}
	if info.LastBlock < config {
		return fmt.Errorf("the snapshot ends at block %d, before the channel's last configuration block %d (the update "+
			"admitting %s, or a later one): ask a member for a snapshot taken since (`netctl snapshot take`)", info.LastBlock, config, o.MSPID)
	}
	return nil
}

// joinDefinition is the chaincode step of a host whose organization joins a running channel, or whose
// peer has a later sequence committed than this host serves: the members committed a definition
// before (or without) it. When the committed definition has every collection of this host's plan, the
// host approves that sequence as it is (the same version: the same program), with its own package id,
// and serves it; when it lacks some (the joining bank's own), the host approves the next sequence with
// the plan's collections, as the members do with `org define`, and waits until the IP office commits
// it. The sequence served is recorded in st (deployedCC), which later `up`s check the peers against.
func (n *Network) joinDefinition(ctx context.Context, st *state, committed ccDef) error {
	o := n.Top.PeerOrgs()[0]
	def, err := n.readDefinition(o)
	if err != nil {
		return err
	}
	added, dropped := n.collectionChange(def)
	if len(dropped) > 0 {
		return fmt.Errorf("the committed definition (sequence %d) has the collections %s, which this host's plan "+
			"lacks: take the consortium's plan (`org plan`) before `org up`", committed.sequence, strings.Join(dropped, ", "))
	}
	serve := committed
	if len(added) == 0 {
		if err := n.step(fmt.Sprintf("approved the committed sequence %d for %s", committed.sequence, orgNames(n.Top.PeerOrgs())), func() error {
			return n.approveOrgs(ctx, n.Top.PeerOrgs(), st.PackageIDs, committed)
		}); err != nil {
			return err
		}
	} else {
		serve = ccDef{version: committed.version, sequence: committed.sequence + 1}
		n.progress("the committed definition (sequence %d) lacks the collections %s: approving sequence %d with "+
			"them; the members approve it with `netctl org define` on their hosts, and %s commits it once the "+
			"channel's LifecycleEndorsement is met", committed.sequence, strings.Join(added, ", "), serve.sequence, n.committer().MSPID)
		rep := &UpgradeReport{}
		err := n.approveAndCommit(ctx, n.Top.PeerOrgs(), st.PackageIDs, committed, serve, rep)
		var other *otherDefinition
		if errors.As(err, &other) || (err != nil && strings.Contains(err.Error(), "is not committed")) {
			return fmt.Errorf("%w\nthe members have not defined it yet: each member runs `netctl org define` on its "+
				"host (after `org plan` of the consortium's new plan); run `org up` here again to go on waiting", err)
		}
		if err != nil {
			return err
		}
	}
	return n.recordSequence(st, serve.sequence)
}

// catchUpAll waits until every peer of this host has the channel up to the orderers' height now.
func (n *Network) catchUpAll(ctx context.Context) error {
	for _, o := range n.Top.PeerOrgs() {
		height, err := n.channelHeight(o)
		if err != nil {
			return err
		}
		if err := n.withCause(PeerName(o), n.catchUp(ctx, o, height, false)); err != nil {
			return err
		}
	}
	return nil
}
