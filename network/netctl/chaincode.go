package netctl

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// connection is the chaincode package's connection.json: how a peer reaches the chaincode server.
type connection struct {
	Address            string `json:"address"`
	DialTimeout        string `json:"dial_timeout"`
	TLSRequired        bool   `json:"tls_required"`
	ClientAuthRequired bool   `json:"client_auth_required"`
	ClientKey          string `json:"client_key"`
	ClientCert         string `json:"client_cert"`
	RootCert           string `json:"root_cert"`
}

func (n *Network) packageFile() string {
	return filepath.Join(n.chaincodeDir(), n.Top.Chaincode.Name+".tar.gz")
}
func (n *Network) label() string {
	return n.Top.Chaincode.Name + "_" + n.Top.Chaincode.Version
}

// writePackage builds the chaincode-as-a-service package and returns its package id. The archives
// have fixed times and modes, so the same connection.json always gives the same package id.
func (n *Network) writePackage() (string, error) {
	tlsDir := filepath.Join(n.chaincodeDir(), "tls")
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(tlsDir, name))
		return string(b)
	}
	conn := connection{
		Address:            Addr(n.Top.Chaincode.Server.Host, n.Top.Chaincode.Server.Port),
		DialTimeout:        "10s",
		TLSRequired:        true,
		ClientAuthRequired: true,
		ClientKey:          read("key.pem"),
		ClientCert:         read("cert.pem"),
		RootCert:           read("ca.pem"),
	}
	if conn.ClientKey == "" || conn.RootCert == "" {
		return "", fmt.Errorf("chaincode TLS material missing in %s", tlsDir)
	}
	connJSON, err := json.MarshalIndent(conn, "", "  ")
	if err != nil {
		return "", err
	}
	code, err := tarGz(map[string][]byte{"connection.json": connJSON})
	if err != nil {
		return "", err
	}
	meta, _ := json.Marshal(map[string]string{"type": "ccaas", "label": n.label()})
	pkg, err := tarGz(map[string][]byte{"code.tar.gz": code, "metadata.json": meta})
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(n.packageFile(), pkg, 0o644); err != nil {
		return "", err
	}
	sum := sha256.Sum256(pkg)
	return n.label() + ":" + hex.EncodeToString(sum[:]), nil
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
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
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

// chaincodeProcess is the chaincode server that every peer dials.
func (n *Network) chaincodeProcess(packageID string) *Process {
	s := n.Top.Chaincode.Server
	tlsDir := filepath.Join(n.chaincodeDir(), "tls")
	return &Process{
		Name: ChaincodeName, Kind: "chaincode", Org: n.chaincodeTLSOrg().Name,
		Bin: n.ProgramPath("ipledger-cc"),
		Env: []string{
			"CHAINCODE_SERVER_ADDRESS=" + Addr(s.Host, s.Port),
			"CHAINCODE_ID=" + packageID,
			"CORE_CHAINCODE_ID_NAME=" + packageID,
			"CHAINCODE_TLS_CERT=" + filepath.Join(tlsDir, "cert.pem"),
			"CHAINCODE_TLS_KEY=" + filepath.Join(tlsDir, "key.pem"),
			"CHAINCODE_TLS_CLIENT_CACERT=" + filepath.Join(tlsDir, "ca.pem"),
		},
		Dir:   n.chaincodeDir(),
		Host:  s.Host,
		Ports: []int{s.Port},
	}
}

// deployChaincode installs the package on every peer, approves the definition for every organization
// and commits it.
func (n *Network) deployChaincode(packageID string) error {
	cc := n.Top.Chaincode
	var g errgroup.Group
	for _, o := range n.Top.PeerOrgs() {
		g.Go(func() error {
			installed, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "queryinstalled", "--output", "json")
			if err != nil {
				return err
			}
			if !strings.Contains(installed, packageID) {
				if err := n.peerCLI(o, "lifecycle", "chaincode", "install", n.packageFile()); err != nil {
					return fmt.Errorf("install on %s: %w", PeerName(o), err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	ordAddr, ordCA := n.anyOrderer()
	common := []string{"--channelID", n.Top.Channel, "--name", cc.Name, "--version", cc.Version,
		"--sequence", strconv.Itoa(cc.Sequence), "--signature-policy", cc.EndorsementPolicy,
		"--collections-config", filepath.Join(n.NetworkDir, cc.Collections),
		"-o", ordAddr, "--tls", "--cafile", ordCA}
	for _, o := range n.Top.PeerOrgs() {
		g.Go(func() error {
			// Right after the orderers join, Raft may have no leader yet: retry for a while.
			return waitFor(30*time.Second, 500*time.Millisecond, func() error {
				args := append([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", packageID, "--waitForEvent"}, common...)
				return n.peerCLI(o, args...)
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	args := append([]string{"lifecycle", "chaincode", "commit", "--waitForEvent"}, common...)
	for _, o := range n.Top.PeerOrgs() {
		args = append(args, "--peerAddresses", Addr(o.Host, o.Peer.Port), "--tlsRootCertFiles", n.caCert(o))
	}
	return waitFor(30*time.Second, 500*time.Millisecond, func() error {
		return n.peerCLI(n.Top.PeerOrgs()[0], args...)
	})
}
