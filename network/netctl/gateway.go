package netctl

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// gatewayKeysFile holds the hashes of the organization's API keys, with their ids, owners, expiry
// and revocation (gateway.Keys); the gateway reads it at start and on SIGHUP.
func (n *Network) gatewayKeysFile(o *Organization) string {
	return filepath.Join(n.gatewayDir(o), "keys.yaml")
}

// gatewayUsers are the users the gateway acts as: every user but the admins. An admin acts with
// netctl on its organization's host (channel updates, chaincode lifecycle, identities), never
// through the HTTP gateway: a gateway holds no key that could act as its organization's admin.
func gatewayUsers(o *Organization) []UserSpec {
	var out []UserSpec
	for _, u := range o.Users {
		if u.Role != "admin" {
			out = append(out, u)
		}
	}
	return out
}

// devAPIKey is the key of a user that has none in the keys file yet (a user enrolled by up or by
// identity add): made, kept in the user's api-key file (mode 0600) for the tests, the console and
// the examples of this development network, and returned with its record. A user with keys in the
// keys file gets no new one, so that a key revoked or rotated away does not come back. An api-key
// file of an earlier network whose key is not in the keys file yet is taken in (its hash).
func (n *Network) devAPIKey(o *Organization, user string, keys *gateway.Keys) error {
	path := n.apiKeyFile(o, user)
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		key := strings.TrimSpace(string(raw))
		sum := sha256.Sum256([]byte(key))
		if !slices.ContainsFunc(keys.Keys, func(r gateway.KeyRecord) bool { return r.SHA256 == hex.EncodeToString(sum[:]) }) {
			keys.Keys = append(keys.Keys, gateway.RecordOf(key, user, "dev", time.Now(), nil))
		}
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	if slices.ContainsFunc(keys.Keys, func(r gateway.KeyRecord) bool { return r.Identity == user }) {
		return nil
	}
	key, rec, err := gateway.NewAPIKey(user, "dev", time.Now(), nil)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return err
	}
	keys.Keys = append(keys.Keys, rec)
	return nil
}

// gatewayKeys brings the organization's keys file up to date with its users: a dev key for each
// user that has none, every key of a user the gateway no longer serves (revoked, or an admin)
// marked revoked, and the api-key file of an admin removed (an admin has no key at the gateway).
func (n *Network) gatewayKeys(o *Organization) error {
	path := n.gatewayKeysFile(o)
	keys, err := gateway.LoadKeys(path)
	if err != nil {
		return err
	}
	served := map[string]bool{}
	for _, u := range gatewayUsers(o) {
		served[u.Name] = true
		if err := n.devAPIKey(o, u.Name, keys); err != nil {
			return err
		}
	}
	for _, u := range o.Users {
		if u.Role == "admin" {
			if err := os.Remove(n.apiKeyFile(o, u.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	for i := range keys.Keys {
		if r := &keys.Keys[i]; !served[r.Identity] && !r.Revoked {
			r.Revoked, r.RevokedAt = true, &now
		}
	}
	return keys.Save(path)
}

// writeGatewayConfigs writes each peer organization's gateway configuration, in the gateway's own
// format (gateway.Config), and its keys file. It refuses to give a gateway an identity whose
// certificate is an admin's (OU admin).
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
			// The benchmark drives each of its two keys as fast as the read model answers (2,000 to
			// 2,500 requests a second on the 2-core machine): a development network allows 20,000 a
			// second per key, so that its figures are the gateway's and not the limit's; every other
			// limit is the default.
			Limits:        gateway.LimitsConfig{PerKey: gateway.RateConfig{Rate: 20000, Burst: 40000}},
			KeysFile:      n.gatewayKeysFile(o),
			ReadyInterval: 5 * time.Second,
			// The API's certificate; /metrics only to client certificates of the organization's CA.
			// On a network started with PeerProfile (the benchmark's), Go's profiles there too.
			Operations: gateway.OperationsConfig{Listen: Addr(o.Host, o.Gateway.OpsPort), ClientRootCAs: []string{n.caCert(o)},
				Profile: n.PeerProfile},
			// The read model: an SQLite file in the gateway's own data directory (the gateway makes it
			// 0600), built from the organization's own peer's blocks.
			ReadModel: n.gatewayReadModel(o),
		}
		for _, u := range gatewayUsers(o) {
			msp := filepath.Join(n.userDir(o, u.Name), "msp")
			id := gateway.IdentityConfig{Name: u.Name, Role: u.Role,
				Certificate: filepath.Join(msp, "signcerts", "cert.pem"), PrivateKey: filepath.Join(msp, "keystore", "key.pem")}
			if err := notAdmin(id.Certificate); err != nil {
				return fmt.Errorf("%s's gateway would act as %s: %w", o.MSPID, u.Name, err)
			}
			cfg.Identities = append(cfg.Identities, id)
		}
		if len(cfg.Identities) == 0 {
			return fmt.Errorf("%s has no user but its admin, and its gateway acts for users only: add one to the topology's users "+
				"(a role other than admin), or run `scripts/ipledger identity add NAME --org %s --role ROLE`", o.MSPID, o.MSPID)
		}
		if err := n.gatewayKeys(o); err != nil {
			return fmt.Errorf("%s's API keys (%s): %w", o.MSPID, n.gatewayKeysFile(o), err)
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

// gatewayReadModel is the read model section of a gateway's configuration: the SQLite file in the
// gateway's directory, or PostgreSQL, whose connection string (with its role's password) the gateway
// gets in its environment (gatewayProcess), not in this file.
func (n *Network) gatewayReadModel(o *Organization) gateway.ReadModelConfig {
	if o.Postgres() {
		return gateway.ReadModelConfig{Driver: gateway.ReadModelPostgres}
	}
	return gateway.ReadModelConfig{Driver: gateway.ReadModelSQLite, Path: n.readModelFile(o)}
}

// notAdmin refuses a certificate of an admin identity: one whose subject carries the OU admin (the
// Fabric CA's NodeOU for identities registered with type admin).
func notAdmin(certFile string) error {
	admin, err := IsAdminCertificate(certFile)
	if err != nil {
		return err
	}
	if admin {
		return fmt.Errorf("%s is an admin's certificate (OU admin): a gateway holds client identities only; an admin acts with netctl on its host", certFile)
	}
	return nil
}

// IsAdminCertificate tells whether the PEM certificate in file is an admin's (OU admin).
func IsAdminCertificate(file string) (bool, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return false, err
	}
	b, _ := pem.Decode(raw)
	if b == nil {
		return false, fmt.Errorf("%s holds no PEM certificate", file)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return false, fmt.Errorf("%s: %w", file, err)
	}
	return slices.Contains(c.Subject.OrganizationalUnit, "admin"), nil
}

// GatewayAdmins lists the identities of a gateway configuration file whose certificates are admins'
// (none, unless the file was written by something other than netctl).
func GatewayAdmins(configFile string) ([]string, error) {
	cfg, err := gateway.LoadConfig(configFile, identitiesOnly)
	if err != nil {
		return nil, err
	}
	var admins []string
	for _, id := range cfg.Identities {
		admin, err := IsAdminCertificate(id.Certificate)
		if err != nil {
			return nil, err
		}
		if admin {
			admins = append(admins, id.Name)
		}
	}
	return admins, nil
}

// identitiesOnly is the environment of a gateway's configuration read for its identities and keys:
// a read model in PostgreSQL has its connection string in the gateway's environment, not in the file,
// and a placeholder stands for it.
func identitiesOnly(k string) string {
	if k == gateway.EnvPrefix+"READMODEL_DSN" {
		return "postgres://read-for-its-identities-only"
	}
	return ""
}

func (n *Network) gatewayProcess(o *Organization) *Process {
	var env []string
	if o.Postgres() {
		// The read model's connection string carries its role's password: in the environment of the
		// gateway's process (readable by its owner only), not in its configuration file or arguments.
		if dsn, err := n.PostgresDSN(o, pgGateway); err == nil {
			env = append(env, "IPLEDGER_GATEWAY_READMODEL_DSN="+dsn)
		}
	}
	return &Process{
		Env:  env,
		Name: GatewayName(o), Kind: "gateway", Org: o.Name,
		Bin:    n.ProgramPath("ipledger-gateway"),
		Args:   []string{"--config", n.gatewayConfigFile(o)},
		Dir:    n.gatewayDir(o),
		Host:   o.Host,
		Ports:  []int{o.Gateway.Port, o.Gateway.OpsPort},
		Health: GatewayOpsURL(o) + "/healthz", // netctl's checks trust every organization's CA (opsClient)
	}
}
