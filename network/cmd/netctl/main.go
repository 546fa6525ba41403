// Command netctl brings the IPLedger network up and down and describes it. It is run by
// scripts/ipledger, which builds the Fabric programs first and passes where they are; run
// `scripts/ipledger --help` rather than this directly.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ipledger/ipledger/network/netctl"
)

const usage = `usage: netctl [flags] <command>

commands:
  up              start the network (from nothing, from its data after down, or only what is stopped)
  down [--purge]  stop every process; --purge also deletes the data directory
  status [--json] show every process and whether it is healthy; --json prints the system description
  kill <name>     kill one process at once with SIGKILL, as a crash would (for fault tests)
  stop <name>     stop one process gracefully
  leader          print the name of the orderer leading the channel's Raft cluster
  heights         print each orderer's and peer's ledger height (JSON)
  chaincode upgrade --program FILE [--orgs a,b] [--approval-wait D] [--json]
                  serve another chaincode program with no gap: package it for each organization's
                  other chaincode server port, install it, start its servers beside the old ones,
                  approve the next sequence, commit it (on the IP office's host) once the channel's
                  LifecycleEndorsement is met, then stop the old servers
  chaincode define [--orgs a,b] [--approval-wait D] [--json]
                  the next sequence of the definition with the same program and the collections and
                  endorsement policy of the consortium's plan (after a bank joined or departed):
                  approved here, committed (on the IP office's host) once LifecycleEndorsement is met

one organization per host (a consortium; docs/operations.md has the runbook):
  org init --org NAME [--orderers a,b]
           [--remote-ca --enroll-secret FILE --ca-definition FILE[@SHA256]]
                  make this data directory the host of one organization's parts: start its CA, enrol
                  its identities (keys made here, never sent) and write its definition to export/
  org import FILE@SHA256...
                  take in another host's definition (*.json) or the genesis block (*.block): refused
                  unless its sha256 is the one its sender read out
  org genesis     on the orderer organization's CA host: make the channel's genesis block from the
                  imported definitions, into export/
  org up [--approval-wait D] [--join genesis|snapshot:FILE@SHA256 --snapshot-hash H]
                  start this host's parts, join the channel, approve the chaincode (and commit it,
                  on the IP office's host, once all have approved), start the gateway
  org upgrade --program FILE [--approval-wait D]
                  this host's part of a chaincode upgrade (as chaincode upgrade): its own package,
                  server, approval; the IP office's host also commits once a majority approved
  org plan FILE@SHA256
                  take the consortium's new topology (organizations added, banks marked departed;
                  nothing else changed): every later command here reads that file
  org define [--approval-wait D]
                  this host's part of a definition update (as chaincode define)

channel configuration updates (each step on its organization's host; docs/operations.md):
  channel propose crl MSPID CRLFILE | add-org DEFINITION@SHA256 | remove-org MSPID [--org MSPID]
                  compute the update from this host's peer's configuration, write it to export/ and
                  print its sha256, what it changes and the signatures it needs; remove-org (and
                  submit of it) is refused while the bank holds pledges that have not ended or the
                  committed chaincode definition names it (a bank leaves: "org plan" with it
                  departed, "org define", then remove-org; docs/operations.md)
  channel sign UPDATE@SHA256 [--org MSPID]
                  check the update against this host's peer's configuration and sign it as the
                  organization's admin: export/<update>.<MSPID>.sig
  channel submit UPDATE@SHA256 --signatures SIG[@SHA256],... [--org MSPID]
                  check every signature and the policies the update needs (read from the channel's
                  configuration), add this admin's signature, send it to an orderer, and print the
                  config block it made

identities (on the host of the organization's CA):
  identity add NAME --role ROLE [--org MSPID]
                  register and enrol a user, give it an API key, reload the organization's gateway
  identity revoke NAME [--org MSPID]
                  revoke the user at the CA, publish the CA's CRL by a crl update signed by the
                  organization's admin, drop the user from the gateway (reloaded); print the block
  identity renew NAME [--org MSPID]
                  renew a user's certificate before it expires: reenrolled at the CA (same id and
                  role, new key), swapped in one step, taken by the gateway without a restart
  identity renew-tls [PEER] [--org MSPID]
                  renew the organization's peer's TLS certificate (same names): reenrolled with the
                  tls profile, swapped in one step, the peer restarted and back at the channel's height

API keys of an organization's gateway (on its host; docs/operations.md, "API keys"):
  key issue USER [--expires WHEN] [--org MSPID]
                  a new key for a user (never an admin: an admin acts with netctl on its host),
                  printed once, its sha256 kept in the gateway's keys file; WHEN: RFC 3339 or 720h
  key list [--org MSPID]
                  id, identity, created, expires, revoked, state, last 4 hex digits of the hash
  key expire ID [--at WHEN] [--org MSPID]
                  the key expires now (or at WHEN): 401 "the API key has expired" from then on
  key rotate ID [--grace D] [--org MSPID]
                  a new key for the same identity (printed once); the old one stays valid for D
                  (default 1h; 0: it ends now)
  key revoke ID [--org MSPID]
                  refused from now on: 401 "the API key has been revoked"
  Each change is in force at the gateway (reloaded by SIGHUP, no restart) when the command returns.

ledger snapshots and joins (docs/operations.md, "A peer joins from a snapshot"):
  snapshot take [--org MSPID]
                  the organization's peer makes a snapshot of the channel at its last committed block;
                  packed into export/snapshot-<channel>-<block>.tar.gz; prints its sha256, last block
                  and snapshot_hash
  peer rejoin --from genesis|snapshot:FILE@SHA256 [--snapshot-hash HASH] [--org MSPID]
                  stop the organization's peer, unjoin it from the channel, start it, join it from the
                  genesis block or the snapshot (refused unless its snapshot_hash is HASH, when
                  given), wait until it has the orderers' height and its chaincode answers; prints
                  the times

the gateways' read models (docs/operations.md, "The gateways' read models"):
  readmodel rebuild [--org MSPID] [--json]
                  stop the organization's gateway, empty its read model and build it again from its
                  peer's first block, start the gateway; prints the blocks, transactions and
                  transactions a second
  readmodel check [--sample N] [--org MSPID] [--json]
                  compare the read model with the chaincode's state on the peer: every key (or N keys
                  picked at random) and each pledge's private terms hashes; prints each difference
                  (missing, extra, differs) and exits with status 1 when there is one

  --org names the organization on a network of several organizations on one machine; a host of
  one organization acts as its own.

flags:
`

// commands are netctl's subcommands by name; each gets the network, its own name and its arguments.
var commands = map[string]func(n *netctl.Network, cmd string, args []string){
	"up":        upCmd,
	"down":      downCmd,
	"status":    statusCmd,
	"leader":    leaderCmd,
	"heights":   heightsCmd,
	"kill":      componentCmd,
	"org":       orgCmd,
	"channel":   channelCmd,
	"identity":  identityCmd,
	"key":       keyCmd,
	"chaincode": chaincodeCmd,
	"stop":      componentCmd,
	"snapshot":  snapshotCmd,
	"peer":      peerCmd,
	"readmodel": readModelCmd,
}

func main() {
	fs, o := newFlagSet()
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() == 0 {
		fs.Usage()
		os.Exit(2)
	}
	cmd, args := fs.Arg(0), fs.Args()[1:]
	n := o.network(changes(cmd))
	run, ok := commands[cmd]
	if !ok {
		fs.Usage()
		os.Exit(2)
	}
	if changes(cmd) || cmd == "down" {
		if err := n.Lock(); err != nil {
			fail(err)
		}
	}
	run(n, cmd, args)
}

// options are the flags before the command.
type options struct {
	dataDir, binDir, fabricConfig, networkDir, topology string
	portBase                                            int
}

// newFlagSet defines netctl's flags, with their environment variables as defaults.
func newFlagSet() (*flag.FlagSet, *options) {
	var o options
	fs := flag.NewFlagSet("netctl", flag.ExitOnError)
	fs.StringVar(&o.dataDir, "data-dir", envOr("IPLEDGER_DATA_DIR", ".ipledger"), "data directory (IPLEDGER_DATA_DIR)")
	fs.IntVar(&o.portBase, "port-base", envInt("IPLEDGER_PORT_BASE", 7000), "added to every port offset of the topology (IPLEDGER_PORT_BASE)")
	fs.StringVar(&o.binDir, "bin-dir", os.Getenv("IPLEDGER_BIN_DIR"), "directory of the Fabric programs and ipledger-cc (IPLEDGER_BIN_DIR; default: bin/ in the data directory)")
	fs.StringVar(&o.fabricConfig, "fabric-config", os.Getenv("IPLEDGER_FABRIC_CONFIG"), "Fabric's sampleconfig directory (IPLEDGER_FABRIC_CONFIG)")
	fs.StringVar(&o.networkDir, "network-dir", envOr("IPLEDGER_NETWORK_DIR", "network"), "the repository's network/ directory")
	fs.StringVar(&o.topology, "topology", os.Getenv("IPLEDGER_TOPOLOGY"), "the topology file (IPLEDGER_TOPOLOGY; default: topology.yaml in the network directory)")
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage); fs.PrintDefaults() }
	return fs, &o
}

// network loads the topology and places it in the data directory; it exits on an error.
// changes says whether a command builds on the data directory: it takes the directory's lock (as does
// down, which may delete it), and on a host of a consortium it must read the topology and port base
// the directory was made with. The others (down, status, heights, kill, stop) work whatever the
// topology, so that a host can always be seen and stopped.
func changes(cmd string) bool {
	return cmd == "up" || cmd == "org" || cmd == "channel" || cmd == "identity" || cmd == "key" || cmd == "chaincode" ||
		cmd == "snapshot" || cmd == "peer" || cmd == "readmodel"
}

func (o *options) network(strict bool) *netctl.Network {
	if o.binDir == "" {
		o.binDir = filepath.Join(o.dataDir, "bin")
	}
	if o.topology == "" {
		o.topology = filepath.Join(o.networkDir, "topology.yaml")
	}
	plan, err := netctl.LoadTopology(o.topology, o.portBase)
	if err != nil {
		fail(err)
	}
	sum, err := netctl.FileSHA256(o.topology)
	if err != nil {
		fail(err)
	}
	n := &netctl.Network{Top: plan, TopologySHA256: sum, Dir: abs(o.dataDir), PortBase: o.portBase, Bin: abs(o.binDir),
		FabricConfig: o.fabricConfig, NetworkDir: abs(o.networkDir), Out: os.Stdout,
		PeerProfile: os.Getenv("IPLEDGER_PEER_PROFILE") == "1"}
	scope, err := netctl.LoadScope(n.Dir)
	if err != nil {
		fail(err)
	}
	if scope != nil {
		if !strict {
			scope.TopologySHA256, scope.PortBase = "", 0
		}
		if err := n.Scope(scope); err != nil {
			fail(fmt.Errorf("%s: %w", filepath.Join(n.Dir, "scope.json"), err))
		}
	}
	return n
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		fail(err)
	}
	return a
}

func upCmd(n *netctl.Network, _ string, _ []string) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first Ctrl-C (or SIGTERM) ends up's current wait and stops what this up started; after it
	// the signals have their default effect again, so a second Ctrl-C kills netctl at once.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			stop()
			fmt.Fprintln(os.Stderr, "interrupted: stopping what this up started (Ctrl-C again kills netctl at once)")
		case <-done:
		}
	}()
	if n.FabricConfig == "" {
		fail(errors.New("--fabric-config is required for up"))
	}
	sys, err := n.Up(ctx)
	if errors.Is(err, netctl.ErrAlreadyRunning) {
		fmt.Printf("The network in %s is already running; nothing changed. (`status` shows it, `down` stops it.)\n", n.Dir)
		return
	}
	if err != nil {
		fail(fmt.Errorf("up failed: %w\nLogs are in %s; `scripts/ipledger logs <component>` shows one", err, filepath.Join(n.Dir, "logs")))
	}
	printReach(sys)
}

func downCmd(n *netctl.Network, _ string, args []string) {
	dfs := flag.NewFlagSet("down", flag.ExitOnError)
	purge := dfs.Bool("purge", false, "also delete the data directory")
	_ = dfs.Parse(args)
	if err := n.Down(*purge); err != nil {
		fail(err)
	}
	if *purge {
		fmt.Printf("stopped; deleted %s\n", n.Dir)
	} else {
		fmt.Printf("stopped; the data stays in %s (`up` restarts from it, `down --purge` deletes it)\n", n.Dir)
	}
}

func statusCmd(n *netctl.Network, _ string, args []string) {
	sfs := flag.NewFlagSet("status", flag.ExitOnError)
	asJSON := sfs.Bool("json", false, "print the system description as JSON")
	memory := sfs.Bool("memory", false, "also show each process's resident memory (RSS and PSS) and the totals")
	_ = sfs.Parse(args)
	status(n, *asJSON, *memory)
}

func leaderCmd(n *netctl.Network, _ string, _ []string) {
	name, err := n.RaftLeader()
	if err != nil {
		fail(err)
	}
	fmt.Println(name)
}

func heightsCmd(n *netctl.Network, _ string, _ []string) {
	h, err := n.Heights()
	if err != nil {
		fail(err)
	}
	_ = json.NewEncoder(os.Stdout).Encode(h)
}

// componentCmd is kill and stop: SIGKILL, as a crash would, or a graceful stop of one component.
func componentCmd(n *netctl.Network, cmd string, args []string) {
	if len(args) != 1 {
		fail(fmt.Errorf("%s needs one component name", cmd))
	}
	sys, err := netctl.LoadSystem(n.SystemFile())
	if err != nil {
		fail(err)
	}
	p, err := n.Component(sys, args[0])
	if err != nil {
		fail(err)
	}
	if cmd == "kill" {
		err = n.Kill(p)
	} else {
		err = n.Stop(p, 10*time.Second)
	}
	if err != nil {
		fail(err)
	}
}

func status(n *netctl.Network, asJSON, memory bool) {
	sys, err := netctl.LoadSystem(n.SystemFile())
	if err != nil {
		if asJSON {
			fail(fmt.Errorf("no network described in %s: run up first", n.Dir))
		}
		fmt.Printf("no network in %s\n", n.Dir)
		os.Exit(1)
	}
	health := n.Health(sys)
	up := 0
	for i := range sys.Processes {
		p := &sys.Processes[i]
		h := health[p.Name]
		p.Pid, p.Running = h.Pid, &h.Healthy
		if h.Healthy {
			up++
		}
	}
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(sys)
	} else {
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		header := "COMPONENT\tKIND\tPID\tSTATE"
		if memory {
			header += "\tRSS MiB\tPSS MiB"
		}
		fmt.Fprintln(w, header)
		var rss, pss int64
		for _, p := range sys.Processes {
			pid := "-"
			if p.Pid != 0 {
				pid = strconv.Itoa(p.Pid)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s", p.Name, p.Kind, pid, health[p.Name].State)
			if memory {
				m, _ := netctl.ReadMemory(p.Pid)
				rss, pss = rss+m.RSSKiB, pss+m.PSSKiB
				fmt.Fprintf(w, "\t%.1f\t%.1f", float64(m.RSSKiB)/1024, float64(m.PSSKiB)/1024)
			}
			fmt.Fprintln(w)
		}
		_ = w.Flush()
		fmt.Printf("%d of %d healthy; data in %s\n", up, len(sys.Processes), sys.DataDir)
		if memory {
			fmt.Printf("memory of all processes: RSS %.0f MiB (shared pages counted in every process), PSS %.0f MiB (physical)\n",
				float64(rss)/1024, float64(pss)/1024)
		}
	}
	if up != len(sys.Processes) {
		os.Exit(3)
	}
}

func printReach(sys *netctl.System) {
	fmt.Println()
	fmt.Printf("IPLedger is up: channel %s, chaincode %s %s\n", sys.Channel, sys.Chaincode.Name, sys.Chaincode.Version)
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ORGANIZATION\tPEER\tGATEWAY (HTTPS)\tCA\tCA CERTIFICATE (clients trust it)")
	for _, o := range sys.Organizations {
		gw := o.Gateway
		if gw == "" {
			gw = "-"
		}
		peer := o.Peer
		if peer == "" {
			peer = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", o.MSPID, peer, gw, o.CA, o.CACert)
	}
	_ = w.Flush()
	for _, o := range sys.Orderers {
		fmt.Printf("orderer %s at %s (admin %s)\n", o.Name, o.Address, o.Admin)
	}
	for _, o := range sys.Organizations {
		if o.Gateway != "" {
			fmt.Printf("Web console: %s/console/ (each organization's gateway serves one); API: %s/openapi.json\n", o.Gateway, o.Gateway)
			fmt.Printf("Gateways serve HTTPS only, with certificates of their organization's CA: curl --cacert %s %s/healthz\n", o.GatewayCACert, o.Gateway)
			for _, u := range o.Users {
				if u.APIKeyFile != "" {
					fmt.Printf("API keys (development network; `scripts/ipledger key` manages them): <data>/orgs/<org>/users/<user>/api-key, e.g. %s\n", u.APIKeyFile)
					break
				}
			}
			fmt.Printf("Metrics (each gateway's operations listener, with the organization admin's TLS certificate): curl --cacert %s --cert %s --key %s %s/metrics\n",
				o.GatewayCACert, o.OpsClientCert, o.OpsClientKey, o.GatewayOps)
			break
		}
	}
	fmt.Printf("Description (users, credentials, API keys, ports): %s/system.json, or `scripts/ipledger status --json`\n", sys.DataDir)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if v := os.Getenv(k); v != "" {
		i, err := strconv.Atoi(v)
		if err != nil {
			fail(fmt.Errorf("%s=%q is not a number", k, v))
		}
		return i
	}
	return def
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}
