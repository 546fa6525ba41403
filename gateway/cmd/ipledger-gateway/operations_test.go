package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
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

// testCA is a CA that issues server and client certificates for the tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, cn string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue writes a certificate of the CA (server or client) and its key to dir/<name>.pem and
// dir/<name>.key, and returns the pair.
func (ca *testCA) issue(t *testing.T, dir, name string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})
	if err := os.WriteFile(filepath.Join(dir, name+".pem"), certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".key"), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

// The operations listener serves /healthz to anyone over TLS, /metrics only to a client that presents
// a certificate of the organization's CA (401 without one, the handshake refused with another CA's),
// nothing over plain HTTP; and the configuration refuses an operations listener on the API's address
// or without client roots.
func TestOperations_MetricsWantAClientCertificateOfTheOrganization(t *testing.T) {
	dir := t.TempDir()
	org, other := newTestCA(t, "ca.bank1"), newTestCA(t, "ca.bank2")
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), org.pem, 0o644); err != nil {
		t.Fatal(err)
	}
	org.issue(t, dir, "server", x509.ExtKeyUsageServerAuth)
	admin := org.issue(t, dir, "admin", x509.ExtKeyUsageClientAuth)
	stranger := other.issue(t, dir, "stranger", x509.ExtKeyUsageClientAuth)

	tlsLine := "tls: {certificate: " + filepath.Join(dir, "server.pem") + ", privateKey: " + filepath.Join(dir, "server.key") + "}\n"
	// Refused configurations first.
	t.Run("same address as the API", func(t *testing.T) {
		t.Setenv("IPLEDGER_GATEWAY_LISTEN", "127.0.0.1:7025")
		if _, _, err := configure(writeConfig(t, tlsLine+"operations: {listen: 127.0.0.1:7025, clientRootCAs: [ca.pem]}\n")); err == nil ||
			!strings.Contains(err.Error(), "is the API's listen address") {
			t.Fatalf("operations on the API's address: %v", err)
		}
	})
	if _, _, err := configure(writeConfig(t, tlsLine+"operations: {listen: 127.0.0.1:1}\n")); err == nil ||
		!strings.Contains(err.Error(), "operations.clientRootCAs is required") {
		t.Fatalf("operations without client roots: %v", err)
	}

	cfg, _, err := configure(writeConfig(t, tlsLine+"operations: {listen: '127.0.0.1:0', clientRootCAs: ["+filepath.Join(dir, "ca.pem")+"]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Operations.TLS != cfg.TLS {
		t.Fatalf("operations.tls %+v: want the API's %+v", cfg.Operations.TLS, cfg.TLS)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "api "+r.URL.Path) })
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ipledger_gateway_up 1\n") })
	srv, ln, err := operationsServer(cfg, api, metrics, log)
	if err != nil {
		t.Fatal(err)
	}
	stop := serveOperations(srv, ln, log)
	t.Cleanup(stop)
	base := "https://" + ln.Addr().String()

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(org.pem)
	client := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}}}
	}
	get := func(c *http.Client, path string) (int, string, error) {
		res, err := c.Get(base + path)
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body), nil
	}
	if code, body, err := get(client(), "/healthz"); err != nil || code != 200 || body != "api /healthz" {
		t.Fatalf("/healthz without a client certificate: %d %q %v", code, body, err)
	}
	if code, body, err := get(client(), "/readyz"); err != nil || code != 200 || body != "api /readyz" {
		t.Fatalf("/readyz: %d %q %v", code, body, err)
	}
	if code, body, err := get(client(), "/metrics"); err != nil || code != http.StatusUnauthorized ||
		!strings.Contains(body, "client certificate of the organization's CA") {
		t.Fatalf("/metrics without a client certificate: %d %q %v; want 401 naming what to present", code, body, err)
	}
	if code, body, err := get(client(admin), "/metrics"); err != nil || code != 200 || !strings.Contains(body, "ipledger_gateway_up") {
		t.Fatalf("/metrics with the organization's admin certificate: %d %q %v", code, body, err)
	}
	// A client presents another CA's certificate (Go's client would send none, the server's request
	// naming only the organization's CA): the handshake is refused.
	forced := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &stranger, nil }}}}
	if code, _, err := get(forced, "/metrics"); err == nil {
		t.Fatalf("/metrics with another CA's client certificate answered %d; want the handshake refused", code)
	}
	if code, _, err := get(client(stranger), "/metrics"); err != nil || code != http.StatusUnauthorized {
		t.Fatalf("/metrics from a client holding only another CA's certificate: %d %v; want 401", code, err)
	}
	if code, _, err := get(client(admin), "/v1/pledges"); err != nil || code != http.StatusNotFound {
		t.Fatalf("the API on the operations listener: %d %v; want 404", code, err)
	}
	if res, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + ln.Addr().String() + "/metrics"); err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == 200 || strings.Contains(string(body), "ipledger_gateway_up") {
			t.Fatalf("plain HTTP answered %d %s", res.StatusCode, body)
		}
	}
}

// Go's profiles are served on the operations listener only when operations.profile says so, and then
// only to a client certificate of the organization's CA, as /metrics.
func TestOperations_ProfilesOnlyWhenConfiguredAndOnlyToTheOrganization(t *testing.T) {
	dir := t.TempDir()
	org := newTestCA(t, "ca.bank1")
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), org.pem, 0o644); err != nil {
		t.Fatal(err)
	}
	org.issue(t, dir, "server", x509.ExtKeyUsageServerAuth)
	admin := org.issue(t, dir, "admin", x509.ExtKeyUsageClientAuth)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(org.pem)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, profile := range []bool{false, true} {
		cfg, _, err := configure(writeConfig(t, "tls: {certificate: "+filepath.Join(dir, "server.pem")+", privateKey: "+filepath.Join(dir, "server.key")+"}\n"+
			"operations: {listen: '127.0.0.1:0', clientRootCAs: ["+filepath.Join(dir, "ca.pem")+"], profile: "+fmt.Sprint(profile)+"}\n"))
		if err != nil {
			t.Fatal(err)
		}
		srv, ln, err := operationsServer(cfg, noop, noop, log)
		if err != nil {
			t.Fatal(err)
		}
		stop := serveOperations(srv, ln, log)
		get := func(certs ...tls.Certificate) (int, string) {
			c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}}}
			res, err := c.Get("https://" + ln.Addr().String() + "/debug/pprof/")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body)
		}
		anon, _ := get()
		code, body := get(admin)
		stop()
		switch {
		case !profile && code != http.StatusNotFound:
			t.Errorf("profile off: /debug/pprof/ with the admin's certificate answered %d; want 404", code)
		case profile && (anon != http.StatusUnauthorized || code != http.StatusOK || !strings.Contains(body, "goroutine")):
			t.Errorf("profile on: /debug/pprof/ answered %d without a client certificate (want 401), %d with the admin's (want 200 and the index): %.200s", anon, code, body)
		}
	}
}
