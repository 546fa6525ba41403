package netns

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestCheckNames(t *testing.T) {
	long := strings.Repeat("a", maxHostName)
	many := make([]string, maxHosts)
	for i := range many {
		many[i] = "h" + strconv.Itoa(i)
	}
	for _, c := range []struct {
		prefix string
		hosts  []string
		ok     bool
	}{
		{"ipl17000", []string{"bank1", "bank2", "ipoffice"}, true},
		{"ipl17000", []string{"peer0.bank1", "org_2", "x-y", long}, true},
		{"ipl17000", many, true},
		{"ipl17000", append(many, "one-too-many"), false},
		{"ipl-17000", []string{"a"}, false}, // a "-" would let one prefix own another's namespaces
		{"", []string{"a"}, false},
		{"ipl/1", []string{"a"}, false},
		{strings.Repeat("p", 33), []string{"a"}, false},
		{"ipl", nil, false},
		{"ipl", []string{"a", "a"}, false},
		{"ipl", []string{"switch"}, false},
		{"ipl", []string{"-a"}, false},
		{"ipl", []string{"a/b"}, false},
		{"ipl", []string{"a b"}, false},
		{"ipl", []string{long + "a"}, false},
	} {
		if err := checkNames(c.prefix, c.hosts); (err == nil) != c.ok {
			t.Errorf("checkNames(%q, %d hosts %.40q): %v, want ok=%v", c.prefix, len(c.hosts), c.hosts, err, c.ok)
		}
	}
}

func TestOwnedBy(t *testing.T) {
	for _, c := range []struct {
		ns   string
		want bool
	}{
		{namespaceName("ipl7", "bank1"), true},
		{namespaceName("ipl7", switchName), true},
		{"ipl7", false},
		{"ipl7-", false},
		{"ipl70-bank1", false},
		{"ipl-bank1", false},
		{"xipl7-bank1", false},
	} {
		if got := ownedBy("ipl7", c.ns); got != c.want {
			t.Errorf("ownedBy(ipl7, %q) = %v, want %v", c.ns, got, c.want)
		}
	}
}

// Every interface name fits the kernel's 15 characters, and the switch's ports are distinct even when
// the host names share their first 15 characters.
func TestInterfaceNames(t *testing.T) {
	for _, name := range []string{bridgeName, hostIfName} {
		if len(name) > maxIfName {
			t.Errorf("%q is longer than %d", name, maxIfName)
		}
	}
	seen := map[string]bool{}
	for i := 0; i < maxHosts; i++ {
		p := portName(i, "organization-with-a-long-name")
		if len(p) > maxIfName || seen[p] || p == bridgeName || strings.ContainsAny(p, "/: ") {
			t.Fatalf("port %d: %q: too long, repeated or invalid", i, p)
		}
		seen[p] = true
	}
	if got := portName(2, "bank1"); got != "v2-bank1" {
		t.Errorf("portName(2, bank1) = %q, want v2-bank1", got)
	}
}

func TestAddresses(t *testing.T) {
	s := subnet("ipl17000")
	if s != subnet("ipl17000") {
		t.Error("subnet is not a function of the prefix")
	}
	if s.Bits() != 24 || !s.Addr().Is4() || s.Addr().As4()[0] != 10 || s.Addr().As4()[3] != 0 {
		t.Errorf("subnet(ipl17000) = %v, want 10.a.b.0/24", s)
	}
	if subnet("ipl17000") == subnet("ipl18000") {
		t.Error("ipl17000 and ipl18000 have the same subnet") // not required, but true of this hash
	}
	var addrs []string
	for i := 0; i < maxHosts; i++ {
		a := hostAddr(s, i)
		b := a.As4()
		if !s.Contains(a) || b[3] == 0 || b[3] == 255 || slices.Contains(addrs, a.String()) {
			t.Fatalf("host %d: %v: outside %v, network or broadcast address, or repeated", i, a, s)
		}
		addrs = append(addrs, a.String())
	}
}

func TestCommand(t *testing.T) {
	l := &Lab{Prefix: "ipl7", Hosts: map[string]*Host{"bank1": {Name: "bank1", Namespace: "ipl7-bank1"}}}
	cmd := l.Command(context.Background(), "bank1", "peer", "node", "start")
	if want := []string{"netns", "exec", "ipl7-bank1", "peer", "node", "start"}; !slices.Equal(cmd.Args[1:], want) {
		t.Errorf("args %q, want ip %q", cmd.Args, want)
	}
	if _, err := l.DialContext("nobody")(context.Background(), "tcp", "10.0.0.1:1"); err == nil || !strings.Contains(err.Error(), `no host "nobody"`) {
		t.Errorf("dial from an unknown host: %v", err)
	}
	if _, err := l.Listen("nobody", ":1"); err == nil {
		t.Error("listen on an unknown host: no error")
	}
}

func TestResolve(t *testing.T) {
	for _, addr := range []string{"10.1.2.3:7051", "[fd00::1]:443", ":80"} {
		got, err := resolve(context.Background(), addr)
		if err != nil || !slices.Equal(got, []string{addr}) {
			t.Errorf("resolve(%q) = %q, %v; want it unchanged", addr, got, err)
		}
	}
	if got, err := resolve(context.Background(), "localhost:80"); err != nil || len(got) == 0 || !strings.HasSuffix(got[0], ":80") {
		t.Errorf("resolve(localhost:80) = %q, %v", got, err)
	}
	if _, err := resolve(context.Background(), "no-port"); err == nil {
		t.Error("resolve(no-port): no error")
	}
}
