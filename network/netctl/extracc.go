package netctl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hyperledger/fabric-config/configtx"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
)

// An extra chaincode is a chaincode other than IPLedger's, deployed on a running network under its own
// name beside it: the benchmark's trivial key-value chaincode (network/bench/kvcc), against which
// IPLedger's registrations are measured. It is deployed as IPLedger's is (each organization installs
// its own chaincode-as-a-service package naming its own chaincode server, approves, the IP office
// commits), with the same endorsement policy as IPLedger's definition and no collections. Its servers
// listen at spare ports, after every port the topology names ([Topology.SparePort]); `down` stops
// them with the rest (they have pid files), and StopExtraChaincode stops them alone.

// ExtraChaincode says what to deploy.
type ExtraChaincode struct {
	Name    string // its name on the channel (and its servers' names: <name>.<org>)
	Version string // the approved version is Version-<sha256 of Program>
	Program string // the chaincode server program (reads the environment ipledger-cc reads)
	// FirstSparePort is the first of the spare ports its servers take, one per peer organization in
	// the topology's order ([Topology.SparePort]).
	FirstSparePort int
}

// ExtraDeployment is a deployed extra chaincode.
type ExtraDeployment struct {
	Name     string
	Version  string
	Sequence int
	Policy   string
	// Committed says whether this deployment committed the definition (false: it was committed
	// already, by an earlier deployment of the same program).
	Committed bool
	Servers   []*Process
}

// extraNameRE is what Fabric accepts as a chaincode name.
var extraNameRE = regexp.MustCompile(`^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$`)

// SparePort is the k-th port (from 0) after the highest port the topology names: for fixtures that
// run beside a network (the benchmark's extra chaincode servers, the peers' profiling listeners),
// clear of every node of the network and, as ports grow with the port base, of networks at other
// bases that are at least as far apart as the topology is wide plus k.
func (t *Topology) SparePort(k int) int {
	highest := 0
	for _, o := range t.Organizations {
		highest = max(highest, o.CA.Port, o.CA.OpsPort)
		for _, ord := range o.Orderers {
			highest = max(highest, ord.Port, ord.AdminPort, ord.OpsPort)
		}
		if p := o.Peer; p != nil {
			highest = max(highest, p.Port, p.ChaincodePort, p.OpsPort, p.CCServerPort, p.CCServerAltPort)
		}
		if g := o.Gateway; g != nil {
			highest = max(highest, g.Port, g.OpsPort)
			if g.ReadModel != nil { // a PostgreSQL server's port (the regulator's)
				highest = max(highest, g.ReadModel.Port)
			}
		}
	}
	return highest + 1 + k
}

// peerProfileSpare is the first spare port of the peers' profiling endpoints, one per peer
// organization; the spare ports before it are the benchmark's extra chaincode servers'.
const peerProfileSpare = 10

// PeerProfilePort is where a peer organization's peer serves Go's pprof when the network runs with
// PeerProfile, at 127.0.0.1.
func (t *Topology) PeerProfilePort(o *Organization) int {
	return t.SparePort(peerProfileSpare + max(0, slices.Index(t.PeerOrgs(), o)))
}

// extraServer is an organization's server of an extra chaincode.
func (n *Network) extraServer(o *Organization, cc ExtraChaincode, port int, packageID string) *Process {
	p := n.chaincodeProcess(o, packageID, 0, cc.Program)
	p.Name = cc.Name + "." + o.Name
	p.Ports = []int{port}
	for i, kv := range p.Env {
		if strings.HasPrefix(kv, "CHAINCODE_SERVER_ADDRESS=") {
			p.Env[i] = "CHAINCODE_SERVER_ADDRESS=" + Addr(o.Host, port)
		}
	}
	return p
}

// DeployExtraChaincode deploys an extra chaincode on the running network and starts its servers: each
// organization's package installed on its peer, approved by every organization, committed by the IP
// office, its servers started, and the definition awaited on every peer. Every step that the ledger
// or the host already has is skipped, so a second deployment of the same program only starts the
// servers that are not running; a changed program is approved and committed at the next sequence.
func (n *Network) DeployExtraChaincode(ctx context.Context, cc ExtraChaincode) (*ExtraDeployment, error) {
	if cc.Name == n.Top.Chaincode.Name || !extraNameRE.MatchString(cc.Name) || cc.Name == "_lifecycle" {
		return nil, fmt.Errorf("extra chaincode name %q: it must be a valid chaincode name (letters, digits, - and _) other than %q",
			cc.Name, n.Top.Chaincode.Name)
	}
	sum, err := FileSHA256(cc.Program)
	if err != nil {
		return nil, fmt.Errorf("the %s chaincode program: %w (build it: scripts/ipledger build)", cc.Name, err)
	}
	d := &ExtraDeployment{Name: cc.Name, Version: cc.Version + "-" + sum, Policy: n.definitionPolicy()}
	label := cc.Name + "_" + cc.Version
	ids := map[string]string{}
	for i, o := range n.Top.PeerOrgs() {
		port := n.Top.SparePort(cc.FirstSparePort + i)
		pkg, err := n.ccaasPackage(o, label, Addr(o.Host, port))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		file := filepath.Join(n.ccDir(o), cc.Name+".tar.gz")
		if err := writePrivate(file, pkg); err != nil {
			return nil, err
		}
		h := sha256.Sum256(pkg)
		ids[o.Name] = label + ":" + hex.EncodeToString(h[:])
		if err := n.installFile(o, ids[o.Name], file); err != nil {
			return nil, err
		}
		d.Servers = append(d.Servers, n.extraServer(o, cc, port, ids[o.Name]))
	}
	for _, p := range d.Servers {
		if n.Pid(p) != 0 {
			continue
		}
		if err := n.Start(p); err != nil {
			return nil, err
		}
		if err := n.waitListening(ctx, p, 30*time.Second); err != nil {
			return nil, n.withCause(p.Name, err)
		}
	}
	ipo := n.committer()
	version, seq, err := n.extraCommitted(ipo, cc.Name)
	switch {
	case err == nil && version == d.Version:
		d.Sequence = seq
		return d, n.waitExtraCommitted(ctx, d)
	case err == nil:
		d.Sequence = seq + 1 // another program of the same name: its next sequence
	default:
		d.Sequence = 1
	}
	if err := n.approveCommitExtra(ctx, d, ids); err != nil {
		return nil, err
	}
	d.Committed = true
	return d, n.waitExtraCommitted(ctx, d)
}

// approveCommitExtra approves an extra chaincode's definition for every organization with its own
// package id (unless approved already) and commits it through the IP office's peer, endorsed by every
// organization's peer.
func (n *Network) approveCommitExtra(ctx context.Context, d *ExtraDeployment, ids map[string]string) error {
	ipo := n.committer()
	def := []string{"--channelID", n.Top.Channel, "--name", d.Name, "--version", d.Version, "--sequence",
		strconv.Itoa(d.Sequence), "--signature-policy", d.Policy}
	for _, o := range n.Top.PeerOrgs() {
		err := waitFor(ctx, 30*time.Second, 500*time.Millisecond, func() error {
			out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "queryapproved",
				"--channelID", n.Top.Channel, "--name", d.Name, "--sequence", strconv.Itoa(d.Sequence), "--output", "json")
			if err == nil {
				if a, err := parseApproved(out); err == nil && a.sameAs(d.Version, d.Sequence, ids[o.Name]) {
					return nil
				}
			}
			return n.peerCLI(o, slices.Concat([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", ids[o.Name],
				"--waitForEvent"}, def, n.ordererArgs())...)
		})
		if err != nil {
			return n.withCause(PeerName(o), fmt.Errorf("%s's approval of %s: %w", o.MSPID, d.Name, err))
		}
	}
	args := slices.Concat([]string{"lifecycle", "chaincode", "commit", "--waitForEvent"}, def)
	for _, o := range n.Top.PeerOrgs() {
		args = append(args, "--peerAddresses", Addr(o.Host, o.Peer.Port), "--tlsRootCertFiles", n.caCert(o))
	}
	err := waitFor(ctx, 30*time.Second, 500*time.Millisecond, func() error {
		if v, s, err := n.extraCommitted(ipo, d.Name); err == nil && v == d.Version && s == d.Sequence {
			return nil
		}
		return n.peerCLI(ipo, append(args, n.ordererArgs()...)...)
	})
	if err != nil {
		return n.withCause(PeerName(ipo), fmt.Errorf("committing %s: %w", d.Name, err))
	}
	return nil
}

// installFile installs a package file on an organization's peer unless the peer has its id.
func (n *Network) installFile(o *Organization, packageID, file string) error {
	installed, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "queryinstalled", "--output", "json")
	if err != nil {
		return n.withCause(PeerName(o), err)
	}
	if strings.Contains(installed, packageID) {
		return nil
	}
	if err := n.peerCLI(o, "lifecycle", "chaincode", "install", file); err != nil {
		return n.withCause(PeerName(o), fmt.Errorf("install %s on %s: %w", filepath.Base(file), PeerName(o), err))
	}
	return nil
}

// extraCommitted is the version and sequence of a chaincode's definition committed, as a peer says.
func (n *Network) extraCommitted(o *Organization, name string) (string, int, error) {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "querycommitted",
		"--channelID", n.Top.Channel, "--name", name, "--output", "json")
	if err != nil {
		return "", 0, err
	}
	var def struct {
		Version  string `json:"version"`
		Sequence int    `json:"sequence"`
	}
	if err := json.Unmarshal([]byte(out), &def); err != nil {
		return "", 0, fmt.Errorf("%s: querycommitted: %w: %s", PeerName(o), err, lastLines(out, 3))
	}
	return def.Version, def.Sequence, nil
}

// waitExtraCommitted waits until every peer has the deployment's definition.
func (n *Network) waitExtraCommitted(ctx context.Context, d *ExtraDeployment) error {
	for _, o := range n.Top.PeerOrgs() {
		err := waitFor(ctx, 30*time.Second, 300*time.Millisecond, func() error {
			v, s, err := n.extraCommitted(o, d.Name)
			if err == nil && (v != d.Version || s != d.Sequence) {
				err = fmt.Errorf("%s has %s committed as %s at sequence %d, not %s at %d", PeerName(o), d.Name, v, s, d.Version, d.Sequence)
			}
			return err
		})
		if err != nil {
			return n.withCause(PeerName(o), err)
		}
	}
	return nil
}

// StopExtraChaincode stops an extra chaincode's servers. Its definition stays on the channel: a
// transaction for it then fails at endorsement ("connection refused" in the peer's log) until a new
// deployment starts them again.
func (n *Network) StopExtraChaincode(d *ExtraDeployment) error {
	var errs []error
	for _, p := range d.Servers {
		errs = append(errs, n.Stop(p, 10*time.Second))
	}
	return errors.Join(errs...)
}

// BatchTimeout is the channel's BatchTimeout as its configuration says.
func BatchTimeout(cfg *cb.Config) (time.Duration, error) {
	c := configtx.New(cfg)
	o, err := c.Orderer().Configuration()
	if err != nil {
		return 0, err
	}
	return o.BatchTimeout, nil
}

// ProposeBatchTimeout computes the update that sets the channel's BatchTimeout: a value of the
// orderer section, whose mod policy is /Channel/Orderer/Admins (a majority of the orderer
// organizations' admins).
func ProposeBatchTimeout(cfg *cb.Config, channel string, d time.Duration) ([]byte, error) {
	if d < time.Millisecond || d > time.Minute {
		return nil, fmt.Errorf("BatchTimeout %s: choose one from 1ms to 1m", d)
	}
	c := configtx.New(cfg)
	if err := c.Orderer().SetBatchTimeout(d); err != nil {
		return nil, err
	}
	return computeUpdate(&c, channel)
}

// SetBatchTimeout sets the channel's BatchTimeout by a configuration update signed by the orderer
// organization's admin (on this host), submitted through the IP office's peer as its admin, and
// answers the config block it made (0 when the channel had that value already: nothing is
// submitted). The orderers cut blocks with the new value from that block on; no node restarts.
func (n *Network) SetBatchTimeout(ctx context.Context, d time.Duration) (uint64, error) {
	ipo := n.committer()
	cfg, before, err := n.ChannelConfig(ipo)
	if err != nil {
		return 0, err
	}
	if cur, err := BatchTimeout(cfg); err == nil && cur == d {
		return 0, nil
	}
	upd, err := ProposeBatchTimeout(cfg, n.Top.Channel, d)
	if err != nil {
		return 0, err
	}
	ords := n.Top.OrdererOrgs()
	if len(ords) == 0 {
		return 0, errors.New("this host has no orderer organization, whose admin signs a change of the orderer section; " +
			"propose it on a host of the consortium and have the orderer organization's admin sign it")
	}
	id, err := n.adminIdentity(ords[0])
	if err != nil {
		return 0, err
	}
	sig, err := SignUpdate(id, upd)
	if err != nil {
		return 0, err
	}
	if _, err := CheckUpdate(cfg, n.Top.Channel, upd, [][]byte{sig}); err != nil {
		return 0, fmt.Errorf("BatchTimeout %s: %w", d, err)
	}
	if err := n.sendUpdate(ipo, upd, [][]byte{sig}); err != nil {
		return 0, fmt.Errorf("BatchTimeout %s: %w", d, err)
	}
	return n.waitConfigAfter(ctx, ipo, before)
}
