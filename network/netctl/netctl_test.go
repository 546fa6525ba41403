package netctl

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// topologySpan bounds the port offsets of the repository's topology: a scratch network of the
// integration tests at the test network's base + 200 or more never meets the test network's ports.
const topologySpan = 130

func loadTestTopology(t *testing.T, base int) *Topology {
	t.Helper()
	top, err := LoadTopology(filepath.Join("..", "topology.yaml"), base)
	if err != nil {
		t.Fatal(err)
	}
	return top
}

func TestTopology_PortsComeFromOneBaseAndNeverCollide(t *testing.T) {
	for _, base := range []int{7000, 17000} {
		top := loadTestTopology(t, base)
		seen := map[int]string{}
		add := func(port int, what string) {
			if port < base || port >= base+topologySpan {
				t.Errorf("base %d: %s on %d is outside [base, base+%d)", base, what, port, topologySpan)
			}
			if other, dup := seen[port]; dup {
				t.Errorf("base %d: port %d used by %s and %s", base, port, other, what)
			}
			seen[port] = what
		}
		for _, o := range top.Organizations {
			add(o.CA.Port, o.Name+" ca")
			add(o.CA.OpsPort, o.Name+" ca ops")
			for _, ord := range o.Orderers {
				add(ord.Port, ord.Name)
				add(ord.AdminPort, ord.Name+" admin")
				add(ord.OpsPort, ord.Name+" ops")
			}
			if o.Peer != nil {
				add(o.Peer.Port, o.Name+" peer")
				add(o.Peer.ChaincodePort, o.Name+" peer chaincode")
				add(o.Peer.OpsPort, o.Name+" peer ops")
				add(o.Peer.CCServerPort, o.Name+" chaincode server")
			}
			if o.Gateway != nil {
				add(o.Gateway.Port, o.Name+" gateway")
				add(o.Gateway.OpsPort, o.Name+" gateway ops")
				if o.Postgres() {
					add(o.Gateway.ReadModel.Port, o.Name+" read model server")
				}
			}
		}
	}
}

func TestTopology_HasTheBriefsOrganizationsAndRoles(t *testing.T) {
	top := loadTestTopology(t, 0)
	want := map[string]string{"Bank1MSP": "loan-officer", "Bank2MSP": "loan-officer", "ExchangeMSP": "trader",
		"IPOfficeMSP": "examiner", "RegulatorMSP": "auditor", "OrdererMSP": ""}
	for msp, role := range want {
		o := top.Org(msp)
		if o == nil {
			t.Errorf("%s missing", msp)
			continue
		}
		roles := map[string]bool{}
		for _, u := range o.Users {
			roles[u.Role] = true
		}
		if !roles["admin"] || (role != "" && !roles[role]) {
			t.Errorf("%s users have roles %v; want admin and %q", msp, roles, role)
		}
	}
	if n := len(top.Org("OrdererMSP").Orderers); n != 3 {
		t.Errorf("%d orderers, want 3", n)
	}
}

// readModel is a topology whose one organization keeps its read model as spec says.
func readModel(spec string) string {
	return "channel: c\nchaincode: {name: x}\norganizations:\n  - {name: a, mspId: BankAMSP, host: 127.0.0.1, orderers: [{name: o1}], " +
		"peer: {name: p0, port: 2, ccServerPort: 3}, gateway: {port: 4, opsPort: 5, readModel: " + spec + "}, users: [{name: admin, role: admin}]}\n"
}

func TestLoadTopology_RejectsIncompleteFiles(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"no channel":                            "chaincode: {name: x}\norganizations: []\n",
		"no admin":                              "channel: c\nchaincode: {name: x}\norganizations:\n  - {name: a, mspId: AMSP, host: 127.0.0.1, orderers: [{name: o1}], users: [{name: u, role: r}]}\n",
		"no orderers":                           "channel: c\nchaincode: {name: x}\norganizations:\n  - {name: a, mspId: AMSP, host: 127.0.0.1, users: [{name: admin, role: admin}]}\n",
		"peer without its chaincode server":     "channel: c\nchaincode: {name: x}\norganizations:\n  - {name: a, mspId: BankAMSP, host: 127.0.0.1, orderers: [{name: o1}], peer: {name: p0, port: 2}, users: [{name: admin, role: admin}]}\n",
		"read model in postgres without a port": readModel("{driver: postgres}"),
		"read model of an unknown driver":       readModel("{driver: mysql, port: 9}"),
		"read model in sqlite with a port":      readModel("{driver: sqlite, port: 9}"),
	}
	for name, body := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".yaml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadTopology(path, 0); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ok := filepath.Join(dir, "postgres.yaml")
	if err := os.WriteFile(ok, []byte(readModel("{driver: postgres, port: 9}")), 0o644); err != nil {
		t.Fatal(err)
	}
	top, err := LoadTopology(ok, 100)
	if err != nil || !top.Organizations[0].Postgres() || top.Organizations[0].Gateway.ReadModel.Port != 109 {
		t.Errorf("a read model in PostgreSQL at offset 9, base 100: %v", err)
	}
}

func TestPid_CountsOnlyTheProcessItStarted(t *testing.T) {
	dir := t.TempDir()
	n := &Network{Dir: dir}
	p := &Process{Name: "sleeper", Bin: "/bin/sleep", Args: []string{"30"}, Host: "127.0.0.1"}
	if err := n.Start(p); err != nil {
		t.Fatal(err)
	}
	pid := n.Pid(p)
	if pid == 0 {
		t.Fatal("a process just started is not running")
	}
	// The same pid with another start time is another process that reuses the pid.
	raw, _ := os.ReadFile(n.pidFile("sleeper"))
	if err := os.WriteFile(n.pidFile("sleeper"), []byte(strconv.Itoa(pid)+" 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := n.Pid(p); got != 0 {
		t.Errorf("a reused pid counted as running: %d", got)
	}
	if err := os.WriteFile(n.pidFile("sleeper"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := n.Stop(p, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := n.Pid(p); got != 0 {
		t.Errorf("still running after Stop: %d", got)
	}
	if _, err := os.Stat(n.pidFile("sleeper")); err == nil {
		t.Error("pid file left after Stop")
	}
}

func TestStart_PortInUseIsAClearErrorNamingThePort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	n := &Network{Dir: t.TempDir()}
	err = n.Start(&Process{Name: "peer0.bank1", Bin: "/bin/true", Host: "127.0.0.1", Ports: []int{port}})
	if err == nil {
		t.Fatal("started on a port in use")
	}
	if !strings.Contains(err.Error(), "port "+strconv.Itoa(port)) || !strings.Contains(err.Error(), "peer0.bank1") {
		t.Errorf("error does not name the component and port: %v", err)
	}
	if _, statErr := os.Stat(n.pidFile("peer0.bank1")); statErr == nil {
		t.Error("a pid file was written for a process that did not start")
	}
}

func TestExited_AZombieLeaderWithLiveThreadsStillRuns(t *testing.T) {
	for _, c := range []struct {
		tasks []string
		want  bool
	}{
		{nil, true},                   // the task list is gone: reaped
		{[]string{"42"}, true},        // only the zombie leader is left
		{[]string{"42", "43"}, false}, // another thread still closes the process's files
		{[]string{"43", "44"}, false},
	} {
		if got := exited(42, c.tasks); got != c.want {
			t.Errorf("exited(42, %v) = %v, want %v", c.tasks, got, c.want)
		}
	}
}
