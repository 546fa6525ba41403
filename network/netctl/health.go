package netctl

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ProcessHealth is what status found for one component.
type ProcessHealth struct {
	Pid     int
	Healthy bool
	State   string // "healthy", "stopped", "running, not healthy: ..."
}

// Health checks every process of a description: its pid, and its operations /healthz where it has one
// (the chaincode servers have none: each counts as healthy while it runs).
func (n *Network) Health(sys *System) map[string]ProcessHealth {
	client := n.opsClient()
	out := make(map[string]ProcessHealth, len(sys.Processes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, pi := range sys.Processes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := ProcessHealth{State: "stopped"}
			p := &Process{Name: pi.Name, Bin: pi.Binary}
			if h.Pid = n.Pid(p); h.Pid != 0 {
				h.Healthy, h.State = true, "healthy"
				if pi.Health != "" {
					resp, err := client.Get(pi.Health)
					switch {
					case err != nil:
						h.Healthy, h.State = false, "running, not healthy: "+err.Error()
					case resp.StatusCode != http.StatusOK:
						h.Healthy, h.State = false, fmt.Sprintf("running, not healthy: %s", resp.Status)
					}
					if resp != nil {
						resp.Body.Close()
					}
				}
			}
			mu.Lock()
			out[pi.Name] = h
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// Component finds one process of the network by name.
func (n *Network) Component(sys *System, name string) (*Process, error) {
	for _, p := range n.processes(sys.PackageIDs()) {
		if p.Name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no component %q; `status` lists them", name)
}

// metricsClient is an operations client that presents an organization admin's TLS certificate, which
// the nodes' /metrics endpoints require.
func (n *Network) metricsClient(o *Organization) (*http.Client, error) {
	dir := n.adminTLS(o)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		return nil, err
	}
	c := n.opsClient()
	c.Transport.(*http.Transport).TLSClientConfig.Certificates = []tls.Certificate{cert}
	return c, nil
}

// metric reads one sample of a node's /metrics, for the channel: the value of name{channel="..."}.
func (n *Network) metric(client *http.Client, opsAddr, name string) (float64, error) {
	req, err := http.NewRequest(http.MethodGet, "https://"+opsAddr+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s/metrics: %s", opsAddr, resp.Status)
	}
	v, err := channelSample(resp.Body, name, n.Top.Channel)
	if err != nil {
		return 0, fmt.Errorf("%s/metrics: %w", opsAddr, err)
	}
	return v, nil
}

// channelSample parses metrics in the Prometheus text format and returns the value of the gauge,
// counter or untyped metric name with the label channel="channel".
func channelSample(r io.Reader, name, channel string) (float64, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return 0, err
	}
	for _, m := range families[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() != "channel" || l.GetValue() != channel {
				continue
			}
			switch {
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue(), nil
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue(), nil
			case m.GetUntyped() != nil:
				return m.GetUntyped().GetValue(), nil
			}
		}
	}
	return 0, fmt.Errorf("no %s for channel %s", name, channel)
}

// RaftLeader names the orderer that leads the channel's Raft cluster, from the orderers' own
// consensus_etcdraft_is_leader metric.
func (n *Network) RaftLeader() (string, error) {
	if len(n.Top.OrdererOrgs()) == 0 {
		return "", fmt.Errorf("this host runs no orderer: ask on an orderer's host")
	}
	for _, o := range n.Top.OrdererOrgs() {
		client, err := n.metricsClient(o)
		if err != nil {
			return "", err
		}
		for _, ord := range n.planOrg(o.Name).Orderers { // on a host of one orderer: all, over the network
			if v, err := n.metric(client, Addr(ord.Host, ord.OpsPort), "consensus_etcdraft_is_leader"); err == nil && v == 1 {
				return ord.Name, nil
			}
		}
	}
	return "", fmt.Errorf("no orderer reports itself Raft leader of %s", n.Top.Channel)
}

// Heights reads the channel's ledger height on every orderer and peer that answers (metric
// ledger_blockchain_height); a node that does not answer is left out.
func (n *Network) Heights() (map[string]uint64, error) {
	out := map[string]uint64{}
	for _, o := range n.Top.Organizations {
		client, err := n.metricsClient(o)
		if err != nil {
			return nil, err
		}
		nodes := map[string]string{}
		for _, ord := range o.Orderers {
			nodes[ord.Name] = Addr(ord.Host, ord.OpsPort)
		}
		if o.Peer != nil {
			nodes[PeerName(o)] = Addr(o.Host, o.Peer.OpsPort)
		}
		for name, addr := range nodes {
			if h, err := n.metric(client, addr, "ledger_blockchain_height"); err == nil {
				out[name] = uint64(h)
			}
		}
	}
	return out, nil
}
