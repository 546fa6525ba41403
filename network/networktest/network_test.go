//go:build integration

// Package networktest checks the real network that `scripts/ipledger test` starts on its own ports
// and directory: every process healthy, cross-organization endorsement as the policy says, a refused
// endorsement that breaks the policy, and a ledger that survives down and up. IPLEDGER_SYSTEM_FILE
// names the network's system.json.
package networktest

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
)

func dial(t *testing.T, sys *netctl.System, mspID, user string) *client.Gateway {
	t.Helper()
	gw, conn, err := sys.Dial(mspID, user, client.WithCommitStatusTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close(); conn.Close() })
	return gw
}

// newAsset is a valid IP right payload with a fresh id.
func newAsset(t *testing.T) (string, string) {
	t.Helper()
	id := fmt.Sprintf("CN-NET-%d", time.Now().UnixNano())
	in := api.AssetInput{
		ID: id, Kind: "patent-invention", Number: id, Title: "Network test patent",
		Owners:          []api.Owner{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co.", Share: 10000}},
		ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15",
		FeesPaidThrough: "2030-01-15", LegalStatus: "valid",
	}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return id, string(raw)
}

func TestNetwork_EveryProcessHealthy(t *testing.T) {
	sys := itest.System(t)
	pool := x509.NewCertPool()
	for _, o := range sys.Organizations {
		pem, err := os.ReadFile(o.CACert)
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(pem)
	}
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	kinds := map[string]int{}
	for _, p := range sys.Processes {
		kinds[p.Kind]++
		if p.Kind == "postgres" {
			// A read model's PostgreSQL server has no operations endpoint: it must accept connections
			// on 127.0.0.1, at the address the description gives.
			o, err := sys.Org(mspOf(sys, p.Org))
			if err != nil || o.ReadModel == nil || o.ReadModel.Address == "" {
				t.Errorf("%s: no PostgreSQL read model of organization %q in the description (%v)", p.Name, p.Org, err)
				continue
			}
			conn, err := net.DialTimeout("tcp", o.ReadModel.Address, 2*time.Second)
			if err != nil {
				t.Errorf("%s: %v", p.Name, err)
				continue
			}
			conn.Close()
			t.Logf("%-16s accepting connections at %s", p.Name, o.ReadModel.Address)
			continue
		}
		if p.Health == "" {
			// A chaincode server has no operations endpoint: it must accept connections.
			o, err := sys.Org(mspOf(sys, p.Org))
			if err != nil || o.ChaincodeServer == nil || o.ChaincodeServer.Component != p.Name {
				t.Errorf("%s: no chaincode server of organization %q in the description (%v)", p.Name, p.Org, err)
				continue
			}
			conn, err := net.DialTimeout("tcp", o.ChaincodeServer.Address, 2*time.Second)
			if err != nil {
				t.Errorf("%s: %v", p.Name, err)
				continue
			}
			conn.Close()
			t.Logf("%-16s accepting connections at %s", p.Name, o.ChaincodeServer.Address)
			continue
		}
		// Every operations endpoint speaks TLS, the CAs' too, checked against the organizations' CAs.
		if !strings.HasPrefix(p.Health, "https://") {
			t.Errorf("%s: its health check %s is not HTTPS", p.Name, p.Health)
		}
		resp, err := hc.Get(p.Health)
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s answered %s", p.Name, p.Health, resp.Status)
			continue
		}
		t.Logf("%-16s healthy at %s", p.Name, p.Health)
	}
	want := map[string]int{"ca": 9, "orderer": 3, "peer": 8, "chaincode": 8, "postgres": 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d processes of kind %s, want %d", kinds[k], k, n)
		}
	}
}

// mspOf is the MSP id of the organization named name.
func mspOf(sys *netctl.System, name string) string {
	for _, o := range sys.Organizations {
		if o.Name == name {
			return o.MSPID
		}
	}
	return ""
}

// Every organization's HTTP gateway serves HTTPS only: its certificate verifies for the gateway's
// address against the organization's own CA and not against another organization's, it speaks TLS
// 1.3 and nothing older than 1.2, its key is its owner's only, and plain HTTP gets no answer of the API.
func TestNetwork_GatewaysServeHTTPSWithTheirOrganizationsCertificate(t *testing.T) {
	sys := itest.System(t)
	var gws []netctl.OrgInfo
	for _, o := range sys.Organizations {
		if o.Gateway != "" {
			gws = append(gws, o)
		}
	}
	if len(gws) != 8 {
		t.Fatalf("%d gateways in the description, want 8", len(gws))
	}
	pool := func(file string) *x509.CertPool {
		p, err := apiclient.CertPool(file)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	dial := func(addr string, c *tls.Config) (*tls.ConnectionState, error) {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, c)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		st := conn.ConnectionState()
		return &st, nil
	}
	for i, o := range gws {
		u, err := url.Parse(o.Gateway)
		if err != nil || u.Scheme != "https" || o.GatewayCACert != o.CACert {
			t.Errorf("%s: gateway %s, CA certificate %s (the organization's: %s)", o.MSPID, o.Gateway, o.GatewayCACert, o.CACert)
			continue
		}
		st, err := dial(u.Host, &tls.Config{RootCAs: pool(o.GatewayCACert), ServerName: u.Hostname()})
		if err != nil {
			t.Errorf("%s: with its own CA: %v", o.MSPID, err)
			continue
		}
		if st.Version != tls.VersionTLS13 {
			t.Errorf("%s: TLS version %x, want 1.3", o.MSPID, st.Version)
		}
		leaf := st.PeerCertificates[0]
		other := gws[(i+1)%len(gws)]
		_, err = dial(u.Host, &tls.Config{RootCAs: pool(other.CACert), ServerName: u.Hostname()})
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Errorf("%s: trusting only %s's CA: %v, want an unknown authority", o.MSPID, other.MSPID, err)
		}
		// The client offers TLS 1.0 and 1.1 only (Go's client leaves them out unless MinVersion says
		// so): the refusal must be the server's, an alert, not the client's own "no supported versions".
		_, err = dial(u.Host, &tls.Config{RootCAs: pool(o.GatewayCACert), MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
		var remote *net.OpError
		if err == nil {
			t.Errorf("%s: accepted TLS 1.1", o.MSPID)
		} else if !errors.As(err, &remote) || remote.Op != "remote error" {
			t.Errorf("%s: TLS 1.1 was not refused by the server: %v", o.MSPID, err)
		}
		key := filepath.Join(sys.DataDir, "orgs", o.Name, "gateway", "tls", "key.pem")
		if fi, err := os.Stat(key); err != nil {
			t.Errorf("%s: gateway TLS key: %v", o.MSPID, err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: gateway TLS key %s has mode %v, want 0600", o.MSPID, key, fi.Mode().Perm())
		}
		hc, err := itest.HTTPClient(o.GatewayCACert)
		if err != nil {
			t.Fatal(err)
		}
		res, err := hc.Get(o.Gateway + "/healthz")
		if err != nil || res.StatusCode != http.StatusOK {
			t.Errorf("%s: GET %s/healthz over HTTPS: %v %v", o.MSPID, o.Gateway, res, err)
		} else {
			res.Body.Close()
		}
		plain := "http://" + u.Host + "/healthz"
		res, err = (&http.Client{Timeout: 3 * time.Second}).Get(plain)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				t.Errorf("%s: plain HTTP %s answered %s", o.MSPID, plain, res.Status)
			}
		}
		t.Logf("%-12s %s: TLS 1.3, certificate %q from %q; another CA: refused; plain HTTP: %v", o.MSPID, o.Gateway,
			leaf.Subject.CommonName, leaf.Issuer.CommonName, func() any {
				if err != nil {
					return err
				}
				return res.Status
			}())
	}
}

// Every peer organization runs its own chaincode server: its TLS certificate is from the
// organization's CA, it takes the organization's client certificate and refuses another
// organization's, its peer's package names it, the package ids differ, and no package carries a
// server's private key.
func TestNetwork_EachOrganizationRunsItsOwnChaincodeServer(t *testing.T) {
	sys := itest.System(t)
	var orgs []*netctl.OrgInfo
	for i := range sys.Organizations {
		if sys.Organizations[i].Peer != "" {
			orgs = append(orgs, &sys.Organizations[i])
		}
	}
	conns := map[string]*netctl.Connection{}
	serverKeys := map[string]string{}
	ids := map[string]string{}
	for _, o := range orgs {
		cs := o.ChaincodeServer
		if cs == nil {
			t.Fatalf("%s has no chaincode server in the description", o.MSPID)
		}
		conn, err := netctl.ReadConnection(cs.Package)
		if err != nil {
			t.Fatal(err)
		}
		conns[o.Name] = conn
		key, err := os.ReadFile(cs.TLSKey)
		if err != nil {
			t.Fatal(err)
		}
		serverKeys[o.Name] = strings.TrimSpace(string(key))
		for _, f := range []string{cs.TLSKey, cs.Package} {
			if fi, err := os.Stat(f); err != nil {
				t.Errorf("%s: %v", o.MSPID, err)
			} else if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s has mode %v; it holds a private key, want 0600", o.MSPID, filepath.Base(f), fi.Mode().Perm())
			}
		}
		// The package id is the package file's: label and SHA-256, and no other organization's.
		raw, err := os.ReadFile(cs.Package)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		if want := sys.Chaincode.PackageLabel + ":" + hex.EncodeToString(sum[:]); cs.PackageID != want {
			t.Errorf("%s: package id %s, but its package file hashes to %s", o.MSPID, cs.PackageID, want)
		}
		if other, dup := ids[cs.PackageID]; dup {
			t.Errorf("%s and %s install the same package %s", other, o.MSPID, cs.PackageID)
		}
		ids[cs.PackageID] = o.MSPID
		if conn.Address != cs.Address {
			t.Errorf("%s: its package dials %s, its own server is at %s", o.MSPID, conn.Address, cs.Address)
		}
		// The running server serves the organization's own package id (the peer accepts no other).
		var pidFile string
		for _, p := range sys.Processes {
			if p.Name == cs.Component {
				pidFile = p.PidFile
				if p.Kind != "chaincode" || p.Org != o.Name {
					t.Errorf("%s: kind %s, org %s", p.Name, p.Kind, p.Org)
				}
			}
		}
		if env := processEnv(t, pidFile); !slices.Contains(env, "CHAINCODE_ID="+cs.PackageID) {
			t.Errorf("%s does not run with CHAINCODE_ID=%s", cs.Component, cs.PackageID)
		}
	}
	for _, o := range orgs {
		for owner, key := range serverKeys {
			if strings.Contains(conns[o.Name].ClientKey, key) {
				t.Errorf("%s's package carries the private key of %s's chaincode server", o.MSPID, owner)
			}
		}
	}
	for i, o := range orgs {
		cs := o.ChaincodeServer
		// Its own client: the handshake verifies the server against the organization's CA only.
		state, err := handshake(o.CACert, cs.Address, conns[o.Name])
		if err != nil {
			t.Errorf("%s: %s with the organization's client certificate: %v", o.MSPID, cs.Address, err)
			continue
		}
		cert := state.PeerCertificates[0]
		t.Logf("%-18s at %s: certificate %q issued by %q; package %s", cs.Component, cs.Address, cert.Subject.CommonName,
			cert.Issuer.CommonName, cs.PackageID)
		// Another organization's client certificate is refused.
		other := orgs[(i+1)%len(orgs)]
		_, err = handshake(o.CACert, cs.Address, conns[other.Name])
		// crypto/tls reports an alert the server sent as a net.OpError "remote error".
		var remote *net.OpError
		switch {
		case err == nil:
			t.Errorf("%s accepted %s's client certificate", cs.Component, other.MSPID)
		case !errors.As(err, &remote) || remote.Op != "remote error":
			t.Errorf("%s did not refuse %s's client with a TLS alert: %v", cs.Component, other.MSPID, err)
		default:
			t.Logf("%-18s refuses %s's client: %v", cs.Component, other.MSPID, err)
		}
	}
}

// handshake connects to a chaincode server with a package's client identity, trusting only caFile,
// and reads the server's first bytes: a server that refuses the client certificate says so with a TLS
// alert (after the handshake, in TLS 1.3), one that accepts it sends its HTTP/2 settings at once. Only
// bytes read count as accepted; a server that says nothing within the (generous) deadline is an error,
// not an acceptance, so a slow machine cannot turn a refusal into a pass or a wedged server into one.
func handshake(caFile, addr string, conn *netctl.Connection) (*tls.ConnectionState, error) {
	pool, err := apiclient.CertPool(caFile)
	if err != nil {
		return nil, err
	}
	pair, err := tls.X509KeyPair([]byte(conn.ClientCert), []byte(conn.ClientKey))
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr,
		&tls.Config{RootCAs: pool, ServerName: host, NextProtos: []string{"h2"}, MinVersion: tls.VersionTLS12,
			// Present the certificate whatever CAs the server names, so that the server itself must refuse it.
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &pair, nil }})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := c.Read(make([]byte, 64))
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("%s sent nothing after the handshake", addr)
	}
	st := c.ConnectionState()
	return &st, nil
}

// processEnv is the environment of the process whose pid file is given.
func processEnv(t *testing.T, pidFile string) []string {
	t.Helper()
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	fields := strings.Fields(string(raw))
	if len(fields) == 0 {
		t.Fatalf("empty pid file %s", pidFile)
	}
	env, err := os.ReadFile("/proc/" + fields[0] + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(string(env), "\x00")
}

func TestNetwork_CrossOrgTransactionEndorsedAsPolicyNames(t *testing.T) {
	sys := itest.System(t)
	gw := dial(t, sys, "IPOfficeMSP", "examiner1")
	id, payload := newAsset(t)
	contract := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
	_, commit, err := contract.SubmitAsync(api.RegisterAsset.Name, client.WithArguments("net-"+id, payload))
	if err != nil {
		t.Fatalf("RegisterAsset: %v", err)
	}
	status, err := commit.Status()
	if err != nil || !status.Successful {
		t.Fatalf("RegisterAsset did not commit: %v %+v", err, status)
	}
	// Read the transaction back from another organization's peer, once it has the block: the ledger,
	// not the submitter, says who endorsed it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sys.WaitForBlock(ctx, status.BlockNumber); err != nil {
		t.Fatal(err)
	}
	tx, err := qscc.NewReader(dial(t, sys, "RegulatorMSP", "auditor1"), sys.Channel).Transaction(commit.TransactionID())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tx %s in block %d: %s, endorsed by %v", tx.TxID, tx.BlockNumber, tx.ValidationCode, tx.EndorsingOrgs)
	if !tx.Valid || tx.BlockNumber != status.BlockNumber {
		t.Errorf("ledger says %s in block %d; commit status said block %d", tx.ValidationCode, tx.BlockNumber, status.BlockNumber)
	}
	// The policy: AND('IPOfficeMSP.peer', OR(any other member's peer)).
	if !slices.Contains(tx.EndorsingOrgs, "IPOfficeMSP") || len(tx.EndorsingOrgs) < 2 {
		t.Errorf("endorsed by %v; the policy needs IPOfficeMSP and one more organization", tx.EndorsingOrgs)
	}
	got, err := contract.EvaluateTransaction(api.GetAsset.Name, id)
	if err != nil || !strings.Contains(string(got), id) {
		t.Errorf("GetAsset(%s) = %s, %v", id, got, err)
	}
}

func TestNetwork_EndorsementViolatingPolicyIsRejected(t *testing.T) {
	sys := itest.System(t)
	gw := dial(t, sys, "IPOfficeMSP", "examiner1")
	contract := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
	id, payload := newAsset(t)
	// Only the IP office endorses: the chaincode runs and would allow it, but the policy wants a second
	// organization, so the peers must mark the transaction invalid and write nothing.
	_, commit, err := contract.SubmitAsync(api.RegisterAsset.Name, client.WithArguments("net-"+id, payload),
		client.WithEndorsingOrganizations("IPOfficeMSP"))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	status, err := commit.Status()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tx %s committed in block %d with %s", status.TransactionID, status.BlockNumber, status.Code)
	if status.Successful || status.Code.String() != "ENDORSEMENT_POLICY_FAILURE" {
		t.Fatalf("a single-organization endorsement committed as %s, want ENDORSEMENT_POLICY_FAILURE", status.Code)
	}
	if got, err := contract.EvaluateTransaction(api.GetAsset.Name, id); err == nil {
		t.Errorf("the refused transaction wrote the asset: %s", got)
	}
	// The ledger keeps the invalid transaction, marked as such: qscc reads its code from the block.
	tx, err := qscc.NewReader(gw, sys.Channel).Transaction(status.TransactionID)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Valid || tx.ValidationCode != "ENDORSEMENT_POLICY_FAILURE" || tx.BlockNumber != status.BlockNumber {
		t.Errorf("ledger records %+v", tx)
	}
}

// TestNetwork_DownUpKeepsLedger runs last: it restarts the whole test network.
func TestNetwork_DownUpKeepsLedger(t *testing.T) {
	sys := itest.System(t)
	id, payload := newAsset(t)
	{
		gw := dial(t, sys, "IPOfficeMSP", "examiner1")
		_, commit, err := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name).SubmitAsync(api.RegisterAsset.Name, client.WithArguments("net-"+id, payload))
		if err != nil {
			t.Fatal(err)
		}
		status, err := commit.Status()
		if err != nil || !status.Successful {
			t.Fatalf("RegisterAsset: %v %+v", err, status)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := sys.WaitForBlock(ctx, status.BlockNumber); err != nil {
			t.Fatal(err)
		}
	}
	before, err := qscc.NewReader(dial(t, sys, "Bank1MSP", "officer1"), sys.Channel).Height()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join("..", "..", "scripts", "ipledger")
	run := func(args ...string) {
		t.Helper()
		start := time.Now()
		out, err := exec.Command(script, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ipledger %v: %v\n%s", args, err, out)
		}
		t.Logf("ipledger %s took %.1fs", strings.Join(args, " "), time.Since(start).Seconds())
	}
	run("down")
	for _, p := range sys.Processes {
		if raw, err := os.ReadFile(p.PidFile); err == nil {
			t.Errorf("%s still has a pid file after down: %s", p.Name, raw)
		}
	}
	conn, err := net.DialTimeout("tcp", sys.Organizations[1].Peer, time.Second)
	if err == nil {
		conn.Close()
		t.Errorf("a peer still accepts connections after down")
	}
	run("up")
	gw := dial(t, sys, "Bank1MSP", "officer1")
	after, err := qscc.NewReader(gw, sys.Channel).Height()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ledger height %d before down, %d after up", before, after)
	if after < before {
		t.Errorf("ledger height fell from %d to %d", before, after)
	}
	got, err := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name).EvaluateTransaction(api.GetAsset.Name, id)
	if err != nil || !strings.Contains(string(got), id) {
		t.Errorf("the asset registered before down is gone: %s, %v", got, err)
	}
	// A second up changes nothing.
	out, err := exec.Command(script, "up").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already running") {
		t.Errorf("up on a running network: %v\n%s", err, out)
	}
}

// No gateway acts as an admin: every identity of every organization's gateway.yaml has a certificate
// without the OU admin, and no admin of the description has an API key file.
func TestNetwork_GatewaysHoldNoAdminIdentity(t *testing.T) {
	sys := itest.System(t)
	checked := 0
	for _, o := range sys.Organizations {
		if o.Gateway == "" {
			continue
		}
		file := filepath.Join(sys.DataDir, "orgs", o.Name, "gateway", "gateway.yaml")
		admins, err := netctl.GatewayAdmins(file)
		if err != nil {
			t.Fatal(err)
		}
		if len(admins) > 0 {
			t.Errorf("%s's gateway holds admin identities %v (%s)", o.MSPID, admins, file)
		}
		for _, u := range o.Users {
			if u.Role == "admin" && u.APIKeyFile != "" {
				t.Errorf("%s's admin has an API key file %s", o.MSPID, u.APIKeyFile)
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no gateway to check")
	}
	t.Logf("%d gateways: no admin identity, no admin API key", checked)
}
