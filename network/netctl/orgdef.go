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
	return n.export(name, d)
}

func (n *Network) export(name string, v any) (Artifact, error) {
	if err := os.MkdirAll(n.ExportDir(), 0o755); err != nil {
		return Artifact{}, err
	}
	path := filepath.Join(n.ExportDir(), name)
	if err := writeJSON(path, v); err != nil {
		return Artifact{}, err
	}
	sum, err := FileSHA256(path)
	return Artifact{Path: path, SHA256: sum}, err
}

// Import takes in a file another host sent: an organization's definition (*.json) or the channel's
// genesis block (*.block). When want is not empty it must be the file's sha256, as its sender read it
// out. It returns what the file was.
func (n *Network) Import(path, want string) (string, error) {
	sum, err := FileSHA256(path)
	if err != nil {
		return "", err
	}
	if want != "" && !strings.EqualFold(strings.TrimPrefix(want, "sha256:"), sum) {
		return "", fmt.Errorf("%s: sha256 is %s, not %s as its sender said: refused", path, sum, want)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
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

// importDefinition checks a definition against the plan (names, endpoints) and its certificates
// against its CA, then writes its public parts where this host's own enrolment would have put them:
// the channel MSP and the orderers' TLS certificates.
func (n *Network) importDefinition(d *Definition) error {
	if d.Format != DefinitionFormat {
		return fmt.Errorf("format %q, not %s", d.Format, DefinitionFormat)
	}
	o := n.planOrg(d.Name)
	if o == nil || o.MSPID != d.MSPID {
		return fmt.Errorf("%s (%s) is not an organization of the topology", d.Name, d.MSPID)
	}
	if n.isLocal(o) && d.CACert != "" && !n.Top.Organizations[0].remoteCA {
		return fmt.Errorf("%s is this host's own organization: its definition is made here", d.Name)
	}
	if o.Peer != nil && d.CACert != "" && d.Peer != Addr(o.Host, o.Peer.Port) {
		return fmt.Errorf("%s's peer is at %s, not %s as the topology says", d.Name, d.Peer, Addr(o.Host, o.Peer.Port))
	}
	if d.CACert != "" {
		if _, err := parseCA(d.CACert); err != nil {
			return err
		}
		if err := writeMSP(n.orgMSP(o), []byte(d.CACert)); err != nil {
			return err
		}
	}
	ca, err := os.ReadFile(n.caCert(o))
	if err != nil {
		return fmt.Errorf("import %s's own definition (with its CA certificate) first", d.Name)
	}
	for _, od := range d.Orderers {
		if err := n.importOrderer(o, od, string(ca)); err != nil {
			return err
		}
	}
	return nil
}

func (n *Network) importOrderer(o *Organization, od OrdererDef, caPEM string) error {
	var spec *OrdererSpec
	for i := range o.Orderers {
		if o.Orderers[i].Name == od.Name {
			spec = &o.Orderers[i]
		}
	}
	if spec == nil || od.Address != Addr(spec.Host, spec.Port) {
		return fmt.Errorf("orderer %s at %s is not in the topology", od.Name, od.Address)
	}
	if n.isLocal(o) && slices.ContainsFunc(n.Top.Organizations[0].Orderers, func(l OrdererSpec) bool { return l.Name == od.Name }) {
		return fmt.Errorf("orderer %s runs on this host: its certificate is made here", od.Name)
	}
	roots, err := parseCA(caPEM)
	if err != nil {
		return err
	}
	block, _ := pem.Decode([]byte(od.TLSCert))
	if block == nil {
		return fmt.Errorf("orderer %s: no TLS certificate", od.Name)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("orderer %s: %w", od.Name, err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(roots)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: spec.Host}); err != nil {
		return fmt.Errorf("orderer %s's TLS certificate: %w", od.Name, err)
	}
	dir := filepath.Join(n.nodeDir(o, od.Name), "tls")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "cert.pem"), []byte(od.TLSCert), 0o644)
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
	if err := n.writeGenesis(); err != nil {
		return Artifact{}, err
	}
	st, err := n.loadState()
	if err != nil {
		return Artifact{}, err
	}
	st.Genesis = true
	if err := n.saveState(st); err != nil {
		return Artifact{}, err
	}
	raw, err := os.ReadFile(n.genesisBlock())
	if err != nil {
		return Artifact{}, err
	}
	path := filepath.Join(n.ExportDir(), n.Top.Channel+".block")
	if err := os.MkdirAll(n.ExportDir(), 0o755); err != nil {
		return Artifact{}, err
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		return Artifact{}, err
	}
	sum, err := FileSHA256(path)
	return Artifact{Path: path, SHA256: sum}, err
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
