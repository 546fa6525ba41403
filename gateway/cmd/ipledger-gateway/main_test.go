package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const hashA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// writeConfig writes a gateway configuration with extra appended, in a directory of its own.
func writeConfig(t *testing.T, extra string) string {
	t.Helper()
	body := `listen: 127.0.0.1:0
mspId: Bank1MSP
peer: {address: 127.0.0.1:7022, tlsCACert: ca.pem}
channel: ipledger
chaincode: ipledger
identities:
  - {name: officer1, role: loan-officer, certificate: cert.pem, privateKey: key.pem, apiKeySha256: ` + hashA + `}
` + extra
	p := filepath.Join(t.TempDir(), "gateway.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The gateway does not start without its TLS certificate and key, unless insecureHTTP says so.
func TestRun_RefusesToStartWithoutTLS(t *testing.T) {
	err := run(writeConfig(t, ""))
	if err == nil || !strings.Contains(err.Error(), "tls.certificate and tls.privateKey are required") {
		t.Fatalf("run without TLS material: %v", err)
	}
	// Named but missing files: refused before the gateway listens or dials its peer.
	err = run(writeConfig(t, "tls: {certificate: tls/cert.pem, privateKey: tls/key.pem}\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "tls: ") {
		t.Fatalf("run with missing TLS files: %v", err)
	}
	if _, _, err := configure(writeConfig(t, "insecureHTTP: true\n")); err != nil {
		t.Fatalf("insecureHTTP on loopback: %v", err)
	}
}

// With TLS material the gateway serves HTTPS only: TLS 1.3 to a client that trusts the issuing CA, an
// unknown authority to one that does not, and no answer of the API to plain HTTP.
func TestServe_HTTPSOnly(t *testing.T) {
	dir := t.TempDir()
	caPEM := writeCertificate(t, dir)
	cfg, _, err := configure(writeConfig(t, "tls: {certificate: "+filepath.Join(dir, "cert.pem")+", privateKey: "+filepath.Join(dir, "key.pem")+"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tc, err := serverTLS(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{TLSConfig: tc, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})}
	done := make(chan error, 1)
	go func() { done <- serve(srv, ln, cfg, log, nil, nil) }()
	defer func() {
		srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	addr := ln.Addr().String()

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := c.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.TLS == nil || res.TLS.Version != tls.VersionTLS13 {
		t.Fatalf("HTTPS: %d, TLS %+v", res.StatusCode, res.TLS)
	}
	if _, err := tls.Dial("tcp", addr, &tls.Config{MaxVersion: tls.VersionTLS11, RootCAs: pool}); err == nil {
		t.Fatal("accepted TLS 1.1")
	}
	if res, err := (&http.Client{Timeout: 5 * time.Second}).Get("https://" + addr + "/healthz"); err == nil {
		res.Body.Close()
		t.Fatal("a client without the CA accepted the certificate")
	}
	res, err = (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/healthz")
	if err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == 200 || string(body) == "ok" {
			t.Fatalf("plain HTTP answered %d %s", res.StatusCode, body)
		}
	}
}

// writeCertificate writes a self-signed server certificate for 127.0.0.1 (cert.pem) and its key
// (key.pem, 0600) to dir, and returns the certificate's PEM, which is its own CA.
func writeCertificate(t *testing.T, dir string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gateway"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPEM
}
