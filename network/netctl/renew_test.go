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

type renewCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string
}

func newRenewCA(t *testing.T, dir string) *renewCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	file := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return &renewCA{cert: c, key: key, file: file}
}

// issue issues a certificate for cn with the role attribute; it writes its key to keyFile when given.
func (ca *renewCA) issue(t *testing.T, serial int64, cn, role, keyFile string) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	attrs := `{"attrs":{"hf.EnrollmentID":"` + cn + `","hf.Type":"client","ipledger.role":"` + role + `"}}`
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, OrganizationalUnit: []string{"client"}},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: roleOID, Value: []byte(attrs)}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	if keyFile != "" {
		kd, _ := x509.MarshalPKCS8PrivateKey(key)
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// A reenrolled certificate is taken only with the same enrolment id and role, a new serial number, and
// from the organization's CA.
func TestCheckRenewed(t *testing.T) {
	dir := t.TempDir()
	ca := newRenewCA(t, dir)
	old := ca.issue(t, 10, "officer1", "loan-officer", "")
	if err := checkRenewed(old, ca.issue(t, 11, "officer1", "loan-officer", ""), ca.file); err != nil {
		t.Fatalf("a good renewal: %v", err)
	}
	other := newRenewCA(t, t.TempDir())
	for what, c := range map[string]*x509.Certificate{
		"for \"officer2\"":         ca.issue(t, 12, "officer2", "loan-officer", ""),
		"the same certificate":     ca.issue(t, 10, "officer1", "loan-officer", ""),
		"attribute ipledger.role":  ca.issue(t, 13, "officer1", "auditor", ""),
		"not issued by the organi": other.issue(t, 14, "officer1", "loan-officer", ""),
	} {
		if err := checkRenewed(old, c, ca.file); err == nil || !strings.Contains(err.Error(), what) {
			t.Errorf("%s: %v", what, err)
		}
	}
}

// After a reenrolment the keystore holds the old key and the new one: the new certificate's is kept.
func TestNewKey_KeepsTheCertificatesKey(t *testing.T) {
	dir := t.TempDir()
	ca := newRenewCA(t, dir)
	ks := filepath.Join(dir, "keystore")
	if err := os.MkdirAll(ks, 0o700); err != nil {
		t.Fatal(err)
	}
	ca.issue(t, 1, "officer1", "loan-officer", filepath.Join(ks, "key.pem"))
	renewed := ca.issue(t, 2, "officer1", "loan-officer", filepath.Join(ks, "abc_sk"))
	got, err := newKey(ks, renewed)
	if err != nil || filepath.Base(got) != "abc_sk" {
		t.Fatalf("newKey: %s %v", got, err)
	}
	if files, _ := os.ReadDir(ks); len(files) != 1 {
		t.Fatalf("the old key is still there: %d files", len(files))
	}
	if _, err := newKey(ks, ca.issue(t, 3, "officer1", "loan-officer", "")); err == nil {
		t.Fatal("a certificate without its key in the keystore")
	}
}

// exchange swaps two directories.
func TestExchange(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "name"), []byte(filepath.Base(d)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := exchange(a, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(b, "name")); string(got) != "a" {
		t.Fatalf("b holds %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(a, "name")); string(got) != "b" {
		t.Fatalf("a holds %q", got)
	}
}

// fabric-ca-client's failure is told by its cause, without the request it echoes.
func TestCASaid(t *testing.T) {
	out := "2026/11/30 [INFO] TLS Enabled\nError: Failed to reenroll 'officer1': POST failure of request: POST https://127.0.0.1:30020/reenroll\n" +
		`{"hosts":null,"certificate_request":"-----BEGIN CERTIFICATE REQUEST-----\nMIH\n"}: Post "https://127.0.0.1:30020/reenroll": dial tcp 127.0.0.1:30020: connect: connection refused`
	if got := caSaid(out); got != `Failed to reenroll 'officer1': Post "https://127.0.0.1:30020/reenroll": dial tcp 127.0.0.1:30020: connect: connection refused` {
		t.Fatalf("caSaid: %s", got)
	}
	if got := caSaid("Error: Failed to reenroll 'officer9': Response from server: Error Code: 20 - Authentication failure\n"); got !=
		"Failed to reenroll 'officer9': Response from server: Error Code: 20 - Authentication failure" {
		t.Fatalf("caSaid: %s", got)
	}
}
