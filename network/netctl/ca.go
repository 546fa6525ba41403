package netctl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// registrar is the CA's bootstrap identity; it registers every other identity of the organization.
// It is not the organization's admin (the identity named "admin"), which is an MSP admin.
const registrar = "registrar"

func (n *Network) caProcess(o *Organization) *Process {
	home := n.caHome(o)
	return &Process{
		Name: CAName(o), Kind: "ca", Org: o.Name,
		Bin:  n.ProgramPath("fabric-ca-server"),
		Args: append([]string{"start"}, n.caFlags(o)...),
		// The operations endpoint (health, metrics) listens on loopback only, for this host's own
		// checks, over TLS with the CA's own TLS certificate (tls-cert.pem, issued by the CA). fabric-ca
		// 1.5 asks a client certificate for all of it or none of it: none, so that the health check
		// works before any identity is enrolled; /metrics is reached from this host only.
		Env: []string{
			"FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS=" + Addr("127.0.0.1", o.CA.OpsPort),
			"FABRIC_CA_SERVER_OPERATIONS_TLS_ENABLED=true",
			"FABRIC_CA_SERVER_OPERATIONS_TLS_CERT_FILE=" + n.caTLSCert(o),
			"FABRIC_CA_SERVER_OPERATIONS_TLS_KEY_FILE=" + n.caTLSKey(o),
			"FABRIC_CA_SERVER_METRICS_PROVIDER=prometheus",
		},
		Dir:           home,
		Host:          o.Host,
		Ports:         []int{o.CA.Port},
		LoopbackPorts: []int{o.CA.OpsPort},
		Health:        "https://" + Addr("127.0.0.1", o.CA.OpsPort) + "/healthz",
	}
}

// caTLSCert is the CA server's TLS certificate, issued with the CA's key (issueCATLS); caTLSKey a link to
// its key in the server's keystore (made by prepareCAs), for the operations endpoint, which wants
// the key's file.
func (n *Network) caTLSCert(o *Organization) string {
	return filepath.Join(n.caHome(o), "tls-cert.pem")
}
func (n *Network) caTLSKey(o *Organization) string { return filepath.Join(n.caHome(o), "tls-key.pem") }

func (n *Network) caFlags(o *Organization) []string {
	return []string{
		"--home", n.caHome(o),
		"--address", o.Host, "--port", strconv.Itoa(o.CA.Port),
		"--ca.name", "ca-" + o.Name,
		"--tls.enabled",
		"--csr.cn", "ca." + o.Name,
		"--csr.hosts", hostList(o.Host),
	}
}

// hostList is what goes into a certificate's subject alternative names.
func hostList(host string) string {
	hosts := []string{"localhost", "127.0.0.1"}
	if host != "localhost" && host != "127.0.0.1" {
		hosts = append(hosts, host)
	}
	return strings.Join(hosts, ",")
}

// prepareCAs initializes each CA once: its keys, certificate and configuration, with a random secret
// for its registrar. The secret is given to this short-lived init in its environment
// (FABRIC_CA_SERVER_BOOT), never on a command line, which any local user can read in /proc; the
// environment of a process only its owner can. On every up it keeps the CAs' keys their owner's only
// and links the TLS key for the operations endpoint.
func (n *Network) prepareCAs() error {
	var g errgroup.Group
	for _, o := range n.Top.Organizations {
		if _, err := os.Stat(filepath.Join(n.caHome(o), "fabric-ca-server-config.yaml")); err == nil || o.remoteCA {
			continue
		}
		g.Go(func() error {
			if err := os.MkdirAll(n.caHome(o), 0o700); err != nil {
				return err
			}
			secret := randomSecret()
			if err := os.WriteFile(filepath.Join(n.orgDir(o), "ca", "registrar.secret"), []byte(secret+"\n"), 0o600); err != nil {
				return err
			}
			args := append([]string{"init"}, n.caFlags(o)...)
			return n.run([]string{"FABRIC_CA_SERVER_BOOT=" + registrar + ":" + secret}, n.ProgramPath("fabric-ca-server"), args...)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, o := range n.Top.Organizations {
		if o.remoteCA {
			continue
		}
		if err := n.issueCATLS(o); err != nil {
			return fmt.Errorf("%s's CA: %w", o.Name, err)
		}
		if err := n.secureCA(o); err != nil {
			return fmt.Errorf("%s's CA: %w", o.Name, err)
		}
	}
	return nil
}

// secureCA makes a CA's keys its owner's only: fabric-ca-server writes its idemix
// IssuerRevocationPrivateKey 0644 and its keystore 0755; its configuration, which holds the
// registrar's secret, 0644. It links tls-key.pem to the key of the CA's TLS certificate.
func (n *Network) secureCA(o *Organization) error {
	home := n.caHome(o)
	if err := privateKeys(filepath.Join(home, "msp")); err != nil {
		return err
	}
	if err := os.Chmod(filepath.Join(home, "fabric-ca-server-config.yaml"), 0o600); err != nil {
		return err
	}
	if _, err := os.Stat(n.caTLSKey(o)); err == nil {
		return nil
	}
	cert, err := readCert(n.caTLSCert(o))
	if err != nil {
		return err
	}
	keys, err := filepath.Glob(filepath.Join(home, "msp", "keystore", "*_sk"))
	if err != nil {
		return err
	}
	for _, k := range keys {
		if keyMatches(cert, k) == nil {
			_ = os.Remove(n.caTLSKey(o)) // a dangling link
			return os.Symlink(filepath.Join("msp", "keystore", filepath.Base(k)), n.caTLSKey(o))
		}
	}
	return fmt.Errorf("no key in %s matches its TLS certificate %s", filepath.Join(home, "msp", "keystore"), n.caTLSCert(o))
}

// privateKeys walks dir and makes every private key in it (isPrivateKey) 0600 and every directory
// that holds one 0700.
func privateKeys(dir string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if !isPrivateKey(p) {
			return nil
		}
		if err := os.Chmod(p, 0o600); err != nil {
			return err
		}
		return os.Chmod(filepath.Dir(p), 0o700)
	})
}

// isPrivateKey tells a private key by its name (BCCSP's <ski>_sk, fabric-ca's idemix keys, key.pem)
// or, for any other file, by its content: a PEM "PRIVATE KEY" block at its start.
func isPrivateKey(path string) bool {
	base := filepath.Base(path)
	switch {
	case strings.HasSuffix(base, "_sk"), base == "key.pem", base == "IssuerSecretKey", base == "IssuerRevocationPrivateKey":
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64)
	k, _ := f.Read(head)
	line, _, _ := strings.Cut(string(head[:k]), "\n")
	return strings.HasPrefix(line, "-----BEGIN") && strings.HasSuffix(strings.TrimSpace(line), "PRIVATE KEY-----")
}

func randomSecret() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// waitHealthy waits until a process answers its operations health check.
func (n *Network) waitHealthy(ctx context.Context, p *Process, timeout time.Duration) error {
	client := n.opsClient()
	return waitFor(ctx, timeout, 50*time.Millisecond, func() error {
		if n.Pid(p) == 0 {
			return final(fmt.Errorf("%s exited", p.Name))
		}
		resp, err := client.Get(p.Health)
		if err != nil {
			return fmt.Errorf("%s not healthy: %w", p.Name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s not healthy: %s", p.Name, resp.Status)
		}
		// Healthy is not yet listening everywhere: an orderer's admin port opens after its operations port.
		return listening(p)
	})
}

// caClient runs fabric-ca-client against an organization's CA.
func (n *Network) caClient(o *Organization, args ...string) error {
	return n.caClientEnv(o, nil, args...)
}

// caClientEnv runs fabric-ca-client with env added to its environment: where a secret goes (the
// enrolment URL's user:pass in FABRIC_CA_CLIENT_URL, a registration's in FABRIC_CA_CLIENT_ID_SECRET),
// never on its command line.
func (n *Network) caClientEnv(o *Organization, env []string, args ...string) error {
	args = append(args, "--tls.certfiles", n.caCert(o), "--caname", "ca-"+o.Name)
	cmd := exec.Command(n.ProgramPath("fabric-ca-client"), args...)
	cmd.Env = append(baseEnv(), env...)
	n.observe(cmd)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("fabric-ca-client %s: %w\n%s", args[0], err, lastLines(string(out), 5))
	}
	return nil
}

// enrollEnv is the environment that gives fabric-ca-client the enrolment URL with its user:pass.
func (n *Network) enrollEnv(o *Organization, user, secret string) []string {
	return []string{"FABRIC_CA_CLIENT_URL=" + n.caURL(o, user, secret)}
}

func (n *Network) caURL(o *Organization, user, secret string) string {
	if user == "" {
		return "https://" + Addr(o.Host, o.CA.Port)
	}
	return "https://" + user + ":" + secret + "@" + Addr(o.Host, o.CA.Port)
}

// enrollee is something to register and enroll: a node or a user.
type enrollee struct {
	name string
	typ  string // peer, orderer, admin, client
	role string // ipledger.role attribute, users only
	dir  string // where its msp/ and tls/ go
	tls  bool   // also enroll a TLS certificate
	// tlsOnly: only the TLS certificate, no enrolment certificate (msp/): a TLS endpoint, not a signer
	tlsOnly bool
	hosts   string // TLS subject alternative names
}

func (n *Network) identities(o *Organization) []enrollee {
	var ids []enrollee
	for _, ord := range o.Orderers {
		ids = append(ids, enrollee{name: ord.Name, typ: "orderer", dir: n.nodeDir(o, ord.Name), tls: true, hosts: hostList(ord.Host)})
	}
	if o.Peer != nil {
		ids = append(ids, enrollee{name: o.Peer.Name, typ: "peer", dir: n.nodeDir(o, o.Peer.Name), tls: true, hosts: hostList(o.Host)})
	}
	if o.remoteCA {
		return ids // an orderer host without the CA: its orderers only
	}
	for _, u := range o.Users {
		typ := "client"
		if u.Role == "admin" {
			typ = "admin"
		}
		// Admins get a TLS client certificate too: osnadmin and the peer CLI authenticate with it.
		ids = append(ids, enrollee{name: u.Name, typ: typ, role: u.Role, dir: n.userDir(o, u.Name), tls: typ == "admin", hosts: hostList(o.Host)})
	}
	if o.Peer != nil {
		// The organization's own chaincode server, and its peer's client of that server: two TLS
		// identities of the organization's CA, so that the package the peer installs never holds the
		// server's key. TLS only: neither signs anything on the channel.
		ids = append(ids,
			enrollee{name: ccServerID, typ: "client", dir: filepath.Dir(n.ccServerTLS(o)), tls: true, tlsOnly: true, hosts: hostList(o.Host)},
			enrollee{name: ccClientID, typ: "client", dir: filepath.Dir(n.ccClientTLS(o)), tls: true, tlsOnly: true, hosts: hostList(o.Host)})
	}
	if o.Gateway != nil {
		ids = append(ids, n.gatewayTLSIdentity(o))
	}
	return ids
}

// gatewayTLSIdentity is the HTTP gateway's TLS server identity: a certificate of the organization's
// CA for the gateway's listen host (and loopback), into <org>/gateway/tls/{cert,key,ca}.pem, the key
// 0600. TLS only: the gateway signs as the organization's users, never as itself.
func (n *Network) gatewayTLSIdentity(o *Organization) enrollee {
	return enrollee{name: gatewayID, typ: "client", dir: n.gatewayDir(o), tls: true, tlsOnly: true, hosts: hostList(o.Host)}
}

// The enrolment names of an organization's chaincode server and of its peer's client of it.
const (
	ccServerID = "ccserver"
	ccClientID = "ccclient"
	gatewayID  = "gateway"
)

// readinessOrg is the organization through whose peer readiness submits its transaction: on one
// machine the IP office, whose endorsement every new key needs; on a host of a consortium its own.
func (n *Network) readinessOrg() *Organization { return ipOffice(n.Top) }

// ipOffice is a topology's IP office, or its first peer organization when it has none (a host of
// another organization).
func ipOffice(t *Topology) *Organization {
	if o := t.Org("IPOfficeMSP"); o != nil {
		return o
	}
	return t.PeerOrgs()[0]
}

// enrollAll registers and enrolls every identity of every organization, one goroutine per organization.
func (n *Network) enrollAll() error {
	var g errgroup.Group
	for _, o := range n.Top.Organizations {
		g.Go(func() error { return n.enrollOrg(o) })
	}
	return g.Wait()
}

func (n *Network) enrollOrg(o *Organization) error {
	if o.remoteCA {
		return n.enrollRemoteNodes(o)
	}
	if err := n.writeOrgMSP(o); err != nil {
		return err
	}
	secret, err := os.ReadFile(filepath.Join(n.orgDir(o), "ca", "registrar.secret"))
	if err != nil {
		return err
	}
	if err := n.caClientEnv(o, n.enrollEnv(o, registrar, strings.TrimSpace(string(secret))), "enroll", "-H", n.registrarHome(o)); err != nil {
		return fmt.Errorf("%s registrar: %w", o.Name, err)
	}
	// Identities are independent once the registrar is enrolled: register and enroll them together.
	var g errgroup.Group
	for _, id := range n.identities(o) {
		g.Go(func() error { return n.enrollIdentity(o, id) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return n.registerRemoteNodes(o)
}

// enrollSecretFile is where the CA's host writes the one-time enrolment secret of an orderer that
// runs on another host, and where that host expects it (`org init --enroll-secret`). It is a secret:
// it travels by a channel of its own, and it enrols once (its certificate and its TLS certificate).
func (n *Network) enrollSecretFile(o *Organization, node string) string {
	return filepath.Join(n.orgDir(o), "ca", "enroll", node+".secret")
}

// registerRemoteNodes registers, on the CA's host, the organization's orderers that run on other
// hosts, each with a one-time secret (one enrolment: its certificate; its TLS certificate is a
// reenrolment with it). The keys are made on the orderer's own host when it enrols.
func (n *Network) registerRemoteNodes(o *Organization) error {
	for _, ord := range n.planOrg(o.Name).Orderers {
		if slices.ContainsFunc(o.Orderers, func(l OrdererSpec) bool { return l.Name == ord.Name }) {
			continue
		}
		if err := n.registerRemoteNode(o, ord.Name); err != nil {
			return fmt.Errorf("%s/%s: %w", o.Name, ord.Name, err)
		}
	}
	return nil
}

// registerRemoteNode registers one orderer of another host. The secret is written (as pending) before
// the registration and given its final name after it, so that an interrupted init registers with the
// same secret again, or finds it registered with it.
func (n *Network) registerRemoteNode(o *Organization, node string) error {
	path := n.enrollSecretFile(o, node)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	pending := path + ".pending"
	raw, err := os.ReadFile(pending)
	resumed := err == nil // an interrupted init wrote this secret and may have registered it
	if errors.Is(err, os.ErrNotExist) {
		raw = []byte(randomSecret() + "\n")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		err = writePrivate(pending, raw)
	}
	if err != nil {
		return err
	}
	err = n.caClientEnv(o, []string{"FABRIC_CA_CLIENT_ID_SECRET=" + strings.TrimSpace(string(raw))},
		"register", "-H", n.registrarHome(o), "-u", n.caURL(o, "", ""), "--id.name", node,
		"--id.type", "orderer", "--id.maxenrollments", "1")
	if err != nil && (!resumed || !strings.Contains(err.Error(), "already registered")) {
		return err
	}
	return os.Rename(pending, path)
}

// enrollRemoteNodes enrols, on an orderer's own host, its orderers from the CA on another host with
// the one-time secrets sent from there, and deletes each secret once it is spent. An orderer enrolled
// already (by an interrupted init) is skipped.
func (n *Network) enrollRemoteNodes(o *Organization) error {
	for _, id := range n.identities(o) {
		secret := n.enrollSecretFile(o, id.name)
		if enrolled(id) {
			if err := os.Remove(secret); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		if halfEnrolled(id) {
			if err := n.tlsFromMSP(o, id, filepath.Join(id.dir, "msp"), filepath.Join(id.dir, "tls")); err != nil {
				return fmt.Errorf("%s tls: %w", id.name, err)
			}
			if err := os.Remove(secret); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		raw, err := os.ReadFile(secret)
		if err != nil {
			return fmt.Errorf("%s: no enrolment secret (from the CA's host, `org init --enroll-secret FILE`): %w", id.name, err)
		}
		if err := clearEnrolment(id); err != nil {
			return err
		}
		if err := n.enrollWith(o, id, strings.TrimSpace(string(raw))); err != nil {
			return fmt.Errorf("%w (the secret %s is good for one enrolment: when an earlier one was interrupted "+
				"halfway it is spent, and this orderer needs a new one from the CA's registrar, which is not automated yet)", err, secret)
		}
		if err := os.Remove(secret); err != nil {
			return err
		}
	}
	return nil
}

// enrolled says whether an identity has its keys already (from an earlier, interrupted up).
func enrolled(id enrollee) bool {
	msp, tlsDir := filepath.Join(id.dir, "msp"), filepath.Join(id.dir, "tls")
	if _, err := os.Stat(filepath.Join(msp, "keystore", "key.pem")); err != nil && !id.tlsOnly {
		return false
	}
	_, err := os.Stat(filepath.Join(tlsDir, "key.pem"))
	return err == nil || !id.tls
}

// halfEnrolled says whether an identity has its certificate (msp/, complete) but not yet its TLS
// certificate: an enrolment interrupted between its two halves, which the reenrolment finishes (its
// secret, good for one enrolment, is spent).
func halfEnrolled(id enrollee) bool {
	if !id.tls || id.tlsOnly {
		return false
	}
	_, err := os.Stat(filepath.Join(id.dir, "msp", "config.yaml")) // normalizeMSP writes it last
	return err == nil
}

// clearEnrolment removes a half-written enrolment, which would leave two keys where one is expected.
func clearEnrolment(id enrollee) error {
	if err := os.RemoveAll(filepath.Join(id.dir, "msp")); err != nil {
		return err
	}
	return os.RemoveAll(filepath.Join(id.dir, "tls"))
}

func (n *Network) enrollIdentity(o *Organization, id enrollee) error {
	if enrolled(id) {
		return nil
	}
	if halfEnrolled(id) {
		return n.tlsFromMSP(o, id, filepath.Join(id.dir, "msp"), filepath.Join(id.dir, "tls"))
	}
	if err := clearEnrolment(id); err != nil {
		return err
	}
	pw := randomSecret()
	// One enrolment per secret (maxenrollments 1): a secret that leaks after it is spent enrols nothing.
	// The identity's TLS certificate, and later renewals, are reenrolments, which the CA authenticates
	// with the certificate itself, not the secret.
	reg := []string{"register", "-H", n.registrarHome(o), "-u", n.caURL(o, "", ""),
		"--id.name", id.name, "--id.type", id.typ, "--id.maxenrollments", "1"}
	if id.role != "" {
		reg = append(reg, "--id.attrs", "ipledger.role="+id.role+":ecert")
	}
	if err := n.caClientEnv(o, []string{"FABRIC_CA_CLIENT_ID_SECRET=" + pw}, reg...); err != nil {
		return fmt.Errorf("%s/%s: %w", o.Name, id.name, err)
	}
	return n.enrollWith(o, id, pw)
}

// enrollWith enrols a registered identity with its secret, once: its certificate into msp/, then its
// TLS certificate into tls/ by a reenrolment authenticated with that certificate; a TLS-only identity
// enrols its TLS certificate with the secret. The keys are made here, on this host.
func (n *Network) enrollWith(o *Organization, id enrollee, pw string) error {
	msp, tlsDir := filepath.Join(id.dir, "msp"), filepath.Join(id.dir, "tls")
	if id.tlsOnly {
		if err := n.caClientEnv(o, n.enrollEnv(o, id.name, pw), "enroll", "-M", tlsDir, "--csr.cn", id.name,
			"--enrollment.profile", "tls", "--csr.hosts", id.hosts); err != nil {
			return fmt.Errorf("%s/%s tls: %w", o.Name, id.name, err)
		}
		return normalizeTLS(tlsDir)
	}
	if err := n.caClientEnv(o, n.enrollEnv(o, id.name, pw), "enroll", "-M", msp, "--csr.cn", id.name); err != nil {
		return fmt.Errorf("%s/%s: %w", o.Name, id.name, err)
	}
	if err := normalizeMSP(msp); err != nil {
		return err
	}
	if !id.tls {
		return nil
	}
	if err := n.tlsFromMSP(o, id, msp, tlsDir); err != nil {
		return fmt.Errorf("%s/%s tls: %w", o.Name, id.name, err)
	}
	return nil
}

// tlsFromMSP gets an identity's TLS certificate (the tls profile, its host names) by a reenrolment
// authenticated with its enrolment certificate, in a copy of its MSP, and writes tls/ from it (0700,
// its key 0600).
func (n *Network) tlsFromMSP(o *Organization, id enrollee, msp, tlsDir string) error {
	home := filepath.Join(id.dir, ".tls-enroll")
	if err := os.RemoveAll(home); err != nil {
		return err
	}
	defer os.RemoveAll(home)
	if err := writeTLSDir(filepath.Join(home, "msp", "signcerts"), map[string]string{filepath.Join(msp, "signcerts", "cert.pem"): "cert.pem"}); err != nil {
		return err
	}
	if err := writeTLSDir(filepath.Join(home, "msp", "keystore"), map[string]string{filepath.Join(msp, "keystore", "key.pem"): "key.pem"}); err != nil {
		return err
	}
	if err := n.reenroll(o, home, "--enrollment.profile", "tls", "--csr.cn", id.name, "--csr.hosts", id.hosts); err != nil {
		return err
	}
	certFile := filepath.Join(home, "msp", "signcerts", "cert.pem")
	cert, err := readCert(certFile)
	if err != nil {
		return err
	}
	key, err := newKey(filepath.Join(home, "msp", "keystore"), cert)
	if err != nil {
		return err
	}
	return writeTLSDir(tlsDir, map[string]string{certFile: "cert.pem", key: "key.pem", n.caCert(o): "ca.pem"})
}

const nodeOUs = `NodeOUs:
  Enable: true
  ClientOUIdentifier: {Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: client}
  PeerOUIdentifier: {Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: peer}
  AdminOUIdentifier: {Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: admin}
  OrdererOUIdentifier: {Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: orderer}
`

// normalizeMSP gives an enrolled MSP fixed file names (cacerts/ca.pem, keystore/key.pem) and the
// NodeOU configuration, so that everything else can name its files.
func normalizeMSP(msp string) error {
	if err := renameSingle(filepath.Join(msp, "cacerts"), "ca.pem"); err != nil {
		return err
	}
	if err := renameSingle(filepath.Join(msp, "keystore"), "key.pem"); err != nil {
		return err
	}
	if err := os.Chmod(filepath.Join(msp, "keystore", "key.pem"), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(msp, "config.yaml"), []byte(nodeOUs), 0o644)
}

// normalizeTLS turns a TLS enrollment into tls/{cert.pem,key.pem,ca.pem}.
func normalizeTLS(dir string) error {
	moves := map[string]string{"signcerts": "cert.pem", "keystore": "key.pem", "tlscacerts": "ca.pem"}
	for sub, name := range moves {
		files, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return fmt.Errorf("%s/%s: expected one file, found %d", dir, sub, len(files))
		}
		if err := os.Rename(filepath.Join(dir, sub, files[0].Name()), filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	for _, sub := range []string{"signcerts", "keystore", "tlscacerts", "cacerts", "intermediatecerts", "tlsintermediatecerts", "user"} {
		_ = os.RemoveAll(filepath.Join(dir, sub))
	}
	for _, f := range []string{"IssuerPublicKey", "IssuerRevocationPublicKey"} {
		_ = os.Remove(filepath.Join(dir, f))
	}
	// A private key is its owner's only, whatever mode the client wrote it with.
	return os.Chmod(filepath.Join(dir, "key.pem"), 0o600)
}

func renameSingle(dir, name string) error {
	files, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return fmt.Errorf("%s: expected one file, found %d", dir, len(files))
	}
	return os.Rename(filepath.Join(dir, files[0].Name()), filepath.Join(dir, name))
}

// writeOrgMSP writes the organization's channel MSP: its CA as both the identity and TLS root.
func (n *Network) writeOrgMSP(o *Organization) error {
	msp := n.orgMSP(o)
	ca, err := os.ReadFile(n.caServerCert(o))
	if err != nil {
		return err
	}
	return writeMSP(msp, ca)
}

// writeMSP writes a channel MSP whose identity and TLS root is one CA certificate.
func writeMSP(msp string, ca []byte) error {
	for _, sub := range []string{"cacerts", "tlscacerts"} {
		if err := os.MkdirAll(filepath.Join(msp, sub), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(msp, sub, "ca.pem"), ca, 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(msp, "config.yaml"), []byte(nodeOUs), 0o644)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
