package netctl

import (
	"slices"
	"strings"
	"testing"
)

func TestMemoryLimitEnv(t *testing.T) {
	for kind, want := range MemoryLimits {
		env, err := memoryLimitEnv(kind)
		if err != nil || len(env) < 1 || env[0] != "GOMEMLIMIT="+want || !goMemLimit.MatchString(want) {
			t.Errorf("%s: %v %v; want GOMEMLIMIT=%s", kind, env, err, want)
		}
	}
	for limit, want := range map[string]int64{"224MiB": 224 << 20, "1GiB": 1 << 30, "4096": 4096, "512KiB": 512 << 10, "off": 0, "": 0, "5MB": 0} {
		if got := MemoryLimitBytes(limit); got != want {
			t.Errorf("MemoryLimitBytes(%q) = %d; want %d", limit, got, want)
		}
	}
	if env, err := memoryLimitEnv("ca"); err != nil || env != nil {
		t.Errorf("a kind without a limit got %v %v", env, err)
	}
	t.Setenv("IPLEDGER_GOMEMLIMIT_PEER", "320MiB")
	if env, err := memoryLimitEnv("peer"); err != nil || env[0] != "GOMEMLIMIT=320MiB" {
		t.Errorf("override: %v %v", env, err)
	}
	t.Setenv("IPLEDGER_GOMEMLIMIT_PEER", "off")
	if env, err := memoryLimitEnv("peer"); err != nil || env[0] != "GOMEMLIMIT=off" {
		t.Errorf("off: %v %v", env, err)
	}
	t.Setenv("IPLEDGER_GOMEMLIMIT_PEER", "")
	if env, err := memoryLimitEnv("peer"); err != nil || len(env) != 1 || env[0] != "GOGC=50" {
		t.Errorf("empty override (no limit): %v %v; want only the peer's GOGC", env, err)
	}
	t.Setenv("IPLEDGER_GOMEMLIMIT_ORDERER", "256MB")
	if _, err := memoryLimitEnv("orderer"); err == nil || !strings.Contains(err.Error(), "IPLEDGER_GOMEMLIMIT_ORDERER=\"256MB\"") ||
		!strings.Contains(err.Error(), "256MiB") {
		t.Errorf("a wrong unit: %v; want an error naming the variable and the form", err)
	}
}

// A peer starts with GOGC=50 (GCPercents: the idle peers' memory) and its limit; the other kinds keep
// Go's GOGC; IPLEDGER_GOGC_<KIND> overrides, and a setting GOGC does not read is refused.
func TestMemoryLimitEnv_APeerCollectsAtHalfItsLiveHeap(t *testing.T) {
	if env, err := memoryLimitEnv("peer"); err != nil || !slices.Equal(env, []string{"GOMEMLIMIT=256MiB", "GOGC=50"}) {
		t.Errorf("peer: %v %v", env, err)
	}
	for _, kind := range []string{"orderer", "gateway", "chaincode", "ca"} {
		if env, err := memoryLimitEnv(kind); err != nil || slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "GOGC=") }) {
			t.Errorf("%s: %v %v; want Go's GOGC", kind, env, err)
		}
	}
	t.Setenv("IPLEDGER_GOGC_PEER", "100")
	if env, err := memoryLimitEnv("peer"); err != nil || !slices.Contains(env, "GOGC=100") {
		t.Errorf("override: %v %v", env, err)
	}
	t.Setenv("IPLEDGER_GOGC_PEER", "")
	if env, err := memoryLimitEnv("peer"); err != nil || !slices.Equal(env, []string{"GOMEMLIMIT=256MiB"}) {
		t.Errorf("empty override (Go's default): %v %v", env, err)
	}
	t.Setenv("IPLEDGER_GOGC_GATEWAY", "50%")
	if _, err := memoryLimitEnv("gateway"); err == nil || !strings.Contains(err.Error(), `IPLEDGER_GOGC_GATEWAY="50%"`) {
		t.Errorf("a percent sign: %v; want an error naming the variable", err)
	}
}

// The orderers' profilers are at spare ports of their own, after the peers'; no spare port is a read
// model's PostgreSQL server's.
func TestOrdererProfilePort(t *testing.T) {
	top, err := LoadTopology("../topology.yaml", 7000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]string{}
	for _, o := range top.Organizations {
		if g := o.Gateway; g != nil && g.ReadModel != nil {
			seen[g.ReadModel.Port] = o.Name + "'s read model"
		}
	}
	if other, ok := seen[top.SparePort(0)]; ok {
		t.Errorf("the first spare port %d is %s", top.SparePort(0), other)
	}
	for _, o := range top.PeerOrgs() {
		seen[top.PeerProfilePort(o)] = o.Name
	}
	for _, name := range []string{"orderer1", "orderer2", "orderer3"} {
		port := top.OrdererProfilePort(name)
		if other, ok := seen[port]; ok || port <= top.SparePort(0) {
			t.Errorf("%s's profiler at %d: taken by %q, or not a spare port", name, port, other)
		}
		seen[port] = name
	}
}
