package netctl

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestScope_LocalHoldsOnlyTheHostsParts(t *testing.T) {
	plan := loadTestTopology(t, 7000)
	local, err := plan.Local(&Scope{Org: "orderer", Orderers: []string{"orderer2"}, RemoteCA: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(local.Organizations) != 1 || len(local.Organizations[0].Orderers) != 1 || local.Organizations[0].Orderers[0].Name != "orderer2" {
		t.Fatalf("local view: %+v", local.Organizations)
	}
	if len(plan.Organizations[0].Orderers) != 3 {
		t.Fatal("Local changed the plan")
	}
	n := &Network{Dir: t.TempDir(), Top: plan}
	if err := n.Scope(&Scope{Org: "orderer", Orderers: []string{"orderer2"}, RemoteCA: true}); err != nil {
		t.Fatal(err)
	}
	for _, p := range n.processes(nil) {
		if p.Kind == "ca" || p.Name != "orderer2" {
			t.Errorf("an orderer host without the CA runs %s", p.Name)
		}
	}
	for _, bad := range []*Scope{{Org: "nobody"}, {Org: "orderer", Orderers: []string{"orderer9"}}, {Org: "bank1", RemoteCA: true}} {
		if _, err := plan.Local(bad); err == nil {
			t.Errorf("scope %+v accepted", *bad)
		}
	}
}

func TestScope_InitKeepsADirectorysScope(t *testing.T) {
	n := &Network{Dir: t.TempDir(), Top: loadTestTopology(t, 7000)}
	if err := n.Init(&Scope{Org: "bank1"}); err != nil {
		t.Fatal(err)
	}
	if err := n.Init(&Scope{Org: "bank1"}); err != nil {
		t.Fatalf("the same scope again: %v", err)
	}
	if err := n.Init(&Scope{Org: "bank2"}); err == nil {
		t.Fatal("a bank1 directory became bank2's")
	}
	whole := &Network{Dir: t.TempDir()}
	if err := whole.saveState(&state{Enrolled: true}); err != nil {
		t.Fatal(err)
	}
	if err := whole.Init(&Scope{Org: "bank1"}); err == nil {
		t.Fatal("a one-machine network's directory became one organization's")
	}
}

func TestApproval_AllApprovedNamesWhoHasNot(t *testing.T) {
	all := func(out string) error {
		approvals, err := parseReadiness(out)
		if err != nil {
			return err
		}
		_, err = allApproved(approvals)
		return err
	}
	if err := all(`{"approvals":{"Bank1MSP":true,"IPOfficeMSP":true}}`); err != nil {
		t.Fatal(err)
	}
	err := all(`{"approvals":{"Bank1MSP":true,"RegulatorMSP":false,"Bank2MSP":false}}`)
	if err == nil || !strings.Contains(err.Error(), "Bank2MSP, RegulatorMSP") {
		t.Fatalf("got %v", err)
	}
	if all(`{"approvals":{}}`) == nil || all(`Error: chaincode not found`) == nil {
		t.Fatal("an answer naming nobody counts as all approved")
	}
}

// hostCA makes a CA certificate and a TLS certificate it issued to cn for host.
func hostCA(t *testing.T, host, cn string) (caPEM, certPEM string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca.test"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn}, IPAddresses: []net.IP{net.ParseIP(host)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	}
	return enc(caDER), enc(leafDER)
}

func writeDef(t *testing.T, d Definition) string {
	t.Helper()
	raw, _ := json.Marshal(d)
	path := filepath.Join(t.TempDir(), d.Name+".org.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefinition_ImportChecksHashPlanAndCertificates(t *testing.T) {
	plan := loadTestTopology(t, 7000)
	n := &Network{Dir: t.TempDir(), Top: plan}
	if err := n.Scope(&Scope{Org: "bank1"}); err != nil {
		t.Fatal(err)
	}
	ca, ordererCert := hostCA(t, "127.0.0.1", "orderer1")
	otherCA, otherCert := hostCA(t, "127.0.0.1", "orderer1")
	_, orderer2Cert := hostCA(t, "127.0.0.1", "orderer2")
	bank2 := writeDef(t, Definition{Format: DefinitionFormat, Name: "bank2", MSPID: "Bank2MSP", CACert: ca, Peer: "127.0.0.1:7032"})
	sum, _ := FileSHA256(bank2)
	for _, want := range []string{strings.Repeat("0", 64), ""} {
		if _, err := n.Import(bank2, want); err == nil {
			t.Fatalf("a file imported with sha256 %q, not its own", want)
		}
	}
	if _, err := os.Stat(n.caCert(plan.Org("Bank2MSP"))); err == nil {
		t.Fatal("a refused file was imported")
	}
	if _, err := n.Import(bank2, "sha256:"+sum); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(n.caCert(plan.Org("Bank2MSP"))); string(got) != ca {
		t.Fatal("the imported CA certificate is not in the channel MSP")
	}
	ord := func(cert string) []OrdererDef {
		return []OrdererDef{{Name: "orderer1", Address: "127.0.0.1:7002", TLSCert: cert}}
	}
	refused := map[string]Definition{
		"another format":       {Format: "x", Name: "bank2", MSPID: "Bank2MSP", CACert: ca},
		"not in the topology":  {Format: DefinitionFormat, Name: "bank9", MSPID: "Bank9MSP", CACert: ca},
		"own organization":     {Format: DefinitionFormat, Name: "bank1", MSPID: "Bank1MSP", CACert: ca, Peer: "127.0.0.1:7022"},
		"peer elsewhere":       {Format: DefinitionFormat, Name: "exchange", MSPID: "ExchangeMSP", CACert: ca, Peer: "10.0.0.9:7042"},
		"not a CA":             {Format: DefinitionFormat, Name: "exchange", MSPID: "ExchangeMSP", CACert: ordererCert, Peer: "127.0.0.1:7042"},
		"another CA for bank2": {Format: DefinitionFormat, Name: "bank2", MSPID: "Bank2MSP", CACert: otherCA, Peer: "127.0.0.1:7032"},
		"orderer of other CA":  {Format: DefinitionFormat, Name: "orderer", MSPID: "OrdererMSP", CACert: ca, Orderers: ord(otherCert)},
		"another orderer's":    {Format: DefinitionFormat, Name: "orderer", MSPID: "OrdererMSP", CACert: ca, Orderers: ord(orderer2Cert)},
		"orderer not in plan":  {Format: DefinitionFormat, Name: "orderer", MSPID: "OrdererMSP", CACert: ca, Orderers: []OrdererDef{{Name: "orderer1", Address: "127.0.0.1:9999", TLSCert: ordererCert}}},
	}
	for name, d := range refused {
		path := writeDef(t, d)
		sum, _ := FileSHA256(path)
		if _, err := n.Import(path, sum); err == nil {
			t.Errorf("%s: imported", name)
		}
	}
	// A refused definition wrote nothing: no orderer MSP, and bank2's CA is the first one.
	if _, err := os.Stat(n.caCert(plan.Org("OrdererMSP"))); err == nil {
		t.Error("a refused definition left its CA certificate in the channel MSP")
	}
	if got, _ := os.ReadFile(n.caCert(plan.Org("Bank2MSP"))); string(got) != ca {
		t.Error("a second definition replaced bank2's CA certificate")
	}
	good := writeDef(t, Definition{Format: DefinitionFormat, Name: "orderer", MSPID: "OrdererMSP", CACert: ca, Orderers: ord(ordererCert)})
	sum, _ = FileSHA256(good)
	if _, err := n.Import(good, sum); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(n.nodeDir(plan.Org("OrdererMSP"), "orderer1"), "tls", "cert.pem")); err != nil {
		t.Fatal("the consenter's certificate is not where the genesis block is made from")
	}
	whole := &Network{Dir: t.TempDir(), Top: plan}
	if _, err := whole.Import(good, sum); err == nil {
		t.Error("a one-machine network's directory imported a definition")
	}
}

func TestScope_ADirectoryKeepsItsTopologyAndPortBase(t *testing.T) {
	plan := loadTestTopology(t, 7000)
	made := &Network{Dir: t.TempDir(), Top: plan, TopologySHA256: "aa", PortBase: 7000}
	if err := made.Init(&Scope{Org: "bank1"}); err != nil {
		t.Fatal(err)
	}
	s, err := LoadScope(made.Dir)
	if err != nil || s.TopologySHA256 != "aa" || s.PortBase != 7000 {
		t.Fatalf("scope.json: %+v %v", s, err)
	}
	for _, later := range []*Network{
		{Dir: made.Dir, Top: plan, TopologySHA256: "bb", PortBase: 7000},
		{Dir: made.Dir, Top: plan, TopologySHA256: "aa", PortBase: 17000},
	} {
		if err := later.Scope(s); err == nil {
			t.Errorf("a command with topology %s at port base %d acted on the directory", later.TopologySHA256, later.PortBase)
		}
	}
	same := &Network{Dir: made.Dir, Top: plan, TopologySHA256: "aa", PortBase: 7000}
	if err := same.Scope(s); err != nil {
		t.Fatal(err)
	}
}

func TestLock_ASecondCommandIsRefused(t *testing.T) {
	dir := t.TempDir()
	first := &Network{Dir: dir}
	if err := first.Lock(); err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file: a second open, as a second netctl does, is refused.
	if err := (&Network{Dir: dir}).Lock(); err == nil || !strings.Contains(err.Error(), "another netctl") {
		t.Fatalf("a second lock of %s: %v", dir, err)
	}
	first.lock.Close()
	if err := (&Network{Dir: dir}).Lock(); err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
}
