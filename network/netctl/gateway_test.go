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

	"github.com/ipledger/ipledger/gateway"
)

// writeCert writes a self-signed certificate whose subject has the OUs given, as a user's enrolment.
func writeCert(t *testing.T, file, cn string, ous ...string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn, OrganizationalUnit: ous},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// usersEnrolled is the repository's topology in a temporary directory whose users are enrolled as
// the CA enrols them (OU admin for the admins, OU client for the others), with the gateways' TLS
// material present, so that writeGatewayConfigs needs no CA.
func usersEnrolled(t *testing.T) *Network {
	t.Helper()
	n := &Network{Top: loadTestTopology(t, 47000), Dir: t.TempDir()}
	for _, o := range n.Top.PeerOrgs() {
		for _, u := range o.Users {
			ou := "client"
			if u.Role == "admin" {
				ou = "admin"
			}
			writeCert(t, filepath.Join(n.userDir(o, u.Name), "msp", "signcerts", "cert.pem"), u.Name, ou, "bank1")
		}
		if o.Gateway != nil {
			writeCert(t, filepath.Join(n.gatewayTLS(o), "cert.pem"), "gateway", "client")
			if err := os.WriteFile(filepath.Join(n.gatewayTLS(o), "key.pem"), []byte("key"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return n
}

// No gateway configuration names an admin: every identity of every gateway.yaml has a certificate
// without the OU admin; no admin has an API key file or a key; every served user has one key, whose
// hash only is in the keys file. A user whose certificate is an admin's is refused, whatever its role
// in the topology says.
func TestGatewayConfigs_HoldNoAdminIdentity(t *testing.T) {
	n := usersEnrolled(t)
	for _, o := range n.Top.PeerOrgs() {
		if err := os.WriteFile(n.apiKeyFile(o, "admin"), []byte("ipl_old-admin-key\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.writeGatewayConfigs(); err != nil {
		t.Fatal(err)
	}
	gateways := 0
	for _, o := range n.Top.PeerOrgs() {
		if o.Gateway == nil {
			continue
		}
		gateways++
		admins, err := GatewayAdmins(n.gatewayConfigFile(o))
		if err != nil {
			t.Fatal(err)
		}
		if len(admins) > 0 {
			t.Errorf("%s's gateway holds admin identities %v", o.MSPID, admins)
		}
		cfg, err := gateway.LoadConfig(n.gatewayConfigFile(o), identitiesOnly)
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Identities) == 0 || len(cfg.Keys) != len(cfg.Identities) {
			t.Errorf("%s: %d identities, %d keys; want one key per identity", o.MSPID, len(cfg.Identities), len(cfg.Keys))
		}
		for _, k := range cfg.Keys {
			raw, err := os.ReadFile(n.apiKeyFile(o, k.Identity))
			if err != nil || k.Identity == "admin" || k.Note != "dev" || k.State(time.Now()) != gateway.KeyValid {
				t.Errorf("%s key %+v (file: %v)", o.MSPID, k, err)
			}
			if gateway.RecordOf(strings.TrimSpace(string(raw)), "", "", time.Now(), nil).SHA256 != k.SHA256 {
				t.Errorf("%s/%s: the keys file's hash is not the api-key file's key's", o.MSPID, k.Identity)
			}
		}
		if _, err := os.Stat(n.apiKeyFile(o, "admin")); !os.IsNotExist(err) {
			t.Errorf("%s's admin still has an api-key file (%v)", o.MSPID, err)
		}
		raw, _ := os.ReadFile(n.gatewayKeysFile(o))
		if strings.Contains(string(raw), "ipl_") {
			t.Errorf("%s's keys file holds a key in clear", o.MSPID)
		}
	}
	if want := len(n.Top.PeerOrgs()); gateways != want || want != 8 {
		t.Fatalf("%d gateways checked, want one for each of the %d peer organizations (8)", gateways, want)
	}
	// Written again, nothing changes: no new key for anyone.
	before, _ := os.ReadFile(n.gatewayKeysFile(n.Top.Org("Bank1MSP")))
	if err := n.writeGatewayConfigs(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(n.gatewayKeysFile(n.Top.Org("Bank1MSP"))); string(after) != string(before) {
		t.Fatalf("a second write changed the keys file:\n%s\n%s", before, after)
	}

	// officer1 of Bank1 enrolled as an admin (OU admin): refused.
	o := n.Top.Org("Bank1MSP")
	writeCert(t, filepath.Join(n.userDir(o, "officer1"), "msp", "signcerts", "cert.pem"), "officer1", "admin")
	err := n.writeGatewayConfigs()
	if err == nil || !strings.Contains(err.Error(), "OU admin") {
		t.Fatalf("an admin certificate under a user's name: %v", err)
	}
	t.Logf("refused: %v", err)
}

// GatewayAdmins finds an admin in a configuration written by hand.
func TestGatewayAdmins_FindsAnAdminCertificate(t *testing.T) {
	dir := t.TempDir()
	writeCert(t, filepath.Join(dir, "admin.pem"), "admin", "admin")
	writeCert(t, filepath.Join(dir, "officer.pem"), "officer1", "client")
	cfg := "listen: 127.0.0.1:1\nmspId: Bank1MSP\npeer: {address: 127.0.0.1:2, tlsCACert: ca.pem}\nchannel: c\nchaincode: c\ninsecureHTTP: true\n" +
		"identities:\n  - {name: officer1, certificate: officer.pem, privateKey: k.pem}\n  - {name: boss, certificate: admin.pem, privateKey: k.pem}\n"
	path := filepath.Join(dir, "gateway.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	admins, err := GatewayAdmins(path)
	if err != nil || len(admins) != 1 || admins[0] != "boss" {
		t.Fatalf("admins %v, %v; want [boss]", admins, err)
	}
}
