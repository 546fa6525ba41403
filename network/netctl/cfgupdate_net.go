package netctl

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hyperledger/fabric-config/configtx"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// ReadChecked reads a file named FILE@SHA256 (its sha256 as its sender read it out): a file with
// another hash, or named without one, is refused. With optional, FILE alone is read unchecked.
func ReadChecked(arg string, optional bool) ([]byte, string, error) {
	path, want, found := strings.Cut(arg, "@")
	if i := strings.LastIndexByte(arg, '@'); i >= 0 {
		path, want, found = arg[:i], arg[i+1:], true
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, path, err
	}
	sum := sha256.Sum256(raw)
	got := hex.EncodeToString(sum[:])
	want = strings.TrimPrefix(want, "sha256:")
	if !found || want == "" {
		if optional {
			return raw, path, nil
		}
		return nil, path, fmt.Errorf("%s: no sha256 to compare (FILE@SHA256, as its sender read it out); its sha256 is %s", path, got)
	}
	if !strings.EqualFold(want, got) {
		return nil, path, fmt.Errorf("%s: sha256 is %s, not %s as its sender said: refused", path, got, want)
	}
	return raw, path, nil
}

// ActingOrg is the organization whose admin acts on this host: a host of one organization acts as
// its own (a peer organization's); a single-machine network as the one named.
func (n *Network) ActingOrg(mspID string) (*Organization, error) {
	var o *Organization
	switch {
	case n.scoped():
		o = n.Top.Organizations[0]
		if mspID != "" && mspID != o.MSPID && mspID != o.Name {
			return nil, fmt.Errorf("this host is %s's; it acts for no other organization", o.MSPID)
		}
	case mspID == "":
		return nil, errors.New("--org MSPID is required on a network of several organizations")
	default:
		for _, c := range n.Top.Organizations {
			if c.MSPID == mspID || c.Name == mspID {
				o = c
			}
		}
		if o == nil {
			return nil, fmt.Errorf("%s is not an organization of this host", mspID)
		}
	}
	if o.Peer == nil {
		return nil, fmt.Errorf("%s runs no peer: an update is proposed, signed and submitted on a peer organization's host", o.MSPID)
	}
	return o, nil
}

// ChannelConfig fetches the channel's current configuration from the organization's own peer (as
// its admin, through the peer's Deliver service) and the number of the block that set it.
func (n *Network) ChannelConfig(o *Organization) (*cb.Config, uint64, error) {
	dir, err := os.MkdirTemp("", "ipledger-config-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "config.block")
	if err := n.peerCLI(o, "channel", "fetch", "config", file, "-c", n.Top.Channel); err != nil {
		return nil, 0, err
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, 0, err
	}
	block := &cb.Block{}
	if err := proto.Unmarshal(raw, block); err != nil {
		return nil, 0, err
	}
	cfg, err := ConfigFromBlock(block)
	if err != nil {
		return nil, 0, err
	}
	return cfg, block.GetHeader().GetNumber(), nil
}

// Proposal is a proposed update, written to the export directory, and what it needs.
type Proposal struct {
	Artifact
	Changes []string
	Needs   []string // each policy it needs and how many signatures that is
}

// ProposeUpdate computes an update from the channel's current configuration (the acting
// organization's peer's) and writes it to the export directory: kind crl (args MSPID CRLFILE),
// add-org (args DEFINITION@SHA256) or remove-org (args MSPID).
func (n *Network) ProposeUpdate(o *Organization, kind string, args []string) (*Proposal, error) {
	// The files named are checked before the peer is asked for anything.
	if kind == UpdateAddOrg && len(args) == 1 {
		if _, _, err := ReadChecked(args[0], false); err != nil {
			return nil, err
		}
	}
	if kind == UpdateCRL && len(args) == 2 {
		if _, err := os.Stat(args[1]); err != nil {
			return nil, err
		}
	}
	cfg, _, err := n.ChannelConfig(o)
	if err != nil {
		return nil, err
	}
	upd, subject, err := n.computeProposal(cfg, kind, args)
	if err != nil {
		return nil, err
	}
	if kind == UpdateRemoveOrg {
		if err := n.checkLeave(o, subject); err != nil {
			return nil, err
		}
	}
	u, changes, err := ReadUpdate(cfg, n.Top.Channel, upd)
	if err != nil {
		return nil, err
	}
	check, _ := CheckUpdate(cfg, n.Top.Channel, upd, nil)
	p := &Proposal{Changes: append(changes, DescribeMSPs(u)...)}
	for _, pol := range check.Policies {
		p.Needs = append(p.Needs, pol+": "+policyNeeds(cfg, pol))
	}
	p.Artifact, err = n.export(fmt.Sprintf("update-%d-%s-%s.pb", cfg.Sequence+1, kind, subject), upd)
	return p, err
}

func (n *Network) computeProposal(cfg *cb.Config, kind string, args []string) ([]byte, string, error) {
	switch {
	case kind == UpdateCRL && len(args) == 2:
		crl, err := os.ReadFile(args[1])
		if err != nil {
			return nil, "", err
		}
		upd, err := ProposeCRL(cfg, n.Top.Channel, args[0], crl)
		return upd, args[0], err
	case kind == UpdateAddOrg && len(args) == 1:
		raw, path, err := ReadChecked(args[0], false)
		if err != nil {
			return nil, "", err
		}
		var d Definition
		if err := json.Unmarshal(raw, &d); err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		upd, err := ProposeAddOrg(cfg, n.Top.Channel, &d)
		return upd, d.MSPID, err
	case kind == UpdateRemoveOrg && len(args) == 1:
		upd, err := ProposeRemoveOrg(cfg, n.Top.Channel, args[0])
		return upd, args[0], err
	}
	return nil, "", fmt.Errorf("propose crl MSPID CRLFILE | add-org DEFINITION@SHA256 | remove-org MSPID (not %s %s)", kind, strings.Join(args, " "))
}

// policyNeeds says in words what a policy of the configuration needs.
func policyNeeds(cfg *cb.Config, path string) string {
	err := evalPolicy(cfg.ChannelGroup, path, nil)
	if err == nil {
		return "nothing"
	}
	s := err.Error()
	if i := strings.Index(s, ", has 0"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "majority not reached: ")
}

// adminIdentity is the organization admin's signing identity on this host.
func (n *Network) adminIdentity(o *Organization) (*configtx.SigningIdentity, error) {
	msp := filepath.Join(n.userDir(o, "admin"), "msp")
	certPEM, err := os.ReadFile(filepath.Join(msp, "signcerts", "cert.pem"))
	if err != nil {
		return nil, fmt.Errorf("%s's admin is not on this host: %w", o.MSPID, err)
	}
	cert, err := parsePEMCert(certPEM)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(msp, "keystore", "key.pem"))
	if err != nil {
		return nil, err
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, err
	}
	return &configtx.SigningIdentity{Certificate: cert, PrivateKey: key, MSPID: o.MSPID}, nil
}

// SignedUpdate is what sign did: the update's changes and the signature file.
type SignedUpdate struct {
	Artifact
	Changes []string
}

// SignUpdateFile signs an update (FILE@SHA256) as the acting organization's admin, once it has
// checked it against the channel's current configuration, and writes the signature to the export
// directory as <update>.<MSPID>.sig.
func (n *Network) SignUpdateFile(o *Organization, arg string) (*SignedUpdate, error) {
	upd, path, err := ReadChecked(arg, false)
	if err != nil {
		return nil, err
	}
	cfg, _, err := n.ChannelConfig(o)
	if err != nil {
		return nil, err
	}
	u, changes, err := ReadUpdate(cfg, n.Top.Channel, upd)
	if err != nil {
		return nil, err
	}
	changes = append(changes, DescribeMSPs(u)...)
	id, err := n.adminIdentity(o)
	if err != nil {
		return nil, err
	}
	sig, err := SignUpdate(id, upd)
	if err != nil {
		return nil, err
	}
	a, err := n.export(filepath.Base(path)+"."+o.MSPID+".sig", sig)
	return &SignedUpdate{Artifact: a, Changes: changes}, err
}

// Submitted is what submit did.
type Submitted struct {
	Check *UpdateCheck
	Block uint64 // the config block the update made
}

// SubmitUpdate checks an update (FILE@SHA256) and its signatures (each FILE or FILE@SHA256) against
// the channel's current configuration, adds the acting admin's own signature, submits it to an
// orderer with `peer channel update` and waits until the organization's peer has the new config
// block, whose number it returns.
func (n *Network) SubmitUpdate(ctx context.Context, o *Organization, arg string, sigArgs []string) (*Submitted, error) {
	upd, _, err := ReadChecked(arg, false)
	if err != nil {
		return nil, err
	}
	var sigs [][]byte
	for _, s := range sigArgs {
		raw, _, err := ReadChecked(s, true)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, raw)
	}
	cfg, before, err := n.ChannelConfig(o)
	if err != nil {
		return nil, err
	}
	id, err := n.adminIdentity(o)
	if err != nil {
		return nil, err
	}
	own, err := SignUpdate(id, upd)
	if err != nil {
		return nil, err
	}
	check, err := CheckUpdate(cfg, n.Top.Channel, upd, append(sigs, own))
	if err != nil {
		return nil, err
	}
	// A bank's removal is checked again at the last moment: a pledge filed since the proposal, or a
	// definition changed since, is found here.
	u, _, err := ReadUpdate(cfg, n.Top.Channel, upd)
	if err != nil {
		return nil, err
	}
	for _, m := range removedOrgs(cfg, u) {
		if err := n.checkLeave(o, m); err != nil {
			return nil, err
		}
	}
	if err := n.sendUpdate(o, upd, append(sigs, own)); err != nil {
		return nil, err
	}
	block, err := n.waitConfigAfter(ctx, o, before)
	return &Submitted{Check: check, Block: block}, err
}

// sendUpdate wraps an update and its signatures in an envelope and has the peer CLI, as the acting
// admin, sign and send it to an orderer.
func (n *Network) sendUpdate(o *Organization, upd []byte, sigs [][]byte) error {
	var cs []*cb.ConfigSignature
	for _, raw := range sigs {
		s := &cb.ConfigSignature{}
		if err := proto.Unmarshal(raw, s); err != nil {
			return err
		}
		cs = append(cs, s)
	}
	env, err := configtx.NewEnvelope(upd, cs...)
	if err != nil {
		return err
	}
	raw, err := proto.Marshal(env)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "ipledger-update-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "update.pb")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		return err
	}
	addr, ca := n.anyOrderer()
	return n.peerCLI(o, "channel", "update", "-f", file, "-c", n.Top.Channel, "-o", addr, "--tls", "--cafile", ca)
}

// configTimeout bounds the wait for a submitted update's config block on the submitter's peer.
const configTimeout = 30 * time.Second

// waitConfigAfter waits until the peer's last config block is after the one given, and returns it.
func (n *Network) waitConfigAfter(ctx context.Context, o *Organization, before uint64) (uint64, error) {
	var got uint64
	err := waitFor(ctx, configTimeout, 200*time.Millisecond, func() error {
		_, b, err := n.ChannelConfig(o)
		if err != nil {
			return err
		}
		if b <= before {
			return fmt.Errorf("%s's last config block is still %d", PeerName(o), b)
		}
		got = b
		return nil
	})
	return got, err
}
