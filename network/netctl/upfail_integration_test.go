//go:build integration

package netctl

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// An up whose orderer cannot create its Raft WAL (a file where its WAL directory goes) fails at the
// orderers' join, names the cause from the orderer, and leaves no process and no listening port. It
// brings up a network of its own, in its own directory at its own port base (the test network's base
// + 600, or IPLEDGER_UPFAIL_PORT_BASE), with the test network's programs; about 20 s.
func TestUp_FailedStartNamesItsCauseAndLeavesNothing(t *testing.T) {
	n := upFailNetwork(t)
	ordOrg := n.Top.OrdererOrgs()[0]
	ord := ordOrg.Orderers[0]
	wal := filepath.Join(n.nodeDir(ordOrg, ord.Name), "data", "etcdraft", "wal")
	if err := os.MkdirAll(filepath.Dir(wal), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wal, []byte("not a directory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, err := n.Up(ctx)
	if err == nil {
		t.Fatal("up succeeded with a file where orderer1's WAL directory goes")
	}
	t.Logf("up failed as it should:\n%v", err)
	for _, want := range []string{"orderers joined channel", ord.Name, "not a directory", ord.Name + "'s log", "stopped the"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q", want)
		}
	}
	for _, p := range n.processes(nil) {
		if pid := n.Pid(p); pid != 0 {
			t.Errorf("%s (pid %d) still runs after the failed up", p.Name, pid)
		}
	}
	for port := n.PortBase; port < n.PortBase+topologySpan; port++ {
		if conn, err := net.DialTimeout("tcp", Addr("127.0.0.1", port), 200*time.Millisecond); err == nil {
			conn.Close()
			t.Errorf("port %d still accepts connections after the failed up", port)
		}
	}
	st, err := n.loadState()
	if err != nil || !st.Enrolled || !st.Genesis || st.OrderersJoined {
		t.Errorf("state after the failed up: %+v, %v; want enrolled and genesis done, orderers not joined", st, err)
	}
}

// upFailNetwork places the topology in a new directory at a port base of its own, with the programs
// of the running test network, and deletes it at the end of the test.
func upFailNetwork(t *testing.T) *Network {
	t.Helper()
	t.Setenv("IPLEDGER_NO_GATEWAY", "1")
	return ScratchNetwork(t, 600, "IPLEDGER_UPFAIL_PORT_BASE", func(base int) *Topology { return loadTestTopology(t, base) })
}

// ScratchNetwork is a network of the topology made for its port base, in a new directory, at the test
// network's port base + offset (or $envVar), with the test network's programs (IPLEDGER_SYSTEM_FILE);
// it is stopped and deleted at the end of the test. Exported for this package's external tests.
func ScratchNetwork(t *testing.T, offset int, envVar string, topology func(base int) *Topology) *Network {
	t.Helper()
	sysFile := os.Getenv("IPLEDGER_SYSTEM_FILE")
	if sysFile == "" {
		t.Fatal("needs the test network's programs: IPLEDGER_SYSTEM_FILE (scripts/ipledger test integration)")
	}
	sys, err := LoadSystem(sysFile)
	if err != nil {
		t.Fatal(err)
	}
	base := sys.PortBase + offset
	if v := os.Getenv(envVar); v != "" {
		if base, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	var bin string
	for _, p := range sys.Processes {
		if p.Kind == "orderer" {
			bin = filepath.Dir(p.Binary)
		}
	}
	out, err := exec.Command("go", "list", "-C", filepath.Join("..", "tools", "fabric"), "-m", "-f", "{{.Dir}}",
		"github.com/hyperledger/fabric").Output()
	if err != nil {
		t.Fatalf("finding Fabric's sampleconfig: %v", err)
	}
	networkDir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	n := &Network{Top: topology(base), Dir: filepath.Join(t.TempDir(), "data"), PortBase: base, Bin: bin,
		FabricConfig: filepath.Join(strings.TrimSpace(string(out)), "sampleconfig"), NetworkDir: networkDir, Out: os.Stderr}
	t.Cleanup(func() {
		if err := n.Down(true); err != nil {
			t.Errorf("down --purge: %v", err)
		}
	})
	return n
}
