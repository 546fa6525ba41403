package netctl

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ipledger/ipledger/gateway/apiclient"
)

// System is the machine-readable description of a running network, written by up to system.json in
// the data directory and printed by `status --json`. Scripts, tests and operators find everything
// through it.
type System struct {
	Name          string        `json:"name"`
	DataDir       string        `json:"dataDir"`
	PortBase      int           `json:"portBase"`
	Channel       string        `json:"channel"`
	Chaincode     ChaincodeInfo `json:"chaincode"`
	Organizations []OrgInfo     `json:"organizations"`
	Orderers      []OrdererInfo `json:"orderers"`
	Processes     []ProcessInfo `json:"processes"`
}

// ChaincodeInfo describes the committed chaincode definition, which every organization approves. The
// package and the server are each organization's own: OrgInfo.ChaincodeServer.
type ChaincodeInfo struct {
	Name string `json:"name"`
	// Version is the approved version: the topology's version and the sha256 of the chaincode
	// program ("1.0-<sha256>"), which each organization builds and runs itself.
	Version           string   `json:"version"`
	CodeSHA256        string   `json:"codeSha256"`
	PackageLabel      string   `json:"packageLabel"` // every organization's package has this label
	Sequence          int      `json:"sequence"`
	EndorsementPolicy string   `json:"endorsementPolicy"`
	Collections       []string `json:"collections"`
}

// OrgInfo is one organization: its peer, chaincode server, CA, gateway and users.
type OrgInfo struct {
	Name            string               `json:"name"`
	MSPID           string               `json:"mspId"`
	Peer            string               `json:"peer,omitempty"`
	PeerTLSCA       string               `json:"peerTlsCaCert,omitempty"`
	ChaincodeServer *ChaincodeServerInfo `json:"chaincodeServer,omitempty"`
	CA              string               `json:"ca"`
	CACert          string               `json:"caCert"`
	MSPDir          string               `json:"mspDir"`
	// Gateway is the HTTP gateway's URL (https://…); GatewayCACert the CA certificate that its clients
	// trust: the organization's own CA, which issued the gateway's TLS certificate.
	Gateway       string `json:"gateway,omitempty"`
	GatewayCACert string `json:"gatewayCaCert,omitempty"`
	// GatewayOps is the gateway's operations listener (https://…: /healthz, /readyz, /metrics), with
	// the same CA; /metrics wants a client certificate of the organization's CA, such as
	// OpsClientCert (the organization admin's TLS certificate) and its key OpsClientKey.
	GatewayOps    string `json:"gatewayOps,omitempty"`
	OpsClientCert string `json:"opsClientCert,omitempty"`
	OpsClientKey  string `json:"opsClientKey,omitempty"`
	// ReadModel is where the gateway keeps its read model.
	ReadModel *ReadModelInfo `json:"readModel,omitempty"`
	Users     []UserInfo     `json:"users"`
}

// ReadModelInfo is a gateway's read model: an SQLite file, or a PostgreSQL server of the
// organization's (at Address, on 127.0.0.1 of its host) whose roles' passwords are in Secrets
// (<role>.secret, 0600: gateway and reporting, and the superuser ipledger for netctl).
type ReadModelInfo struct {
	Driver   string `json:"driver"`
	File     string `json:"file,omitempty"`
	Address  string `json:"address,omitempty"`
	Database string `json:"database,omitempty"`
	Secrets  string `json:"secrets,omitempty"`
}

// ChaincodeServerInfo is a peer organization's own chaincode server and the package its peer has
// installed, whose connection.json names that server.
type ChaincodeServerInfo struct {
	Component string `json:"component"` // e.g. chaincode.bank1
	Address   string `json:"address"`
	PackageID string `json:"packageId"`
	Package   string `json:"package"`   // the ccaas package file (mode 0600: it holds the peer's client key)
	TLSCert   string `json:"tlsCert"`   // the server's TLS certificate, from the organization's CA
	TLSKey    string `json:"tlsKey"`    // the server's TLS key; never in a package
	TLSCACert string `json:"tlsCaCert"` // the CA the server requires client certificates from
}

// UserInfo is an enrolled identity: its role and where its certificate and key are.
type UserInfo struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	Credentials string `json:"credentials"`
	Certificate string `json:"certificate"`
	PrivateKey  string `json:"privateKey"`
	APIKeyFile  string `json:"apiKeyFile,omitempty"`
}

// OrdererInfo is one ordering node.
type OrdererInfo struct {
	Name    string `json:"name"`
	MSPID   string `json:"mspId"`
	Address string `json:"address"`
	Admin   string `json:"admin"`
	TLSCA   string `json:"tlsCaCert"`
}

// ProcessInfo is one running program: where its health check, log and pid are.
type ProcessInfo struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Org     string `json:"org"`
	Health  string `json:"health,omitempty"`
	Log     string `json:"log"`
	PidFile string `json:"pidFile"`
	Binary  string `json:"binary"`
	Pid     int    `json:"pid,omitempty"`
	Running *bool  `json:"running,omitempty"`
}

// SystemFile is where up writes the description.
func (n *Network) SystemFile() string { return filepath.Join(n.Dir, "system.json") }

// Describe builds the description of this network.
func (n *Network) Describe(packageIDs map[string]string) *System {
	cc := n.Top.Chaincode
	s := &System{
		Name: "ipledger", DataDir: n.Dir, PortBase: n.PortBase, Channel: n.Top.Channel,
		Chaincode: ChaincodeInfo{Name: cc.Name, Version: cc.Version, Sequence: n.ccSequence(),
			EndorsementPolicy: n.definitionPolicy()},
	}
	if v, err := n.ccVersion(); err == nil {
		s.Chaincode.Version, s.Chaincode.CodeSHA256 = v, n.codeHash
	}
	s.Chaincode.PackageLabel = n.label()
	for _, c := range n.definitionCollections() {
		s.Chaincode.Collections = append(s.Chaincode.Collections, c.Name)
	}
	for _, o := range n.Top.Organizations {
		oi := OrgInfo{Name: o.Name, MSPID: o.MSPID, CA: "https://" + Addr(o.Host, o.CA.Port), CACert: n.caCert(o), MSPDir: n.orgMSP(o)}
		if o.Peer != nil {
			oi.Peer = Addr(o.Host, o.Peer.Port)
			oi.PeerTLSCA = n.caCert(o)
			if id := packageIDs[o.Name]; id != "" {
				tlsDir := n.ccServerTLS(o)
				oi.ChaincodeServer = &ChaincodeServerInfo{Component: ChaincodeServerSlotName(o, n.ccSlot()), Address: ccServerAddr(o, n.ccSlot()),
					PackageID: id, Package: n.packageFile(o), TLSCert: filepath.Join(tlsDir, "cert.pem"),
					TLSKey: filepath.Join(tlsDir, "key.pem"), TLSCACert: filepath.Join(tlsDir, "ca.pem")}
			}
		}
		if o.Gateway != nil && n.gatewayAvailable() {
			oi.Gateway = GatewayURL(o)
			oi.GatewayCACert = n.caCert(o)
			oi.GatewayOps = GatewayOpsURL(o)
			oi.ReadModel = n.readModelInfo(o)
		}
		// The admin's TLS certificate is a client certificate of the organization's CA: it reads the
		// gateway's /metrics, and the peer's and the orderers' (the soak benchmark reads their heap).
		oi.OpsClientCert, oi.OpsClientKey = filepath.Join(n.adminTLS(o), "cert.pem"), filepath.Join(n.adminTLS(o), "key.pem")
		for _, u := range o.Users {
			dir := filepath.Join(n.userDir(o, u.Name), "msp")
			ui := UserInfo{Name: u.Name, Role: u.Role, Credentials: dir,
				Certificate: filepath.Join(dir, "signcerts", "cert.pem"), PrivateKey: filepath.Join(dir, "keystore", "key.pem")}
			// The dev key's file, while it exists: none for an admin (no key at the gateway), none once
			// its key was revoked or rotated away (`scripts/ipledger key`).
			if _, err := os.Stat(n.apiKeyFile(o, u.Name)); oi.Gateway != "" && u.Role != "admin" && err == nil {
				ui.APIKeyFile = n.apiKeyFile(o, u.Name)
			}
			oi.Users = append(oi.Users, ui)
		}
		s.Organizations = append(s.Organizations, oi)
		for _, ord := range o.Orderers {
			s.Orderers = append(s.Orderers, OrdererInfo{Name: ord.Name, MSPID: o.MSPID, Address: Addr(ord.Host, ord.Port),
				Admin: Addr(ord.Host, ord.AdminPort), TLSCA: n.caCert(o)})
		}
	}
	for _, p := range n.processes(packageIDs) {
		s.Processes = append(s.Processes, ProcessInfo{Name: p.Name, Kind: p.Kind, Org: p.Org, Health: p.Health,
			Log: n.LogFile(p.Name), PidFile: n.pidFile(p.Name), Binary: p.Bin})
	}
	return s
}

// gatewayAvailable tells whether the HTTP gateways are part of this network: their program has been
// built into the bin directory, and IPLEDGER_NO_GATEWAY (for running the bare network) is not set.
func (n *Network) gatewayAvailable() bool {
	if os.Getenv("IPLEDGER_NO_GATEWAY") != "" {
		return false
	}
	_, err := os.Stat(n.ProgramPath("ipledger-gateway"))
	return err == nil
}

// LoadSystem reads a description written by up.
func LoadSystem(path string) (*System, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s System
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// PackageIDs are the organizations' chaincode package ids, by organization name.
func (s *System) PackageIDs() map[string]string {
	ids := map[string]string{}
	for _, o := range s.Organizations {
		if o.ChaincodeServer != nil {
			ids[o.Name] = o.ChaincodeServer.PackageID
		}
	}
	return ids
}

// Org finds an organization of the description by MSP id.
func (s *System) Org(mspID string) (*OrgInfo, error) {
	for i := range s.Organizations {
		if s.Organizations[i].MSPID == mspID {
			return &s.Organizations[i], nil
		}
	}
	return nil, fmt.Errorf("no organization %s", mspID)
}

// User finds a user of an organization by name.
func (o *OrgInfo) User(name string) (*UserInfo, error) {
	for i := range o.Users {
		if o.Users[i].Name == name {
			return &o.Users[i], nil
		}
	}
	return nil, fmt.Errorf("%s has no user %s", o.MSPID, name)
}

// APIKey is the gateway URL of an organization and the API key of one of its users.
func (s *System) APIKey(mspID, user string) (gatewayURL, key string, err error) {
	o, err := s.Org(mspID)
	if err != nil {
		return "", "", err
	}
	if o.Gateway == "" {
		return "", "", fmt.Errorf("%s has no HTTP gateway in this network", mspID)
	}
	u, err := o.User(user)
	if err != nil {
		return "", "", err
	}
	if u.APIKeyFile == "" {
		return "", "", fmt.Errorf("%s's %s has no API key file: an admin has no key at the gateway, and a key issued with "+
			"`scripts/ipledger key issue` is shown once, never kept", mspID, user)
	}
	raw, err := os.ReadFile(u.APIKeyFile)
	if err != nil {
		return "", "", err
	}
	return o.Gateway, strings.TrimSpace(string(raw)), nil
}

// APIClient is a client of mspID's gateway acting as user, with that user's API key, trusting only
// the organization's CA (GatewayCACert).
func (s *System) APIClient(mspID, user string) (*apiclient.Client, error) {
	url, key, err := s.APIKey(mspID, user)
	if err != nil {
		return nil, err
	}
	o, err := s.Org(mspID)
	if err != nil {
		return nil, err
	}
	return apiclient.NewTLS(url, key, o.GatewayCACert)
}

func writeJSON(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
