package netctl

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA is an organization's CA for unit tests: it issues TLS certificates as fabric-ca's tls profile
// does (server and client authentication).
type testCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca." + name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// writeTLS enrols cn at the CA into dir as tls/{cert,key,ca}.pem, the layout normalizeTLS leaves.
func (ca *testCA) writeTLS(t *testing.T, dir, cn string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		"ca.pem":   ca.certPEM,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// enrolledNetwork is the topology in a temporary directory with each peer organization's chaincode
// server and client TLS identities issued by a CA of its own.
func enrolledNetwork(t *testing.T) (*Network, map[string]*testCA) {
	t.Helper()
	n := &Network{Top: loadTestTopology(t, 7000), Dir: t.TempDir()}
	cas := map[string]*testCA{}
	for _, o := range n.Top.PeerOrgs() {
		cas[o.Name] = newTestCA(t, o.Name)
		cas[o.Name].writeTLS(t, n.ccServerTLS(o), ccServerID)
		cas[o.Name].writeTLS(t, n.ccClientTLS(o), ccClientID)
	}
	return n, cas
}

func TestWritePackage_EachOrganizationItsOwnServerAndClient(t *testing.T) {
	n, cas := enrolledNetwork(t)
	first, err := n.writePackages(0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, o := range n.Top.PeerOrgs() {
		id := first[o.Name]
		if !strings.HasPrefix(id, "ipledger_1.0:") {
			t.Errorf("%s: package id %q", o.Name, id)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s have the same package id %s", other, o.Name, id)
		}
		seen[id] = o.Name
		if fi, err := os.Stat(n.packageFile(o)); err != nil {
			t.Fatalf("%s: package file: %v", o.Name, err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: package file %v (it holds a private key: want mode 0600)", o.Name, fi.Mode())
		}
		conn, err := ReadConnection(n.packageFile(o))
		if err != nil {
			t.Fatal(err)
		}
		if conn.Address != ccServerAddr(o, 0) || !conn.TLSRequired || !conn.ClientAuthRequired {
			t.Errorf("%s: connection %s tls %v client auth %v; want its own server %s with mutual TLS",
				o.Name, conn.Address, conn.TLSRequired, conn.ClientAuthRequired, ccServerAddr(o, 0))
		}
		// The root is the organization's own CA, and the client certificate is of that same organization.
		if conn.RootCert != string(cas[o.Name].certPEM) {
			t.Errorf("%s: root_cert is not the organization's own CA", o.Name)
		}
		if issuer := issuerOf(t, conn.ClientCert); issuer != "ca."+o.Name {
			t.Errorf("%s: client certificate issued by %q, want ca.%s (the root cert's organization)", o.Name, issuer, o.Name)
		}
		if err := checkConnection(*conn, ""); err != nil {
			t.Errorf("%s: %v", o.Name, err)
		}
		serverKey, _ := os.ReadFile(filepath.Join(n.ccServerTLS(o), "key.pem"))
		clientKey, _ := os.ReadFile(filepath.Join(n.ccClientTLS(o), "key.pem"))
		if conn.ClientKey == string(serverKey) || conn.ClientKey != string(clientKey) {
			t.Errorf("%s: client_key is not the ccclient key (or is the server's)", o.Name)
		}
	}
	// Same files, same ids.
	second, err := n.writePackages(0)
	if err != nil {
		t.Fatal(err)
	}
	for org, id := range first {
		if second[org] != id {
			t.Errorf("%s: package id %s, then %s from the same files", org, id, second[org])
		}
	}
	// Another address, another id.
	o := n.Top.PeerOrgs()[0]
	o.Peer.CCServerPort++
	third, err := n.writePackage(o, 0)
	if err != nil {
		t.Fatal(err)
	}
	if third == first[o.Name] {
		t.Errorf("a different server address kept package id %s", third)
	}
	// The upgrade's slot: its own file and the organization's other port, so another id.
	alt, err := n.writePackage(o, 1)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ReadConnection(n.slotPackageFile(o, 1))
	if err != nil {
		t.Fatal(err)
	}
	if alt == first[o.Name] || n.slotPackageFile(o, 1) == n.slotPackageFile(o, 0) || conn.Address != Addr(o.Host, o.Peer.CCServerAltPort) {
		t.Errorf("slot 1: package %s at %s naming %s; want its own file and id, naming ccServerAltPort %d",
			alt, n.slotPackageFile(o, 1), conn.Address, o.Peer.CCServerAltPort)
	}
}

func issuerOf(t *testing.T, certPEM string) string {
	t.Helper()
	b, _ := pem.Decode([]byte(certPEM))
	if b == nil {
		t.Fatal("no PEM certificate")
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c.Issuer.CommonName
}

func TestWritePackage_RefusesAClientOfAnotherOrganization(t *testing.T) {
	n, cas := enrolledNetwork(t)
	bank1, ipoffice := n.Top.Org("Bank1MSP"), n.Top.Org("IPOfficeMSP")
	// Bank1's CA issues the client identity that would go into the IP office's package.
	cas[bank1.Name].writeTLS(t, n.ccClientTLS(ipoffice), ccClientID)
	if _, err := n.writePackage(ipoffice, 0); err == nil || !strings.Contains(err.Error(), "not from the server's organization's CA") {
		t.Errorf("a client certificate of Bank1 in the IP office's package: %v", err)
	}
	if _, err := os.Stat(n.packageFile(ipoffice)); err == nil {
		t.Error("the refused package was written")
	}
}

func TestWritePackage_RefusesTheServersKeyAsClientKey(t *testing.T) {
	n, _ := enrolledNetwork(t)
	o := n.Top.Org("IPOfficeMSP")
	for _, f := range []string{"cert.pem", "key.pem", "ca.pem"} {
		b, err := os.ReadFile(filepath.Join(n.ccServerTLS(o), f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(n.ccClientTLS(o), f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.writePackage(o, 0); err == nil || !strings.Contains(err.Error(), "server's own key") {
		t.Errorf("the server's key as the package's client key: %v", err)
	}
}

func TestChaincodeProcess_PerOrganization(t *testing.T) {
	n, _ := enrolledNetwork(t)
	ids, err := n.writePackages(0)
	if err != nil {
		t.Fatal(err)
	}
	ps := kindOf(n.processes(ids), "chaincode")
	if len(ps) != len(n.Top.PeerOrgs()) {
		t.Fatalf("%d chaincode servers for %d peer organizations", len(ps), len(n.Top.PeerOrgs()))
	}
	for i, o := range n.Top.PeerOrgs() {
		p := ps[i]
		if p.Name != "chaincode."+o.Name || p.Org != o.Name || p.Ports[0] != o.Peer.CCServerPort {
			t.Errorf("%s: chaincode server %s of %s on %v", o.Name, p.Name, p.Org, p.Ports)
		}
		want := map[string]bool{"CHAINCODE_ID=" + ids[o.Name]: true, "CHAINCODE_TLS_CLIENT_CACERT=" + filepath.Join(n.ccServerTLS(o), "ca.pem"): true,
			"CHAINCODE_TLS_KEY=" + filepath.Join(n.ccServerTLS(o), "key.pem"): true}
		for _, kv := range p.Env {
			delete(want, kv)
		}
		if len(want) > 0 {
			t.Errorf("%s: environment lacks %v", p.Name, want)
		}
	}
}
