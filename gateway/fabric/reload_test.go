package fabric

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

	"github.com/ipledger/ipledger/gateway"
)

// writeIdentity writes a self-signed certificate with the serial number and its key (PEM) into dir as
// cert.pem and key.pem.
func writeIdentity(t *testing.T, dir string, serial int64, ou ...string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "officer1", OrganizationalUnit: ou},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func serialOf(t *testing.T, l *Ledger, name string) string {
	t.Helper()
	s, err := l.signer(name)
	if err != nil {
		t.Fatal(err)
	}
	return s.cert.SerialNumber.Text(16)
}

// A reload swaps the identities' certificates and keys: the next call signs with the new one, while a
// call that took its identity before goes on with it; a reload whose files are broken (a key that is
// not the certificate's, a file missing) changes nothing and says why.
func TestPrepareSwap_NextCallUsesTheNewIdentity_BrokenFilesKeepTheOld(t *testing.T) {
	dir := t.TempDir()
	writeIdentity(t, dir, 0x10)
	cfg := &gateway.Config{MSPID: "Bank1MSP", Channel: "ipledger", Chaincode: "ipledger",
		Peer:       gateway.PeerConfig{Address: "127.0.0.1:1", TLSCACert: filepath.Join(dir, "cert.pem")},
		Identities: []gateway.IdentityConfig{{Name: "officer1", Certificate: filepath.Join(dir, "cert.pem"), PrivateKey: filepath.Join(dir, "key.pem")}}}
	l, err := Open(cfg) // the peer is dialed lazily: nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := serialOf(t, l, "officer1"); got != "10" {
		t.Fatalf("serial at start: %s", got)
	}
	inFlight, _ := l.signer("officer1")

	writeIdentity(t, dir, 0x11) // the renewal: a new certificate and key at the same paths
	commit, err := l.PrepareSwap(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := serialOf(t, l, "officer1"); got != "10" {
		t.Fatalf("PrepareSwap alone changed the identity: serial %s", got)
	}
	commit()
	if got := serialOf(t, l, "officer1"); got != "11" {
		t.Fatalf("after the swap the next call signs with serial %s, not 11", got)
	}
	if inFlight.cert.SerialNumber.Int64() != 0x10 {
		t.Fatal("a call under way lost the identity it started with")
	}
	if c := l.Certificates(); len(c) != 1 || c[0].Serial != "11" || c[0].Identity != "officer1" {
		t.Fatalf("certificates: %+v", c)
	}

	// A new certificate whose key was not written (the old key left in place): refused.
	keep, _ := os.ReadFile(filepath.Join(dir, "key.pem"))
	writeIdentity(t, dir, 0x12)
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), keep, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := l.PrepareSwap(cfg); err == nil || !strings.Contains(err.Error(), "is not the private key of the certificate") ||
		!strings.Contains(err.Error(), "identity officer1") {
		t.Fatalf("a key of another certificate: %v", err)
	}
	if got := serialOf(t, l, "officer1"); got != "11" {
		t.Fatalf("a refused reload changed the identity: serial %s", got)
	}
	// A file that is not there: refused, naming it.
	broken := *cfg
	broken.Identities = []gateway.IdentityConfig{{Name: "officer1", Certificate: filepath.Join(dir, "none.pem"), PrivateKey: filepath.Join(dir, "key.pem")}}
	if _, err := l.PrepareSwap(&broken); err == nil || !strings.Contains(err.Error(), "none.pem") {
		t.Fatalf("a missing certificate: %v", err)
	}
	if got := serialOf(t, l, "officer1"); got != "11" {
		t.Fatalf("a refused reload changed the identity: serial %s", got)
	}
	// An identity dropped (revoked) is unknown to the next call.
	writeIdentity(t, dir, 0x13)
	two := *cfg
	two.Identities = []gateway.IdentityConfig{{Name: "officer2", Certificate: filepath.Join(dir, "cert.pem"), PrivateKey: filepath.Join(dir, "key.pem")}}
	commit, err = l.PrepareSwap(&two)
	if err != nil {
		t.Fatal(err)
	}
	commit()
	if _, err := l.signer("officer1"); err == nil {
		t.Fatal("a dropped identity is still used")
	}
	if got := serialOf(t, l, "officer2"); got != "13" {
		t.Fatalf("officer2: %s", got)
	}
}

// A gateway acts with client identities only: a certificate of the admin NodeOU is refused at start
// and at a reload, whatever wrote the configuration (netctl refuses to write one; a hand-edited
// gateway.yaml is refused here), and the reload keeps the identity in force.
func TestConnect_AnAdminCertificateIsRefusedAtStartAndReload(t *testing.T) {
	dir := t.TempDir()
	writeIdentity(t, dir, 0x20, "admin")
	cfg := &gateway.Config{MSPID: "Bank1MSP", Channel: "ipledger", Chaincode: "ipledger",
		Peer:       gateway.PeerConfig{Address: "127.0.0.1:1", TLSCACert: filepath.Join(dir, "cert.pem")},
		Identities: []gateway.IdentityConfig{{Name: "officer1", Certificate: filepath.Join(dir, "cert.pem"), PrivateKey: filepath.Join(dir, "key.pem")}}}
	if l, err := Open(cfg); err == nil || !strings.Contains(err.Error(), "admin's certificate") {
		if l != nil {
			l.Close()
		}
		t.Fatalf("an admin's certificate at start: %v", err)
	}

	writeIdentity(t, dir, 0x21, "client")
	l, err := Open(cfg)
	if err != nil {
		t.Fatalf("a client's certificate: %v", err)
	}
	defer l.Close()
	writeIdentity(t, dir, 0x22, "admin")
	if _, err := l.PrepareSwap(cfg); err == nil || !strings.Contains(err.Error(), "admin's certificate") {
		t.Fatalf("an admin's certificate at a reload: %v", err)
	}
	if got := serialOf(t, l, "officer1"); got != "21" {
		t.Fatalf("a refused reload changed the identity: serial %s", got)
	}
}
