package netctl

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// An orderer's log as it was when its data directory had no room for the Raft WAL (trimmed).
const walFullLog = `---- 2026-11-29T10:00:00Z starting orderer1
2026-11-29 10:00:00.100 UTC 0001 INFO [localconfig] completeInitialization -> Kafka.Version unset, setting to 0.10.2.0
	General.LocalMSPDir = "/srv/failover/orgs/orderer/nodes/orderer1/msp"
2026-11-29 10:00:00.200 UTC 0002 INFO [orderer.common.server] Main -> Starting orderer
2026-11-29 10:00:00.300 UTC 0003 ERRO [core.comm] ServerHandshake -> Server TLS handshake failed in 13µs with error EOF server=Orderer
2026/11/29 10:00:00 http: TLS handshake error from 127.0.0.1:37346: EOF
2026-11-29 10:00:00.400 UTC 0004 INFO [grpc] Infof -> [transport] loopyWriter exiting with error: transport closed by client
2026-11-29 10:00:02.000 UTC 0030 INFO [orderer.common.multichannel] JoinChannel -> Joining channel ipledger
2026-11-29 10:00:02.100 UTC 0031 WARN [orderer.consensus.etcdraft] createOrReadWAL -> Creating WAL dir
2026-11-29 10:00:02.200 UTC 0032 ERRO [orderer.consensus.etcdraft] HandleChain -> failed to create chain: failed to create WAL: failed to preallocate an initial WAL file: no space left on device
2026-11-29 10:00:03.000 UTC 0040 ERRO [comm.grpc.server] 1 -> unary call completed grpc.service=orderer.AtomicBroadcast error="channel does not exist"
2026-11-29 10:00:04.000 UTC 0041 ERRO [comm.grpc.server] 1 -> unary call completed grpc.service=orderer.AtomicBroadcast error="channel does not exist"
2026-11-29 10:00:05.000 UTC 0042 INFO [orderer.common.broadcast] Handle -> Received EOF
`

func TestCauseLines_PicksTheWALErrorFirst(t *testing.T) {
	old := "---- 2026-11-29T09:00:00Z starting orderer1\n2026-11-29 09:00:00.000 UTC 0001 PANI [x] y -> an earlier run's panic\n"
	n := &Network{Dir: t.TempDir()}
	writeLog(t, n, "orderer1", old+walFullLog)
	got := n.logCause("orderer1", 2)
	if len(got) != 2 {
		t.Fatalf("cause lines %q, want 2", got)
	}
	if !strings.Contains(got[0], "failed to preallocate an initial WAL file: no space left on device") {
		t.Errorf("first cause line %q is not the WAL error", got[0])
	}
	// The repeated "channel does not exist" counts once; the earlier run is not this run's cause.
	if !strings.Contains(got[1], `error="channel does not exist"`) {
		t.Errorf("second cause line %q", got[1])
	}
	if all := causeLines(walFullLog, 10); len(all) != 2 {
		t.Errorf("%d cause lines, want 2 (no INFO, each error once): %q", len(all), all)
	}
}

func TestCauseLines_BoundsAndStripsColour(t *testing.T) {
	log := "\x1b[31m2026-11-29 10:00:00.000 UTC 0001 FATA\x1b[0m [orderer] Main -> " + strings.Repeat("x", 1000) + "\n"
	for i := range 20 {
		log += "error " + strings.Repeat("y", i) + "\n"
	}
	got := causeLines(log, 5)
	if len(got) != 5 {
		t.Fatalf("%d lines, want 5", len(got))
	}
	if strings.Contains(got[0], "\x1b") || !strings.Contains(got[0], "FATA") || len(got[0]) > maxCauseWidth+5 {
		t.Errorf("first line %q: colour kept, FATA lost or not cut", got[0])
	}
}

func TestWithCause_NamesTheLog(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	writeLog(t, n, "orderer1", walFullLog)
	err := n.withCause("orderer1", errors.New("orderer1 has channel ipledger onboarding"))
	if !strings.Contains(err.Error(), "orderer1's log") || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("error %q", err)
	}
	if n.withCause("orderer1", nil) != nil {
		t.Error("no error became one")
	}
	if err := n.withCause("nolog", errors.New("x")); err.Error() != "x" {
		t.Errorf("without a log: %q", err)
	}
}

func writeLog(t *testing.T, n *Network, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(n.LogFile(name)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(n.LogFile(name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sleeper(t *testing.T, name string) *Process {
	t.Helper()
	bin, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep program")
	}
	return &Process{Name: name, Kind: "test", Bin: bin, Args: []string{"300"}, Host: "127.0.0.1"}
}

// A failed step stops what this up started, and only that: a process that was running before up
// (a partial restart) goes on running; the step done before the failure stays recorded.
func TestRunSteps_FailureStopsWhatThisUpStarted(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	before, first, second := sleeper(t, "before"), sleeper(t, "first"), sleeper(t, "second")
	if err := n.Start(before); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop(before, time.Second) })
	st := &state{}
	steps := []upStep{
		{name: "start", run: func() error { return n.startAll(context.Background(), []*Process{before, first}, 5*time.Second) }},
		{name: "genesis", run: func() error { return n.startAll(context.Background(), []*Process{second}, 5*time.Second) },
			done: func(st *state) bool { return st.Genesis }, mark: func(st *state) { st.Genesis = true }},
		{name: "join", run: func() error { return errors.New("the orderer says no") }},
		{name: "never", run: func() error { t.Error("a step after the failure ran"); return nil }},
	}
	err := n.runSteps(context.Background(), steps, st)
	if err == nil || !strings.Contains(err.Error(), "join: the orderer says no") ||
		!strings.Contains(err.Error(), "stopped the 2 processes this up started") {
		t.Fatalf("error %v", err)
	}
	for _, p := range []*Process{first, second} {
		if n.Pid(p) != 0 {
			t.Errorf("%s, started by the failed up, still runs", p.Name)
			_ = n.Stop(p, time.Second)
		}
	}
	if n.Pid(before) == 0 {
		t.Error("the process running before up was stopped")
	}
	if saved, err := n.loadState(); err != nil || !saved.Genesis {
		t.Errorf("the step done before the failure is not recorded: %+v %v", saved, err)
	}
}

// A process that dies while up waits for it fails up with the cause from its log, and up stops the
// others it started.
func TestRunSteps_ProcessThatDiesNamesItsCause(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	n := &Network{Dir: t.TempDir()}
	other := sleeper(t, "other")
	dies := &Process{Name: "orderer1", Kind: "orderer", Bin: sh, Host: "127.0.0.1", Ports: []int{freePort(t)},
		Args: []string{"-c", "echo 'ERRO [orderer.consensus.etcdraft] failed to preallocate an initial WAL file: no space left on device'; exit 2"}}
	steps := []upStep{{name: "orderers and peers started", run: func() error {
		return n.startAll(context.Background(), []*Process{other, dies}, 10*time.Second)
	}}}
	err = n.runSteps(context.Background(), steps, &state{})
	if err == nil || !strings.Contains(err.Error(), "orderer1 exited") || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("error %v", err)
	}
	t.Log(err)
	if strings.Count(err.Error(), "orderer1's log") != 1 {
		t.Errorf("the log quoted other than once:\n%v", err)
	}
	if n.Pid(other) != 0 {
		t.Error("a process this up started still runs")
		_ = n.Stop(other, time.Second)
	}
}

// An interrupt between steps fails up like a failed step.
func TestRunSteps_InterruptStopsWhatThisUpStarted(t *testing.T) {
	n := &Network{Dir: t.TempDir()}
	p := sleeper(t, "p")
	ctx, cancel := context.WithCancel(context.Background())
	steps := []upStep{
		{name: "start", run: func() error { defer cancel(); return n.startAll(context.Background(), []*Process{p}, 5*time.Second) }},
		{name: "next", run: func() error { t.Error("ran after the interrupt"); return nil }},
	}
	if err := n.runSteps(ctx, steps, &state{}); !errors.Is(err, errInterrupted) {
		t.Fatalf("error %v", err)
	}
	if n.Pid(p) != 0 {
		t.Error("still running after the interrupt")
		_ = n.Stop(p, time.Second)
	}
}

func TestOSNAdmin_JoinCheckReadsTheAnswer(t *testing.T) {
	cases := []struct {
		out    string
		active bool
		absent bool
		fails  bool
	}{
		{out: "Status: 200\n{\n\t\"name\": \"ipledger\",\n\t\"url\": \"/participation/v1/channels/ipledger\",\n\t\"consensusRelation\": \"consenter\",\n\t\"status\": \"active\",\n\t\"height\": 1\n}\n", active: true},
		{out: "Status: 200\n{\"name\": \"ipledger\", \"consensusRelation\": \"consenter\", \"status\": \"onboarding\", \"height\": 0}"},
		{out: "Status: 200\n{\"name\": \"ipledger\", \"consensusRelation\": \"consenter\", \"status\": \"failed\", \"height\": 0}"},
		{out: "Status: 200\n{\"name\": \"ipledger\", \"consensusRelation\": \"follower\", \"status\": \"active\", \"height\": 3}"},
		{out: "Status: 404\n{\n\t\"error\": \"channel does not exist\"\n}\n", absent: true},
		{out: "Status: 500\n{\"error\": \"failed to preallocate an initial WAL file: no space left on device\"}", fails: true},
		{out: "Error: Post \"https://127.0.0.1:7003/participation/v1/channels\": dial tcp: connection refused\n", fails: true},
	}
	for _, c := range cases {
		code, body, err := parseOSNAdmin(c.out)
		var info *osnChannel
		if err == nil {
			info, err = parseOSNChannel("orderer1", code, body)
		}
		if c.fails {
			if err == nil {
				t.Errorf("%q: no error", c.out)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.out, err)
			continue
		}
		if (info == nil) != c.absent {
			t.Errorf("%q: channel %+v, absent %v", c.out, info, c.absent)
			continue
		}
		if info != nil && (info.joined("orderer1") == nil) != c.active {
			t.Errorf("%q: joined says %v", c.out, info.joined("orderer1"))
		}
	}
	if _, body, _ := parseOSNAdmin("Status: 405\n{\"error\": \"cannot join: channel already exists\"}"); answerError(body) != "cannot join: channel already exists" {
		t.Errorf("answerError %q", answerError(body))
	}
}

func TestListsChannel(t *testing.T) {
	out := "Channels peers has joined: \nipledger\nother\n"
	if !listsChannel(out, "ipledger") || listsChannel(out, "ipledg") || listsChannel("Channels peers has joined: \n", "ipledger") {
		t.Error("listsChannel misreads peer channel list")
	}
}

func TestCommittedAs(t *testing.T) {
	out := `{"sequence": 1, "version": "1.0", "endorsement_plugin": "escc", "validation_plugin": "vscc", "approvals": {"Bank1MSP": true}}`
	if err := committedAs("peer0.bank1", out, "1.0", 1); err != nil {
		t.Error(err)
	}
	if err := committedAs("peer0.bank1", out, "1.0", 2); err == nil {
		t.Error("another sequence passed")
	}
	if err := committedAs("peer0.bank1", "Error: query failed", "1.0", 1); err == nil {
		t.Error("no JSON passed")
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestCauseRank(t *testing.T) {
	for line, want := range map[string]int{
		"2026/11/29 10:00:00 [FATAL] Failed to listen on 127.0.0.1:7000: address already in use": 1,
		"2026/11/29 10:00:00 [ERROR] Failed to enroll":                                           2,
		"2026/11/29 10:00:00 [INFO] Listening on https://127.0.0.1:7000":                         0,
		"panic: runtime error: invalid memory address":                                           1,
		"2026-11-29 10:00:00.000 UTC 0001 WARN [gossip] x -> Failed to connect to peer":          3,
		"2026-11-29 10:00:00.000 UTC 0001 WARN [gossip] x -> membership changed":                 0,
		"2026-11-29 10:00:00.000 UTC 0001 DEBU [x] y -> error expected here":                     0,
		"2026-11-29 10:00:00.000 UTC 0001 INFO [x] y -> disk: no space left on device":           1,
		"Error: failed to create deliver client":                                                 2,
	} {
		if got := causeRank(line); got != want {
			t.Errorf("causeRank(%q) = %d, want %d", line, got, want)
		}
	}
}
