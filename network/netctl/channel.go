package netctl

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"text/template"

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
	for _, o := range n.Top.Organizations {
		co := configtxOrg{MSPID: o.MSPID, MSPDir: n.orgMSP(o)}
		for _, ord := range o.Orderers {
			co.OrdererEndpoints = append(co.OrdererEndpoints, Addr(o.Host, ord.Port))
			data.Consenters = append(data.Consenters, consenter{Host: o.Host, Port: ord.Port,
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

// joinOrderers joins every orderer to the channel with the channel participation API.
func (n *Network) joinOrderers() error {
	var g errgroup.Group
	for _, o := range n.Top.OrdererOrgs() {
		admin := n.userDir(o, "admin")
		for _, ord := range o.Orderers {
			g.Go(func() error {
				node := n.nodeDir(o, ord.Name)
				return n.run(nil, n.ProgramPath("osnadmin"), "channel", "join",
					"--channelID", n.Top.Channel, "--config-block", n.genesisBlock(),
					"-o", Addr(o.Host, ord.AdminPort),
					"--ca-file", filepath.Join(node, "tls", "ca.pem"),
					"--client-cert", filepath.Join(admin, "tls", "cert.pem"),
					"--client-key", filepath.Join(admin, "tls", "key.pem"))
			})
		}
	}
	return g.Wait()
}

// joinPeers joins every peer to the channel as its organization's admin.
func (n *Network) joinPeers() error {
	var g errgroup.Group
	for _, o := range n.Top.PeerOrgs() {
		g.Go(func() error {
			return n.peerCLI(o, "channel", "join", "-b", n.genesisBlock())
		})
	}
	return g.Wait()
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
	cmd := exec.Command(bin, args...)
	cmd.Env = append(baseEnv(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), args[0], err,
			lastLines(errOut.String()+out.String(), 8))
	}
	return out.String(), nil
}

// anyOrderer is the address and TLS root of one orderer, for CLI commands that send transactions.
func (n *Network) anyOrderer() (addr, tlsCA string) {
	o := n.Top.OrdererOrgs()[0]
	return Addr(o.Host, o.Orderers[0].Port), n.caCert(o)
}
