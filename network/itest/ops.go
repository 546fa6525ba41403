package itest

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// Ops reads path from mspID's gateway's operations listener (GatewayOps: /healthz, /readyz,
// /metrics) over TLS trusting only the organization's CA; withCert presents the organization
// admin's TLS certificate (OpsClientCert), which /metrics wants. A refused handshake is an error.
func Ops(t testing.TB, mspID, path string, withCert bool) (Reply, error) {
	t.Helper()
	o, err := System(t).Org(mspID)
	if err != nil {
		t.Fatal(err)
	}
	if o.GatewayOps == "" {
		t.Fatalf("%s: the description names no gateway operations listener (gatewayOps)", mspID)
	}
	base, err := HTTPClient(o.GatewayCACert)
	if err != nil {
		t.Fatal(err)
	}
	tr := base.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	if withCert {
		pair, err := tls.LoadX509KeyPair(o.OpsClientCert, o.OpsClientKey)
		if err != nil {
			t.Fatal(err)
		}
		tr.TLSClientConfig.Certificates = []tls.Certificate{pair}
	}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Timeout: 30 * time.Second, Transport: tr}).Get(o.GatewayOps + path)
	if err != nil {
		return Reply{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return Reply{Status: res.StatusCode, Header: res.Header, Body: body}, err
}

// Metrics is mspID's gateway's /metrics (Prometheus text), read with the organization admin's TLS
// certificate; it fails the test on anything but 200.
func Metrics(t testing.TB, mspID string) string {
	t.Helper()
	r, err := Ops(t, mspID, "/metrics", true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusOK {
		t.Fatal(fmt.Errorf("%s /metrics: %s", mspID, r))
	}
	return string(r.Body)
}
