package netctl

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/sys/unix"
)

// A certificate is renewed by reenrolment at the organization's CA (`fabric-ca-client reenroll`,
// authenticated by the current certificate and key): the same enrolment id and, for an enrolment
// certificate, the same ecert attributes (ipledger.role), a new key and serial number. The reenrolment
// goes into a copy of the identity's directory, which is checked and then exchanged with the one in
// use in one step (renameat2 RENAME_EXCHANGE), so that whoever reads the files sees either the old
// certificate and key or the new ones, never one of each. The old certificate is not revoked: it stays
// valid until it expires, and nothing else needs to change in the channel (the same CA issued both).

// CertInfo is what a renewal reports of a certificate.
type CertInfo struct {
	Serial   string // hex, lower case
	NotAfter time.Time
}

func certInfo(c *x509.Certificate) CertInfo {
	return CertInfo{Serial: c.SerialNumber.Text(16), NotAfter: c.NotAfter}
}

// Renewal is what a renewal did.
type Renewal struct {
	Identity string // the user, or the peer's component name
	Old, New CertInfo
	Took     time.Duration // the whole renewal, from the reenrolment to the new certificate in use
	// A peer's TLS renewal only:
	NotServing time.Duration // from the peer's stop to its listener serving the new certificate
	CaughtUp   time.Duration // from its start to its ledger at the height the channel had at its stop
	Height     uint64        // that height
}

// roleOID is the extension in which fabric-ca puts a certificate's attributes (JSON: {"attrs": {...}}).
var roleOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

// certAttrs are the fabric-ca attributes a certificate carries.
func certAttrs(c *x509.Certificate) map[string]string {
	for _, e := range c.Extensions {
		if e.Id.Equal(roleOID) {
			var v struct {
				Attrs map[string]string `json:"attrs"`
			}
			if json.Unmarshal(e.Value, &v) == nil {
				return v.Attrs
			}
		}
	}
	return nil
}

func readCert(path string) (*x509.Certificate, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(raw)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return x509.ParseCertificate(b.Bytes)
}

// keyMatches says whether the PEM private key in keyFile is the certificate's.
func keyMatches(c *x509.Certificate, keyFile string) error {
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	b, _ := pem.Decode(raw)
	if b == nil {
		return fmt.Errorf("%s: no PEM key", keyFile)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		if k, err = x509.ParseECPrivateKey(b.Bytes); err != nil {
			return fmt.Errorf("%s: %w", keyFile, err)
		}
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return fmt.Errorf("%s: not a signing key", keyFile)
	}
	if pub, ok := c.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(signer.Public()) {
		return fmt.Errorf("%s is not the key of the certificate (serial %s)", keyFile, c.SerialNumber.Text(16))
	}
	return nil
}

// newKey finds, among the keys of a keystore after a reenrolment (the old one and the new one), the
// one of the new certificate, and removes the others.
func newKey(keystore string, c *x509.Certificate) (string, error) {
	files, err := os.ReadDir(keystore)
	if err != nil {
		return "", err
	}
	found := ""
	for _, f := range files {
		p := filepath.Join(keystore, f.Name())
		if keyMatches(c, p) == nil && found == "" {
			found = p
			continue
		}
		if err := os.Remove(p); err != nil {
			return "", err
		}
	}
	if found == "" {
		return "", fmt.Errorf("the CA issued a certificate (serial %s) whose key is not in %s", c.SerialNumber.Text(16), keystore)
	}
	return found, nil
}

// checkRenewed checks a reenrolled certificate against the one it replaces: the same subject (the
// enrolment id) and issuer, the same attributes, a new serial number, issued by the CA in caFile.
func checkRenewed(old, renewed *x509.Certificate, caFile string) error {
	if renewed.Subject.CommonName != old.Subject.CommonName {
		return fmt.Errorf("the CA issued a certificate for %q, not %q", renewed.Subject.CommonName, old.Subject.CommonName)
	}
	if renewed.SerialNumber.Cmp(old.SerialNumber) == 0 {
		return fmt.Errorf("the CA returned the same certificate (serial %s)", old.SerialNumber.Text(16))
	}
	oa, na := certAttrs(old), certAttrs(renewed)
	for _, a := range []string{"ipledger.role", "hf.EnrollmentID", "hf.Type"} {
		if oa[a] != na[a] {
			return fmt.Errorf("the renewed certificate's attribute %s is %q, not %q as before", a, na[a], oa[a])
		}
	}
	if !slices.Equal(renewed.Subject.OrganizationalUnit, old.Subject.OrganizationalUnit) {
		return fmt.Errorf("the renewed certificate's OU is %v, not %v as before", renewed.Subject.OrganizationalUnit, old.Subject.OrganizationalUnit)
	}
	ca, err := readCert(caFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := renewed.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return fmt.Errorf("the renewed certificate is not issued by the organization's CA: %w", err)
	}
	return nil
}

// exchange swaps two directories in one step (renameat2 RENAME_EXCHANGE). On a file system without
// it, it renames them one after the other: not atomic, which it says.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if err == nil || (!errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS)) {
		return err
	}
	tmp := b + ".swap"
	if err := os.Rename(b, tmp); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		return errors.Join(err, os.Rename(tmp, b))
	}
	return os.Rename(tmp, a)
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, raw, info.Mode().Perm())
	})
}

// reenroll reenrols the identity whose MSP (signcerts/cert.pem, keystore/, cacerts/) is in home/msp,
// at the organization's CA; extra flags go to fabric-ca-client. It names what the CA answered.
func (n *Network) reenroll(o *Organization, home string, extra ...string) error {
	args := append([]string{"reenroll", "-H", home, "-M", filepath.Join(home, "msp"), "-u", n.caURL(o, "", "")}, extra...)
	err := n.caClient(o, args...)
	if err == nil {
		return nil
	}
	msg := err.Error()
	said := caSaid(msg)
	switch {
	case strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") || strings.Contains(msg, "i/o timeout"):
		return fmt.Errorf("%s's CA does not answer at %s: start it (scripts/ipledger up, or netctl org up on its host) and renew again (%s)",
			o.MSPID, n.caURL(o, "", ""), said)
	case strings.Contains(msg, "Authentication failure") || strings.Contains(msg, "revoked") || strings.Contains(msg, "expired"):
		// fabric-ca answers a revoked or expired certificate with code 20 alone; its log says which.
		return fmt.Errorf("%s's CA does not accept the current certificate: it is revoked or expired (its log, %s, says which); "+
			"a revoked identity is not renewed (add a new user), an expired one is registered and enrolled anew (%s)",
			o.MSPID, n.LogFile(CAName(o)), said)
	}
	return fmt.Errorf("%s's CA refused the reenrolment: %s", o.MSPID, said)
}

// caSaid is the gist of fabric-ca-client's failure: its "Error:" line without the request it echoes,
// and the cause at its end.
func caSaid(out string) string {
	i := strings.Index(out, "Error: ")
	if i < 0 {
		return lastLines(out, 1)
	}
	rest := strings.TrimSpace(out[i+len("Error: "):])
	if head, _, found := strings.Cut(rest, ": POST failure of request"); found {
		if j := strings.LastIndex(rest, "}: "); j >= 0 {
			return head + ": " + strings.TrimSpace(rest[j+3:])
		}
		return head
	}
	return strings.Join(strings.Fields(rest), " ")
}

// RenewUser renews a user's enrolment certificate before it expires: reenrolled at the organization's
// CA into a copy of its MSP, checked (the same enrolment id and role, a new serial, the key the
// certificate's), exchanged with the MSP in use in one step, and taken by the organization's HTTP
// gateway by a reload (no restart): its next transaction carries the new certificate. When the
// gateway refuses it, the old MSP is put back and the gateway reloaded again.
func (n *Network) RenewUser(ctx context.Context, mspID, name string) (*Renewal, error) {
	began := time.Now()
	o, st, err := n.identityOrg(mspID)
	if err != nil {
		return nil, err
	}
	if slices.Contains(st.Revoked[o.Name], name) {
		return nil, fmt.Errorf("%s's user %s was revoked: a revoked identity is not renewed (add a new user)", o.MSPID, name)
	}
	if name == "admin" {
		return nil, fmt.Errorf("%s's admin is not renewed by this command: it renews the users its gateway acts as", o.MSPID)
	}
	if !slices.ContainsFunc(o.Users, func(u UserSpec) bool { return u.Name == name }) {
		return nil, fmt.Errorf("%s has no user %s (status --json lists the users)", o.MSPID, name)
	}
	msp := filepath.Join(n.userDir(o, name), "msp")
	// A renewal interrupted before its exchange left its copy: start again from the MSP in use.
	home := filepath.Join(n.userDir(o, name), ".renew")
	defer os.RemoveAll(home)
	old, renewed, err := n.reenrollUser(o, name, msp, home)
	if err != nil {
		return nil, err
	}
	next := filepath.Join(home, "msp")
	if err := exchange(next, msp); err != nil {
		return nil, fmt.Errorf("putting the renewed certificate in place: %w", err)
	}
	r := &Renewal{Identity: name, Old: certInfo(old), New: certInfo(renewed)}
	if err := n.reloadGateway(ctx, o, st); err != nil {
		back := exchange(next, msp)
		if back == nil {
			back = n.reloadGateway(ctx, o, st)
		}
		return nil, fmt.Errorf("the gateway did not take the renewed certificate (serial %s): %w; the old one (serial %s, valid until %s) is back in place%s",
			r.New.Serial, err, r.Old.Serial, r.Old.NotAfter.UTC().Format(time.RFC3339), failedToo(back))
	}
	if o.Gateway != nil && n.gatewayAvailable() {
		if err := n.gatewaySigns(ctx, o, name, r.New.Serial); err != nil {
			return nil, err
		}
	}
	r.Took = time.Since(began)
	return r, nil
}

// reenrollUser reenrols a user into home/msp, a copy of its MSP, and checks the result: the old and
// the new certificate.
func (n *Network) reenrollUser(o *Organization, name, msp, home string) (old, renewed *x509.Certificate, err error) {
	old, err = readCert(filepath.Join(msp, "signcerts", "cert.pem"))
	if err != nil {
		return nil, nil, fmt.Errorf("%s's certificate: %w", name, err)
	}
	if err := os.RemoveAll(home); err != nil {
		return nil, nil, err
	}
	next := filepath.Join(home, "msp")
	if err := copyDir(msp, next); err != nil {
		return nil, nil, err
	}
	// The reenrolment writes the CA's certificate again, under a name of its own.
	if err := os.RemoveAll(filepath.Join(next, "cacerts")); err != nil {
		return nil, nil, err
	}
	if err := n.reenroll(o, home, "--csr.cn", old.Subject.CommonName); err != nil {
		return nil, nil, err
	}
	if renewed, err = readCert(filepath.Join(next, "signcerts", "cert.pem")); err != nil {
		return nil, nil, err
	}
	if _, err := newKey(filepath.Join(next, "keystore"), renewed); err != nil {
		return nil, nil, err
	}
	if err := normalizeMSP(next); err != nil {
		return nil, nil, err
	}
	if err := checkRenewed(old, renewed, filepath.Join(next, "cacerts", "ca.pem")); err != nil {
		return nil, nil, err
	}
	return old, renewed, keyMatches(renewed, filepath.Join(next, "keystore", "key.pem"))
}

func failedToo(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf(" (putting it back failed too: %v)", err)
}

// RenewPeerTLS renews the TLS certificate of an organization's peer before it expires: reenrolled at
// the organization's CA with the tls profile and the same subject alternative names, checked, and
// exchanged with the peer's tls/ directory in one step. A peer reads its TLS certificate once, at
// start: it is restarted (SIGTERM, then started again), and the renewal waits until it serves the new
// certificate and its ledger has the height the channel had when it stopped. Peers and orderers trust
// the organization's TLS root from the channel's configuration, not the certificate: nothing changes
// in the channel. When the peer does not start with the new certificate, the old one is put back and
// the peer started again.
func (n *Network) RenewPeerTLS(ctx context.Context, mspID string) (*Renewal, error) {
	began := time.Now()
	for _, o := range n.Top.Organizations {
		if (o.MSPID == mspID || o.Name == mspID) && o.Peer == nil {
			return nil, fmt.Errorf("%s runs no peer; an orderer's TLS certificate is pinned in the channel's consenters and is not renewed this way", o.MSPID)
		}
	}
	o, _, err := n.identityOrg(mspID)
	if err != nil {
		return nil, err
	}
	p := n.peerProcess(o)
	if n.Pid(p) == 0 {
		return nil, fmt.Errorf("%s is not running: start it (scripts/ipledger up, or netctl org up) before renewing its TLS certificate", p.Name)
	}
	node := n.nodeDir(o, o.Peer.Name)
	tlsDir := filepath.Join(node, "tls")
	old, err := readCert(filepath.Join(tlsDir, "cert.pem"))
	if err != nil {
		return nil, fmt.Errorf("%s's TLS certificate: %w", p.Name, err)
	}
	home := filepath.Join(node, ".renew-tls")
	next := filepath.Join(node, "tls.new")
	defer os.RemoveAll(home)
	defer os.RemoveAll(next)
	renewed, err := n.reenrollTLS(o, old, tlsDir, home, next)
	if err != nil {
		return nil, err
	}
	// The height the channel has now, as far as this host sees it: the peer must be back at it.
	height := n.knownHeight()
	if err := exchange(next, tlsDir); err != nil {
		return nil, fmt.Errorf("putting the renewed TLS certificate in place: %w", err)
	}
	r := &Renewal{Identity: p.Name, Old: certInfo(old), New: certInfo(renewed), Height: height}
	stopped := time.Now()
	if err := n.restartPeer(ctx, o, p, renewed); err != nil {
		back := exchange(next, tlsDir)
		if back == nil {
			back = n.restartPeer(ctx, o, p, old)
		}
		return nil, fmt.Errorf("%s did not come back with the renewed TLS certificate (serial %s): %w; the old one (serial %s, valid until %s) is back in place%s",
			p.Name, r.New.Serial, err, r.Old.Serial, r.Old.NotAfter.UTC().Format(time.RFC3339), failedToo(back))
	}
	r.NotServing = time.Since(stopped)
	if err := n.waitHeight(ctx, p, height, 2*time.Minute); err != nil {
		return nil, fmt.Errorf("%s serves the renewed TLS certificate (serial %s) but %w", p.Name, r.New.Serial, err)
	}
	r.CaughtUp = time.Since(stopped)
	r.Took = time.Since(began)
	return r, nil
}

// PeerOrg is the organization whose peer is the component peer (e.g. peer0.regulator); mspID, when
// given, must be that organization.
func (n *Network) PeerOrg(peer, mspID string) (*Organization, error) {
	var names []string
	for _, o := range n.Top.PeerOrgs() {
		if PeerName(o) == peer {
			if mspID != "" && mspID != o.MSPID && mspID != o.Name {
				return nil, fmt.Errorf("%s is %s's peer, not %s's", peer, o.MSPID, mspID)
			}
			return o, nil
		}
		names = append(names, PeerName(o))
	}
	return nil, fmt.Errorf("no peer %s here (peers: %s)", peer, strings.Join(names, ", "))
}

// reenrollTLS reenrols a node's TLS certificate (in tlsDir) with the tls profile and its names,
// through a temporary MSP in home, checks it, and writes the new tls directory to next.
func (n *Network) reenrollTLS(o *Organization, old *x509.Certificate, tlsDir, home, next string) (*x509.Certificate, error) {
	for _, d := range []string{home, next} {
		if err := os.RemoveAll(d); err != nil {
			return nil, err
		}
	}
	// The reenrolment authenticates with the TLS certificate and key: a temporary MSP made of them.
	for src, dst := range map[string]string{"cert.pem": "signcerts/cert.pem", "key.pem": "keystore/key.pem"} {
		raw, err := os.ReadFile(filepath.Join(tlsDir, src))
		if err != nil {
			return nil, err
		}
		target := filepath.Join(home, "msp", dst)
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(target, raw, 0o600); err != nil {
			return nil, err
		}
	}
	hosts := certHosts(old)
	if err := n.reenroll(o, home, "--enrollment.profile", "tls", "--csr.cn", old.Subject.CommonName, "--csr.hosts", strings.Join(hosts, ",")); err != nil {
		return nil, err
	}
	renewed, err := readCert(filepath.Join(home, "msp", "signcerts", "cert.pem"))
	if err != nil {
		return nil, err
	}
	key, err := newKey(filepath.Join(home, "msp", "keystore"), renewed)
	if err != nil {
		return nil, err
	}
	if err := checkRenewed(old, renewed, filepath.Join(tlsDir, "ca.pem")); err != nil {
		return nil, err
	}
	if got := certHosts(renewed); !slices.Equal(got, hosts) {
		return nil, fmt.Errorf("the renewed TLS certificate is for %v, not %v as before", got, hosts)
	}
	if !slices.Equal(renewed.ExtKeyUsage, old.ExtKeyUsage) {
		return nil, fmt.Errorf("the renewed TLS certificate's key usages are %v, not %v as before (the tls profile?)", renewed.ExtKeyUsage, old.ExtKeyUsage)
	}
	return renewed, writeTLSDir(next, map[string]string{filepath.Join(home, "msp", "signcerts", "cert.pem"): "cert.pem",
		key: "key.pem", filepath.Join(tlsDir, "ca.pem"): "ca.pem"})
}

// writeTLSDir writes a tls directory (0700, its key 0600) from the files named: source → name.
func writeTLSDir(dir string, files map[string]string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for src, dst := range files {
		raw, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if dst == "key.pem" {
			mode = 0o600
		}
		if err := os.WriteFile(filepath.Join(dir, dst), raw, mode); err != nil {
			return err
		}
	}
	return nil
}

// certHosts are a certificate's subject alternative names (DNS names, then IP addresses), as
// fabric-ca-client's --csr.hosts takes them.
func certHosts(c *x509.Certificate) []string {
	hosts := slices.Clone(c.DNSNames)
	for _, ip := range c.IPAddresses {
		hosts = append(hosts, ip.String())
	}
	return hosts
}

// restartPeer stops the peer gracefully (SIGTERM: it closes its ledger), starts it again and waits
// until it is healthy and its listener presents the certificate want.
func (n *Network) restartPeer(ctx context.Context, o *Organization, p *Process, want *x509.Certificate) error {
	if err := n.Stop(p, 30*time.Second); err != nil {
		return err
	}
	if err := n.Start(p); err != nil {
		return n.withCause(p.Name, err)
	}
	if err := n.waitHealthy(ctx, p, time.Minute); err != nil {
		return n.withCause(p.Name, err)
	}
	return waitFor(ctx, 30*time.Second, 20*time.Millisecond, func() error {
		got, err := n.servedCert(o)
		if err != nil {
			return err
		}
		if !got.Equal(want) {
			return fmt.Errorf("%s serves the certificate with serial %s, not %s", p.Name, got.SerialNumber.Text(16), want.SerialNumber.Text(16))
		}
		return nil
	})
}

// servedCert is the certificate an organization's peer presents on its listen address, verified
// against the organization's CA.
func (n *Network) servedCert(o *Organization) (*x509.Certificate, error) {
	return ServedCertificate(Addr(o.Host, o.Peer.Port), n.caCert(o))
}

// ServedCertificate dials addr over TLS, trusting only the CA certificate in caFile, and returns the
// certificate the server presented.
func ServedCertificate(addr, caFile string) (*x509.Certificate, error) {
	raw, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(raw)
	host, _, _ := net.SplitHostPort(addr)
	d := &net.Dialer{Timeout: 2 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: pool, ServerName: host, NextProtos: []string{"h2"}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0], nil
}

// knownHeight is the highest ledger height of this host's orderers and peers (0 when none answers).
func (n *Network) knownHeight() uint64 {
	hs, _ := n.Heights()
	var h uint64
	for _, v := range hs {
		h = max(h, v)
	}
	return h
}

// waitHeight waits until the peer's ledger has at least height blocks.
func (n *Network) waitHeight(ctx context.Context, p *Process, height uint64, timeout time.Duration) error {
	var last uint64
	err := waitFor(ctx, timeout, 100*time.Millisecond, func() error {
		hs, _ := n.Heights()
		last = hs[p.Name]
		if last >= height {
			return nil
		}
		return fmt.Errorf("at height %d", last)
	})
	if err != nil {
		return fmt.Errorf("its ledger did not reach height %d within %s (%w): see %s", height, timeout, err, n.LogFile(p.Name))
	}
	return nil
}

// gatewayReloads reads the organization's HTTP gateway's reload counters (ok, failed).
func (n *Network) gatewayReloads(o *Organization) (ok, failed float64, err error) {
	fams, err := n.gatewayMetrics(o)
	if err != nil {
		return 0, 0, err
	}
	f, found := fams["ipledger_gateway_config_reloads_total"]
	if !found {
		return 0, 0, fmt.Errorf("%s has no reload metric (a gateway older than its reload on SIGHUP)", GatewayName(o))
	}
	for _, m := range f.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "result" && l.GetValue() == "ok" {
				ok = m.GetCounter().GetValue()
			}
			if l.GetName() == "result" && l.GetValue() == "failed" {
				failed = m.GetCounter().GetValue()
			}
		}
	}
	return ok, failed, nil
}

// gatewaySigns checks that the organization's gateway signs as user with the certificate serial.
func (n *Network) gatewaySigns(ctx context.Context, o *Organization, user, serial string) error {
	var got string
	err := waitFor(ctx, 10*time.Second, 100*time.Millisecond, func() error {
		fams, err := n.gatewayMetrics(o)
		if err != nil {
			return err
		}
		for _, m := range fams["ipledger_gateway_identity_certificate_expiry_seconds"].GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["identity"] == user {
				got = labels["serial"]
			}
		}
		if got != serial {
			return fmt.Errorf("%s signs as %s with serial %q, not %s", GatewayName(o), user, got, serial)
		}
		return nil
	})
	return err
}

// signalGateway has a running gateway read its configuration again (SIGHUP) and waits until it
// reports the reload, ok or failed (its metrics); a failed one is an error naming the gateway's log
// lines. A gateway that does not run is started (it reads the configuration as it starts); one that
// does not report reloads (an older program) is restarted.
func (n *Network) signalGateway(ctx context.Context, o *Organization) error {
	p := n.gatewayProcess(o)
	pid := n.Pid(p)
	if pid == 0 {
		if err := n.Start(p); err != nil {
			return err
		}
		return n.waitHealthy(ctx, p, 30*time.Second)
	}
	okBefore, failedBefore, err := n.gatewayReloads(o)
	if err != nil {
		n.progress("%s does not report reloads (%v): restarting it", p.Name, err)
		return n.restartGateway(ctx, p)
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("signalling %s (pid %d): %w", p.Name, pid, err)
	}
	return waitFor(ctx, 30*time.Second, 50*time.Millisecond, func() error {
		if n.Pid(p) == 0 {
			return final(n.withCause(p.Name, fmt.Errorf("%s exited on SIGHUP", p.Name)))
		}
		ok, failed, err := n.gatewayReloads(o)
		if err != nil {
			return err
		}
		if failed > failedBefore {
			return final(n.withCause(p.Name, fmt.Errorf("%s refused the new configuration and goes on with its previous one", p.Name)))
		}
		if ok > okBefore {
			return nil
		}
		return fmt.Errorf("%s has not reloaded yet", p.Name)
	})
}

// restartGateway stops the gateway as on any SIGTERM and starts it again. The gateway's own shutdown
// lets in-flight submissions finish (up to its commit timeout and two endorsement timeouts, 60 s by
// default): netctl waits longer than that before killing it.
func (n *Network) restartGateway(ctx context.Context, p *Process) error {
	if err := n.Stop(p, 75*time.Second); err != nil {
		return err
	}
	if err := n.Start(p); err != nil {
		return err
	}
	return n.waitHealthy(ctx, p, 30*time.Second)
}

// gatewayMetrics reads the organization's HTTP gateway's /metrics, on its operations listener, with
// the organization admin's TLS certificate.
func (n *Network) gatewayMetrics(o *Organization) (map[string]*dto.MetricFamily, error) {
	client, err := n.metricsClient(o)
	if err != nil {
		return nil, err
	}
	resp, err := client.Get(GatewayOpsURL(o) + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s/metrics: %s", GatewayOpsURL(o), resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	return parser.TextToMetricFamilies(resp.Body)
}
