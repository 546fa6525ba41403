package netctl

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-config/configtx"
	"github.com/hyperledger/fabric-config/configtx/orderer"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// cfgCA is an organization's CA made in-process.
type cfgCA struct {
	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	serial int64
}

func newCfgCA(t *testing.T, name string) *cfgCA {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	ski := sha256.Sum256(pub)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca." + name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature, SubjectKeyId: ski[:]}
	raw, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(raw)
	return &cfgCA{cert: c, key: k, serial: 100}
}

func (c *cfgCA) pem() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw}))
}

// identity issues a signing identity with the OU (admin, client, peer) of its role.
func (c *cfgCA) identity(t *testing.T, mspID, cn, ou string) *configtx.SigningIdentity {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c.serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(c.serial), Subject: pkix.Name{CommonName: cn, OrganizationalUnit: []string{ou}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(12 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	raw, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &k.PublicKey, c.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(raw)
	return &configtx.SigningIdentity{Certificate: cert, PrivateKey: k, MSPID: mspID}
}

// crl is the PEM CRL the CA makes revoking the certificates given, as fabric-ca's gencrl does.
func (c *cfgCA) crl(t *testing.T, revoked ...*x509.Certificate) []byte {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, r := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: r.SerialNumber, RevocationTime: time.Now()})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(time.Now().UnixNano()),
		ThisUpdate: time.Now(), NextUpdate: time.Now().Add(24 * time.Hour), RevokedCertificateEntries: entries}, c.cert, c.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}

// testChannel is a channel configuration made in-process with netctl's policies: an orderer
// organization and five peer organizations, MAJORITY Admins everywhere.
type testChannel struct {
	cfg    *cb.Config
	cas    map[string]*cfgCA
	admins map[string]*configtx.SigningIdentity
}

var testPeerOrgs = []string{"Bank1MSP", "Bank2MSP", "ExchangeMSP", "IPOfficeMSP", "RegulatorMSP"}

func newTestChannel(t *testing.T) *testChannel {
	t.Helper()
	tc := &testChannel{cas: map[string]*cfgCA{}, admins: map[string]*configtx.SigningIdentity{}}
	var apps []configtx.Organization
	for i, m := range append([]string{"OrdererMSP", "Bank3MSP"}, testPeerOrgs...) {
		tc.cas[m] = newCfgCA(t, m)
		tc.admins[m] = tc.cas[m].identity(t, m, "admin", "admin")
		if i < 2 {
			continue
		}
		o, err := definitionOrg(tc.definition(m))
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, o)
	}
	ordOrg, err := definitionOrg(tc.definition("OrdererMSP"))
	if err != nil {
		t.Fatal(err)
	}
	ordOrg.AnchorPeers, ordOrg.OrdererEndpoints = nil, []string{"127.0.0.1:7002"}
	tlsCert := tc.cas["OrdererMSP"].identity(t, "OrdererMSP", "orderer1", "orderer").Certificate
	imp := func(r string) configtx.Policy { return configtx.Policy{Type: configtx.ImplicitMetaPolicyType, Rule: r} }
	std := map[string]configtx.Policy{"Readers": imp("ANY Readers"), "Writers": imp("ANY Writers"), "Admins": imp("MAJORITY Admins")}
	ch := configtx.Channel{
		Orderer: configtx.Orderer{OrdererType: orderer.ConsensusTypeEtcdRaft, Organizations: []configtx.Organization{ordOrg},
			EtcdRaft: orderer.EtcdRaft{Consenters: []orderer.Consenter{{Address: orderer.EtcdAddress{Host: "127.0.0.1", Port: 7002},
				ClientTLSCert: tlsCert, ServerTLSCert: tlsCert}},
				Options: orderer.EtcdRaftOptions{TickInterval: "200ms", ElectionTick: 10, HeartbeatTick: 1, MaxInflightBlocks: 5, SnapshotIntervalSize: 16 << 20}},
			Policies: map[string]configtx.Policy{"Readers": imp("ANY Readers"), "Writers": imp("ANY Writers"), "Admins": imp("MAJORITY Admins"),
				"BlockValidation": imp("ANY Writers")},
			Capabilities: []string{"V2_0"}, BatchSize: orderer.BatchSize{MaxMessageCount: 100, AbsoluteMaxBytes: 99 << 20, PreferredMaxBytes: 2 << 20},
			BatchTimeout: 100 * time.Millisecond, State: orderer.ConsensusStateNormal},
		Application: configtx.Application{Organizations: apps, Capabilities: []string{"V2_5"},
			Policies: map[string]configtx.Policy{"Readers": imp("ANY Readers"), "Writers": imp("ANY Writers"), "Admins": imp("MAJORITY Admins"),
				"Endorsement": imp("MAJORITY Endorsement"), "LifecycleEndorsement": imp("MAJORITY Endorsement")}},
		Capabilities: []string{"V3_0"},
		Policies:     std,
	}
	block, err := configtx.NewApplicationChannelGenesisBlock(ch, "ipledger")
	if err != nil {
		t.Fatal(err)
	}
	if tc.cfg, err = ConfigFromBlock(block); err != nil {
		t.Fatal(err)
	}
	return tc
}

func (tc *testChannel) definition(mspID string) *Definition {
	return &Definition{Format: DefinitionFormat, Name: strings.ToLower(strings.TrimSuffix(mspID, "MSP")), MSPID: mspID,
		CACert: tc.cas[mspID].pem(), Peer: "127.0.0.1:7072"}
}

// sign is the signature files of the update by the admins of the organizations given.
func (tc *testChannel) sign(t *testing.T, update []byte, orgs ...string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, o := range orgs {
		s, err := SignUpdate(tc.admins[o], update)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// apply is the configuration after an update, as the orderer would make it.
func (tc *testChannel) apply(t *testing.T, f func(c *configtx.ConfigTx)) *cb.Config {
	t.Helper()
	c := configtx.New(tc.cfg)
	f(&c)
	out := proto.Clone(c.UpdatedConfig()).(*cb.Config)
	bump(tc.cfg.ChannelGroup, out.ChannelGroup)
	return out
}

// bump raises the version of every element an update changed, as the orderer does on commit.
func bump(old, updated *cb.ConfigGroup) {
	if !sameKeys(old.GetGroups(), updated.Groups) || !sameKeys(old.GetValues(), updated.Values) || !sameKeys(old.GetPolicies(), updated.Policies) {
		updated.Version = old.GetVersion() + 1
	}
	for k, v := range updated.Values {
		if o := old.GetValues()[k]; o != nil && !proto.Equal(o, v) {
			v.Version = o.Version + 1
		}
	}
	for k, g := range updated.Groups {
		if o := old.GetGroups()[k]; o != nil {
			bump(o, g)
		}
	}
}

func sameKeys[V any](a, b map[string]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one containing %q", err, want)
	}
}

func TestAddOrgNeedsMajorityOfAdmins(t *testing.T) {
	tc := newTestChannel(t)
	upd, err := ProposeAddOrg(tc.cfg, "ipledger", tc.definition("Bank3MSP"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "Bank1MSP", "IPOfficeMSP"))
	wantErr(t, err, "majority not reached: MAJORITY Admins of 5 organizations")
	wantErr(t, err, "needs 3, has 2 (Bank1MSP, IPOfficeMSP)")
	// The same admin twice counts once.
	_, err = CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "Bank1MSP", "IPOfficeMSP", "IPOfficeMSP"))
	wantErr(t, err, "needs 3, has 2")
	check, err := CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "Bank1MSP", "IPOfficeMSP", "RegulatorMSP"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(check.Policies, " ") != "/Channel/Application/Admins" {
		t.Fatalf("policies %v", check.Policies)
	}
}

func TestAddOrgJoinersSignatureDoesNotCount(t *testing.T) {
	tc := newTestChannel(t)
	upd, err := ProposeAddOrg(tc.cfg, "ipledger", tc.definition("Bank3MSP"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "Bank1MSP", "IPOfficeMSP", "Bank3MSP"))
	wantErr(t, err, "MSP Bank3MSP is not an organization of the channel")
}

func TestAddOrgAlreadyMember(t *testing.T) {
	tc := newTestChannel(t)
	_, err := ProposeAddOrg(tc.cfg, "ipledger", tc.definition("Bank2MSP"))
	wantErr(t, err, "Bank2MSP is already an organization of channel ipledger")
}

func TestAddOrgDefinitionMustBeAPeerOrganization(t *testing.T) {
	tc := newTestChannel(t)
	d := tc.definition("Bank3MSP")
	d.Format = "ipledger-org/0"
	_, err := ProposeAddOrg(tc.cfg, "ipledger", d)
	wantErr(t, err, "not ipledger-org/1")
	d = tc.definition("Bank3MSP")
	d.Peer = ""
	_, err = ProposeAddOrg(tc.cfg, "ipledger", d)
	wantErr(t, err, "not a peer organization's")
}

func TestRemoveOrgUnknown(t *testing.T) {
	tc := newTestChannel(t)
	_, err := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank9MSP")
	wantErr(t, err, "Bank9MSP is not an organization of channel ipledger")
}

func TestRemoveOrgNeedsMajorityAndLeaverCounts(t *testing.T) {
	tc := newTestChannel(t)
	upd, err := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	if err != nil {
		t.Fatal(err)
	}
	_, changes, err := ReadUpdate(tc.cfg, "ipledger", upd)
	if err != nil || !strings.Contains(strings.Join(changes, "\n"), "removes /Channel/Application/Bank2MSP") {
		t.Fatalf("changes %v, %v", changes, err)
	}
	_, err = CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "Bank1MSP", "Bank2MSP"))
	wantErr(t, err, "needs 3, has 2")
	if _, err := CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "Bank1MSP", "Bank2MSP", "ExchangeMSP")); err != nil {
		t.Fatal(err)
	}
}

func TestCRLNeedsItsOwnOrganizationsAdmin(t *testing.T) {
	tc := newTestChannel(t)
	user := tc.cas["Bank1MSP"].identity(t, "Bank1MSP", "officer9", "client")
	upd, err := ProposeCRL(tc.cfg, "ipledger", "Bank1MSP", tc.cas["Bank1MSP"].crl(t, user.Certificate))
	if err != nil {
		t.Fatal(err)
	}
	_, err = CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "Bank2MSP", "ExchangeMSP", "IPOfficeMSP"))
	wantErr(t, err, "/Channel/Application/Bank1MSP/Admins not satisfied: no signature satisfies Bank1MSP.admin")
	u, _, err := ReadUpdate(tc.cfg, "ipledger", upd)
	if err != nil {
		t.Fatal(err)
	}
	if d := strings.Join(DescribeMSPs(u), "\n"); !strings.Contains(d, "Bank1MSP: root CA ca.Bank1MSP") || !strings.Contains(d, "revoked serial numbers: "+user.Certificate.SerialNumber.Text(16)) {
		t.Fatalf("the signer is not shown what it signs: %s", d)
	}
	check, err := CheckUpdate(tc.cfg, "ipledger", upd, tc.sign(t, upd, "Bank1MSP"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(check.Policies, " ") != "/Channel/Application/Bank1MSP/Admins" {
		t.Fatalf("policies %v", check.Policies)
	}
}

func TestCRLRevokedIdentityCannotSign(t *testing.T) {
	tc := newTestChannel(t)
	admin2 := tc.cas["Bank1MSP"].identity(t, "Bank1MSP", "admin2", "admin")
	upd, err := ProposeCRL(tc.cfg, "ipledger", "Bank1MSP", tc.cas["Bank1MSP"].crl(t, admin2.Certificate))
	if err != nil {
		t.Fatal(err)
	}
	revoked := tc.apply(t, func(c *configtx.ConfigTx) {
		m, _ := c.Application().Organization("Bank1MSP").MSP().Configuration()
		crls, _ := parseCRLs(tc.cas["Bank1MSP"].crl(t, admin2.Certificate))
		m.RevocationList = crls
		if err := c.Application().Organization("Bank1MSP").SetMSP(m); err != nil {
			t.Fatal(err)
		}
	})
	// Any later update signed by the revoked admin is refused by name.
	upd2, err := ProposeRemoveOrg(revoked, "ipledger", "Bank2MSP")
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := SignUpdate(admin2, upd2)
	_, err = CheckUpdate(revoked, "ipledger", upd2, [][]byte{sig})
	wantErr(t, err, "admin2 (Bank1MSP) is revoked by Bank1MSP's revocation list")
	_ = upd
}

func TestCRLFileMustHoldACRL(t *testing.T) {
	tc := newTestChannel(t)
	_, err := ProposeCRL(tc.cfg, "ipledger", "Bank1MSP", []byte(tc.cas["Bank1MSP"].pem()))
	wantErr(t, err, "CRL")
	_, err = ProposeCRL(tc.cfg, "ipledger", "Bank1MSP", []byte("nothing"))
	wantErr(t, err, "the CRL file holds no PEM CRL")
	_, err = ProposeCRL(tc.cfg, "ipledger", "Bank9MSP", tc.cas["Bank1MSP"].crl(t))
	wantErr(t, err, "Bank9MSP is not an organization of channel ipledger")
}

func TestSignatureMissing(t *testing.T) {
	tc := newTestChannel(t)
	upd, _ := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	_, err := CheckUpdate(tc.cfg, "ipledger", upd, nil)
	wantErr(t, err, "needs 3, has 0 (none)")
}

func TestSignatureInvalid(t *testing.T) {
	tc := newTestChannel(t)
	upd, _ := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	other, _ := ProposeRemoveOrg(tc.cfg, "ipledger", "ExchangeMSP")
	sigs := tc.sign(t, upd, "Bank1MSP", "IPOfficeMSP")
	sigs = append(sigs, tc.sign(t, other, "RegulatorMSP")...)
	_, err := CheckUpdate(tc.cfg, "ipledger", upd, sigs)
	wantErr(t, err, "signature 3: the signature by admin (RegulatorMSP) is not over this update")
	_, err = CheckUpdate(tc.cfg, "ipledger", upd, [][]byte{[]byte("garbage")})
	wantErr(t, err, "signature 1: not a configuration signature")
}

func TestSignatureByAnotherCA(t *testing.T) {
	tc := newTestChannel(t)
	upd, _ := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	forged := newCfgCA(t, "Bank1MSP").identity(t, "Bank1MSP", "admin", "admin")
	sig, _ := SignUpdate(forged, upd)
	_, err := CheckUpdate(tc.cfg, "ipledger", upd, [][]byte{sig})
	wantErr(t, err, "admin (Bank1MSP) is not an identity of Bank1MSP's CA")
}

func TestSignatureByANonAdmin(t *testing.T) {
	tc := newTestChannel(t)
	upd, _ := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	sigs := tc.sign(t, upd, "Bank1MSP", "IPOfficeMSP")
	client, _ := SignUpdate(tc.cas["RegulatorMSP"].identity(t, "RegulatorMSP", "officer1", "client"), upd)
	_, err := CheckUpdate(tc.cfg, "ipledger", upd, append(sigs, client))
	wantErr(t, err, "needs 3, has 2")
}

func TestUpdateStale(t *testing.T) {
	tc := newTestChannel(t)
	upd, _ := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	later := tc.apply(t, func(c *configtx.ConfigTx) { c.Application().RemoveOrganization("ExchangeMSP") })
	_, err := CheckUpdate(later, "ipledger", upd, tc.sign(t, upd, "Bank1MSP", "IPOfficeMSP", "RegulatorMSP"))
	wantErr(t, err, "stale update: it was computed when [Group] /Channel/Application was at version 0; the channel has it at version 1")
}

func TestUpdateOtherChannel(t *testing.T) {
	tc := newTestChannel(t)
	upd, _ := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	_, err := CheckUpdate(tc.cfg, "other", upd, nil)
	wantErr(t, err, `the update is for channel "ipledger", not other`)
	_, err = CheckUpdate(tc.cfg, "ipledger", []byte("\xff\xff"), nil)
	wantErr(t, err, "not a configuration update")
}

// A CRL update computed before another change of the same MSP value is stale, although its read set
// (the organization's group, which does not change) still matches: the value's version says so.
func TestCheckUpdate_AStaleCRLIsRefusedBeforeAnythingIsSent(t *testing.T) {
	tc := newTestChannel(t)
	a := tc.cas["Bank1MSP"].identity(t, "Bank1MSP", "a", "client")
	b := tc.cas["Bank1MSP"].identity(t, "Bank1MSP", "b", "client")
	crlA := tc.cas["Bank1MSP"].crl(t, a.Certificate)
	crlB := tc.cas["Bank1MSP"].crl(t, b.Certificate)
	updB, err := ProposeCRL(tc.cfg, "ipledger", "Bank1MSP", crlB)
	if err != nil {
		t.Fatal(err)
	}
	later := tc.apply(t, func(c *configtx.ConfigTx) {
		m, _ := c.Application().Organization("Bank1MSP").MSP().Configuration()
		m.RevocationList, _ = parseCRLs(crlA)
		_ = c.Application().Organization("Bank1MSP").SetMSP(m)
	})
	if _, err := CheckUpdate(later, "ipledger", updB, tc.sign(t, updB, "Bank1MSP")); err == nil || !strings.Contains(err.Error(), "stale update") {
		t.Fatalf("a stale CRL update: %v", err)
	}
}

// A CRL that would revoke nothing (not signed by a CA of the organization) or un-revoke a certificate
// (it lacks one the channel's list has) is refused when proposed.
func TestProposeCRL_RefusesAForeignOrAnOlderCRL(t *testing.T) {
	tc := newTestChannel(t)
	a := tc.cas["Bank1MSP"].identity(t, "Bank1MSP", "a", "client")
	b := tc.cas["Bank1MSP"].identity(t, "Bank1MSP", "b", "client")
	x := tc.cas["Bank2MSP"].identity(t, "Bank2MSP", "x", "client")
	if _, err := ProposeCRL(tc.cfg, "ipledger", "Bank1MSP", tc.cas["Bank2MSP"].crl(t, x.Certificate)); err == nil ||
		!strings.Contains(err.Error(), "not signed by a CA of Bank1MSP") {
		t.Fatalf("another organization's CRL: %v", err)
	}
	later := tc.apply(t, func(c *configtx.ConfigTx) {
		m, _ := c.Application().Organization("Bank1MSP").MSP().Configuration()
		m.RevocationList, _ = parseCRLs(tc.cas["Bank1MSP"].crl(t, a.Certificate))
		_ = c.Application().Organization("Bank1MSP").SetMSP(m)
	})
	if _, err := ProposeCRL(later, "ipledger", "Bank1MSP", tc.cas["Bank1MSP"].crl(t, b.Certificate)); err == nil ||
		!strings.Contains(err.Error(), "drops serial number") {
		t.Fatalf("a CRL without a revoked certificate: %v", err)
	}
	if _, err := ProposeCRL(later, "ipledger", "Bank1MSP", tc.cas["Bank1MSP"].crl(t, a.Certificate, b.Certificate)); err != nil {
		t.Fatalf("a CRL with both: %v", err)
	}
}

// The high-S form of a valid signature is refused, as Fabric refuses it.
func TestVerifySignature_RefusesHighS(t *testing.T) {
	tc := newTestChannel(t)
	upd, err := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := SignUpdate(tc.admins["Bank1MSP"], upd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifySignature(tc.cfg, upd, raw); err != nil {
		t.Fatalf("the low-S signature: %v", err)
	}
	cs := &cb.ConfigSignature{}
	if err := proto.Unmarshal(raw, cs); err != nil {
		t.Fatal(err)
	}
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(cs.Signature, &sig); err != nil {
		t.Fatal(err)
	}
	pub := tc.admins["Bank1MSP"].Certificate.PublicKey.(*ecdsa.PublicKey)
	sig.S = new(big.Int).Sub(pub.Curve.Params().N, sig.S)
	if cs.Signature, err = asn1.Marshal(sig); err != nil {
		t.Fatal(err)
	}
	high, _ := proto.Marshal(cs)
	if _, err := verifySignature(tc.cfg, upd, high); err == nil || !strings.Contains(err.Error(), "high S") {
		t.Fatalf("the high-S signature: %v", err)
	}
}
