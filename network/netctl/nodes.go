package netctl

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

func (n *Network) ordererProcess(o *Organization, ord OrdererSpec) *Process {
	node := n.nodeDir(o, ord.Name)
	tlsDir := filepath.Join(node, "tls")
	data := filepath.Join(node, "data")
	cert, key, ca := filepath.Join(tlsDir, "cert.pem"), filepath.Join(tlsDir, "key.pem"), filepath.Join(tlsDir, "ca.pem")
	p := &Process{
		Name: ord.Name, Kind: "orderer", Org: o.Name,
		Bin: n.ProgramPath("orderer"),
		Env: append([]string{
			"FABRIC_CFG_PATH=" + n.FabricConfig,
			"FABRIC_LOGGING_SPEC=INFO",
			"ORDERER_GENERAL_LISTENADDRESS=" + ord.Host,
			"ORDERER_GENERAL_LISTENPORT=" + strconv.Itoa(ord.Port),
			"ORDERER_GENERAL_LOCALMSPID=" + o.MSPID,
			"ORDERER_GENERAL_LOCALMSPDIR=" + filepath.Join(node, "msp"),
			"ORDERER_GENERAL_TLS_ENABLED=true",
			"ORDERER_GENERAL_TLS_CERTIFICATE=" + cert,
			"ORDERER_GENERAL_TLS_PRIVATEKEY=" + key,
			"ORDERER_GENERAL_TLS_ROOTCAS=[" + ca + "]",
			"ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE=" + cert,
			"ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY=" + key,
			"ORDERER_GENERAL_CLUSTER_ROOTCAS=[" + ca + "]",
			"ORDERER_CHANNELPARTICIPATION_ENABLED=true",
			"ORDERER_ADMIN_LISTENADDRESS=" + Addr(ord.Host, ord.AdminPort),
			"ORDERER_ADMIN_TLS_ENABLED=true",
			"ORDERER_ADMIN_TLS_CERTIFICATE=" + cert,
			"ORDERER_ADMIN_TLS_PRIVATEKEY=" + key,
			"ORDERER_ADMIN_TLS_ROOTCAS=[" + ca + "]",
			"ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true",
			"ORDERER_ADMIN_TLS_CLIENTROOTCAS=[" + ca + "]",
			"ORDERER_FILELEDGER_LOCATION=" + filepath.Join(data, "ledger"),
			"ORDERER_CONSENSUS_WALDIR=" + filepath.Join(data, "etcdraft", "wal"),
			"ORDERER_CONSENSUS_SNAPDIR=" + filepath.Join(data, "etcdraft", "snapshot"),
			"ORDERER_OPERATIONS_LISTENADDRESS=" + Addr(ord.Host, ord.OpsPort),
			"ORDERER_OPERATIONS_TLS_ENABLED=true",
			"ORDERER_OPERATIONS_TLS_CERTIFICATE=" + cert,
			"ORDERER_OPERATIONS_TLS_PRIVATEKEY=" + key,
			// /healthz is open; /metrics and /logspec want a client certificate from the organization's CA.
			"ORDERER_OPERATIONS_TLS_CLIENTAUTHREQUIRED=false",
			"ORDERER_OPERATIONS_TLS_CLIENTROOTCAS=[" + ca + "]",
			"ORDERER_METRICS_PROVIDER=prometheus",
			"ORDERER_GENERAL_AUTHENTICATION_TIMEWINDOW=15m",
			// The peers ping every 10s (CORE_PEER_KEEPALIVE_DELIVERYCLIENT_INTERVAL); the orderer's
			// default minimum of 60s would close their connections for pinging too often. 5s leaves a
			// margin for a ping that comes early.
			"ORDERER_GENERAL_KEEPALIVE_SERVERMININTERVAL=5s",
		}, ordererCacheEnv...),
		Dir:    node,
		Host:   ord.Host,
		Ports:  []int{ord.Port, ord.AdminPort, ord.OpsPort},
		Health: "https://" + Addr(ord.Host, ord.OpsPort) + "/healthz",
	}
	n.ordererProfile(p, ord)
	return p
}

func (n *Network) peerProcess(o *Organization) *Process {
	node := n.nodeDir(o, o.Peer.Name)
	tlsDir := filepath.Join(node, "tls")
	cert, key, ca := filepath.Join(tlsDir, "cert.pem"), filepath.Join(tlsDir, "key.pem"), filepath.Join(tlsDir, "ca.pem")
	addr := Addr(o.Host, o.Peer.Port)
	data := filepath.Join(node, "data")
	p := &Process{
		Name: PeerName(o), Kind: "peer", Org: o.Name,
		Bin:  n.ProgramPath("peer"),
		Args: []string{"node", "start"},
		Env: append(append([]string{
			"FABRIC_CFG_PATH=" + n.peerConfigDir(),
			"FABRIC_LOGGING_SPEC=INFO",
			"CORE_PEER_ID=" + PeerName(o),
			"CORE_PEER_ADDRESS=" + addr,
			"CORE_PEER_LISTENADDRESS=" + addr,
			"CORE_PEER_CHAINCODEADDRESS=" + Addr(o.Host, o.Peer.ChaincodePort),
			"CORE_PEER_CHAINCODELISTENADDRESS=" + Addr(o.Host, o.Peer.ChaincodePort),
			"CORE_PEER_GOSSIP_BOOTSTRAP=" + addr,
			"CORE_PEER_GOSSIP_ENDPOINT=" + addr,
			"CORE_PEER_GOSSIP_EXTERNALENDPOINT=" + addr,
			"CORE_PEER_GOSSIP_RECONNECTINTERVAL=2s",
			"CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL=1s",
			"CORE_PEER_GOSSIP_ALIVETIMEINTERVAL=1s",
			// A peer sends its alive message to propagatePeerNum peers a second (Fabric's default 3, the
			// others hear it only by forwarding) and takes another for dead after the expiration without
			// one: with eight peers a peer missed another's for 5s now and then, even on an idle machine
			// ("Haven't heard from … for 5.05s", then its gateway finds no endorsing peer of that
			// organization). Every peer sends to every other, and 10s of silence makes one dead.
			"CORE_PEER_GOSSIP_PROPAGATEPEERNUM=12",
			"CORE_PEER_GOSSIP_ALIVEEXPIRATIONTIMEOUT=10s",
			// A peer cut off from the orderers retries with a backoff that Fabric lets grow to an hour:
			// capped at 5s, so that it catches up soon after the link's return (the multi-host test)...
			"CORE_PEER_DELIVERYCLIENT_RECONNECTBACKOFFTHRESHOLD=5s",
			// ...and a connection to an orderer that went silent (a cut link drops packets, it sends no
			// reset) is found dead by keepalive in 15s, not 80s.
			"CORE_PEER_KEEPALIVE_DELIVERYCLIENT_INTERVAL=10s",
			"CORE_PEER_KEEPALIVE_DELIVERYCLIENT_TIMEOUT=5s",
			"CORE_PEER_LOCALMSPID=" + o.MSPID,
			"CORE_PEER_MSPCONFIGPATH=" + filepath.Join(node, "msp"),
			"CORE_PEER_TLS_ENABLED=true",
			"CORE_PEER_TLS_CERT_FILE=" + cert,
			"CORE_PEER_TLS_KEY_FILE=" + key,
			"CORE_PEER_TLS_ROOTCERT_FILE=" + ca,
			"CORE_PEER_FILESYSTEMPATH=" + data,
			"CORE_LEDGER_SNAPSHOTS_ROOTDIR=" + filepath.Join(data, "snapshots"),
			"CORE_LEDGER_HISTORY_ENABLEHISTORYDATABASE=true",
			"CORE_PEER_GATEWAY_ENABLED=true",
			"CORE_OPERATIONS_LISTENADDRESS=" + Addr(o.Host, o.Peer.OpsPort),
			"CORE_OPERATIONS_TLS_ENABLED=true",
			"CORE_OPERATIONS_TLS_CERT_FILE=" + cert,
			"CORE_OPERATIONS_TLS_KEY_FILE=" + key,
			"CORE_OPERATIONS_TLS_CLIENTAUTHREQUIRED=false",
			"CORE_METRICS_PROVIDER=prometheus",
		}, peerCacheEnv...), "CORE_PEER_PROFILE_ENABLED=false"), // the last: PeerProfile below replaces it
		Dir:    node,
		Host:   o.Host,
		Ports:  []int{o.Peer.Port, o.Peer.ChaincodePort, o.Peer.OpsPort},
		Health: "https://" + Addr(o.Host, o.Peer.OpsPort) + "/healthz",
	}
	if n.PeerProfile {
		// Go's pprof over plain HTTP, without authentication: on the loopback address only, and only
		// on a network started for the benchmark (scripts/ipledger bench sets IPLEDGER_PEER_PROFILE).
		port := n.Top.PeerProfilePort(o)
		p.Env[len(p.Env)-1] = "CORE_PEER_PROFILE_ENABLED=true"
		p.Env = append(p.Env, "CORE_PEER_PROFILE_LISTENADDRESS="+Addr("127.0.0.1", port))
		p.LoopbackPorts = append(p.LoopbackPorts, port)
	}
	return p
}

// writePeerConfig writes the peers' core.yaml: Fabric's sample configuration with the settings that
// cannot be given as environment variables: no Docker endpoint and the chaincode-as-a-service builder.
func (n *Network) writePeerConfig() error {
	raw, err := os.ReadFile(filepath.Join(n.FabricConfig, "core.yaml"))
	if err != nil {
		return err
	}
	var core map[string]any
	if err := yaml.Unmarshal(raw, &core); err != nil {
		return fmt.Errorf("core.yaml: %w", err)
	}
	vm, _ := core["vm"].(map[string]any)
	chaincode, _ := core["chaincode"].(map[string]any)
	if vm == nil || chaincode == nil {
		return fmt.Errorf("core.yaml: vm or chaincode section missing")
	}
	vm["endpoint"] = ""
	// /healthz is open; /metrics wants a client certificate from a member's CA. A list: not settable
	// from the environment, and core.yaml is shared by the peers, so it names every member's CA.
	var roots []string
	for _, o := range n.plan().Organizations {
		if _, err := os.Stat(n.caCert(o)); err == nil { // on a host of a consortium: imported
			roots = append(roots, n.caCert(o))
		}
	}
	ops, _ := core["operations"].(map[string]any)
	opsTLS, _ := ops["tls"].(map[string]any)
	if opsTLS == nil {
		return fmt.Errorf("core.yaml: operations.tls section missing")
	}
	opsTLS["clientRootCAs"] = map[string]any{"files": roots}
	chaincode["externalBuilders"] = []map[string]any{{
		"name":                 "ipledger-ccaas",
		"path":                 filepath.Join(n.NetworkDir, "builders", "ccaas"),
		"propagateEnvironment": []string{},
	}}
	out, err := yaml.Marshal(core)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(n.peerConfigDir(), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(n.peerConfigDir(), "core.yaml"), out, 0o644)
}

// opsClient is an HTTP client for the operations endpoints, trusting every organization's CA (and,
// for a CA running here, its own certificate, which its channel MSP has only after the enrolment
// that needs the CA healthy).
func (n *Network) opsClient() *http.Client {
	pool := x509.NewCertPool()
	for _, o := range n.plan().Organizations {
		for _, f := range []string{n.caCert(o), n.caServerCert(o)} {
			if pem, err := os.ReadFile(f); err == nil {
				pool.AppendCertsFromPEM(pem)
			}
		}
	}
	return &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
	}
}
