package netctl

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Network is one IPLedger network: a topology placed in a data directory at a port base.
type Network struct {
	// Top is what this data directory runs: the whole topology, or on a host of a consortium (a
	// data directory with a scope) one organization's parts (Topology.Local).
	Top *Topology
	// TopologySHA256 is the sha256 of the topology file Plan was read from: a host's scope names it.
	TopologySHA256 string
	// Plan is the whole consortium, when Top is one host's part of it; nil when they are the same.
	Plan         *Topology
	Dir          string    // data directory, absolute
	PortBase     int       // added to every port offset of the topology
	Bin          string    // directory holding peer, orderer, configtxgen, osnadmin, fabric-ca-*, ipledger-cc
	FabricConfig string    // Fabric's sampleconfig directory (core.yaml, orderer.yaml), read, never written
	NetworkDir   string    // the repository's network/ directory (topology, builders)
	Out          io.Writer // progress lines

	// ApprovalWait bounds, on a host of a consortium, the wait for the other organizations' approvals
	// of the chaincode definition and for its commit (`org up --approval-wait`, default 10m; zero:
	// 30s, as on one machine).
	ApprovalWait time.Duration
	// JoinSnapshot, set by `org up --join snapshot:FILE@SHA256`, makes the peer of an organization
	// that joins a running channel join from that snapshot instead of the genesis block.
	JoinSnapshot *JoinSource
	// PeerProfile turns on each peer's Go profiling endpoint (core.yaml peer.profile) at
	// 127.0.0.1:[Topology.PeerProfilePort], the orderers' (OrdererProfilePort) and the gateways'
	// (operations.profile, on their operations listeners): for a network the benchmark starts, never
	// by default (netctl reads IPLEDGER_PEER_PROFILE=1).
	PeerProfile bool

	began    time.Time
	codeHash string // sha256 of the chaincode program, once read (ccVersion)
	codeFile string // the program codeHash is of
	// deployed is the chaincode this data directory serves since its last upgrade (state.json), nil
	// before any: the topology's sequence, the program in Bin, slot 0. deployedRead: it was read.
	deployed     *deployedCC
	deployedRead bool
	lastCommitTx string   // the transaction of the last chaincode commit this process made (commit)
	lock         *os.File // the data directory's lock, once taken (Lock)
	mu           sync.Mutex
	started      []*Process // the processes this up started, in order: a failed up stops them again
	// commandHook, when set (by tests), sees the argv and the added environment of every command
	// netctl runs or starts, before it runs; it is called from several goroutines at once.
	commandHook func(argv, env []string)
}

// observe shows a command about to run to the commandHook, if any.
func (n *Network) observe(cmd *exec.Cmd) {
	if n.commandHook != nil {
		n.commandHook(cmd.Args, cmd.Env)
	}
}

// Paths of things inside the data directory.
func (n *Network) orgDir(o *Organization) string { return filepath.Join(n.Dir, "orgs", o.Name) }
func (n *Network) caHome(o *Organization) string { return filepath.Join(n.orgDir(o), "ca", "server") }

// caServerCert is the certificate the CA server made for itself, on the host that runs the CA.
func (n *Network) caServerCert(o *Organization) string {
	return filepath.Join(n.caHome(o), "ca-cert.pem")
}

// caCert is an organization's CA certificate as every host has it: the root of its identities and of
// its TLS certificates, in its channel MSP. The organization's own host copies it there from its CA
// server; every other host imports it with the organization's definition (orgdef.go).
func (n *Network) caCert(o *Organization) string {
	return filepath.Join(n.orgMSP(o), "tlscacerts", "ca.pem")
}
func (n *Network) registrarHome(o *Organization) string {
	return filepath.Join(n.orgDir(o), "ca", "registrar")
}
func (n *Network) orgMSP(o *Organization) string { return filepath.Join(n.orgDir(o), "msp") }
func (n *Network) nodeDir(o *Organization, node string) string {
	return filepath.Join(n.orgDir(o), "nodes", node)
}
func (n *Network) userDir(o *Organization, user string) string {
	return filepath.Join(n.orgDir(o), "users", user)
}
func (n *Network) channelDir() string   { return filepath.Join(n.Dir, "channel") }
func (n *Network) genesisBlock() string { return filepath.Join(n.channelDir(), n.Top.Channel+".block") }
func (n *Network) peerConfigDir() string {
	return filepath.Join(n.Dir, "config")
}

// ccDir holds an organization's chaincode package and the TLS material of its chaincode server
// (server/tls) and of its peer's client connection to that server (client/tls).
func (n *Network) ccDir(o *Organization) string { return filepath.Join(n.orgDir(o), "chaincode") }
func (n *Network) ccServerTLS(o *Organization) string {
	return filepath.Join(n.ccDir(o), "server", "tls")
}
func (n *Network) ccClientTLS(o *Organization) string {
	return filepath.Join(n.ccDir(o), "client", "tls")
}

// ProgramPath is the absolute path of one of the network's programs.
func (n *Network) ProgramPath(name string) string { return filepath.Join(n.Bin, name) }

// PeerName is a peer's component name, e.g. "peer0.bank1".
func PeerName(o *Organization) string { return o.Peer.Name + "." + o.Name }

// CAName is a CA's component name, e.g. "ca.bank1".
func CAName(o *Organization) string { return "ca." + o.Name }

// GatewayName is a gateway's component name, e.g. "gateway.bank1".
func GatewayName(o *Organization) string { return "gateway." + o.Name }

// ChaincodeServerName is an organization's chaincode server's component name, e.g. "chaincode.bank1".
func ChaincodeServerName(o *Organization) string { return "chaincode." + o.Name }

// ChaincodeServerSlotName is the component name of an organization's chaincode server of a slot:
// slot 0 is ChaincodeServerName, slot 1 (the server an upgrade starts beside the old one) adds ".alt".
func ChaincodeServerSlotName(o *Organization, slot int) string {
	if slot == 1 {
		return ChaincodeServerName(o) + ".alt"
	}
	return ChaincodeServerName(o)
}

func (n *Network) progress(format string, args ...any) {
	if n.Out == nil {
		return
	}
	fmt.Fprintf(n.Out, "[%6.1fs] %s\n", time.Since(n.began).Seconds(), fmt.Sprintf(format, args...))
}

// phase runs one step of up and prints how long it took.
func (n *Network) phase(name string, f func() error) error {
	t := time.Now()
	if err := f(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	n.progress("%-44s %5.1fs", name, time.Since(t).Seconds())
	return nil
}
