package netctl

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefinitionFormat names the format of an organization's definition file.
const DefinitionFormat = "ipledger-org/1"

// Definition is what an organization tells the others about itself: its CA certificate (the root of
// its identities and of its TLS certificates), its endpoints, and its orderers' TLS certificates, which
// the channel names as consenters. It holds nothing secret: it is a file a person can send, checked on
// arrival against the sha256 its sender reads out. A host of an orderer organization that does not
// run the CA sends a definition with its orderers only.
type Definition struct {
	Format   string       `json:"format"`
	Name     string       `json:"name"`
	MSPID    string       `json:"mspId"`
	CACert   string       `json:"caCert,omitempty"`
	Peer     string       `json:"peer,omitempty"`
	Orderers []OrdererDef `json:"orderers,omitempty"`
}

// OrdererDef is one orderer of a definition.
type OrdererDef struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	TLSCert string `json:"tlsCert"`
}

// ExportDir is where a host writes the files it sends to the others.
func (n *Network) ExportDir() string { return filepath.Join(n.Dir, "export") }

// Artifact is a file to send, with its content hash.
type Artifact struct {
	Path   string
	SHA256 string
}

// FileSHA256 is the hex sha256 of a file's content.
func FileSHA256(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}

// ExportDefinition writes this host's organization definition to the export directory.
func (n *Network) ExportDefinition() (Artifact, error) {
	if !n.scoped() {
		return Artifact{}, errors.New("only a host of one organization (a data directory made by `org init`) exports a definition")
	}
	o := n.Top.Organizations[0]
	d := Definition{Format: DefinitionFormat, Name: o.Name, MSPID: o.MSPID}
	if !o.remoteCA {
		ca, err := os.ReadFile(n.caCert(o))
		if err != nil {
			return Artifact{}, err
		}
		d.CACert = string(ca)
	}
	if o.Peer != nil {
		d.Peer = Addr(o.Host, o.Peer.Port)
	}
	for _, ord := range o.Orderers {
		cert, err := os.ReadFile(filepath.Join(n.nodeDir(o, ord.Name), "tls", "cert.pem"))
		if err != nil {
			return Artifact{}, err
		}
		d.Orderers = append(d.Orderers, OrdererDef{Name: ord.Name, Address: Addr(ord.Host, ord.Port), TLSCert: string(cert)})
	}
	name := o.Name + ".org.json"
	if o.remoteCA {
		name = o.Name + "." + o.Orderers[0].Name + ".node.json"
	}
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return Artifact{}, err
	}
	return n.export(name, append(raw, '\n'))
}

// export writes a file to send into the export directory.
func (n *Network) export(name string, raw []byte) (Artifact, error) {
	if err := os.MkdirAll(n.ExportDir(), 0o755); err != nil {
		return Artifact{}, err
	}
	path := filepath.Join(n.ExportDir(), name)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		return Artifact{}, err
	}
	sum := sha256.Sum256(raw)
	return Artifact{Path: path, SHA256: hex.EncodeToString(sum[:])}, nil
}

// exportFile copies a file of this host into the export directory under a name.
func (n *Network) exportFile(path, name string) (Artifact, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Artifact{}, err
	}
	return n.export(name, raw)
}

// Import takes in a file another host sent: an organization's definition (*.json) or the channel's
// genesis block (*.block). want is the file's sha256 as its sender read it out: a file with another
// hash is refused, and so is an import without one. It returns what the file was.
func (n *Network) Import(path, want string) (string, error) {
	if !n.scoped() {
		return "", errors.New("only a host of one organization (a data directory made by `org init`) imports files from other hosts")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(raw)
	got := hex.EncodeToString(sum[:])
	want = strings.TrimPrefix(want, "sha256:")
	if want == "" {
		return "", fmt.Errorf("%s: no sha256 to compare (FILE@SHA256, as its sender read it out); its sha256 is %s", path, got)
	}
	if !strings.EqualFold(want, got) {
		return "", fmt.Errorf("%s: sha256 is %s, not %s as its sender said: refused", path, got, want)
	}
	if strings.HasSuffix(path, ".block") {
		return "the channel's genesis block", n.importGenesis(raw)
	}
	var d Definition
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	if err := n.importDefinition(&d); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return "the definition of " + d.MSPID, nil
}

func (n *Network) importGenesis(block []byte) error {
	st, err := n.loadState()
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(n.genesisBlock()); err == nil && !bytes.Equal(old, block) {
		return errors.New("this host has another genesis block already")
	}
	if err := os.MkdirAll(n.channelDir(), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(n.genesisBlock(), block, 0o644); err != nil {
		return err
	}
	st.Genesis = true
	return n.saveState(st)
}

// importDefinition checks a definition against the plan (names, endpoints), against what this host
// has already (a CA certificate is never replaced by another) and its certificates against its CA;
// only then does it write its public parts where this host's own enrolment would have put them: the
// channel MSP and the orderers' TLS certificates. A refused definition writes nothing.
func (n *Network) importDefinition(d *Definition) error {
	o, err := n.checkDefinition(d)
	if err != nil {
		return err
	}
	caPEM := d.CACert
	if old, err := os.ReadFile(n.caCert(o)); err == nil {
		if caPEM != "" && !bytes.Equal(bytes.TrimSpace(old), bytes.TrimSpace([]byte(caPEM))) {
			return fmt.Errorf("%s's definition names another CA certificate than the one this host has: refused", d.Name)
		}
		caPEM = string(old)
	}
	if caPEM == "" {
		return fmt.Errorf("import %s's own definition (with its CA certificate) first", d.Name)
	}
	ca, err := parseCA(caPEM)
	if err != nil {
		return err
	}
	for _, od := range d.Orderers {
		if err := n.checkOrderer(o, od, ca); err != nil {
			return err
		}
	}
	if d.CACert != "" {
		if err := writeMSP(n.orgMSP(o), []byte(d.CACert)); err != nil {
			return err
		}
	}
	for _, od := range d.Orderers {
		dir := filepath.Join(n.nodeDir(o, od.Name), "tls")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "cert.pem"), []byte(od.TLSCert), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// checkDefinition checks a definition's format, organization and peer endpoint against the plan.
func (n *Network) checkDefinition(d *Definition) (*Organization, error) {
	if d.Format != DefinitionFormat {
		return nil, fmt.Errorf("format %q, not %s", d.Format, DefinitionFormat)
	}
	o := n.planOrg(d.Name)
	if o == nil || o.MSPID != d.MSPID {
		return nil, fmt.Errorf("%s (%s) is not an organization of the topology", d.Name, d.MSPID)
	}
	if n.isLocal(o) && d.CACert != "" && !n.Top.Organizations[0].remoteCA {
		return nil, fmt.Errorf("%s is this host's own organization: its definition is made here", d.Name)
	}
	if o.Peer != nil && d.CACert != "" && d.Peer != Addr(o.Host, o.Peer.Port) {
		return nil, fmt.Errorf("%s's peer is at %s, not %s as the topology says", d.Name, d.Peer, Addr(o.Host, o.Peer.Port))
	}
	return o, nil
}

// checkOrderer checks one orderer of a definition: in the plan at that address, not one of this
// host's, and its TLS certificate issued by the organization's CA to that orderer for its host.
func (n *Network) checkOrderer(o *Organization, od OrdererDef, ca *x509.Certificate) error {
	i := slices.IndexFunc(o.Orderers, func(s OrdererSpec) bool { return s.Name == od.Name })
	if i < 0 || od.Address != Addr(o.Orderers[i].Host, o.Orderers[i].Port) {
		return fmt.Errorf("orderer %s at %s is not in the topology", od.Name, od.Address)
	}
	if n.isLocal(o) && slices.ContainsFunc(n.Top.Organizations[0].Orderers, func(l OrdererSpec) bool { return l.Name == od.Name }) {
		return fmt.Errorf("orderer %s runs on this host: its certificate is made here", od.Name)
	}
	block, _ := pem.Decode([]byte(od.TLSCert))
	if block == nil {
		return fmt.Errorf("orderer %s: no TLS certificate", od.Name)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("orderer %s: %w", od.Name, err)
	}
	if cert.Subject.CommonName != od.Name {
		return fmt.Errorf("orderer %s: its TLS certificate is %q's", od.Name, cert.Subject.CommonName)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: o.Orderers[i].Host}); err != nil {
		return fmt.Errorf("orderer %s's TLS certificate: %w", od.Name, err)
	}
	return nil
}

// parseCA parses a CA certificate in PEM.
func parseCA(p string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, errors.New("caCert holds no PEM certificate")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	if !c.IsCA {
		return nil, fmt.Errorf("caCert %q is not a CA certificate", c.Subject.CommonName)
	}
	return c, nil
}

// MakeGenesis makes the channel's genesis block on the host of the orderer organization's CA, from
// the definitions it has imported, and writes it to the export directory for the other hosts.
func (n *Network) MakeGenesis() (Artifact, error) {
	if !n.scoped() || len(n.Top.Organizations[0].Orderers) == 0 || n.Top.Organizations[0].remoteCA {
		return Artifact{}, errors.New("the genesis block is made on the orderer organization's CA host")
	}
	var missing []string
	for _, o := range n.plan().Organizations {
		if _, err := os.Stat(n.caCert(o)); err != nil {
			missing = append(missing, o.Name)
		}
		for _, ord := range o.Orderers {
			if _, err := os.Stat(filepath.Join(n.nodeDir(o, ord.Name), "tls", "cert.pem")); err != nil {
				missing = append(missing, ord.Name)
			}
		}
	}
	if len(missing) > 0 {
		return Artifact{}, fmt.Errorf("definitions not imported yet: %s", strings.Join(missing, ", "))
	}
	st, err := n.loadState()
	if err != nil {
		return Artifact{}, err
	}
	// Made once: configtxgen stamps the time into the block, so making it again would give the
	// channel another genesis block than the one the orderers joined with and the hosts imported (also
	// one made by a genesis that was interrupted before it recorded it).
	if _, err := os.Stat(n.genesisBlock()); err != nil {
		if err := n.writeGenesis(); err != nil {
			return Artifact{}, err
		}
	}
	if !st.Genesis {
		st.Genesis = true
		if err := n.saveState(st); err != nil {
			return Artifact{}, err
		}
	}
	raw, err := os.ReadFile(n.genesisBlock())
	if err != nil {
		return Artifact{}, err
	}
	return n.export(n.Top.Channel+".block", raw)
}

// PlaceEnrollSecret copies, on an orderer's own host, the one-time enrolment secret sent from the CA's
// host to where enrolment reads it.
func (n *Network) PlaceEnrollSecret(node, file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	o := n.Top.Organizations[0]
	path := n.enrollSecretFile(o, node)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return writePrivate(path, raw)
}

// EnrollSecrets lists, on the CA's host of an orderer organization, the one-time enrolment secrets of
// the orderers that run on other hosts.
func (n *Network) EnrollSecrets() []string {
	if !n.scoped() || n.Top.Organizations[0].remoteCA {
		return nil
	}
	files, _ := filepath.Glob(n.enrollSecretFile(n.Top.Organizations[0], "*"))
	return files
}
