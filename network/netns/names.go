package netns

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"regexp"
	"strconv"
)

// Names inside the namespaces. Interface names are per namespace, so every host's end of its veth can
// be called eth0; only the switch holds several interfaces, named after the host they lead to.
const (
	bridgeName  = "br0"  // the bridge, in the switch namespace
	hostIfName  = "eth0" // the host's end of its veth, in the host's namespace
	switchName  = "switch"
	maxIfName   = 15 // IFNAMSIZ - 1: the kernel refuses longer interface names
	maxHosts    = 253
	maxHostName = 64
)

var (
	prefixPattern   = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)
	hostNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// checkNames rejects a prefix or host names that would give clashing, unusable or foreign namespace
// names. The prefix has no "-", so the namespaces of the lab with prefix P are exactly those named
// "P-…": no other prefix can make such a name, and New and Close can remove them without touching
// another lab's.
func checkNames(prefix string, hosts []string) error {
	if !prefixPattern.MatchString(prefix) {
		return fmt.Errorf("netns: prefix %q: want 1 to 32 letters or digits", prefix)
	}
	if len(hosts) == 0 || len(hosts) > maxHosts {
		return fmt.Errorf("netns: %d hosts: want 1 to %d", len(hosts), maxHosts)
	}
	seen := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		switch {
		case len(h) > maxHostName || !hostNamePattern.MatchString(h):
			return fmt.Errorf("netns: host name %q: want up to %d letters, digits, '.', '_' or '-', starting with a letter or digit", h, maxHostName)
		case h == switchName:
			return fmt.Errorf("netns: host name %q is the switch's", h)
		case seen[h]:
			return fmt.Errorf("netns: host name %q twice", h)
		}
		seen[h] = true
	}
	return nil
}

// namespaceName is the name of the namespace of host (or of the switch, for switchName).
func namespaceName(prefix, host string) string { return prefix + "-" + host }

// ownedBy says whether the namespace name belongs to the lab with this prefix.
func ownedBy(prefix, namespace string) bool {
	return len(namespace) > len(prefix)+1 && namespace[:len(prefix)+1] == prefix+"-"
}

// portName is the name, in the switch, of the bridge's end of the veth to the i-th host: the index
// keeps it unique and the host's name, cut to fit in 15 characters, makes `ip -n <switch> link` readable.
func portName(i int, host string) string {
	name := "v" + strconv.Itoa(i) + "-" + host
	if len(name) > maxIfName {
		name = name[:maxIfName]
	}
	return name
}

// subnet is the lab's private /24, 10.<a>.<b>.0/24 with a and b from a hash of the prefix. Labs are in
// namespaces of their own and cannot clash whatever their addresses; distinct subnets only keep their
// addresses apart in logs.
func subnet(prefix string) netip.Prefix {
	h := fnv.New32a()
	h.Write([]byte(prefix))
	sum := h.Sum32()
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(sum >> 8), byte(sum), 0}), 24)
}

// hostAddr is the address of the i-th host (from 0): .1, .2, … of the subnet.
func hostAddr(s netip.Prefix, i int) netip.Addr {
	a := s.Addr().As4()
	a[3] = byte(i + 1)
	return netip.AddrFrom4(a)
}
