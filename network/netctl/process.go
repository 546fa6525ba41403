package netctl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is one long-running program of the network: a CA, an orderer, a peer, a chaincode server
// or a gateway. Processes run detached from the command that started them, with their output in a log
// file and their pid in a pid file, so that `down`, `status` and `logs` find them later.
type Process struct {
	Name  string   // component name, e.g. "peer0.bank1"
	Kind  string   // ca, orderer, peer, chaincode, gateway
	Org   string   // organization name
	Bin   string   // absolute path of the program
	Args  []string // arguments
	Env   []string // environment, added to a minimal base
	Dir   string   // working directory
	Ports []int    // every port it listens on at Host, checked free before it starts
	Host  string   // the host it listens on
	// LoopbackPorts are ports it listens on at 127.0.0.1 only: an endpoint for its own host, not served
	// to the others.
	LoopbackPorts []int
	Health        string // operations URL answering /healthz
	// Credential is the account it runs as, when not netctl's own (a PostgreSQL server refuses root).
	Credential *syscall.Credential
}

func (n *Network) pidFile(name string) string { return filepath.Join(n.Dir, "run", name+".pid") }

// LogFile is where a component's output goes.
func (n *Network) LogFile(name string) string { return filepath.Join(n.Dir, "logs", name+".log") }

// Pid returns the pid of a running component, or 0 when it is not running. The pid file holds the
// pid and the process's start time, so a pid that the system has since given to another program does
// not count, whatever that program is.
func (n *Network) Pid(p *Process) int {
	raw, err := os.ReadFile(n.pidFile(p.Name))
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(raw))
	if len(fields) != 2 {
		return 0
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 {
		return 0
	}
	started, state, err := procStart(pid)
	if err != nil || started != fields[1] || (state == "Z" && exited(pid, tasks(pid))) {
		// Gone, reused, or a zombie that has exited and waits for its parent.
		return 0
	}
	return pid
}

// tasks lists the thread ids of a process (/proc/<pid>/task).
func tasks(pid int) []string {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return nil
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}

// exited says whether a process whose leader is a zombie has ended, given its threads. A
// multi-threaded program (every Go program) that exits shows its leader as a zombie while its other
// threads are still closing its files: until the last is gone its listening sockets still accept
// connections, and `down` must not return yet.
func exited(pid int, tasks []string) bool {
	leader := strconv.Itoa(pid)
	for _, t := range tasks {
		if t != leader {
			return false
		}
	}
	return true
}

// procStart reads a process's start time (clock ticks since boot) and state from /proc.
func procStart(pid int) (started, state string, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", "", err
	}
	// The command name, in parentheses, may hold spaces: count fields after its closing parenthesis.
	rest := string(raw)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 20 {
		return "", "", fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	// After the name: state is field 3 of stat, starttime field 22.
	return f[19], f[0], nil
}

// Start launches a component detached, in a session of its own, and records its pid.
func (n *Network) Start(p *Process) error {
	for _, addr := range p.addrs() {
		if err := portFree(addr); err != nil {
			host, port, _ := net.SplitHostPort(addr)
			return fmt.Errorf("%s cannot start: port %s on %s is already in use (%w); stop whatever holds it or choose another --port-base",
				p.Name, port, host, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(n.LogFile(p.Name)), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(n.pidFile(p.Name)), 0o755); err != nil {
		return err
	}
	logf, err := os.OpenFile(n.LogFile(p.Name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	defer logf.Close()
	// A log may name accounts, addresses and transaction ids: its owner's and group's, not everyone's
	// (also a log an earlier netctl made 0644).
	if err := logf.Chmod(0o640); err != nil {
		return err
	}
	fmt.Fprintf(logf, "---- %s starting %s\n", time.Now().UTC().Format(time.RFC3339), p.Name)
	limit, err := memoryLimitEnv(p.Kind)
	if err != nil {
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	cmd := exec.Command(p.Bin, p.Args...)
	cmd.Dir = p.Dir
	cmd.Env = append(append(baseEnv(), limit...), p.Env...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: p.Credential}
	n.observe(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	pid := cmd.Process.Pid
	// Read the start time before anything reaps the child: one that exits at once is a zombie until
	// then, so its /proc entry is still there.
	started, _, err := procStart(pid)
	if err == nil {
		err = writeFileAtomic(n.pidFile(p.Name), []byte(strconv.Itoa(pid)+" "+started+"\n"), 0o644)
	}
	if err != nil {
		// Without a pid file nothing would find the child again (it runs in a session of its own):
		// end it now rather than leak it.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = os.Remove(n.pidFile(p.Name))
		return fmt.Errorf("start %s: %w", p.Name, err)
	}
	// Reap the child if it dies while this command still runs, so that it is not left a zombie that
	// looks alive; once this command exits, init adopts it.
	go func() { _ = cmd.Wait() }()
	return nil
}

// writeFileAtomic writes a file through a temporary file in the same directory and a rename, so that
// a reader never sees it half written.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// Stop ends a component: SIGTERM (SIGINT for a PostgreSQL server: its "fast" shutdown, which ends
// its sessions, where SIGTERM would wait for every client to leave), then SIGKILL after the grace period.
func (n *Network) Stop(p *Process, grace time.Duration) error {
	pid := n.Pid(p)
	if pid == 0 {
		return os.RemoveAll(n.pidFile(p.Name))
	}
	sig := syscall.SIGTERM
	if strings.HasPrefix(p.Name, "postgres.") {
		sig = syscall.SIGINT
	}
	if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if n.Pid(p) == 0 {
			return os.RemoveAll(n.pidFile(p.Name))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := n.killAndWait(p, pid); err != nil {
		return err
	}
	return os.RemoveAll(n.pidFile(p.Name))
}

// killAndWait sends SIGKILL and waits, by count, until the process and all its threads are gone (so
// its ports are closed). A killed process may take seconds to go on a busy machine (a thread in an
// uninterruptible write takes the signal when the write ends): it is given 30 s before it is taken
// for one that survives. It keeps the pid file of a process that survives: down --purge must not
// delete the data of a process that still runs.
func (n *Network) killAndWait(p *Process, pid int) error {
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 600 && n.Pid(p) != 0; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if n.Pid(p) != 0 {
		return fmt.Errorf("%s (pid %d) is still running after SIGKILL", p.Name, pid)
	}
	return nil
}

// Kill ends a component at once with SIGKILL, as a crash would (fault tests use it), and returns once
// it is gone. Its pid file stays, as a crash leaves it; up starts the component again.
func (n *Network) Kill(p *Process) error {
	pid := n.Pid(p)
	if pid == 0 {
		return fmt.Errorf("%s is not running", p.Name)
	}
	return n.killAndWait(p, pid)
}

// addrs are the addresses a process listens on.
func (p *Process) addrs() []string {
	var out []string
	for _, port := range p.Ports {
		out = append(out, Addr(p.Host, port))
	}
	for _, port := range p.LoopbackPorts {
		out = append(out, Addr("127.0.0.1", port))
	}
	return out
}

func portFree(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}

// baseEnv is the environment every component starts from: enough to run, nothing of the caller's
// FABRIC_* or CORE_* settings, which would silently change a node's configuration.
func baseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH", "HOME", "TMPDIR", "LANG", "TZ", "GOCOVERDIR":
			env = append(env, kv)
		}
	}
	return env
}

// waitFor polls check until it succeeds, it fails for good (an error from final), the timeout passes
// or ctx ends, and returns the last error (ctx's error when ctx ended first).
func waitFor(ctx context.Context, timeout, every time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := check()
		if err == nil {
			return nil
		}
		var f finalError
		if errors.As(err, &f) {
			return f.error
		}
		if time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (waiting: %w)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

// finalError is a failure that waiting longer cannot mend, such as a process that has exited.
type finalError struct{ error }

func (f finalError) Unwrap() error { return f.error }

// final makes err end a waitFor at once.
func final(err error) error { return finalError{err} }
