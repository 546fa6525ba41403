package netctl

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"golang.org/x/sync/errgroup"
)

//go:embed templates
var templates embed.FS

type configtxOrg struct {
	MSPID            string
	MSPDir           string
	OrdererEndpoints []string
	AnchorPeer       *struct {
		Host string
		Port int
	}
}

type consenter struct {
	Host string
	Port int
	Cert string
}

// writeGenesis renders configtx.yaml from the topology and makes the channel's genesis block.
func (n *Network) writeGenesis() error {
	data := struct {
		Orgs                                         []configtxOrg
		Consenters                                   []consenter
		BatchTimeout, TickInterval                   string
		MaxMessageCount, ElectionTick, HeartbeatTick int
	}{
		BatchTimeout:    n.Top.Ordering.BatchTimeout.String(),
		TickInterval:    n.Top.Ordering.TickInterval.String(),
		MaxMessageCount: n.Top.Ordering.MaxMessageCount,
		ElectionTick:    n.Top.Ordering.ElectionTick,
		HeartbeatTick:   n.Top.Ordering.HeartbeatTick,
	}
	for _, o := range n.plan().Organizations {
		co := configtxOrg{MSPID: o.MSPID, MSPDir: n.orgMSP(o)}
		for _, ord := range o.Orderers {
			co.OrdererEndpoints = append(co.OrdererEndpoints, Addr(ord.Host, ord.Port))
			data.Consenters = append(data.Consenters, consenter{Host: ord.Host, Port: ord.Port,
				Cert: filepath.Join(n.nodeDir(o, ord.Name), "tls", "cert.pem")})
		}
		if o.Peer != nil {
			co.AnchorPeer = &struct {
				Host string
				Port int
			}{o.Host, o.Peer.Port}
		}
		data.Orgs = append(data.Orgs, co)
	}
	tmpl, err := template.ParseFS(templates, "templates/configtx.yaml.tmpl")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return err
	}
	if err := os.MkdirAll(n.channelDir(), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(n.channelDir(), "configtx.yaml"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	return n.run(nil, n.ProgramPath("configtxgen"), "-configPath", n.channelDir(), "-profile", "IPLedgerChannel",
		"-channelID", n.Top.Channel, "-outputBlock", n.genesisBlock())
}

// joinOrderers joins every orderer to the channel with the channel participation API, and waits
// until each lists the channel as active with itself a consenter. osnadmin exits 0 whatever the
// orderer answers, so its answer is read: a join is done only when the orderer says so.
func (n *Network) joinOrderers(ctx context.Context) error {
	var g errgroup.Group
	for _, o := range n.Top.OrdererOrgs() {
		for _, ord := range o.Orderers {
			g.Go(func() error { return n.withCause(ord.Name, n.joinOrderer(ctx, o, ord)) })
		}
	}
	return g.Wait()
}

// joinTimeout bounds the wait for a joined channel to become active on an orderer or a peer.
const joinTimeout = 30 * time.Second

// joinOrderer joins one orderer unless it already has the channel, then waits until it is active.
func (n *Network) joinOrderer(ctx context.Context, o *Organization, ord OrdererSpec) error {
	info, err := n.ordererChannel(o, ord)
	if err != nil {
		return err
	}
	if info == nil {
		code, body, err := n.osnadmin(o, ord, "join", "--config-block", n.genesisBlock())
		if err != nil {
			return err
		}
		if code != 201 {
			return fmt.Errorf("%s refused to join %s: %d %s", ord.Name, n.Top.Channel, code, answerError(body))
		}
	}
	return waitFor(ctx, joinTimeout, 200*time.Millisecond, func() error {
		if n.Pid(n.ordererProcess(o, ord)) == 0 {
			return final(fmt.Errorf("%s exited", ord.Name))
		}
		info, err := n.ordererChannel(o, ord)
		if err != nil {
			return err
		}
		if info == nil {
			return fmt.Errorf("%s does not list channel %s after joining it", ord.Name, n.Top.Channel)
		}
		if info.Status == "failed" {
			return final(info.joined(ord.Name))
		}
		return info.joined(ord.Name)
	})
}

// osnChannel is an orderer's answer about one channel (osnadmin channel list --channelID).
type osnChannel struct {
	Name              string `json:"name"`
	Status            string `json:"status"`
	ConsensusRelation string `json:"consensusRelation"`
	Height            uint64 `json:"height"`
}

// joined says whether the channel is active on the orderer, which is one of its consenters.
func (c *osnChannel) joined(orderer string) error {
	if c.Status == "active" && c.ConsensusRelation == "consenter" {
		return nil
	}
	return fmt.Errorf("%s has channel %s %s as %s (height %d), not active as a consenter",
		orderer, c.Name, c.Status, c.ConsensusRelation, c.Height)
}

// ordererChannel asks an orderer about the channel: nil when it does not have it.
func (n *Network) ordererChannel(o *Organization, ord OrdererSpec) (*osnChannel, error) {
	code, body, err := n.osnadmin(o, ord, "list")
	if err != nil {
		return nil, err
	}
	return parseOSNChannel(ord.Name, code, body)
}

// parseOSNChannel reads osnadmin's answer to channel list --channelID: the channel, nil for 404.
func parseOSNChannel(orderer string, code int, body []byte) (*osnChannel, error) {
	switch code {
	case 404:
		return nil, nil
	case 200:
	default:
		return nil, fmt.Errorf("%s answered %d to channel list: %s", orderer, code, answerError(body))
	}
	var c osnChannel
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("%s's channel list: %w", orderer, err)
	}
	return &c, nil
}

// osnadmin runs one osnadmin channel command against an orderer as its organization's admin and
// returns the HTTP status and body of the orderer's answer.
func (n *Network) osnadmin(o *Organization, ord OrdererSpec, cmd string, args ...string) (int, []byte, error) {
	admin := n.adminTLS(o)
	args = append([]string{"channel", cmd, "--channelID", n.Top.Channel,
		"-o", Addr(ord.Host, ord.AdminPort),
		"--ca-file", n.caCert(o),
		"--client-cert", filepath.Join(admin, "cert.pem"),
		"--client-key", filepath.Join(admin, "key.pem")}, args...)
	out, err := n.output(nil, n.ProgramPath("osnadmin"), args...)
	if err != nil {
		return 0, nil, err
	}
	return parseOSNAdmin(out)
}

// parseOSNAdmin splits osnadmin's output, "Status: <code>" and the JSON body. When it reaches no
// orderer (a transport or TLS error) osnadmin prints "Error: ..." and exits 1, which output already
// reports; an "Error: ..." or other output without a status line is refused here all the same.
func parseOSNAdmin(out string) (int, []byte, error) {
	first, body, _ := strings.Cut(strings.TrimSpace(out), "\n")
	var code int
	if _, err := fmt.Sscanf(first, "Status: %d", &code); err != nil {
		return 0, nil, fmt.Errorf("osnadmin: %s", lastLines(out, 4))
	}
	return code, []byte(body), nil
}

// adminTLS is the TLS identity this host presents to its organization's orderers' admin and
// operations endpoints: the organization admin's; on an orderer host without the organization's CA and
// admin, its own orderer's (both are certificates of the organization's CA, which those endpoints
// require).
func (n *Network) adminTLS(o *Organization) string {
	if o.remoteCA && len(o.Orderers) > 0 {
		return filepath.Join(n.nodeDir(o, o.Orderers[0].Name), "tls")
	}
	return filepath.Join(n.userDir(o, "admin"), "tls")
}

// answerError is the error an orderer's JSON answer carries, or the answer itself.
func answerError(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return e.Error
	}
	return strings.TrimSpace(string(body))
}

// joinPeers joins every peer to the channel as its organization's admin, unless it has joined it
// already, and checks that each then lists the channel.
func (n *Network) joinPeers(ctx context.Context) error {
	var g errgroup.Group
	for _, o := range n.Top.PeerOrgs() {
		g.Go(func() error {
			later, err := n.joinsLater(o)
			if err != nil {
				return err
			}
			if later && n.scoped() {
				return n.joinLater(ctx, o) // a bank that joins a running consortium
			}
			if n.JoinSnapshot != nil {
				return fmt.Errorf("--join snapshot:… is for an organization that joins a running channel; %s is in the "+
					"channel's genesis block and joins from it (a peer that has joined rejoins with `netctl peer rejoin`)", o.MSPID)
			}
			return n.withCause(PeerName(o), n.joinPeer(ctx, o))
		})
	}
	return g.Wait()
}

func (n *Network) joinPeer(ctx context.Context, o *Organization) error {
	joined, err := n.peerHasChannel(o)
	if err != nil {
		return err
	}
	if !joined {
		if err := n.peerCLI(o, "channel", "join", "-b", n.genesisBlock()); err != nil {
			return err
		}
	}
	return waitFor(ctx, joinTimeout, 200*time.Millisecond, func() error {
		if n.Pid(n.peerProcess(o)) == 0 {
			return final(fmt.Errorf("%s exited", PeerName(o)))
		}
		joined, err := n.peerHasChannel(o)
		if err == nil && !joined {
			err = fmt.Errorf("%s does not list channel %s after joining it", PeerName(o), n.Top.Channel)
		}
		return err
	})
}

// peerHasChannel says whether a peer lists the channel (peer channel list).
func (n *Network) peerHasChannel(o *Organization) (bool, error) {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "channel", "list")
	if err != nil {
		return false, err
	}
	return listsChannel(out, n.Top.Channel), nil
}

// listsChannel reads peer channel list's output: a heading, then one channel per line.
func listsChannel(out, channel string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == channel {
			return true
		}
	}
	return false
}

// peerEnv is the environment of the peer CLI acting as an organization's admin against its own peer.
func (n *Network) peerCLIEnv(o *Organization) []string {
	admin := n.userDir(o, "admin")
	return []string{
		"FABRIC_CFG_PATH=" + n.peerConfigDir(),
		"CORE_PEER_LOCALMSPID=" + o.MSPID,
		"CORE_PEER_MSPCONFIGPATH=" + filepath.Join(admin, "msp"),
		"CORE_PEER_ADDRESS=" + Addr(o.Host, o.Peer.Port),
		"CORE_PEER_TLS_ENABLED=true",
		"CORE_PEER_TLS_ROOTCERT_FILE=" + n.caCert(o),
		"CORE_PEER_TLS_CLIENTCERT_FILE=" + filepath.Join(admin, "tls", "cert.pem"),
		"CORE_PEER_TLS_CLIENTKEY_FILE=" + filepath.Join(admin, "tls", "key.pem"),
		"FABRIC_LOGGING_SPEC=WARN",
	}
}

func (n *Network) peerCLI(o *Organization, args ...string) error {
	return n.run(n.peerCLIEnv(o), n.ProgramPath("peer"), args...)
}

// run runs a short-lived command and returns its output's last lines with any failure.
func (n *Network) run(env []string, bin string, args ...string) error {
	_, err := n.output(env, bin, args...)
	return err
}

func (n *Network) output(env []string, bin string, args ...string) (string, error) {
	out, _, err := n.outputs(env, bin, args...)
	return out, err
}

// outputs runs a short-lived command and returns its standard output and its standard error.
func (n *Network) outputs(env []string, bin string, args ...string) (string, string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(baseEnv(), env...)
	n.observe(cmd)
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), errOut.String(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), args[0], err,
			lastLines(errOut.String()+out.String(), 8))
	}
	return out.String(), errOut.String(), nil
}

// anyOrderer is the address and TLS root of one orderer, for CLI commands that send transactions.
func (n *Network) anyOrderer() (addr, tlsCA string) {
	o := n.plan().OrdererOrgs()[0]
	for _, ord := range o.Orderers {
		if conn, err := net.DialTimeout("tcp", Addr(ord.Host, ord.Port), 2*time.Second); err == nil {
			conn.Close()
			return Addr(ord.Host, ord.Port), n.caCert(o)
		}
	}
	return Addr(o.Orderers[0].Host, o.Orderers[0].Port), n.caCert(o) // none answers: the CLI says so
}
