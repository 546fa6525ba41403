package netctl

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipledger/ipledger/gateway"
	"gopkg.in/yaml.v3"
)

func (n *Network) gatewayDir(o *Organization) string { return filepath.Join(n.orgDir(o), "gateway") }
func (n *Network) gatewayConfigFile(o *Organization) string {
	return filepath.Join(n.gatewayDir(o), "gateway.yaml")
}
func (n *Network) gatewayTLS(o *Organization) string { return filepath.Join(n.gatewayDir(o), "tls") }

// GatewayURL is the base URL of an organization's HTTP gateway: HTTPS, always.
func GatewayURL(o *Organization) string { return "https://" + Addr(o.Host, o.Gateway.Port) }

// GatewayOpsURL is the base URL of the gateway's operations listener (/healthz, /readyz, /metrics):
// HTTPS with the gateway's certificate; /metrics wants a client certificate of the organization's CA.
func GatewayOpsURL(o *Organization) string { return "https://" + Addr(o.Host, o.Gateway.OpsPort) }

func (n *Network) apiKeyFile(o *Organization, user string) string {
	return filepath.Join(n.userDir(o, user), "api-key")
}

// apiKey returns a user's API key, creating it on first use. Only its hash goes into the gateway's
// configuration; the key itself stays in a file readable by its owner only.
func (n *Network) apiKey(o *Organization, user string) (string, error) {
	path := n.apiKeyFile(o, user)
	raw, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(raw)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := "ipl_" + base64.RawURLEncoding.EncodeToString(b)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", err
	}
	return key, nil
}

// writeGatewayConfigs writes each peer organization's gateway configuration, in the gateway's own
// format (gateway.Config).
func (n *Network) writeGatewayConfigs() error {
	var orgs []string
	for _, o := range n.plan().PeerOrgs() {
		orgs = append(orgs, o.MSPID)
	}
	for _, o := range n.Top.PeerOrgs() {
		if o.Gateway == nil {
			continue
		}
		// A network enrolled before the gateways served HTTPS has no gateway certificate yet: its CA
		// (running: up starts the CAs first) issues it now. Enrolled already, this does nothing.
		if err := n.enrollIdentity(o, n.gatewayTLSIdentity(o)); err != nil {
			return err
		}
		tlsDir := n.gatewayTLS(o)
		cfg := gateway.Config{
			Listen: Addr(o.Host, o.Gateway.Port), MSPID: o.MSPID,
			Peer:    gateway.PeerConfig{Address: Addr(o.Host, o.Peer.Port), TLSCACert: n.caCert(o)},
			Channel: n.Top.Channel, Chaincode: n.Top.Chaincode.Name,
			CommitTimeout: 30 * time.Second, EndorseTimeout: 15 * time.Second, EvaluateTimeout: 5 * time.Second,
			MaxBodyBytes:      1 << 20,
			CheckpointDir:     filepath.Join(n.gatewayDir(o), "checkpoints"),
			PeerOrganizations: orgs,
			TLS:               gateway.TLSConfig{Certificate: filepath.Join(tlsDir, "cert.pem"), PrivateKey: filepath.Join(tlsDir, "key.pem")},
			// The API's certificate; /metrics only to client certificates of the organization's CA.
			Operations: gateway.OperationsConfig{Listen: Addr(o.Host, o.Gateway.OpsPort), ClientRootCAs: []string{n.caCert(o)}},
		}
		for _, u := range o.Users {
			key, err := n.apiKey(o, u.Name)
			if err != nil {
				return err
			}
			sum := sha256.Sum256([]byte(key))
			msp := filepath.Join(n.userDir(o, u.Name), "msp")
			cfg.Identities = append(cfg.Identities, gateway.IdentityConfig{Name: u.Name, Role: u.Role,
				Certificate: filepath.Join(msp, "signcerts", "cert.pem"), PrivateKey: filepath.Join(msp, "keystore", "key.pem"),
				APIKeySHA256: hex.EncodeToString(sum[:])})
		}
		raw, err := yaml.Marshal(cfg)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(cfg.CheckpointDir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(n.gatewayConfigFile(o), raw, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func (n *Network) gatewayProcess(o *Organization) *Process {
	return &Process{
		Name: GatewayName(o), Kind: "gateway", Org: o.Name,
		Bin:    n.ProgramPath("ipledger-gateway"),
		Args:   []string{"--config", n.gatewayConfigFile(o)},
		Dir:    n.gatewayDir(o),
		Host:   o.Host,
		Ports:  []int{o.Gateway.Port, o.Gateway.OpsPort},
		Health: GatewayOpsURL(o) + "/healthz", // netctl's checks trust every organization's CA (opsClient)
	}
}
