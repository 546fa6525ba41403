package netctl

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The files in testdata are whole /metrics responses of a network brought up by `scripts/ipledger up`
// (Fabric v3.1, channel ipledger, ledger height 4): two orderers, one the Raft leader, and a peer.

func readMetrics(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestChannelSample_ReadsWhatNetctlReadsFromRealMetrics(t *testing.T) {
	cases := []struct {
		file, metric string
		want         float64
	}{
		{"metrics-orderer-leader.txt", "consensus_etcdraft_is_leader", 1},
		{"metrics-orderer-follower.txt", "consensus_etcdraft_is_leader", 0},
		{"metrics-orderer-leader.txt", "ledger_blockchain_height", 4},
		{"metrics-orderer-follower.txt", "ledger_blockchain_height", 4},
		{"metrics-peer.txt", "ledger_blockchain_height", 4},
		{"metrics-orderer-leader.txt", "consensus_etcdraft_cluster_size", 3},
	}
	for _, c := range cases {
		got, err := channelSample(strings.NewReader(readMetrics(t, c.file)), c.metric, "ipledger")
		if err != nil {
			t.Errorf("%s %s: %v", c.file, c.metric, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s %s = %v, want %v", c.file, c.metric, got, c.want)
		}
	}
}

func TestChannelSample_AnotherChannelOrMetricIsAnError(t *testing.T) {
	text := readMetrics(t, "metrics-peer.txt")
	if v, err := channelSample(strings.NewReader(text), "ledger_blockchain_height", "other"); err == nil {
		t.Errorf("a channel the peer has not joined has height %v", v)
	}
	// A peer runs no Raft.
	if v, err := channelSample(strings.NewReader(text), "consensus_etcdraft_is_leader", "ipledger"); err == nil {
		t.Errorf("a peer reports Raft leadership %v", v)
	}
}

func TestChannelSample_MalformedTextIsAnError(t *testing.T) {
	text := "# TYPE ledger_blockchain_height gauge\nledger_blockchain_height{channel=\"ipledger\"} four\n"
	if v, err := channelSample(strings.NewReader(text), "ledger_blockchain_height", "ipledger"); err == nil {
		t.Errorf("parsed %v from a malformed value", v)
	}
}

func TestMetric_AsksForTheTextFormatAndReadsTheChannel(t *testing.T) {
	body := readMetrics(t, "metrics-orderer-leader.txt")
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" || !strings.HasPrefix(r.Header.Get("Accept"), "text/plain") {
			http.Error(w, "want GET /metrics in the text format", http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	n := &Network{Top: &Topology{Channel: "ipledger"}}
	addr := strings.TrimPrefix(srv.URL, "https://")
	v, err := n.metric(srv.Client(), addr, "consensus_etcdraft_is_leader")
	if err != nil || v != 1 {
		t.Errorf("is_leader = %v, %v; want 1", v, err)
	}
	n.Top.Channel = "other"
	if _, err := n.metric(srv.Client(), addr, "consensus_etcdraft_is_leader"); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("error for a missing channel does not name the node: %v", err)
	}
}
