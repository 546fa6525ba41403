// Package netctl brings up, stops and describes the IPLedger Fabric network on one machine: a fabric-ca
// per organization, three etcdraft orderers, one peer per organization and the chaincode running as a
// service. What it runs is described by network/topology.yaml; where it runs is a data directory and a
// port base, so that several networks can run side by side.
package netctl

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// Topology is network/topology.yaml: what the network is made of.
type Topology struct {
	Channel       string          `yaml:"channel"`
	Ordering      Ordering        `yaml:"ordering"`
	Chaincode     ChaincodeSpec   `yaml:"chaincode"`
	Organizations []*Organization `yaml:"organizations"`

	// departed are the banks that have left the consortium (`departed: true` in the file): they run
	// nothing and are in no list of Organizations, but the chaincode definition keeps their terms
	// collections (Fabric refuses a definition that drops one), with the IP office and the regulator
	// as its only members. inOrder is every organization, departed ones included, in the file's order.
	departed, inOrder []*Organization
}

// Ordering holds the channel's batching and Raft settings.
type Ordering struct {
	BatchTimeout    time.Duration `yaml:"batchTimeout"`
	MaxMessageCount int           `yaml:"maxMessageCount"`
	TickInterval    time.Duration `yaml:"tickInterval"`
	ElectionTick    int           `yaml:"electionTick"`
	HeartbeatTick   int           `yaml:"heartbeatTick"`
}

// ChaincodeSpec is the chaincode definition approved by every organization. Its endorsement policy
// and private data collections are not written here: they follow from the organizations
// ([Topology.EndorsementPolicy], [Topology.Collections]).
type ChaincodeSpec struct {
	Name     string `yaml:"name"`
	Version  string `yaml:"version"`
	Sequence int    `yaml:"sequence"`
}

// Organization is one member of the network with its CA, nodes and users.
type Organization struct {
	Name     string        `yaml:"name"`
	MSPID    string        `yaml:"mspId"`
	Kind     string        `yaml:"kind"` // "bank", or empty: a bank unless its MSP id is a fixed organization's
	Host     string        `yaml:"host"`
	CA       CASpec        `yaml:"ca"`
	Orderers []OrdererSpec `yaml:"orderers"`
	Peer     *PeerSpec     `yaml:"peer"`
	Gateway  *GatewaySpec  `yaml:"gateway"`
	Users    []UserSpec    `yaml:"users"`
	// Departed marks a bank that has left the consortium (docs/operations.md, "A bank leaves"): kept
	// in the topology for its terms collection, which the chaincode definition must keep.
	Departed bool `yaml:"departed,omitempty"`

	remoteCA bool // on this host, the organization's CA runs on another host (Scope.RemoteCA)
}

// CASpec is an organization's fabric-ca-server.
type CASpec struct {
	Port    int `yaml:"port"`
	OpsPort int `yaml:"opsPort"`
}

// OrdererSpec is one etcdraft orderer. Host is where it runs when that is not its organization's
// host (an orderer organization may run each orderer on a host of its own).
type OrdererSpec struct {
	Name      string `yaml:"name"`
	Host      string `yaml:"host,omitempty"`
	Port      int    `yaml:"port"`
	AdminPort int    `yaml:"adminPort"`
	OpsPort   int    `yaml:"opsPort"`
}

// PeerSpec is an organization's peer, and where the organization's own chaincode server listens (on
// the organization's host): the peer dials only that server.
type PeerSpec struct {
	Name          string `yaml:"name"`
	Port          int    `yaml:"port"`
	ChaincodePort int    `yaml:"chaincodePort"`
	OpsPort       int    `yaml:"opsPort"`
	CCServerPort  int    `yaml:"ccServerPort"`
	// CCServerAltPort is where the organization's chaincode server of an upgrade listens while the
	// old one still serves at CCServerPort (and the other way round at the next upgrade); default
	// CCServerPort+1.
	CCServerAltPort int `yaml:"ccServerAltPort"`
}

// GatewaySpec is where an organization's HTTP gateway listens: its API at Port, its operations
// endpoints (/healthz, /readyz, /metrics) at OpsPort, on a listener of their own.
type GatewaySpec struct {
	Port    int `yaml:"port"`
	OpsPort int `yaml:"opsPort"`
	// ReadModel is where the gateway keeps its read model; absent: SQLite in the gateway's directory.
	ReadModel *ReadModelSpec `yaml:"readModel,omitempty"`
}

// ReadModelSpec is the database of an organization's read model (docs/operations.md, "The read
// model"): an SQLite file of the gateway's own (the default), or a PostgreSQL server that netctl
// runs for the organization on its host, listening on 127.0.0.1 only at Port.
type ReadModelSpec struct {
	Driver string `yaml:"driver"` // sqlite or postgres
	Port   int    `yaml:"port,omitempty"`
}

// Postgres says whether the organization's read model is in a PostgreSQL server that netctl runs.
func (o *Organization) Postgres() bool {
	return o.Gateway != nil && o.Gateway.ReadModel != nil && o.Gateway.ReadModel.Driver == ReadModelPostgres
}

// The read model's drivers.
const (
	ReadModelSQLite   = "sqlite"
	ReadModelPostgres = "postgres"
)

// UserSpec is an identity enrolled from the organization's CA with its ipledger.role attribute.
type UserSpec struct {
	Name string `yaml:"name" json:"name"`
	Role string `yaml:"role" json:"role"`
}

// LoadTopology reads and checks a topology file. Ports in the file are offsets; base is added here.
func LoadTopology(path string, base int) (*Topology, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := ParseTopology(raw, base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ParseTopology reads a topology file's content, with its ports added to base.
func ParseTopology(raw []byte, base int) (*Topology, error) {
	var t Topology
	if err := yaml.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	t.rebase(base)
	t.inOrder = t.Organizations
	t.Organizations = nil
	for _, o := range t.inOrder {
		if o.Departed {
			t.departed = append(t.departed, o)
		} else {
			t.Organizations = append(t.Organizations, o)
		}
	}
	return &t, nil
}

// Departed are the banks that have left the consortium, in the topology's order.
func (t *Topology) Departed() []*Organization { return t.departed }

func (t *Topology) check() error {
	if t.Channel == "" || t.Chaincode.Name == "" {
		return fmt.Errorf("channel and chaincode.name are required")
	}
	orderers := 0
	names, msps := map[string]bool{}, map[string]bool{}
	for _, o := range t.Organizations {
		if o.Name == "" || o.MSPID == "" || o.Host == "" {
			return fmt.Errorf("organization %q: name, mspId and host are required", o.Name)
		}
		if names[o.Name] || msps[o.MSPID] {
			return fmt.Errorf("organization %s (%s): a second organization of that name or MSP id", o.Name, o.MSPID)
		}
		names[o.Name], msps[o.MSPID] = true, true
		if o.Departed && (!o.IsBank() || len(o.Orderers) > 0) {
			return fmt.Errorf("organization %s: only a bank may be departed (its terms collection stays in the chaincode definition)", o.Name)
		}

		orderers += len(o.Orderers)
		for i := range o.Orderers {
			if o.Orderers[i].Host == "" {
				o.Orderers[i].Host = o.Host
			}
		}
		if err := o.checkKind(); err != nil {
			return err
		}
		if o.Peer != nil && o.Peer.CCServerPort == 0 {
			return fmt.Errorf("organization %s: peer.ccServerPort (its own chaincode server) is required", o.Name)
		}
		if o.Peer != nil && o.Peer.CCServerAltPort == 0 {
			o.Peer.CCServerAltPort = o.Peer.CCServerPort + 1
		}
		if o.Gateway != nil && o.Gateway.OpsPort == 0 {
			return fmt.Errorf("organization %s: gateway.opsPort (the gateway's operations listener: /metrics, /healthz) is required", o.Name)
		}
		if err := o.checkReadModel(); err != nil {
			return err
		}
		if !slices.ContainsFunc(o.Users, func(u UserSpec) bool { return u.Name == "admin" }) {
			return fmt.Errorf("organization %s: a user named admin is required", o.Name)
		}
	}
	if orderers == 0 {
		return fmt.Errorf("at least one orderer is required")
	}
	return nil
}

func (o *Organization) checkReadModel() error {
	if o.Gateway == nil || o.Gateway.ReadModel == nil {
		return nil
	}
	switch rm := o.Gateway.ReadModel; rm.Driver {
	case ReadModelSQLite:
		if rm.Port != 0 {
			return fmt.Errorf("organization %s: gateway.readModel.port goes only with driver postgres", o.Name)
		}
	case ReadModelPostgres:
		if rm.Port == 0 {
			return fmt.Errorf("organization %s: gateway.readModel.port (where its PostgreSQL server listens, on 127.0.0.1) is required with driver postgres", o.Name)
		}
	default:
		return fmt.Errorf("organization %s: gateway.readModel.driver %q: sqlite or postgres", o.Name, rm.Driver)
	}
	return nil
}

func (t *Topology) rebase(base int) {
	for _, o := range t.Organizations {
		o.CA.Port += base
		o.CA.OpsPort += base
		for i := range o.Orderers {
			o.Orderers[i].Port += base
			o.Orderers[i].AdminPort += base
			o.Orderers[i].OpsPort += base
		}
		if o.Peer != nil {
			o.Peer.Port += base
			o.Peer.ChaincodePort += base
			o.Peer.OpsPort += base
			o.Peer.CCServerPort += base
			o.Peer.CCServerAltPort += base
		}
		if o.Gateway != nil {
			o.Gateway.Port += base
			o.Gateway.OpsPort += base
			if o.Postgres() {
				o.Gateway.ReadModel.Port += base
			}
		}
	}
}

// Org returns the organization with the given MSP id, or nil.
func (t *Topology) Org(mspID string) *Organization {
	for _, o := range t.Organizations {
		if o.MSPID == mspID {
			return o
		}
	}
	return nil
}

// PeerOrgs returns the organizations that run a peer.
func (t *Topology) PeerOrgs() []*Organization {
	var out []*Organization
	for _, o := range t.Organizations {
		if o.Peer != nil {
			out = append(out, o)
		}
	}
	return out
}

// OrdererOrgs returns the organizations that run orderers.
func (t *Topology) OrdererOrgs() []*Organization {
	var out []*Organization
	for _, o := range t.Organizations {
		if len(o.Orderers) > 0 {
			out = append(out, o)
		}
	}
	return out
}

// Addr joins a host and a port.
func Addr(host string, port int) string { return host + ":" + strconv.Itoa(port) }
