// Package netns puts each organization of a multi-host test on a "host" of its own: a Linux network
// namespace, with its own loopback, its own address and its own link to a switch, so that a test can
// cut one host off or slow every link down while the processes keep running.
//
// A Lab is a set of such hosts joined by one bridge. The bridge lives in a namespace of its own (the
// switch), and each host's veth pair is created with one end in the switch and the other in the host,
// so nothing is ever created in the root namespace: no interface, no address, no route. Deleting the
// namespaces deletes everything.
//
//	switch namespace <prefix>-switch:  br0 ── v0-bank1 ── v1-bank2 ── v2-ipoffice
//	                                            │            │             │ (veth pairs)
//	host namespaces:            <prefix>-bank1 eth0   <prefix>-bank2 eth0   <prefix>-ipoffice eth0
//	                                   10.a.b.1/24          10.a.b.2/24          10.a.b.3/24
//
// Programs run in a host with Lab.Command (ip netns exec); the test process itself talks from inside
// a host with Lab.DialContext, Lab.HTTPTransport and Lab.Listen, which create the socket on an OS
// thread that has entered the namespace. Everything here needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN)
// and the ip and tc commands of iproute2; Delay uses the kernel's netem where it has it, else a switch in
// user space (delayswitch.go).
package netns

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Lab is a set of network namespaces ("hosts") joined by one bridge that lives in a namespace of its
// own (the "switch"). Its fields are read-only after New. Its methods are safe for concurrent use.
type Lab struct {
	Prefix string           // every namespace of the lab is named "<Prefix>-…"
	Subnet netip.Prefix     // the hosts' /24
	Switch string           // the namespace of the bridge
	Hosts  map[string]*Host // by host name

	mu      sync.Mutex
	closed  bool
	delay   time.Duration // the delay Delay set last
	noNetem bool          // the kernel has no netem: Delay switches in user space
	sw      *delaySwitch  // the switch in user space, while it delays
}

// Host is one namespace of a Lab.
type Host struct {
	Name      string     // as given to New
	Namespace string     // "<prefix>-<name>", as `ip netns list` shows it
	Addr      netip.Addr // its address on the lab's subnet, on its interface eth0

	port string // the bridge's end of its veth, in the switch namespace
}

// New creates the lab: the switch namespace with a bridge, and one namespace per host name, each with
// lo up and joined to the bridge by a veth pair, its end of which has the host's address. The prefix
// (letters and digits, e.g. "ipl17000") makes the namespace names unique: New first removes any
// namespace left with the same prefix by a run that was killed before its Close, killing what still
// runs in it. On error New removes what it made. The caller calls Close.
func New(ctx context.Context, prefix string, hosts []string) (*Lab, error) {
	if err := checkNames(prefix, hosts); err != nil {
		return nil, err
	}
	if err := removeNamespaces(ctx, prefix); err != nil {
		return nil, fmt.Errorf("netns: removing leftovers of an earlier lab %s: %w", prefix, err)
	}
	l := &Lab{
		Prefix: prefix,
		Subnet: subnet(prefix),
		Switch: namespaceName(prefix, switchName),
		Hosts:  make(map[string]*Host, len(hosts)),
	}
	err := l.build(ctx, hosts)
	if err != nil {
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

// build creates the switch and the hosts.
func (l *Lab) build(ctx context.Context, hosts []string) error {
	err := runAll(ctx, [][]string{
		{"ip", "netns", "add", l.Switch},
		{"ip", "-n", l.Switch, "link", "set", "lo", "up"},
		{"ip", "-n", l.Switch, "link", "add", bridgeName, "type", "bridge"},
		{"ip", "-n", l.Switch, "link", "set", bridgeName, "up"},
	})
	if err != nil {
		return err
	}
	for i, name := range hosts {
		h := &Host{Name: name, Namespace: namespaceName(l.Prefix, name), Addr: hostAddr(l.Subnet, i), port: portName(i, name)}
		l.Hosts[name] = h
		// The veth's peer is created directly in the host's namespace: it never exists in the root one.
		err := runAll(ctx, [][]string{
			{"ip", "netns", "add", h.Namespace},
			{"ip", "-n", h.Namespace, "link", "set", "lo", "up"},
			{"ip", "-n", l.Switch, "link", "add", h.port, "type", "veth", "peer", "name", hostIfName, "netns", h.Namespace},
			{"ip", "-n", l.Switch, "link", "set", h.port, "master", bridgeName, "up"},
			{"ip", "-n", h.Namespace, "addr", "add", netip.PrefixFrom(h.Addr, l.Subnet.Bits()).String(), "dev", hostIfName},
			{"ip", "-n", h.Namespace, "link", "set", hostIfName, "up"},
		})
		if err != nil {
			return fmt.Errorf("netns: host %s: %w", name, err)
		}
	}
	return nil
}

// Close removes every namespace of the lab, which removes the veths, the bridge and the addresses with
// them, then checks with `ip netns list` that none is left. A process still running in a namespace
// (one the caller did not stop) is killed first: a namespace deleted under a running process would
// live on with it, unlisted. Close is idempotent: a second call only checks again.
func (l *Lab) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if l.sw != nil {
		_ = l.sw.stop(ctx, l) // its namespace goes next, its ports with it
		l.sw = nil
	}
	if err := removeNamespaces(ctx, l.Prefix); err != nil {
		return fmt.Errorf("netns: closing lab %s: %w", l.Prefix, err)
	}
	return nil
}

// Leftovers lists the namespaces of the lab that exist, as `ip netns list` shows them: every one
// while the lab is up, none after Close.
func (l *Lab) Leftovers() ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return namespacesOf(ctx, l.Prefix)
}

// Command returns a command that runs the program name inside the host's namespace (through
// `ip netns exec`, which also gives it a /sys of that namespace). Its addresses are those of the
// host; the file system and the processes are the machine's.
func (l *Lab) Command(ctx context.Context, host, name string, args ...string) *exec.Cmd {
	ns := namespaceName(l.Prefix, host) // an unknown host fails when the command runs: no such namespace
	if h, ok := l.Hosts[host]; ok {
		ns = h.Namespace
	}
	return exec.CommandContext(ctx, tool("ip"), append([]string{"netns", "exec", ns, name}, args...)...)
}

// host returns the named host, or an error naming the lab's hosts.
func (l *Lab) host(name string) (*Host, error) {
	h, ok := l.Hosts[name]
	if !ok {
		return nil, fmt.Errorf("netns: lab %s has no host %q", l.Prefix, name)
	}
	return h, nil
}

// namespacesOf lists the existing namespaces owned by the prefix.
func namespacesOf(ctx context.Context, prefix string) ([]string, error) {
	out, err := run(ctx, "ip", "netns", "list")
	if err != nil {
		return nil, err
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		// A line is "name" or "name (id: 3)".
		if f := strings.Fields(sc.Text()); len(f) > 0 && ownedBy(prefix, f[0]) {
			names = append(names, f[0])
		}
	}
	return names, sc.Err()
}

// killProcesses kills every process still in a namespace (`ip netns pids`), as a run that was itself
// killed leaves them, and waits until they are gone: a namespace deleted under a process lives on
// with it, unlisted.
func killProcesses(ctx context.Context, ns string) error {
	for range 100 {
		out, err := run(ctx, "ip", "netns", "pids", ns)
		if err != nil {
			return err
		}
		pids := strings.Fields(string(out))
		if len(pids) == 0 {
			return nil
		}
		for _, p := range pids {
			// Never this process (`ip netns pids` lists a process by its main thread's namespace,
			// which the dialling threads of this one are not, but a guard costs nothing).
			if pid, err := strconv.Atoi(p); err == nil && pid != os.Getpid() {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if len(pids) == 1 && pids[0] == strconv.Itoa(os.Getpid()) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("processes still in namespace %s after SIGKILL", ns)
}

// removeNamespaces kills what runs in every namespace owned by the prefix, deletes them and checks
// that none is left.
func removeNamespaces(ctx context.Context, prefix string) error {
	names, err := namespacesOf(ctx, prefix)
	if err != nil {
		return err
	}
	var errs []error
	for _, ns := range names {
		if err := killProcesses(ctx, ns); err != nil {
			errs = append(errs, err)
		}
		if _, err := run(ctx, "ip", "netns", "delete", ns); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	left, err := namespacesOf(ctx, prefix)
	if err == nil && len(left) > 0 {
		err = fmt.Errorf("namespaces left after deleting them: %s", strings.Join(left, " "))
	}
	return err
}
