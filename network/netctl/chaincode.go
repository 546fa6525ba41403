package netctl

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Connection is the chaincode package's connection.json: how a peer reaches its chaincode server.
type Connection struct {
	Address            string `json:"address"`
	DialTimeout        string `json:"dial_timeout"`
	TLSRequired        bool   `json:"tls_required"`
	ClientAuthRequired bool   `json:"client_auth_required"`
	ClientKey          string `json:"client_key"`
	ClientCert         string `json:"client_cert"`
	RootCert           string `json:"root_cert"`
}

// packageFile is the ccaas package an organization builds and installs on its own peer, for the
// chaincode server slot in use.
func (n *Network) packageFile(o *Organization) string { return n.slotPackageFile(o, n.ccSlot()) }

// slotPackageFile is the package naming the chaincode server of one slot: slot 0 keeps the name it
// always had, slot 1 (the server of an upgrade, beside the old one) has its own.
func (n *Network) slotPackageFile(o *Organization, slot int) string {
	if slot == 1 {
		return filepath.Join(n.ccDir(o), n.Top.Chaincode.Name+"-alt.tar.gz")
	}
	return filepath.Join(n.ccDir(o), n.Top.Chaincode.Name+".tar.gz")
}
func (n *Network) label() string {
	return n.Top.Chaincode.Name + "_" + n.Top.Chaincode.Version
}

// ccServerAddr is where an organization's chaincode server of a slot listens: slot 0 at ccServerPort,
// slot 1 at ccServerAltPort. An upgrade starts the new program's servers at the slot not in use, so
// that the old ones serve until the new definition commits.
func ccServerAddr(o *Organization, slot int) string {
	if slot == 1 {
		return Addr(o.Host, o.Peer.CCServerAltPort)
	}
	return Addr(o.Host, o.Peer.CCServerPort)
}

// writePackages builds every peer organization's package for a chaincode server slot and returns the
// package ids by organization.
func (n *Network) writePackages(slot int) (map[string]string, error) {
	ids := map[string]string{}
	for _, o := range n.Top.PeerOrgs() {
		id, err := n.writePackage(o, slot)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		ids[o.Name] = id
	}
	return ids, nil
}

// writePackage builds an organization's chaincode-as-a-service package and returns its package id.
// Its connection.json names the organization's own chaincode server, trusts the organization's TLS
// CA, and carries the client identity of the organization's peer (ccclient), never the server's key.
// The archives have fixed times and modes, so the same connection.json always gives the same package
// id; the same label with another organization's connection.json gives another id. The file holds a
// private key: it is written 0600.
func (n *Network) writePackage(o *Organization, slot int) (string, error) {
	pkg, err := n.ccaasPackage(o, n.label(), ccServerAddr(o, slot))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(n.ccDir(o), 0o700); err != nil {
		return "", err
	}
	if err := writePrivate(n.slotPackageFile(o, slot), pkg); err != nil {
		return "", err
	}
	sum := sha256.Sum256(pkg)
	return n.label() + ":" + hex.EncodeToString(sum[:]), nil
}

// ccaasPackage is an organization's chaincode-as-a-service package of a label for a chaincode server
// at address, with the organization's chaincode TLS material (writePackage).
func (n *Network) ccaasPackage(o *Organization, label, address string) ([]byte, error) {
	read := func(dir, name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		return string(b)
	}
	client, server := n.ccClientTLS(o), n.ccServerTLS(o)
	conn := Connection{
		Address:            address,
		DialTimeout:        "10s",
		TLSRequired:        true,
		ClientAuthRequired: true,
		ClientKey:          read(client, "key.pem"),
		ClientCert:         read(client, "cert.pem"),
		RootCert:           read(server, "ca.pem"),
	}
	if conn.ClientKey == "" || conn.ClientCert == "" || conn.RootCert == "" {
		return nil, fmt.Errorf("chaincode TLS material missing in %s or %s", client, server)
	}
	if err := checkConnection(conn, read(server, "key.pem")); err != nil {
		return nil, err
	}
	connJSON, err := json.MarshalIndent(conn, "", "  ")
	if err != nil {
		return nil, err
	}
	code, err := tarGz(map[string][]byte{"connection.json": connJSON})
	if err != nil {
		return nil, err
	}
	meta, _ := json.Marshal(map[string]string{"type": "ccaas", "label": label})
	return tarGz(map[string][]byte{"code.tar.gz": code, "metadata.json": meta})
}

// writePrivate writes a file that holds a private key: mode 0600, also when it existed with another.
func writePrivate(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

// checkConnection refuses a connection.json whose client certificate was not issued by its root
// certificate (the client would belong to another organization than the server it dials), whose
// client key is not the client certificate's, or whose client key is the server's own key.
func checkConnection(c Connection, serverKeyPEM string) error {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM([]byte(c.RootCert)) {
		return fmt.Errorf("connection.json: root_cert holds no certificate")
	}
	pair, err := tls.X509KeyPair([]byte(c.ClientCert), []byte(c.ClientKey))
	if err != nil {
		return fmt.Errorf("connection.json: client_cert and client_key: %w", err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return err
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return fmt.Errorf("connection.json: client certificate %q is not from the server's organization's CA: %w", cert.Subject.CommonName, err)
	}
	if strings.TrimSpace(serverKeyPEM) != "" && strings.TrimSpace(serverKeyPEM) == strings.TrimSpace(c.ClientKey) {
		return fmt.Errorf("connection.json: client_key is the chaincode server's own key")
	}
	return nil
}

// ReadConnection reads the connection.json of a ccaas package file.
func ReadConnection(pkgFile string) (*Connection, error) {
	f, err := os.Open(pkgFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	code, err := untarFile(f, "code.tar.gz")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkgFile, err)
	}
	raw, err := untarFile(bytes.NewReader(code), "connection.json")
	if err != nil {
		return nil, fmt.Errorf("%s: code.tar.gz: %w", pkgFile, err)
	}
	var c Connection
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%s: connection.json: %w", pkgFile, err)
	}
	return &c, nil
}

// untarFile returns one file of a gzipped tar archive.
func untarFile(r io.Reader, name string) ([]byte, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("no %s in the archive", name)
		}
		if err != nil {
			return nil, err
		}
		if hdr.Name == name {
			return io.ReadAll(io.LimitReader(tr, 1<<20))
		}
	}
}

func tarGz(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	// code.tar.gz before metadata.json, connection.json alone: a fixed order for a fixed hash.
	if len(names) == 2 && names[0] > names[1] {
		names[0], names[1] = names[1], names[0]
	}
	for _, name := range names {
		hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(files[name])), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[name]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// chaincodeProcess is an organization's own chaincode server, which only that organization's peer
// dials: its TLS certificate is from the organization's CA, and it requires a client certificate from
// that CA.
// slot and program say which server: slot 0 listens at ccServerPort, slot 1 at ccServerAltPort.
func (n *Network) chaincodeProcess(o *Organization, packageID string, slot int, program string) *Process {
	tlsDir := n.ccServerTLS(o)
	port := o.Peer.CCServerPort
	if slot == 1 {
		port = o.Peer.CCServerAltPort
	}
	return &Process{
		Name: ChaincodeServerSlotName(o, slot), Kind: "chaincode", Org: o.Name,
		Bin: program,
		Env: []string{
			"CHAINCODE_SERVER_ADDRESS=" + ccServerAddr(o, slot),
			"CHAINCODE_ID=" + packageID,
			"CORE_CHAINCODE_ID_NAME=" + packageID,
			"CHAINCODE_TLS_CERT=" + filepath.Join(tlsDir, "cert.pem"),
			"CHAINCODE_TLS_KEY=" + filepath.Join(tlsDir, "key.pem"),
			"CHAINCODE_TLS_CLIENT_CACERT=" + filepath.Join(tlsDir, "ca.pem"),
		},
		Dir:   n.ccDir(o),
		Host:  o.Host,
		Ports: []int{port},
	}
}

// deployChaincode installs each organization's own package on its peer, approves the definition for
// every organization with that organization's package id, and commits it. The package id is local to
// an organization: the definition the organizations agree on (name, version, sequence, policy,
// collections) is the same.
//
// Every step may have been done already by an earlier up that failed or was interrupted later (or by
// an attempt whose --waitForEvent timed out after its transaction committed). Fabric refuses a second
// approval with unchanged content and a commit of a committed sequence, so an approval or commit that
// the ledger already holds is skipped: each attempt asks first.
func (n *Network) deployChaincode(ctx context.Context, st *state) error {
	packageIDs := st.PackageIDs
	for _, o := range n.Top.PeerOrgs() {
		if packageIDs[o.Name] == "" {
			return fmt.Errorf("no chaincode package for %s", o.Name)
		}
	}
	if err := n.installPackages(packageIDs, n.ccSlot()); err != nil {
		return err
	}
	d, err := n.currentDef()
	if err != nil {
		return err
	}
	if n.scoped() {
		// A bank that joins a running channel, or a host whose peer has a later sequence of the same
		// program committed: the members defined it before this host (joinDefinition).
		later, err := n.joinsLater(n.Top.PeerOrgs()[0])
		if err != nil {
			return err
		}
		if later {
			if err := n.catchUpAll(ctx); err != nil {
				return err
			}
		}
		committed, err := n.readCommitted(n.Top.PeerOrgs()[0])
		if err == nil && committed.version == d.version && (later || committed.sequence > d.sequence) {
			return n.joinDefinition(ctx, st, committed)
		}
		if err != nil && later {
			return fmt.Errorf("no chaincode definition committed on channel %s yet: a bank joins a running consortium, "+
				"whose definition the members committed first: %w", n.Top.Channel, err)
		}
	}
	if err := n.queryCommitted(n.Top.PeerOrgs()[0], d); err != nil {
		var other *otherDefinition
		if errors.As(err, &other) && other.sequence >= other.wantSeq {
			return err // approving would be refused as a redefinition of the committed sequence
		}
		// Nothing committed yet, or a lower sequence: this definition is the next one to approve.
		if err := n.approveLocal(ctx, packageIDs, d); err != nil {
			return err
		}
		if c := n.committer(); n.isLocal(c) {
			if _, err := n.commit(ctx, c, d, allApproved); err != nil {
				return err
			}
		} else {
			n.progress("approved for %s; waiting until %s commits the definition", n.Top.PeerOrgs()[0].MSPID, c.MSPID)
		}
	}
	return n.checkCommitted(ctx, d)
}

// ccDef is a chaincode definition's version (the topology's version and the program's sha256) and
// sequence: what this host's organizations approve, and what a peer's querycommitted is checked
// against.
type ccDef struct {
	version  string
	sequence int
}

// currentDef is the definition this data directory serves: the topology's sequence and the program
// in Bin, or, after an upgrade, the upgrade's sequence and program.
func (n *Network) currentDef() (ccDef, error) {
	version, err := n.ccVersion()
	return ccDef{version: version, sequence: n.ccSequence()}, err
}

// definitionArgs are the peer CLI's arguments naming the chaincode definition every organization
// approves.
func (n *Network) definitionArgs(d ccDef) ([]string, error) {
	cc := n.Top.Chaincode
	collections, err := n.collectionsFile()
	if err != nil {
		return nil, err
	}
	return []string{"--channelID", n.Top.Channel, "--name", cc.Name, "--version", d.version,
		"--sequence", strconv.Itoa(d.sequence), "--signature-policy", n.definitionPolicy(),
		"--collections-config", collections}, nil
}

// ordererArgs are the peer CLI's arguments sending a transaction to an orderer: one that accepts a
// connection now, so that a lifecycle transaction does not depend on one host being up.
func (n *Network) ordererArgs() []string {
	addr, ca := n.anyOrderer()
	return []string{"-o", addr, "--tls", "--cafile", ca}
}

// ccVersion is the chaincode version every organization approves: the topology's version and the
// sha256 of the chaincode server's program. Each organization builds that program from the same
// source (scripts/ipledger builds it without cgo, with -trimpath and no VCS stamp, so the same source
// and Go give the same bytes) and approves the hash of what it runs: an organization whose program
// differs approves another definition, which does not commit, and an up whose program is not the
// committed one stops before starting it (checkProgram). It guards against drift, not against a member
// that runs other code on purpose behind its own chaincode server: that member's peer endorses what
// its server says, and the endorsement policies are what limit it.
func (n *Network) ccVersion() (string, error) {
	program := n.ccProgram()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.codeHash == "" || n.codeFile != program {
		sum, err := FileSHA256(program)
		if err != nil {
			return "", fmt.Errorf("the chaincode program: %w", err)
		}
		n.codeHash, n.codeFile = sum, program
	}
	return n.Top.Chaincode.Version + "-" + n.codeHash, nil
}

// approveLocal approves the definition for each organization of this host with its own package id.
func (n *Network) approveLocal(ctx context.Context, packageIDs map[string]string, d ccDef) error {
	return n.approveOrgs(ctx, n.Top.PeerOrgs(), packageIDs, d)
}

// approveOrgs approves a definition for some of this host's organizations.
func (n *Network) approveOrgs(ctx context.Context, orgs []*Organization, packageIDs map[string]string, d ccDef) error {
	def, err := n.definitionArgs(d) // once: it writes the collections file the CLI reads
	if err != nil {
		return err
	}
	var g errgroup.Group
	for _, o := range orgs {
		packageID := packageIDs[o.Name]
		g.Go(func() error {
			// Right after the orderers join, Raft may have no leader yet: retry for a while.
			return n.withCause(PeerName(o), waitFor(ctx, 30*time.Second, 500*time.Millisecond, func() error {
				if n.approved(o, packageID, d) {
					return nil
				}
				args := slices.Concat([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", packageID, "--waitForEvent"},
					def, n.ordererArgs())
				return n.peerCLI(o, args...)
			}))
		})
	}
	return g.Wait()
}

// committer is the organization that commits the definition once every organization has approved
// it: the IP office of the whole consortium.
func (n *Network) committer() *Organization { return ipOffice(n.plan()) }

// commit waits until ready says the approvals suffice (on a host of a consortium, the others approve
// on their own hosts), then commits the definition through the peers of the organizations ready
// names: a peer endorses a commit only for an organization that approved it. It returns them.
func (n *Network) commit(ctx context.Context, c *Organization, d ccDef, ready func(approvals map[string]bool) ([]string, error)) ([]string, error) {
	def, err := n.definitionArgs(d)
	if err != nil {
		return nil, err
	}
	var approvers []string
	if err := waitFor(ctx, n.approvalWait(), time.Second, func() error {
		out, err := n.output(n.peerCLIEnv(c), n.ProgramPath("peer"), append([]string{"lifecycle", "chaincode",
			"checkcommitreadiness", "--output", "json"}, def...)...)
		if err != nil {
			return err
		}
		approvals, err := parseReadiness(out)
		if err != nil {
			return err
		}
		approvers, err = ready(approvals)
		return err
	}); err != nil {
		if errors.Is(err, ErrMajority) || errors.Is(err, ErrApprovalMissing) || errors.Is(err, ErrSequenceMoved) {
			return nil, err // the ledger's answer, not a component's failure: no log to quote
		}
		return nil, n.withCause(PeerName(c), err)
	}
	args := append([]string{"lifecycle", "chaincode", "commit", "--waitForEvent"}, def...)
	for _, o := range n.plan().PeerOrgs() {
		if !slices.Contains(approvers, o.MSPID) {
			continue
		}
		if _, err := os.Stat(n.caCert(o)); err != nil {
			// An organization that joined later and whose definition this host has not imported: its
			// peer cannot be dialled from here (no TLS root); the others' endorsements must suffice.
			n.progress("the commit is not sent to %s's peer: its definition (TLS root) is not imported on this host", o.MSPID)
			continue
		}
		args = append(args, "--peerAddresses", Addr(o.Host, o.Peer.Port), "--tlsRootCertFiles", n.caCert(o))
	}
	return approvers, n.withCause(PeerName(c), waitFor(ctx, 30*time.Second, 500*time.Millisecond, func() error {
		if n.committed(c, d) {
			return nil
		}
		// At INFO the CLI names the commit's transaction (ClientWait: "txid [...] committed with status").
		_, log, err := n.outputs(append(n.peerCLIEnv(c), "FABRIC_LOGGING_SPEC=INFO"), n.ProgramPath("peer"),
			append(args, n.ordererArgs()...)...)
		if m := commitTxID.FindStringSubmatch(log); m != nil {
			n.mu.Lock()
			n.lastCommitTx = m[1]
			n.mu.Unlock()
		}
		return err
	}))
}

// commitTxID finds the transaction id in the peer CLI's report of a commit it waited for.
var commitTxID = regexp.MustCompile(`txid \[([0-9a-f]{64})\] committed with status \(VALID\)`)

// parseReadiness reads checkcommitreadiness's JSON answer: each organization and whether it approved.
func parseReadiness(out string) (map[string]bool, error) {
	var r struct {
		Approvals map[string]bool `json:"approvals"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		return nil, fmt.Errorf("checkcommitreadiness: %w: %s", err, lastLines(out, 3))
	}
	if len(r.Approvals) == 0 {
		return nil, fmt.Errorf("checkcommitreadiness names no organization: %s", lastLines(out, 3))
	}
	return r.Approvals, nil
}

// allApproved is ready when every organization has approved (the first deployment: every member
// approves the program it runs), otherwise an error naming those that have not.
func allApproved(approvals map[string]bool) ([]string, error) {
	yes, no := splitApprovals(approvals)
	if len(no) > 0 {
		return nil, fmt.Errorf("not approved yet by %s", strings.Join(no, ", "))
	}
	return yes, nil
}

// splitApprovals sorts checkcommitreadiness's organizations into those that approved and the others.
func splitApprovals(approvals map[string]bool) (yes, no []string) {
	for msp, ok := range approvals {
		if ok {
			yes = append(yes, msp)
		} else {
			no = append(no, msp)
		}
	}
	slices.Sort(yes)
	slices.Sort(no)
	return yes, no
}

// approvalWait bounds the wait for the other organizations' approvals and for the commit: on a host of
// a consortium they come from other hosts, at their operators' pace (ApprovalWait).
func (n *Network) approvalWait() time.Duration {
	if n.scoped() && n.ApprovalWait > 0 {
		return n.ApprovalWait
	}
	return joinTimeout
}

// installPackages installs each organization's own package on its own peer, unless it is there.
func (n *Network) installPackages(packageIDs map[string]string, slot int) error {
	var g errgroup.Group
	for _, o := range n.Top.PeerOrgs() {
		packageID := packageIDs[o.Name]
		g.Go(func() error {
			installed, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "queryinstalled", "--output", "json")
			if err != nil {
				return err
			}
			if !strings.Contains(installed, packageID) {
				if err := n.peerCLI(o, "lifecycle", "chaincode", "install", n.slotPackageFile(o, slot)); err != nil {
					return n.withCause(PeerName(o), fmt.Errorf("install on %s: %w", PeerName(o), err))
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// approved says whether an organization's approval of the topology's definition at its sequence is
// on the ledger already, with the organization's package id. Any failure to ask counts as not
// approved: the approval then runs and reports what is wrong.
func (n *Network) approved(o *Organization, packageID string, d ccDef) bool {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "queryapproved",
		"--channelID", n.Top.Channel, "--name", n.Top.Chaincode.Name, "--sequence", strconv.Itoa(d.sequence), "--output", "json")
	if err != nil {
		return false
	}
	a, err := parseApproved(out)
	return err == nil && a.sameAs(d.version, d.sequence, packageID)
}

// committed says whether a peer's querycommitted shows a definition (version and sequence)
// committed. Any failure to ask, such as a chaincode not yet defined, counts as not committed.
func (n *Network) committed(o *Organization, d ccDef) bool { return n.queryCommitted(o, d) == nil }

// queryCommitted asks a peer's querycommitted and checks a definition in its answer.
func (n *Network) queryCommitted(o *Organization, d ccDef) error {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "querycommitted",
		"--channelID", n.Top.Channel, "--name", n.Top.Chaincode.Name, "--output", "json")
	if err != nil {
		return err
	}
	return committedAs(PeerName(o), out, d.version, d.sequence)
}

// approval is what queryapproved --name --sequence --output json says of one organization's approved
// definition. The peer prints the QueryApprovedChaincodeDefinitionResult message with encoding/json,
// so its oneof source appears as {"Type": {"LocalPackage": {"package_id": ...}}} (or
// {"Type": {"Unavailable": {}}} for an approval without a package).
type approval struct {
	Sequence int64  `json:"sequence"`
	Version  string `json:"version"`
	Source   *struct {
		Type *struct {
			LocalPackage *struct {
				PackageID string `json:"package_id"`
			} `json:"LocalPackage"`
		} `json:"Type"`
	} `json:"source"`
}

// packageID is the package id the approval names, "" when it names none.
func (a *approval) packageID() string {
	switch {
	case a.Source == nil:
		return ""
	case a.Source.Type != nil && a.Source.Type.LocalPackage != nil:
		return a.Source.Type.LocalPackage.PackageID
	}
	return ""
}

// sameAs says whether the approval is of the given version and sequence with the given package id:
// approving that again would be refused as unchanged.
func (a *approval) sameAs(version string, sequence int, packageID string) bool {
	return a.Version == version && a.Sequence == int64(sequence) && packageID != "" && a.packageID() == packageID
}

// parseApproved reads queryapproved's JSON answer for one chaincode and sequence.
func parseApproved(out string) (*approval, error) {
	var a approval
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		return nil, fmt.Errorf("queryapproved: %w: %s", err, lastLines(out, 3))
	}
	return &a, nil
}

// checkCommitted waits until every peer's querycommitted shows a definition.
func (n *Network) checkCommitted(ctx context.Context, d ccDef) error {
	var g errgroup.Group
	for _, o := range n.Top.PeerOrgs() {
		g.Go(func() error {
			return n.withCause(PeerName(o), waitFor(ctx, n.approvalWait(), 300*time.Millisecond, func() error {
				err := n.queryCommitted(o, d)
				if other := (*otherDefinition)(nil); errors.As(err, &other) && other.sequence >= other.wantSeq {
					return final(err) // no wait makes another committed definition this one
				}
				return err
			}))
		})
	}
	return g.Wait()
}

// committedAs checks querycommitted's JSON answer for one chaincode: its version and sequence.
func committedAs(peer, out, version string, sequence int) error {
	var def struct {
		Version  string `json:"version"`
		Sequence int    `json:"sequence"`
	}
	if err := json.Unmarshal([]byte(out), &def); err != nil {
		return fmt.Errorf("%s: querycommitted: %w: %s", peer, err, lastLines(out, 3))
	}
	if def.Version != version || def.Sequence != sequence {
		return &otherDefinition{peer: peer, version: def.Version, sequence: def.Sequence, want: version, wantSeq: sequence}
	}
	return nil
}

// otherDefinition is a peer's committed definition that is not this host's: another version (another
// chaincode program) or sequence.
type otherDefinition struct {
	peer, version, want string
	sequence, wantSeq   int
}

func (e *otherDefinition) Error() string {
	if e.version == e.want {
		return fmt.Sprintf("%s has the chaincode committed at sequence %d, not %d as this host's state says", e.peer, e.sequence, e.wantSeq)
	}
	return fmt.Sprintf("%s has the chaincode committed as version %q at sequence %d, not %q at %d: the chaincode program "+
		"here is not the one the members approved (the version names its sha256), and it is not started. Build the "+
		"approved program (the same commit, the same Go); when the members upgraded the chaincode without this host, "+
		"run `chaincode upgrade` here with the upgraded program", e.peer, e.version, e.sequence, e.want, e.wantSeq)
}

// checkProgram stops up before this host's chaincode servers start when the chaincode committed on
// its peers names another program than the one about to run. Once the deployment is recorded, the
// committed definition must be this program's (checkCommitted: a peer that cannot answer yet is
// waited for, never taken as a pass); before it, nothing committed passes, as the deployment then
// approves this program.
func (n *Network) checkProgram(ctx context.Context, st *state) error {
	d, err := n.currentDef()
	if err != nil {
		return err
	}
	if st.Committed {
		return n.checkCommitted(ctx, d)
	}
	for _, o := range n.Top.PeerOrgs() {
		var other *otherDefinition
		err := n.queryCommitted(o, d)
		// A later sequence of this program is the members' (a bank that joins later approves it:
		// joinDefinition); another program is not this host's to serve.
		if errors.As(err, &other) && other.sequence >= other.wantSeq && (other.version != other.want || !n.scoped()) {
			return err
		}
	}
	return nil
}
