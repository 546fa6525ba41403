package netctl

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// deployedCC is the chaincode a data directory serves since its last upgrade: the committed
// sequence, the program its chaincode servers run (a copy in the data directory, named by its
// sha256, so that rebuilding the repository's program does not change it) and the server slot.
type deployedCC struct {
	Sequence int    `json:"sequence"`
	Program  string `json:"program"`
	Slot     int    `json:"slot"`
}

func (n *Network) setDeployed(d *deployedCC) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.deployed, n.deployedRead = d, true
}

// recordDeployed makes d the chaincode this host serves, in state.json (st) and for later calls.
func (n *Network) recordDeployed(st *state, d deployedCC) error {
	st.Chaincode = &d
	n.setDeployed(st.Chaincode)
	return n.saveState(st)
}

// recordSequence records that this host serves another sequence of the same program, at the same slot
// (a definition update, or a joining host's approval of the members' definition).
func (n *Network) recordSequence(st *state, sequence int) error {
	d := deployedCC{Sequence: sequence, Slot: n.ccSlot()}
	if was := n.ccDeployed(); was != nil {
		d.Program = was.Program
	}
	return n.recordDeployed(st, d)
}

// deployedState is this host's state for a change of its chaincode (an upgrade, a definition update),
// which needs the chaincode deployed here first.
func (n *Network) deployedState() (*state, error) {
	st, err := n.loadState()
	if err != nil {
		return nil, err
	}
	if !st.Committed || !n.packaged(st) || len(n.Top.PeerOrgs()) == 0 {
		return nil, ErrNotDeployedHere
	}
	return st, nil
}

// ccDeployed is the chaincode of the last upgrade, read from state.json once; nil before any.
func (n *Network) ccDeployed() *deployedCC {
	n.mu.Lock()
	read := n.deployedRead
	n.mu.Unlock()
	if !read {
		var st state
		if raw, err := os.ReadFile(n.stateFile()); err == nil && json.Unmarshal(raw, &st) == nil {
			n.setDeployed(st.Chaincode)
		} else {
			n.setDeployed(nil)
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.deployed
}

// ccSlot is the chaincode server slot in use: 0 (ccServerPort) until an upgrade moves it.
func (n *Network) ccSlot() int {
	if d := n.ccDeployed(); d != nil {
		return d.Slot
	}
	return 0
}

// ccProgram is the chaincode program this host's servers run: the repository's build in Bin until an
// upgrade, then the upgrade's.
func (n *Network) ccProgram() string {
	if d := n.ccDeployed(); d != nil && d.Program != "" {
		return d.Program
	}
	return n.ProgramPath("ipledger-cc")
}

// ccSequence is the definition's sequence this host serves: the topology's until an upgrade.
func (n *Network) ccSequence() int {
	if d := n.ccDeployed(); d != nil {
		return d.Sequence
	}
	return n.Top.Chaincode.Sequence
}

// UpgradeOptions say what `chaincode upgrade` does on this host.
type UpgradeOptions struct {
	Program string   // the new chaincode program
	Orgs    []string // this host's organizations that approve (names); empty: all of them
}

// UpgradeReport is what an upgrade did.
type UpgradeReport struct {
	FromVersion string        `json:"fromVersion"`
	ToVersion   string        `json:"toVersion"`
	Sequence    int           `json:"sequence"`
	Approvers   []string      `json:"approvers,omitempty"` // the organizations whose peers endorsed the commit
	Threshold   int           `json:"threshold,omitempty"` // approvals the channel's LifecycleEndorsement needs
	Members     int           `json:"members,omitempty"`
	Committed   bool          `json:"committedHere"`         // this host committed the definition (the IP office's)
	CommitTx    string        `json:"commitTx,omitempty"`    // the commit's transaction, on the committer's host
	CommitBlock uint64        `json:"commitBlock,omitempty"` // its block: the new rules apply from the next transaction on
	Duration    time.Duration `json:"duration"`
}

// Errors of an upgrade, each named so that callers and tests can tell them apart.
var (
	ErrProgramUnchanged = errors.New("the new chaincode program is the one committed")
	ErrMajority         = errors.New("majority not reached")
	ErrApprovalMissing  = errors.New("approval missing")
	ErrSequenceMoved    = errors.New("the committed sequence moved under the upgrade")
	ErrNotDeployedHere  = errors.New("the chaincode is not deployed on this host yet: run up first")
)

// Upgrade replaces the chaincode this host's organizations serve with another program, with no gap:
// it packages the program for the chaincode server slot not in use (connection.json names the
// organization's other port), installs it on each organization's peer, starts the new servers beside
// the old ones, and approves the next sequence with the new version for each organization of the
// host. On the IP office's host it commits once the approvals reach the channel's LifecycleEndorsement
// (read from the channel configuration); elsewhere it waits for that commit. Once every peer of the
// host shows the new definition, the old servers stop and state.json and system.json name the new
// ones. An upgrade interrupted after the commit is finished by running it again.
func (n *Network) Upgrade(ctx context.Context, opt UpgradeOptions) (*UpgradeReport, error) {
	began := time.Now()
	n.began = began
	st, err := n.deployedState()
	if err != nil {
		return nil, err
	}
	old, next, err := n.upgradeDefs(opt.Program)
	if err != nil {
		return nil, err
	}
	rep := &UpgradeReport{FromVersion: old.version, ToVersion: next.version, Sequence: next.sequence}
	approving, err := n.approvingOrgs(opt.Orgs)
	if err != nil {
		return nil, err
	}
	program, err := n.keepProgram(opt.Program)
	if err != nil {
		return nil, err
	}
	oldSlot, oldProgram, slot := n.ccSlot(), n.ccProgram(), 1-n.ccSlot()
	// Until the upgrade is committed, a server left at the new slot by an interrupted run may run
	// another program (the slot's package id does not name the program): start the slot afresh.
	ids, err := n.startNewServers(ctx, slot, program, old.version != "")
	if err != nil {
		return nil, err
	}
	if err := n.approveAndCommit(ctx, approving, ids, old, next, rep); err != nil {
		if n.queryCommitted(n.Top.PeerOrgs()[0], next) == nil {
			// Committed, but not every peer of this host shows it yet: both servers stay up.
			return nil, fmt.Errorf("sequence %d is committed, but the switch is not finished (both chaincode servers "+
				"run): run the same upgrade again to finish it: %w", next.sequence, err)
		}
		for _, o := range approving {
			if n.approved(o, ids[o.Name], next) {
				// Its approval is on the ledger: a commit by the others would have its peer dial the
				// new slot. The new servers stay up beside the old until the upgrade is run again.
				return nil, fmt.Errorf("%w (%s approved sequence %d: both chaincode servers stay up; run the same "+
					"upgrade again once the others approved)", err, o.MSPID, next.sequence)
			}
		}
		n.stopServers(ids, slot, program) // nothing approved here: the old servers serve on
		return nil, err
	}
	n.stopServers(st.PackageIDs, oldSlot, oldProgram)
	st.PackageIDs = ids
	if err := n.recordDeployed(st, deployedCC{Sequence: next.sequence, Program: program, Slot: slot}); err != nil {
		return nil, err
	}
	rep.Duration = time.Since(began)
	return rep, writeJSON(n.SystemFile(), n.Describe(ids))
}

// upgradeDefs is the definition committed now, which this host serves, and the one the upgrade
// approves. The committed one is asked of the host's peer, not computed from the program in Bin, which
// a build may have replaced with the new source's. It refuses a program that is the committed one,
// and a committed sequence other than the one this host serves (unless it is the upgrade's own,
// committed by an earlier run or by the IP office's host: then only the switch is left).
func (n *Network) upgradeDefs(program string) (old, next ccDef, err error) {
	sum, err := FileSHA256(program)
	if err != nil {
		return old, next, fmt.Errorf("the new chaincode program: %w", err)
	}
	o := n.Top.PeerOrgs()[0]
	committed, err := n.readCommitted(o)
	if err != nil {
		return old, next, err
	}
	serves := n.ccSequence()
	next = ccDef{version: n.Top.Chaincode.Version + "-" + sum, sequence: serves + 1}
	old, err = upgradeFrom(PeerName(o), committed, next, serves)
	return old, next, err
}

// upgradeFrom decides an upgrade to next on a host that serves sequence serves, given what its peer
// has committed: the definition the upgrade builds on, or why there is none.
func upgradeFrom(peer string, committed, next ccDef, serves int) (ccDef, error) {
	switch {
	case committed == next:
		return ccDef{sequence: serves}, nil // committed already: only the switch is left
	case committed.version == next.version:
		return ccDef{}, fmt.Errorf("%w (version %s at sequence %d): nothing to upgrade; build the program of "+
			"the new rules", ErrProgramUnchanged, committed.version, committed.sequence)
	case committed.sequence != serves:
		return ccDef{}, fmt.Errorf("%w: %s has version %q at sequence %d; this host serves sequence %d and "+
			"would approve %d. Bring this host to the committed definition first", ErrSequenceMoved,
			peer, committed.version, committed.sequence, serves, next.sequence)
	}
	return committed, nil
}

// readCommitted is the chaincode definition a peer has committed.
func (n *Network) readCommitted(o *Organization) (ccDef, error) {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "querycommitted",
		"--channelID", n.Top.Channel, "--name", n.Top.Chaincode.Name, "--output", "json")
	if err != nil {
		return ccDef{}, err
	}
	var def struct {
		Version  string `json:"version"`
		Sequence int    `json:"sequence"`
	}
	if err := json.Unmarshal([]byte(out), &def); err != nil {
		return ccDef{}, fmt.Errorf("%s: querycommitted: %w: %s", PeerName(o), err, lastLines(out, 3))
	}
	return ccDef{version: def.Version, sequence: def.Sequence}, nil
}

// approvingOrgs are the organizations of this host named (all when none is).
func (n *Network) approvingOrgs(names []string) ([]*Organization, error) {
	if len(names) == 0 {
		return n.Top.PeerOrgs(), nil
	}
	var orgs []*Organization
	for _, name := range names {
		i := slices.IndexFunc(n.Top.PeerOrgs(), func(o *Organization) bool { return o.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("--orgs: %q is not a peer organization of this host", name)
		}
		orgs = append(orgs, n.Top.PeerOrgs()[i])
	}
	return orgs, nil
}

// keepProgram copies the new program into the data directory under its sha256, so that the servers
// run it whatever later builds put into Bin.
func (n *Network) keepProgram(program string) (string, error) {
	sum, err := FileSHA256(program)
	if err != nil {
		return "", err
	}
	kept := filepath.Join(n.Dir, "programs", "ipledger-cc-"+sum)
	if _, err := os.Stat(kept); err == nil {
		return kept, nil
	}
	raw, err := os.ReadFile(program)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(kept), 0o755); err != nil {
		return "", err
	}
	return kept, writeFileAtomic(kept, raw, 0o755)
}

// startNewServers packages the chaincode for a slot, installs the packages and starts that slot's
// servers running program. It returns the package ids.
func (n *Network) startNewServers(ctx context.Context, slot int, program string, afresh bool) (map[string]string, error) {
	ids, err := n.writePackages(slot)
	if err != nil {
		return nil, err
	}
	if err := n.installPackages(ids, slot); err != nil {
		return nil, err
	}
	if afresh {
		n.stopServers(ids, slot, program)
	}
	var ps []*Process
	for _, o := range n.Top.PeerOrgs() {
		ps = append(ps, n.chaincodeProcess(o, ids[o.Name], slot, program))
	}
	n.progress("starting the new chaincode servers beside the old ones (%s)", ccServerAddr(n.Top.PeerOrgs()[0], slot))
	if err := n.startAll(ctx, ps, 15*time.Second); err != nil {
		n.stopServers(ids, slot, program)
		return nil, err
	}
	return ids, nil
}

// stopServers stops this host's chaincode servers of a slot.
func (n *Network) stopServers(ids map[string]string, slot int, program string) {
	for _, o := range n.Top.PeerOrgs() {
		p := n.chaincodeProcess(o, ids[o.Name], slot, program)
		if err := n.Stop(p, 10*time.Second); err != nil {
			n.progress("stopping %s: %v", p.Name, err)
		}
	}
}

// approveAndCommit approves next for the approving organizations, commits it on the IP office's host
// once the approvals suffice, and waits until every peer of this host shows it.
func (n *Network) approveAndCommit(ctx context.Context, approving []*Organization, ids map[string]string, old, next ccDef, rep *UpgradeReport) error {
	if err := n.step(fmt.Sprintf("approved sequence %d for %s", next.sequence, orgNames(approving)), func() error {
		return n.approveOrgs(ctx, approving, ids, next)
	}); err != nil {
		return err
	}
	c := n.committer()
	if n.isLocal(c) && n.queryCommitted(c, next) != nil {
		threshold, members, err := n.lifecycleThreshold(c)
		if err != nil {
			return err
		}
		rep.Threshold, rep.Members, rep.Committed = threshold, members, true
		err = n.step(fmt.Sprintf("sequence %d committed (LifecycleEndorsement: %d of %d)", next.sequence, threshold, members), func() error {
			rep.Approvers, err = n.commit(ctx, c, next, n.majority(c, old, threshold, members))
			return err
		})
		if err != nil {
			return err
		}
		n.mu.Lock()
		rep.CommitTx = n.lastCommitTx
		n.mu.Unlock()
		if rep.CommitTx != "" {
			if rep.CommitBlock, err = n.blockOfTx(c, rep.CommitTx); err != nil {
				return err
			}
		}
	} else if !n.isLocal(c) {
		n.progress("approved; waiting until %s commits sequence %d", c.MSPID, next.sequence)
	}
	return n.step("every peer of this host has the new definition", func() error {
		err := n.checkCommitted(ctx, next)
		var other *otherDefinition
		if errors.As(err, &other) {
			return fmt.Errorf("sequence %d is not committed: %s has sequence %d committed (%s commits sequence %d once "+
				"the channel's LifecycleEndorsement is met: ask which members have not approved; run this again to go "+
				"on waiting)", next.sequence, other.peer, other.sequence, c.MSPID, next.sequence)
		}
		return err
	})
}

func orgNames(orgs []*Organization) string {
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = o.MSPID
	}
	return strings.Join(names, ", ")
}

// majority is the commit's readiness on the committer's host: the committer's own organization has
// approved (its peer endorses the commit), the approvals reach the threshold, and the committed
// sequence is still the one the upgrade builds on.
func (n *Network) majority(c *Organization, old ccDef, threshold, members int) func(map[string]bool) ([]string, error) {
	return func(approvals map[string]bool) ([]string, error) {
		if err := n.queryCommitted(c, old); err != nil {
			var other *otherDefinition
			if errors.As(err, &other) {
				return nil, final(fmt.Errorf("%w: %s has version %q at sequence %d now, not %d", ErrSequenceMoved,
					other.peer, other.version, other.sequence, old.sequence))
			}
			return nil, err
		}
		return approvalsSuffice(approvals, c.MSPID, threshold, members)
	}
}

// approvalsSuffice says whether checkcommitreadiness's approvals let committer commit: its own is
// there and their number reaches threshold. It returns the approving organizations.
func approvalsSuffice(approvals map[string]bool, committer string, threshold, members int) ([]string, error) {
	yes, no := splitApprovals(approvals)
	if !slices.Contains(yes, committer) {
		return nil, fmt.Errorf("%w: %s, which commits, has not approved this definition", ErrApprovalMissing, committer)
	}
	if len(yes) < threshold {
		return nil, fmt.Errorf("%w: %d of %d organizations approved (%s); the channel's LifecycleEndorsement needs %d; "+
			"not approved: %s", ErrMajority, len(yes), members, strings.Join(yes, ", "), threshold, strings.Join(no, ", "))
	}
	return yes, nil
}

// lifecycleThreshold reads the channel's /Channel/Application/LifecycleEndorsement policy from the
// configuration block of an organization's own peer: how many of the application organizations must
// approve a definition before it commits.
func (n *Network) lifecycleThreshold(o *Organization) (threshold, members int, err error) {
	f, err := os.CreateTemp("", "ipledger-config-*.block")
	if err != nil {
		return 0, 0, err
	}
	_ = f.Close()
	defer os.Remove(f.Name())
	if err := n.peerCLI(o, "channel", "fetch", "config", f.Name(), "-c", n.Top.Channel); err != nil {
		return 0, 0, fmt.Errorf("the channel configuration from %s: %w", PeerName(o), err)
	}
	raw, err := os.ReadFile(f.Name())
	if err != nil {
		return 0, 0, err
	}
	return implicitThreshold(raw, "LifecycleEndorsement")
}

// implicitThreshold reads a configuration block's Application policy, which must be an implicit meta
// policy (ANY, ALL or MAJORITY of the organizations' sub-policies), and returns how many of how many
// organizations satisfy it.
func implicitThreshold(block []byte, policy string) (threshold, members int, err error) {
	var b cb.Block
	var env cb.Envelope
	var payload cb.Payload
	var ce cb.ConfigEnvelope
	if err := proto.Unmarshal(block, &b); err != nil {
		return 0, 0, fmt.Errorf("not a configuration block: %w", err)
	}
	if b.Data == nil || len(b.Data.Data) == 0 {
		return 0, 0, errors.New("not a configuration block: no data")
	}
	if err := errors.Join(proto.Unmarshal(b.Data.Data[0], &env), proto.Unmarshal(env.Payload, &payload),
		proto.Unmarshal(payload.Data, &ce)); err != nil {
		return 0, 0, fmt.Errorf("not a configuration block: %w", err)
	}
	app := ce.GetConfig().GetChannelGroup().GetGroups()["Application"]
	p := app.GetPolicies()[policy].GetPolicy()
	if p == nil {
		return 0, 0, fmt.Errorf("the channel configuration has no /Channel/Application/%s policy", policy)
	}
	if p.Type != int32(cb.Policy_IMPLICIT_META) {
		return 0, 0, fmt.Errorf("/Channel/Application/%s is not an implicit meta policy (ANY, ALL, MAJORITY): "+
			"netctl cannot count the approvals it needs", policy)
	}
	var im cb.ImplicitMetaPolicy
	if err := proto.Unmarshal(p.Value, &im); err != nil {
		return 0, 0, err
	}
	members = len(app.GetGroups())
	switch im.Rule {
	case cb.ImplicitMetaPolicy_ANY:
		return 1, members, nil
	case cb.ImplicitMetaPolicy_ALL:
		return members, members, nil
	default: // MAJORITY
		return members/2 + 1, members, nil
	}
}

// blockOfTx is the number of the block that holds a transaction, from an organization's own peer
// (qscc GetBlockByTxID).
func (n *Network) blockOfTx(o *Organization, txID string) (uint64, error) {
	args := fmt.Sprintf(`{"Args":["GetBlockByTxID","%s","%s"]}`, n.Top.Channel, txID)
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "chaincode", "query", "-C", n.Top.Channel,
		"-n", "qscc", "-c", args, "--hex")
	if err != nil {
		return 0, err
	}
	raw, err := hex.DecodeString(strings.TrimSpace(out))
	if err != nil {
		return 0, fmt.Errorf("qscc GetBlockByTxID: %w", err)
	}
	var b cb.Block
	if err := proto.Unmarshal(raw, &b); err != nil {
		return 0, fmt.Errorf("qscc GetBlockByTxID: not a block: %w", err)
	}
	if b.Header == nil {
		return 0, errors.New("qscc GetBlockByTxID: a block without a header")
	}
	return b.Header.Number, nil
}

// step runs one step of an upgrade and, once it succeeds, prints its name (what is done) and
// duration; a failure is returned as it is, its own message saying what is not done.
func (n *Network) step(name string, f func() error) error {
	t := time.Now()
	if err := f(); err != nil {
		return err
	}
	n.progress("%-44s %5.1fs", name, time.Since(t).Seconds())
	return nil
}
