package netctl

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/hyperledger/fabric-config/configtx"
	"github.com/hyperledger/fabric-config/configtx/membership"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// A channel configuration update is proposed on one host, signed by organizations' admins each on
// its own host, and submitted by one of them. The update (a marshalled common.ConfigUpdate) and the
// signatures (marshalled common.ConfigSignature) are the files that travel; each is checked on
// arrival against the sha256 its sender read out. Nothing secret travels.

// The kinds of update netctl proposes.
const (
	UpdateCRL       = "crl"        // set an organization's MSP revocation list
	UpdateAddOrg    = "add-org"    // add a peer organization from its definition (ipledger-org/1)
	UpdateRemoveOrg = "remove-org" // remove a peer organization
)

// ConfigFromBlock is the channel configuration a config block (or the genesis block) carries.
func ConfigFromBlock(block *cb.Block) (*cb.Config, error) {
	if block.GetData() == nil || len(block.Data.Data) == 0 {
		return nil, errors.New("the block holds no transaction")
	}
	env := &cb.Envelope{}
	if err := proto.Unmarshal(block.Data.Data[0], env); err != nil {
		return nil, err
	}
	pl := &cb.Payload{}
	if err := proto.Unmarshal(env.Payload, pl); err != nil {
		return nil, err
	}
	ce := &cb.ConfigEnvelope{}
	if err := proto.Unmarshal(pl.Data, ce); err != nil {
		return nil, err
	}
	if ce.Config == nil || ce.Config.ChannelGroup == nil {
		return nil, errors.New("the block is not a config block")
	}
	return ce.Config, nil
}

// ProposeCRL computes the update that replaces an application organization's MSP revocation list
// with the CRLs given (PEM): a CA's gencrl lists every certificate it has revoked, so its CRL
// replaces the one the channel has.
func ProposeCRL(cfg *cb.Config, channel, mspID string, crlPEM []byte) ([]byte, error) {
	crls, err := parseCRLs(crlPEM)
	if err != nil {
		return nil, err
	}
	c := configtx.New(cfg)
	org := c.Application().Organization(mspID)
	if org == nil {
		return nil, fmt.Errorf("%s is not an organization of channel %s", mspID, channel)
	}
	m, err := org.MSP().Configuration()
	if err != nil {
		return nil, err
	}
	if err := checkCRLs(mspID, append(slices.Clone(m.RootCerts), m.IntermediateCerts...), m.RevocationList, crls); err != nil {
		return nil, err
	}
	m.RevocationList = crls
	if err := org.SetMSP(m); err != nil {
		return nil, err
	}
	return computeUpdate(&c, channel)
}

// checkCRLs refuses CRLs that would not do what a revocation means: one not signed by a CA of the
// organization (Fabric ignores it, so it revokes nothing, and it would replace the real list), and a
// list that drops a certificate the channel has revoked (an older CRL, which would un-revoke it).
func checkCRLs(mspID string, cas []*x509.Certificate, current, next []*pkix.CertificateList) error {
	revoked := map[string]bool{}
	for _, crl := range next {
		signed := slices.ContainsFunc(cas, func(ca *x509.Certificate) bool {
			return ca.CheckCRLSignature(crl) == nil //nolint:staticcheck // the MSP configuration holds pkix.CertificateList
		})
		if !signed {
			return fmt.Errorf("the CRL issued by %q is not signed by a CA of %s: it would revoke nothing", crl.TBSCertList.Issuer.String(), mspID)
		}
		for _, r := range crl.TBSCertList.RevokedCertificates {
			revoked[r.SerialNumber.String()] = true
		}
	}
	for _, crl := range current {
		for _, r := range crl.TBSCertList.RevokedCertificates {
			if !revoked[r.SerialNumber.String()] {
				return fmt.Errorf("the CRL drops serial number %s, which %s has revoked on the channel: it is older than the channel's (generate it again at the CA)", r.SerialNumber, mspID)
			}
		}
	}
	return nil
}

// parseCRLs reads one or more PEM "X509 CRL" blocks.
func parseCRLs(raw []byte) ([]*pkix.CertificateList, error) {
	var out []*pkix.CertificateList
	for {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			break
		}
		//nolint:staticcheck // the MSP configuration holds pkix.CertificateList, which ParseCRL returns
		crl, err := x509.ParseCRL(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CRL: %w", err)
		}
		out = append(out, crl)
	}
	if len(out) == 0 {
		return nil, errors.New("the CRL file holds no PEM CRL")
	}
	return out, nil
}

// ProposeAddOrg computes the update that adds a peer organization from its definition, with the
// policies every organization of the channel has (configtx.yaml.tmpl) and its peer as anchor peer.
func ProposeAddOrg(cfg *cb.Config, channel string, d *Definition) ([]byte, error) {
	if d.Format != DefinitionFormat {
		return nil, fmt.Errorf("definition format %q, not %s", d.Format, DefinitionFormat)
	}
	if len(d.Orderers) > 0 || d.Peer == "" {
		return nil, fmt.Errorf("%s's definition is not a peer organization's (a peer and no orderers): only peer organizations join by an update", d.MSPID)
	}
	c := configtx.New(cfg)
	if c.Application().Organization(d.MSPID) != nil {
		return nil, fmt.Errorf("%s is already an organization of channel %s", d.MSPID, channel)
	}
	org, err := definitionOrg(d)
	if err != nil {
		return nil, err
	}
	if err := c.Application().SetOrganization(org); err != nil {
		return nil, err
	}
	return computeUpdate(&c, channel)
}

// definitionOrg is the channel organization a definition describes.
func definitionOrg(d *Definition) (configtx.Organization, error) {
	ca, err := parseCA(d.CACert)
	if err != nil {
		return configtx.Organization{}, err
	}
	host, port, err := splitHostPort(d.Peer)
	if err != nil {
		return configtx.Organization{}, fmt.Errorf("peer %q: %w", d.Peer, err)
	}
	ou := func(s string) membership.OUIdentifier {
		return membership.OUIdentifier{Certificate: ca, OrganizationalUnitIdentifier: s}
	}
	sig := func(rule string) configtx.Policy {
		return configtx.Policy{Type: configtx.SignaturePolicyType, Rule: strings.ReplaceAll(rule, "M", d.MSPID)}
	}
	return configtx.Organization{
		Name: d.MSPID,
		Policies: map[string]configtx.Policy{
			configtx.ReadersPolicyKey:     sig("OR('M.admin', 'M.peer', 'M.client', 'M.orderer')"),
			configtx.WritersPolicyKey:     sig("OR('M.admin', 'M.client', 'M.orderer')"),
			configtx.AdminsPolicyKey:      sig("OR('M.admin')"),
			configtx.EndorsementPolicyKey: sig("OR('M.peer')"),
		},
		MSP: configtx.MSP{Name: d.MSPID, RootCerts: []*x509.Certificate{ca}, TLSRootCerts: []*x509.Certificate{ca},
			CryptoConfig: membership.CryptoConfig{SignatureHashFamily: "SHA2", IdentityIdentifierHashFunction: "SHA256"},
			NodeOUs: membership.NodeOUs{Enable: true, ClientOUIdentifier: ou("client"), PeerOUIdentifier: ou("peer"),
				AdminOUIdentifier: ou("admin"), OrdererOUIdentifier: ou("orderer")}},
		AnchorPeers: []configtx.Address{{Host: host, Port: port}},
	}, nil
}

func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", 0, errors.New("no port")
	}
	var port int
	if _, err := fmt.Sscanf(addr[i+1:], "%d", &port); err != nil || port <= 0 || port > 65535 {
		return "", 0, errors.New("bad port")
	}
	return addr[:i], port, nil
}

// ProposeRemoveOrg computes the update that removes a peer organization from the channel.
func ProposeRemoveOrg(cfg *cb.Config, channel, mspID string) ([]byte, error) {
	c := configtx.New(cfg)
	if c.Application().Organization(mspID) == nil {
		return nil, fmt.Errorf("%s is not an organization of channel %s", mspID, channel)
	}
	c.Application().RemoveOrganization(mspID)
	return computeUpdate(&c, channel)
}

func computeUpdate(c *configtx.ConfigTx, channel string) ([]byte, error) {
	raw, err := c.ComputeMarshaledUpdate(channel)
	if err != nil {
		return nil, fmt.Errorf("no update: %w", err)
	}
	return raw, nil
}

// SignUpdate is an admin's signature of an update: the configuration signature Fabric checks.
func SignUpdate(id *configtx.SigningIdentity, update []byte) ([]byte, error) {
	sig, err := id.CreateConfigSignature(update)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(sig)
}

// configItem is one element of a configuration tree, flattened as Fabric's validator does.
type configItem struct {
	key       string // "[Group] /Channel/Application", "[Value] /Channel/Application/Bank1MSP/MSP"
	group     string // the path of the group that holds it (a group: its own path)
	version   uint64
	modPolicy string
}

// flatten lists every element of a configuration tree by key.
func flatten(g *cb.ConfigGroup) map[string]configItem {
	out := map[string]configItem{}
	var walk func(path string, g *cb.ConfigGroup)
	walk = func(path string, g *cb.ConfigGroup) {
		out["[Group] "+path] = configItem{key: "[Group] " + path, group: path, version: g.GetVersion(), modPolicy: g.GetModPolicy()}
		for k, v := range g.GetValues() {
			key := "[Value] " + path + "/" + k
			out[key] = configItem{key: key, group: path, version: v.GetVersion(), modPolicy: v.GetModPolicy()}
		}
		for k, p := range g.GetPolicies() {
			key := "[Policy] " + path + "/" + k
			out[key] = configItem{key: key, group: path, version: p.GetVersion(), modPolicy: p.GetModPolicy()}
		}
		for k, sub := range g.GetGroups() {
			walk(path+"/"+k, sub)
		}
	}
	if g != nil {
		walk("/Channel", g)
	}
	return out
}

// UpdateCheck is what the checks of an update found: what it changes, which policies it needs and
// which organizations' admins signed it.
type UpdateCheck struct {
	Changes  []string
	Policies []string
	Signers  []string
}

// ReadUpdate parses an update and checks it against the channel's current configuration: its
// channel, and that every element it read is at the version the channel has (else it was computed
// on an older configuration, and the orderer would refuse it).
func ReadUpdate(cfg *cb.Config, channel string, raw []byte) (*cb.ConfigUpdate, []string, error) {
	u := &cb.ConfigUpdate{}
	if err := proto.Unmarshal(raw, u); err != nil {
		return nil, nil, fmt.Errorf("not a configuration update: %w", err)
	}
	if u.ChannelId != channel {
		return nil, nil, fmt.Errorf("the update is for channel %q, not %s", u.ChannelId, channel)
	}
	current := flatten(cfg.ChannelGroup)
	reads := flatten(u.ReadSet)
	keys := make([]string, 0, len(reads))
	for k := range reads {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		it := reads[key]
		have, ok := current[key]
		if !ok {
			return nil, nil, fmt.Errorf("stale update: it reads %s, which the channel no longer has", key)
		}
		if have.version != it.version {
			return nil, nil, fmt.Errorf("stale update: it was computed when %s was at version %d; the channel has it at version %d (propose it again)", key, it.version, have.version)
		}
	}
	var changes []string
	for key, it := range flatten(u.WriteSet) {
		if r, ok := reads[key]; !ok || r.version != it.version {
			// A changed element is written at its version + 1 and left out of the read set (a value
			// of a group that does not change, say an MSP's CRL): its version tells whether the
			// update was computed from the configuration the channel has now.
			if have, ok := current[key]; ok && it.version != have.version+1 {
				return nil, nil, fmt.Errorf("stale update: it sets %s to version %d; the channel has it at version %d (propose it again)", key, it.version, have.version)
			} else if !ok && it.version != 0 {
				return nil, nil, fmt.Errorf("stale update: it sets %s, which the channel no longer has, to version %d (propose it again)", key, it.version)
			}
			changes = append(changes, key)
		}
	}
	for key := range current {
		if strings.HasPrefix(key, "[Group] ") && isRemoved(key, u, current) {
			changes = append(changes, "removes "+strings.TrimPrefix(key, "[Group] "))
		}
	}
	sort.Strings(changes)
	if len(changes) == 0 {
		return nil, nil, errors.New("the update changes nothing")
	}
	return u, changes, nil
}

// isRemoved says whether a group of the current configuration is dropped by the update: its parent
// is in the write set at a new version without it.
func isRemoved(key string, u *cb.ConfigUpdate, current map[string]configItem) bool {
	path := strings.TrimPrefix(key, "[Group] ")
	i := strings.LastIndexByte(path, '/')
	if i <= 0 {
		return false
	}
	parent := groupAt(u.WriteSet, path[:i])
	rparent := groupAt(u.ReadSet, path[:i])
	if parent == nil || (rparent != nil && rparent.Version == parent.Version) {
		return false
	}
	_, kept := parent.Groups[path[i+1:]]
	return !kept
}

// groupAt is the group at a path (/Channel/...) of a tree, or nil.
func groupAt(root *cb.ConfigGroup, path string) *cb.ConfigGroup {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if root == nil || len(parts) == 0 || parts[0] != "Channel" {
		return nil
	}
	g := root
	for _, p := range parts[1:] {
		if g = g.GetGroups()[p]; g == nil {
			return nil
		}
	}
	return g
}

// CheckUpdate checks an update and its signatures against the channel's current configuration, as
// the orderer will: each signature valid, over this update, by a valid identity of an organization of
// the channel; and every policy the update's changes need (each changed element's mod_policy, read
// from the configuration) satisfied by the signers. Each failure is named.
func CheckUpdate(cfg *cb.Config, channel string, raw []byte, sigs [][]byte) (*UpdateCheck, error) {
	u, changes, err := ReadUpdate(cfg, channel, raw)
	if err != nil {
		return nil, err
	}
	signers, err := verifySignatures(cfg, raw, sigs)
	if err != nil {
		return nil, err
	}
	check := &UpdateCheck{Changes: changes}
	for _, s := range signers {
		check.Signers = append(check.Signers, s.mspID)
	}
	current := flatten(cfg.ChannelGroup)
	reads := flatten(u.ReadSet)
	needed := map[string]bool{}
	for key, it := range flatten(u.WriteSet) {
		if r, ok := reads[key]; ok && r.version == it.version {
			continue
		}
		have, ok := current[key]
		if !ok {
			continue // a new element: its parent group's policy governs it
		}
		needed[policyPath(have)] = true
	}
	for p := range needed {
		check.Policies = append(check.Policies, p)
	}
	sort.Strings(check.Policies)
	for _, p := range check.Policies {
		if err := evalPolicy(cfg.ChannelGroup, p, signers); err != nil {
			return check, fmt.Errorf("%s not satisfied: %w", p, err)
		}
	}
	return check, nil
}

// policyPath resolves an element's mod_policy: absolute, or relative to the group that holds it.
func policyPath(it configItem) string {
	if strings.HasPrefix(it.modPolicy, "/") {
		return it.modPolicy
	}
	return it.group + "/" + it.modPolicy
}

// signer is a verified signer of an update.
type signer struct {
	mspID string
	cert  *x509.Certificate
	roles map[mb.MSPRole_MSPRoleType]bool
}

// verifySignatures checks each signature: its creator an identity of an organization of the channel
// (chained to its CA, not revoked), the signature over this update.
func verifySignatures(cfg *cb.Config, update []byte, sigs [][]byte) ([]signer, error) {
	var out []signer
	for i, raw := range sigs {
		s, err := verifySignature(cfg, update, raw)
		if err != nil {
			return nil, fmt.Errorf("signature %d: %w", i+1, err)
		}
		if slices.ContainsFunc(out, func(o signer) bool { return o.cert.Equal(s.cert) }) {
			continue // the same identity twice counts once, as Fabric deduplicates
		}
		out = append(out, s)
	}
	return out, nil
}

func verifySignature(cfg *cb.Config, update, raw []byte) (signer, error) {
	cs := &cb.ConfigSignature{}
	if err := proto.Unmarshal(raw, cs); err != nil || len(cs.SignatureHeader) == 0 || len(cs.Signature) == 0 {
		return signer{}, errors.New("not a configuration signature")
	}
	sh := &cb.SignatureHeader{}
	if err := proto.Unmarshal(cs.SignatureHeader, sh); err != nil {
		return signer{}, fmt.Errorf("signature header: %w", err)
	}
	sid := &mb.SerializedIdentity{}
	if err := proto.Unmarshal(sh.Creator, sid); err != nil {
		return signer{}, fmt.Errorf("creator: %w", err)
	}
	s, err := validateIdentity(cfg, sid)
	if err != nil {
		return signer{}, err
	}
	pub, ok := s.cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return signer{}, fmt.Errorf("%s's key is not ECDSA", s.mspID)
	}
	digest := sha256.Sum256(append(append([]byte{}, cs.SignatureHeader...), update...))
	if !ecdsa.VerifyASN1(pub, digest[:], cs.Signature) {
		return signer{}, fmt.Errorf("the signature by %s (%s) is not over this update", s.cert.Subject.CommonName, s.mspID)
	}
	if highS(pub, cs.Signature) {
		return signer{}, fmt.Errorf("the signature by %s (%s) has a high S value, which Fabric refuses: sign it again with netctl", s.cert.Subject.CommonName, s.mspID)
	}
	return s, nil
}

// highS says whether an ECDSA signature's S is above half the curve's order: Fabric accepts only the
// low-S form of a signature.
func highS(pub *ecdsa.PublicKey, der []byte) bool {
	var sig struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &sig); err != nil || sig.S == nil {
		return true
	}
	half := new(big.Int).Rsh(pub.Curve.Params().N, 1)
	return sig.S.Cmp(half) > 0
}

// validateIdentity checks a creator against its organization's MSP in the configuration: the
// organization is in the channel, the certificate chains to one of its CAs and is not revoked; it
// returns the roles its NodeOUs give it.
func validateIdentity(cfg *cb.Config, sid *mb.SerializedIdentity) (signer, error) {
	m, err := channelMSP(cfg.ChannelGroup, sid.Mspid)
	if err != nil {
		return signer{}, err
	}
	b, _ := pem.Decode(sid.IdBytes)
	if b == nil {
		return signer{}, fmt.Errorf("the creator of %s holds no certificate", sid.Mspid)
	}
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return signer{}, err
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, p := range m.RootCerts {
		if c, err := parsePEMCert(p); err == nil {
			roots.AddCert(c)
		}
	}
	for _, p := range m.IntermediateCerts {
		if c, err := parsePEMCert(p); err == nil {
			inter.AddCert(c)
		}
	}
	chains, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return signer{}, fmt.Errorf("%s (%s) is not an identity of %s's CA: %w", cert.Subject.CommonName, sid.Mspid, sid.Mspid, err)
	}
	if revoked(m, cert, chains[0]) {
		return signer{}, fmt.Errorf("%s (%s) is revoked by %s's revocation list", cert.Subject.CommonName, sid.Mspid, sid.Mspid)
	}
	return signer{mspID: sid.Mspid, cert: cert, roles: rolesOf(m, cert)}, nil
}

func parsePEMCert(p []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(p)
	if b == nil {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(b.Bytes)
}

// revoked says whether a CRL of the MSP, signed by the certificate's issuer, lists it.
func revoked(m *mb.FabricMSPConfig, cert *x509.Certificate, chain []*x509.Certificate) bool {
	if len(chain) < 2 {
		return false
	}
	issuer := chain[1]
	for _, p := range m.RevocationList {
		b, _ := pem.Decode(p)
		der := p
		if b != nil {
			der = b.Bytes
		}
		crl, err := x509.ParseRevocationList(der)
		if err != nil || crl.CheckSignatureFrom(issuer) != nil {
			continue
		}
		for _, rc := range crl.RevokedCertificateEntries {
			if rc.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				return true
			}
		}
	}
	return false
}

// rolesOf is the roles a valid identity has in its MSP: member always, admin by the admin OU or by
// being one of the MSP's admin certificates, client, peer and orderer by their OUs.
func rolesOf(m *mb.FabricMSPConfig, cert *x509.Certificate) map[mb.MSPRole_MSPRoleType]bool {
	roles := map[mb.MSPRole_MSPRoleType]bool{mb.MSPRole_MEMBER: true}
	for _, a := range m.Admins {
		if c, err := parsePEMCert(a); err == nil && c.Equal(cert) {
			roles[mb.MSPRole_ADMIN] = true
		}
	}
	ous := m.GetFabricNodeOus()
	if !ous.GetEnable() {
		return roles
	}
	for role, id := range map[mb.MSPRole_MSPRoleType]*mb.FabricOUIdentifier{
		mb.MSPRole_ADMIN: ous.AdminOuIdentifier, mb.MSPRole_CLIENT: ous.ClientOuIdentifier,
		mb.MSPRole_PEER: ous.PeerOuIdentifier, mb.MSPRole_ORDERER: ous.OrdererOuIdentifier,
	} {
		if id != nil && slices.Contains(cert.Subject.OrganizationalUnit, id.OrganizationalUnitIdentifier) {
			roles[role] = true
		}
	}
	return roles
}

// channelMSP is the MSP configuration of an organization of the channel (application or orderer).
func channelMSP(root *cb.ConfigGroup, mspID string) (*mb.FabricMSPConfig, error) {
	for _, section := range []string{"Application", "Orderer"} {
		for _, org := range root.GetGroups()[section].GetGroups() {
			v := org.GetValues()["MSP"]
			if v == nil {
				continue
			}
			mc := &mb.MSPConfig{}
			if err := proto.Unmarshal(v.Value, mc); err != nil {
				return nil, err
			}
			fc := &mb.FabricMSPConfig{}
			if err := proto.Unmarshal(mc.Config, fc); err != nil {
				return nil, err
			}
			if fc.Name == mspID {
				return fc, nil
			}
		}
	}
	return nil, fmt.Errorf("MSP %s is not an organization of the channel", mspID)
}

// evalPolicy evaluates the policy at a path (/Channel/.../Name) of the configuration for the
// signers, as Fabric does: an implicit meta policy counts its sub-groups' policies of that name, a
// signature policy its principals.
func evalPolicy(root *cb.ConfigGroup, path string, signers []signer) error {
	i := strings.LastIndexByte(path, '/')
	group := groupAt(root, path[:i])
	name := path[i+1:]
	cp := group.GetPolicies()[name]
	if cp == nil || cp.Policy == nil {
		return fmt.Errorf("the channel has no policy %s", path)
	}
	switch cb.Policy_PolicyType(cp.Policy.Type) {
	case cb.Policy_IMPLICIT_META:
		return evalImplicitMeta(root, path, group, cp.Policy.Value, signers)
	case cb.Policy_SIGNATURE:
		env := &cb.SignaturePolicyEnvelope{}
		if err := proto.Unmarshal(cp.Policy.Value, env); err != nil {
			return err
		}
		if !evalSignature(env.Rule, env.Identities, signers, map[int]bool{}) {
			return fmt.Errorf("no signature satisfies %s", describePrincipals(env.Identities))
		}
		return nil
	}
	return fmt.Errorf("policy %s is of a type netctl does not evaluate (%d)", path, cp.Policy.Type)
}

func evalImplicitMeta(root *cb.ConfigGroup, path string, group *cb.ConfigGroup, raw []byte, signers []signer) error {
	im := &cb.ImplicitMetaPolicy{}
	if err := proto.Unmarshal(raw, im); err != nil {
		return err
	}
	names := make([]string, 0, len(group.Groups))
	for k := range group.Groups {
		names = append(names, k)
	}
	sort.Strings(names)
	var met []string
	for _, k := range names {
		if evalPolicy(root, path[:strings.LastIndexByte(path, '/')]+"/"+k+"/"+im.SubPolicy, signers) == nil {
			met = append(met, k)
		}
	}
	need := 1
	switch im.Rule {
	case cb.ImplicitMetaPolicy_ALL:
		need = len(names)
	case cb.ImplicitMetaPolicy_MAJORITY:
		need = len(names)/2 + 1
	}
	if len(met) >= need {
		return nil
	}
	return fmt.Errorf("majority not reached: %s %s of %d organizations (%s) needs %d, has %d (%s)",
		im.Rule, im.SubPolicy, len(names), strings.Join(names, ", "), need, len(met), orNone(met))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// evalSignature evaluates a signature policy rule; used marks the signers already counted.
func evalSignature(rule *cb.SignaturePolicy, ids []*mb.MSPPrincipal, signers []signer, used map[int]bool) bool {
	switch t := rule.GetType().(type) {
	case *cb.SignaturePolicy_SignedBy:
		if int(t.SignedBy) >= len(ids) {
			return false
		}
		for i, s := range signers {
			if !used[i] && satisfies(s, ids[t.SignedBy]) {
				used[i] = true
				return true
			}
		}
		return false
	case *cb.SignaturePolicy_NOutOf_:
		n := 0
		for _, r := range t.NOutOf.Rules {
			if evalSignature(r, ids, signers, used) {
				n++
			}
		}
		return n >= int(t.NOutOf.N)
	}
	return false
}

func satisfies(s signer, p *mb.MSPPrincipal) bool {
	if p.PrincipalClassification != mb.MSPPrincipal_ROLE {
		return false
	}
	r := &mb.MSPRole{}
	if proto.Unmarshal(p.Principal, r) != nil {
		return false
	}
	return r.MspIdentifier == s.mspID && s.roles[r.Role]
}

func describePrincipals(ids []*mb.MSPPrincipal) string {
	var out []string
	for _, p := range ids {
		r := &mb.MSPRole{}
		if proto.Unmarshal(p.Principal, r) == nil {
			out = append(out, r.MspIdentifier+"."+strings.ToLower(r.Role.String()))
		}
	}
	return strings.Join(out, ", ")
}

// parsePrivateKey reads a PEM PKCS#8 private key, as fabric-ca-client writes keystore/key.pem.
func parsePrivateKey(raw []byte) (crypto.PrivateKey, error) {
	b, _ := pem.Decode(raw)
	if b == nil {
		return nil, errors.New("no PEM private key")
	}
	return x509.ParsePKCS8PrivateKey(b.Bytes)
}

// DescribeMSPs says, for each organization MSP an update writes, what a signer must recognise: its
// root CAs (subject and sha256 of the certificate) and the serial numbers its revocation lists name.
func DescribeMSPs(u *cb.ConfigUpdate) []string {
	var out []string
	for name, org := range u.GetWriteSet().GetGroups()["Application"].GetGroups() {
		v := org.GetValues()["MSP"]
		if v == nil {
			continue
		}
		mc := &mb.MSPConfig{}
		fc := &mb.FabricMSPConfig{}
		if proto.Unmarshal(v.Value, mc) != nil || proto.Unmarshal(mc.Config, fc) != nil {
			out = append(out, name+": an MSP that does not parse")
			continue
		}
		var roots, serials []string
		for _, p := range fc.RootCerts {
			if c, err := parsePEMCert(p); err == nil {
				sum := sha256.Sum256(c.Raw)
				roots = append(roots, fmt.Sprintf("%s (sha256 %x)", c.Subject.CommonName, sum))
			}
		}
		for _, p := range fc.RevocationList {
			der := p
			if b, _ := pem.Decode(p); b != nil {
				der = b.Bytes
			}
			if crl, err := x509.ParseRevocationList(der); err == nil {
				for _, rc := range crl.RevokedCertificateEntries {
					serials = append(serials, rc.SerialNumber.Text(16))
				}
			}
		}
		out = append(out, fmt.Sprintf("%s: root CA %s; revoked serial numbers: %s", name, strings.Join(roots, ", "), orNone(serials)))
	}
	sort.Strings(out)
	return out
}
