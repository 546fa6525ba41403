//go:build integration

package netns

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The lab end to end, as root: three hosts, a TCP server inside one, connections across hosts that
// start from the right address, a cut that isolates one host but not its own address, a heal, a
// delay, and a Close that leaves no namespace and no interface in the root namespace. A few seconds,
// most of them the connection attempt to the cut host.
func TestLab(t *testing.T) {
	needRoot(t)
	prefix := "iplt" + strconv.Itoa(os.Getpid())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lab, err := New(ctx, prefix, []string{"bank1", "bank2", "ipoffice"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkClosed(t, lab) })
	bank2 := lab.Hosts["bank2"].Addr
	server := netip.AddrPortFrom(bank2, 7051).String()
	ln := echoServer(t, lab, "bank2", server)

	t.Run("namespaces", func(t *testing.T) { checkNamespaces(t, lab) })
	t.Run("dial", func(t *testing.T) {
		for _, from := range []string{"bank1", "ipoffice", "bank2"} {
			if _, err := connect(lab, from, server, 5*time.Second); err != nil {
				t.Fatalf("%s to bank2: %v", from, err)
			}
		}
		t.Logf("TCP connect bank1 to bank2, fastest of 5: %v", fastest(t, lab, "bank1", server, 5))
	})
	t.Run("cut and heal", func(t *testing.T) { checkCutHeal(t, lab, server) })
	t.Run("delay", func(t *testing.T) { checkDelay(t, lab, server) })
	t.Run("close", func(t *testing.T) {
		ln.Close() // a socket open in a namespace keeps it alive, unlisted, after Close
		checkClosed(t, lab)
		if err := lab.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if err := lab.Cut("bank1"); !errors.Is(err, ErrClosed) {
			t.Errorf("Cut after Close: %v, want ErrClosed", err)
		}
	})
}

// New removes the namespaces of an earlier lab with the same prefix (a killed run's), and only those.
func TestNew_RemovesLeftovers(t *testing.T) {
	needRoot(t)
	prefix := "iplt" + strconv.Itoa(os.Getpid()) + "x"
	stale, other := prefix+"-stale", prefix+"y-other" // other belongs to prefix+"y"
	for _, ns := range []string{stale, other} {
		if out, err := exec.Command(tool("ip"), "netns", "add", ns).CombinedOutput(); err != nil {
			t.Fatalf("ip netns add %s: %v: %s", ns, err, out)
		}
		t.Cleanup(func() { _ = exec.Command(tool("ip"), "netns", "delete", ns).Run() }) // gone already if New worked
	}
	lab, err := New(context.Background(), prefix, []string{"solo"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	left, err := lab.Leftovers()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{prefix + "-solo", prefix + "-switch"}; !sameSet(left, want) {
		t.Errorf("namespaces of the lab: %v, want %v (the stale one removed)", left, want)
	}
	if !slices.Contains(netnsList(t), other) {
		t.Errorf("New removed %s, another prefix's namespace", other)
	}
}

// checkNamespaces checks the namespaces exist, each host has its address inside, and the root
// namespace has none of the lab's addresses.
func checkNamespaces(t *testing.T, lab *Lab) {
	left, err := lab.Leftovers()
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != len(lab.Hosts)+1 {
		t.Errorf("namespaces of the lab: %v, want %d", left, len(lab.Hosts)+1)
	}
	for name, h := range lab.Hosts {
		out, err := lab.Command(context.Background(), name, "ip", "-o", "-4", "addr", "show", "dev", "eth0").Output()
		if err != nil {
			t.Fatalf("ip addr in %s: %v", name, err)
		}
		if !strings.Contains(string(out), " "+h.Addr.String()+"/24 ") {
			t.Errorf("eth0 in %s: %s, want %v", name, out, h.Addr)
		}
	}
	out, err := exec.Command(tool("ip"), "-o", "addr").Output()
	if err != nil {
		t.Fatal(err)
	}
	if sub := strings.TrimSuffix(lab.Subnet.Addr().String(), "0"); strings.Contains(string(out), " "+sub) {
		t.Errorf("the root namespace has an address of the lab's subnet %v:\n%s", lab.Subnet, out)
	}
}

// checkCutHeal cuts bank2 off: bank1 cannot reach it, bank2 reaches its own address; then heals it.
func checkCutHeal(t *testing.T, lab *Lab, server string) {
	if err := lab.Cut("bank2"); err != nil {
		t.Fatal(err)
	}
	healed := false
	defer func() {
		if !healed {
			if err := lab.Heal("bank2"); err != nil {
				t.Error(err)
			}
		}
	}()
	// bank1 has a fresh neighbour entry for bank2: the connect would retry for a minute or more.
	took, err := connect(lab, "bank1", server, 4*time.Second)
	if err == nil {
		t.Fatalf("bank1 reached bank2 while bank2 was cut (in %v)", took)
	}
	t.Logf("bank1 to cut bank2: failed after %v: %v", took, err)
	if _, err := connect(lab, "bank2", server, 5*time.Second); err != nil {
		t.Fatalf("bank2 to its own address while cut: %v", err)
	}
	if err := lab.Heal("bank2"); err != nil {
		t.Fatal(err)
	}
	healed = true
	// The link comes up at once (the bridge runs no spanning tree); a few tries allow for the
	// neighbour entry that failed while cut.
	for try := 1; ; try++ {
		took, err = connect(lab, "bank1", server, 2*time.Second)
		if err == nil {
			t.Logf("bank1 to bank2 after heal: connected at try %d in %v", try, took)
			return
		}
		if try == 10 {
			t.Fatalf("bank1 to bank2 after heal, %d tries: %v", try, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkDelay sets a 30 ms delay: a connect between two hosts takes a round trip, two delays; then
// removes it. It asserts only a lower bound, which load cannot beat.
func checkDelay(t *testing.T, lab *Lab, server string) {
	const d = 30 * time.Millisecond
	if err := lab.Delay(d); err != nil {
		t.Fatal(err)
	}
	took := fastest(t, lab, "bank1", server, 3)
	t.Logf("TCP connect bank1 to bank2 with Delay(%v), fastest of 3: %v", d, took)
	checkBulk(t, lab, "bank1", server, 4<<20)
	// Cut and Heal while delayed: the healed host is reached again (nothing queued for it while it was
	// cut is sent at once when it comes back).
	if err := lab.Cut("bank2"); err != nil {
		t.Fatal(err)
	}
	if _, err := connect(lab, "bank1", server, time.Second); err == nil {
		t.Error("reached bank2 while it was cut off, delayed")
	}
	if err := lab.Heal("bank2"); err != nil {
		t.Fatal(err)
	}
	healed := time.Now()
	for try := 1; ; try++ {
		took, err := connect(lab, "bank1", server, 5*time.Second)
		if err == nil {
			t.Logf("bank1 to bank2 healed, delayed: connected at try %d, %v after Heal (connect %v)", try, time.Since(healed), took)
			break
		}
		if try == 10 {
			t.Fatalf("bank1 to bank2 healed, delayed, %d tries: %v", try, err)
		}
	}
	if took < 2*d*3/4 {
		t.Errorf("connect with Delay(%v) took %v, want at least %v (the SYN and the SYN-ACK each delayed)", d, took, 2*d*3/4)
	}
	if err := lab.Delay(0); err != nil {
		t.Fatal(err)
	}
	// Delay(0) leaves neither a netem qdisc nor a port off the bridge (the switch in user space).
	bridged, err := exec.Command(tool("ip"), "-n", lab.Switch, "-o", "link", "show", "master", bridgeName).Output()
	if err != nil {
		t.Fatal(err)
	}
	for name, h := range lab.Hosts {
		out, err := lab.Command(context.Background(), name, "tc", "qdisc", "show", "dev", "eth0").Output()
		if err != nil || strings.Contains(string(out), "netem") {
			t.Errorf("qdisc on %s after Delay(0): %s %v", name, out, err)
		}
		if !strings.Contains(string(bridged), " "+h.port+"@") {
			t.Errorf("%s's port %s is not on the bridge after Delay(0): %s", name, h.port, bridged)
		}
	}
	t.Logf("TCP connect bank1 to bank2 after Delay(0), fastest of 3: %v", fastest(t, lab, "bank1", server, 3))
}

// checkBulk sends n random bytes from a host through the echo server and checks that the same come
// back: large segments (offloaded segmentation, checksums left to the device) cross the lab intact.
func checkBulk(t *testing.T, lab *Lab, from, addr string, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := lab.DialContext(from)(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	if _, err := r.ReadString('\n'); err != nil { // the echo server's greeting: our address
		t.Fatal(err)
	}
	sent := make([]byte, n)
	_, _ = rand.Read(sent)
	wrote := make(chan error, 1)
	go func() { _, err := c.Write(sent); wrote <- err }()
	got := make([]byte, n)
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatalf("%d bytes through the lab: %v", n, err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sent) {
		t.Fatalf("%d bytes through the lab came back changed", n)
	}
}

// checkClosed closes the lab and checks that no namespace of the prefix is left, and that the root
// namespace has none of the lab's interfaces (its bridge, its ports). Only the lab's own names are
// looked for: other programs may add or remove root interfaces meanwhile.
func checkClosed(t *testing.T, lab *Lab) {
	if err := lab.Close(); err != nil {
		t.Error(err)
	}
	for _, ns := range netnsList(t) {
		if ownedBy(lab.Prefix, ns) {
			t.Errorf("namespace %s left after Close", ns)
		}
	}
	ours := []string{bridgeName}
	for _, h := range lab.Hosts {
		ours = append(ours, h.port)
	}
	for _, name := range rootLinks(t) {
		if slices.Contains(ours, strings.Split(name, "@")[0]) {
			t.Errorf("the lab's interface %s is in the root namespace", name)
		}
	}
}

// echoServer listens in the host's namespace; to each connection it writes the client's address on a
// line, then echoes. It stops when the test ends or when the caller closes the listener.
func echoServer(t *testing.T, lab *Lab, host, addr string) net.Listener {
	ln, err := lab.Listen(host, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := c.Write([]byte(c.RemoteAddr().(*net.TCPAddr).IP.String() + "\n")); err == nil {
					_, _ = bufio.NewReader(c).WriteTo(c)
				}
			}()
		}
	}()
	return ln
}

// connect dials addr from the host and checks, through the echo server, that the connection starts
// from the host's address and carries data. It returns how long the TCP connect took.
func connect(lab *Lab, from, addr string, timeout time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	c, err := lab.DialContext(from)(ctx, "tcp", addr)
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return took, err
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return took, err
	}
	if want := lab.Hosts[from].Addr.String(); strings.TrimSpace(line) != want {
		return took, fmt.Errorf("connection from %s, want %s", strings.TrimSpace(line), want)
	}
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return took, err
	}
	if echo, err := r.ReadString('\n'); err != nil || echo != "ping\n" {
		return took, fmt.Errorf("echo %q: %w", echo, err)
	}
	return took, nil
}

// fastest is the shortest of n connects from the host to addr.
func fastest(t *testing.T, lab *Lab, from, addr string, n int) time.Duration {
	var best time.Duration
	for i := 0; i < n; i++ {
		took, err := connect(lab, from, addr, 5*time.Second)
		if err != nil {
			t.Fatalf("%s to %s: %v", from, addr, err)
		}
		if i == 0 || took < best {
			best = took
		}
	}
	return best
}

func needRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to create network namespaces")
	}
}

// netnsList is the names `ip netns list` shows.
func netnsList(t *testing.T) []string {
	out, err := exec.Command(tool("ip"), "netns", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names
}

// rootLinks is the names of the root namespace's interfaces.
func rootLinks(t *testing.T) []string {
	out, err := exec.Command(tool("ip"), "-o", "link", "show").Output()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		// "2: eth0: <BROADCAST,…" or "5: v0@if4: …"
		if f := strings.Fields(line); len(f) > 1 {
			names = append(names, strings.TrimSuffix(f[1], ":"))
		}
	}
	return names
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// A run killed before it stopped its programs leaves them in its namespaces: Close (and New, for the
// leftovers of a killed run) kills them rather than leave them running, unlisted.
func TestLab_CloseKillsWhatStillRuns(t *testing.T) {
	needRoot(t)
	prefix := "iplk" + strconv.Itoa(os.Getpid())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lab, err := New(ctx, prefix, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lab.Close() })
	cmd := lab.Command(context.Background(), "a", "sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := lab.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err == nil {
			t.Fatal("sleep 600 ended by itself: it was not killed")
		}
	case <-ctx.Done():
		t.Fatal("the program in the lab's namespace still runs after Close")
	}
}
