package netctl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// state records which one-time steps of up are done, so that up after down restarts from the data.
type state struct {
	Enrolled       bool `json:"enrolled"`
	Genesis        bool `json:"genesis"`
	OrderersJoined bool `json:"orderersJoined"`
	PeersJoined    bool `json:"peersJoined"`
	// PackageIDs is each peer organization's chaincode package id, by organization name: each builds
	// its own package (its own server in connection.json), so each has its own id.
	PackageIDs map[string]string `json:"packageIds,omitempty"`
	// LegacyPackageID is the one package id of a data directory made when one chaincode server served
	// every peer. Such a directory is refused (errLegacyState): its definition was approved with
	// packages that carry the server's key.
	LegacyPackageID string `json:"packageId,omitempty"`
	Committed       bool   `json:"chaincodeCommitted"`
	// Chaincode is the definition this host serves since its last chaincode upgrade (its sequence, the
	// program, the chaincode server slot); nil before any upgrade. PackageIDs are then the packages of
	// that slot.
	Chaincode *deployedCC `json:"chaincode,omitempty"`
	// Users are users added to organizations after the network was made (`identity add`), and
	// Revoked users revoked (`identity revoke`), by organization name: up enrols no revoked user and
	// gives the gateways the users added and not the revoked.
	Users   map[string][]UserSpec `json:"users,omitempty"`
	Revoked map[string][]string   `json:"revoked,omitempty"`
}

// errLegacyState is up's answer on a data directory made with one chaincode server for every peer.
var errLegacyState = errors.New("this data directory was made by an earlier netctl that ran one chaincode server " +
	"for every peer (state.json has one packageId); this one runs a chaincode server per organization. " +
	"Delete the network with `scripts/ipledger down --purge` and run up again")

// checkMadeWith refuses to bring up a one-machine network whose topology names an organization the
// network was not made with (say, the IP-finance members, added to network/topology.yaml after the
// directory was made): up's steps that enrol, make the genesis block and commit the chaincode are done
// and would not be run again, so the organization would have no identities, no place on the channel
// and no collections. On a consortium's host the plan's hash guards the same (Scope).
func (n *Network) checkMadeWith(st *state) error {
	if !st.Enrolled || n.scoped() {
		return nil
	}
	var missing []string
	for _, o := range n.Top.Organizations {
		if _, err := os.Stat(n.orgDir(o)); errors.Is(err, os.ErrNotExist) {
			missing = append(missing, o.MSPID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("the topology names %s, which the network in %s was not made with: a new member joins a running "+
		"consortium by its onboarding procedure (docs/operations.md, \"A bank joins a running consortium\"); to start this "+
		"one-machine network anew with every member, run `scripts/ipledger down --purge`, then up",
		strings.Join(missing, ", "), n.Dir)
}

// packaged tells whether every peer organization has its package id.
func (n *Network) packaged(st *state) bool {
	for _, o := range n.Top.PeerOrgs() {
		if st.PackageIDs[o.Name] == "" {
			return false
		}
	}
	return true
}

func (n *Network) stateFile() string { return filepath.Join(n.Dir, "state.json") }

func (n *Network) loadState() (*state, error) {
	var st state
	raw, err := os.ReadFile(n.stateFile())
	if errors.Is(err, os.ErrNotExist) {
		return &st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := jsonUnmarshal(raw, &st); err != nil {
		return nil, err
	}
	n.setDeployed(st.Chaincode)
	return &st, nil
}

func (n *Network) saveState(st *state) error { return writeJSON(n.stateFile(), st) }

// processes lists every long-running component in start order; an organization's chaincode server
// is listed once its package id is known, and the gateways once any is.
func (n *Network) processes(packageIDs map[string]string) []*Process {
	var ps []*Process
	for _, o := range n.Top.Organizations {
		if !o.remoteCA {
			ps = append(ps, n.caProcess(o))
		}
	}
	for _, o := range n.Top.OrdererOrgs() {
		for _, ord := range o.Orderers {
			ps = append(ps, n.ordererProcess(o, ord))
		}
	}
	for _, o := range n.Top.PeerOrgs() {
		ps = append(ps, n.peerProcess(o))
	}
	for _, o := range n.Top.PeerOrgs() {
		if id := packageIDs[o.Name]; id != "" {
			ps = append(ps, n.chaincodeProcess(o, id, n.ccSlot(), n.ccProgram()))
		}
	}
	if len(packageIDs) > 0 {
		if n.gatewayAvailable() {
			for _, o := range n.Top.PeerOrgs() {
				if o.Postgres() {
					ps = append(ps, n.postgresProcess(o))
				}
			}
			for _, o := range n.Top.PeerOrgs() {
				if o.Gateway != nil {
					ps = append(ps, n.gatewayProcess(o))
				}
			}
		}
	}
	return ps
}

// Running returns the components that are running and those that are not.
func (n *Network) Running() (running, stopped []*Process, err error) {
	st, err := n.loadState()
	if err != nil {
		return nil, nil, err
	}
	for _, p := range n.processes(st.PackageIDs) {
		if n.Pid(p) != 0 {
			running = append(running, p)
		} else {
			stopped = append(stopped, p)
		}
	}
	return running, stopped, nil
}

// ErrAlreadyRunning is returned by Up when every component is already running.
var ErrAlreadyRunning = errors.New("the network is already running")

// Up brings the network up: from nothing on an empty data directory, from its data after a down, or
// by restarting only the components that are not running. It runs the steps of upSteps in order.
func (n *Network) Up(ctx context.Context) (*System, error) {
	st, err := n.beginUp()
	if err != nil {
		return nil, err
	}
	r := &upRun{ctx: ctx, st: st}
	if err := n.runSteps(ctx, n.upSteps(r), st); err != nil {
		return nil, err
	}
	n.progress("network up in %.1fs", time.Since(n.began).Seconds())
	return r.sys, nil
}

// runSteps runs the steps in order. At the first failure (or an interrupt) it stops every process
// this up started and returns the failure with its cause; what was running before stays running.
func (n *Network) runSteps(ctx context.Context, steps []upStep, st *state) error {
	n.mu.Lock()
	n.started = nil
	n.mu.Unlock()
	for _, s := range steps {
		err := ctx.Err()
		if err != nil {
			err = fmt.Errorf("%w before %q", errInterrupted, s.name)
		} else if err = n.runStep(s, st); err != nil && ctx.Err() != nil {
			// The step's waits end at an interrupt: report the interrupt, not what it cut short.
			err = fmt.Errorf("%w during %q: %w", errInterrupted, s.name, err)
		}
		if err != nil {
			return n.failUp(err)
		}
	}
	return nil
}

// beginUp loads the state and says what up is about to do; it returns ErrAlreadyRunning when a
// deployed network has every component running.
func (n *Network) beginUp() (*state, error) {
	n.began = time.Now()
	if err := os.MkdirAll(n.Dir, 0o755); err != nil {
		return nil, err
	}
	st, err := n.loadState()
	if err != nil {
		return nil, err
	}
	if st.LegacyPackageID != "" {
		return nil, errLegacyState
	}
	if err := n.checkMadeWith(st); err != nil {
		return nil, err
	}
	n.applyIdentities(st)
	if st.Committed {
		running, stopped, err := n.Running()
		if err != nil {
			return nil, err
		}
		if len(stopped) == 0 {
			return nil, ErrAlreadyRunning
		}
		if len(running) > 0 {
			n.progress("%d of %d components running; starting the others", len(running), len(running)+len(stopped))
		}
	}
	if !st.Enrolled {
		n.progress("new network in %s (port base %d)", n.Dir, n.PortBase)
	} else {
		n.progress("restarting the network from %s (port base %d)", n.Dir, n.PortBase)
	}
	return st, nil
}

// upRun is what the steps of one up share.
type upRun struct {
	ctx context.Context
	st  *state  // the persisted state, saved after every resumable step
	sys *System // the description, once the step that writes system.json has run
}

// upStep is one step of up. A resumable step has done and mark: it runs only while done reports
// false for the persisted state; once it succeeds, mark records it and the state is saved at once, so
// that an up after down or after an interrupted up skips it. A step without done runs on every up.
type upStep struct {
	name string               // progress line, printed with the step's duration; "" prints none
	done func(st *state) bool // nil: the step runs on every up
	run  func() error
	mark func(st *state)
	// peers: the step is about peers, chaincode or gateways, which a host that runs only orderers skips
	peers bool
	// prepare: the step is part of Prepare (`org init`): the CA and the enrolment
	prepare bool
}

// upSteps lists the steps of up in order.
func (n *Network) upSteps(r *upRun) []upStep {
	var packageIDs map[string]string
	steps := []upStep{
		{name: "certificate authorities started", prepare: true, run: func() error { return n.startCAs(r.ctx) }},
		{name: "identities enrolled (no cryptogen)", prepare: true, run: n.enrollAll,
			done: func(st *state) bool { return st.Enrolled }, mark: func(st *state) { st.Enrolled = true }},
		{name: "channel genesis block made", run: n.genesisHere,
			done: func(st *state) bool { return st.Genesis }, mark: func(st *state) { st.Genesis = true }},
		{run: n.writePeerConfig},
		{name: "orderers and peers started", run: func() error { return n.startNodes(r.ctx) }},
		{name: "orderers joined channel " + n.Top.Channel, run: func() error { return n.joinOrderers(r.ctx) },
			done: func(st *state) bool { return st.OrderersJoined }, mark: func(st *state) { st.OrderersJoined = true }},
		{name: "peers joined channel " + n.Top.Channel, peers: true, run: func() error { return n.joinPeers(r.ctx) },
			done: func(st *state) bool { return st.PeersJoined }, mark: func(st *state) { st.PeersJoined = true }},
		{peers: true, run: func() (err error) { packageIDs, err = n.writePackages(n.ccSlot()); return err },
			done: n.packaged, mark: func(st *state) { st.PackageIDs = packageIDs }},
		// On every up, also once the deployment is recorded, before any chaincode server starts: a
		// committed definition names the program about to serve (its sha256), or up stops here.
		{name: "chaincode program is the committed one (or none is)", peers: true, run: func() error { return n.checkProgram(r.ctx, r.st) }},
		{name: "chaincode servers started, one per organization", peers: true, run: func() error {
			return n.startAll(r.ctx, kindOf(n.processes(r.st.PackageIDs), "chaincode"), 15*time.Second)
		}},
		{name: "chaincode installed, approved by all, committed", peers: true, run: func() error { return n.deployChaincode(r.ctx, r.st) },
			done: func(st *state) bool { return st.Committed }, mark: func(st *state) { st.Committed = true }},
		{run: func() error { // the description, which the readiness check dials with
			r.sys = n.Describe(r.st.PackageIDs)
			return writeJSON(n.SystemFile(), r.sys)
		}},
		{name: "ready: every peer reaches every org; a submit committed", peers: true, run: func() error {
			return n.waitReady(r.ctx, r.sys, 90*time.Second)
		}},
	}
	if len(n.Top.PeerOrgs()) == 0 { // an orderer host: its steps end with its orderers joined
		steps = slices.DeleteFunc(steps, func(s upStep) bool { return s.peers })
	}
	if n.gatewayAvailable() && len(n.Top.PeerOrgs()) > 0 {
		steps = append(steps, upStep{name: "HTTP gateways started, one per organization", run: func() error {
			if err := n.startGateways(r.ctx, r.st.PackageIDs); err != nil {
				return err
			}
			// Again, now that the dev API key files exist (the description lists the files that do).
			r.sys = n.Describe(r.st.PackageIDs)
			return writeJSON(n.SystemFile(), r.sys)
		}})
	}
	return steps
}

// Prepare is the first part of up on a host of a consortium (`org init`): its CA started, its
// identities enrolled, and its definition written for the other hosts.
func (n *Network) Prepare(ctx context.Context) (Artifact, error) {
	st, err := n.beginUp()
	if errors.Is(err, ErrAlreadyRunning) {
		return n.ExportDefinition() // init again on a running host: its definition again
	}
	if err != nil {
		return Artifact{}, err
	}
	r := &upRun{ctx: ctx, st: st}
	steps := slices.DeleteFunc(n.upSteps(r), func(s upStep) bool { return !s.prepare })
	if err := n.runSteps(ctx, steps, st); err != nil {
		return Artifact{}, err
	}
	return n.ExportDefinition()
}

// genesisHere makes the channel's genesis block for the whole network. A host of a consortium does
// not: the block is made once, on the orderer organization's CA host (`org genesis`), from every
// organization's definition, and every host imports that one.
func (n *Network) genesisHere() error {
	if n.scoped() {
		return fmt.Errorf("no genesis block on this host: make it on the orderer organization's CA host "+
			"(`netctl org genesis`) and import it here (`netctl org import %s.block`)", n.Top.Channel)
	}
	return n.writeGenesis()
}

// runStep runs one step unless the state records it as done, and records it when it is resumable.
func (n *Network) runStep(s upStep, st *state) error {
	if s.done != nil && s.done(st) {
		return nil
	}
	var err error
	if s.name == "" {
		err = s.run()
	} else {
		err = n.phase(s.name, s.run)
	}
	if err != nil || s.done == nil {
		return err
	}
	s.mark(st)
	return n.saveState(st)
}

func (n *Network) startCAs(ctx context.Context) error {
	if err := n.prepareCAs(); err != nil {
		return err
	}
	return n.startAll(ctx, kindOf(n.processes(nil), "ca"), 20*time.Second)
}

func (n *Network) startNodes(ctx context.Context) error {
	ps := append(kindOf(n.processes(nil), "orderer"), kindOf(n.processes(nil), "peer")...)
	return n.startAll(ctx, ps, 30*time.Second)
}

func (n *Network) startGateways(ctx context.Context, packageIDs map[string]string) error {
	// A read model in PostgreSQL: its server first, with the gateway's role and database.
	if err := n.startPostgres(ctx); err != nil {
		return err
	}
	if err := n.writeGatewayConfigs(); err != nil {
		return err
	}
	return n.startAll(ctx, kindOf(n.processes(packageIDs), "gateway"), 30*time.Second)
}

func kindOf(ps []*Process, kind string) []*Process {
	var out []*Process
	for _, p := range ps {
		if p.Kind == kind {
			out = append(out, p)
		}
	}
	return out
}

// startAll starts the components that are not running and waits until each is healthy. A component
// that does not become healthy fails it with the cause from its log.
func (n *Network) startAll(ctx context.Context, ps []*Process, timeout time.Duration) error {
	var g errgroup.Group
	var startErr error
	for _, p := range ps {
		if n.Pid(p) != 0 {
			continue
		}
		if startErr = n.Start(p); startErr != nil {
			break
		}
		n.track(p)
		g.Go(func() error {
			var err error
			if p.Health == "" {
				err = n.waitListening(ctx, p, timeout)
			} else {
				err = n.waitHealthy(ctx, p, timeout)
			}
			return n.withCause(p.Name, err)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return startErr
}

// waitListening waits until a process without a health endpoint accepts connections on its first port.
func (n *Network) waitListening(ctx context.Context, p *Process, timeout time.Duration) error {
	return waitFor(ctx, timeout, 50*time.Millisecond, func() error {
		if n.Pid(p) == 0 {
			return final(fmt.Errorf("%s exited", p.Name))
		}
		return listening(p)
	})
}

// listening checks that a process accepts connections on every one of its ports. It dials rather
// than binds, so that it never takes a port from under the process.
func listening(p *Process) error {
	for _, addr := range p.addrs() {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return fmt.Errorf("%s is not listening on %s yet", p.Name, addr)
		}
		conn.Close()
	}
	return nil
}

// Down stops every component that has a pid file, whatever the topology or settings now say; the
// data stays unless purge is set.
func (n *Network) Down(purge bool) error {
	pidFiles, err := filepath.Glob(filepath.Join(n.Dir, "run", "*.pid"))
	if err != nil {
		return err
	}
	var g errgroup.Group
	for _, f := range pidFiles {
		p := &Process{Name: strings.TrimSuffix(filepath.Base(f), ".pid")}
		g.Go(func() error { return n.Stop(p, 10*time.Second) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if purge {
		if err := os.RemoveAll(n.pgRoot()); err != nil {
			return err
		}
		return os.RemoveAll(n.Dir)
	}
	return nil
}
