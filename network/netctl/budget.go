package netctl

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// MemoryLimits are the soft memory limits (the Go runtime's GOMEMLIMIT) netctl starts each kind of
// process with. Go's collector lets a heap grow to twice what is live (GOGC=100) before it
// collects; a peer holds 125-155 MiB live after 25 minutes of load, up to about 175 MiB once its
// caches are full (LevelDB write buffers and block caches, the block store's 50 MiB of recent
// blocks: see docs/operations.md, "Memory budget"), so without a limit its resident memory rises
// past 300 MiB. Under its limit the collector runs sooner instead. A limit counts all the runtime's
// memory, about 40 MiB beyond the heap for a peer, so it must leave the heap room above the most that
// is live, or the collector runs all the time: 224 MiB held a peer at 220 MiB resident with 40 MiB
// of heap room at 140 MiB live, too little at 175. The limit is soft: a process whose live heap
// exceeds it is slowed by collection (at most half its CPU), never stopped.
//
// IPLEDGER_GOMEMLIMIT_<KIND> (e.g. IPLEDGER_GOMEMLIMIT_PEER=320MiB, or off) overrides a kind's
// limit when netctl starts its processes.
var MemoryLimits = map[string]string{
	"peer":      "256MiB",
	"orderer":   "144MiB",
	"gateway":   "96MiB",
	"chaincode": "64MiB",
}

// GCPercents are the GOGC netctl starts each kind of process with; a kind not named keeps Go's 100.
// A peer holds about 53 MiB of heap it counts as live when idle, most of it LevelDB's write buffers,
// allocated whole when each of its databases opens and hardly touched; at GOGC=100 its heap goal is
// twice that, and the runtime keeps what start-up allocated and freed below the goal resident. The
// eight-peer network idle 60 s after up (docs/operations.md, "Memory budget"): 913 MiB PSS with the
// peers at 50, 1169 MiB with IPLEDGER_GOGC_PEER=100. Under load the 256MiB limit, not GOGC, sets how
// often a peer collects once its live heap passes about 145 MiB, so the two settle alike; the other
// kinds gained 1-2 MiB each at 50 and keep Go's default.
//
// IPLEDGER_GOGC_<KIND> (e.g. IPLEDGER_GOGC_PEER=100, or off) overrides a kind's setting.
var GCPercents = map[string]string{
	"peer": "50",
}

// goGC is the form GOGC accepts: a percentage, or off.
var goGC = regexp.MustCompile(`^([0-9]+|off)$`)

// GCPercent is the GOGC netctl starts a kind of process with: its override from the environment
// (IPLEDGER_GOGC_<KIND>), else GCPercents; "" for Go's default.
func GCPercent(kind string) (string, error) {
	return kindSetting("IPLEDGER_GOGC_", kind, GCPercents, goGC, "a GOGC setting: give a percentage such as 50, or off")
}

// goMemLimit is the form GOMEMLIMIT accepts: a number with an optional unit, or off.
var goMemLimit = regexp.MustCompile(`^([0-9]+(B|KiB|MiB|GiB|TiB)?|off)$`)

// MemoryLimit is the GOMEMLIMIT netctl starts a kind of process with: its override from the
// environment (IPLEDGER_GOMEMLIMIT_<KIND>), else MemoryLimits; "" for none.
func MemoryLimit(kind string) (string, error) {
	return kindSetting("IPLEDGER_GOMEMLIMIT_", kind, MemoryLimits, goMemLimit,
		"a memory limit: give a size such as 256MiB (B, KiB, MiB, GiB), or off for none")
}

// kindSetting is a kind of process's setting: the environment's prefix<KIND> when set (empty: none),
// else defaults[kind]; a value not of form is refused, naming the variable and what it should be.
func kindSetting(prefix, kind string, defaults map[string]string, form *regexp.Regexp, what string) (string, error) {
	name := prefix + strings.ToUpper(kind)
	v, set := os.LookupEnv(name)
	if !set {
		v = defaults[kind]
	}
	if v != "" && !form.MatchString(v) {
		return "", fmt.Errorf("%s=%q is not %s", name, v, what)
	}
	return v, nil
}

// MemoryLimitBytes is a limit in the form GOMEMLIMIT accepts in bytes (0 for "" or off).
func MemoryLimitBytes(limit string) int64 {
	m := goMemLimit.FindStringSubmatch(limit)
	if m == nil || limit == "off" {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSuffix(m[1], m[2]), 10, 64)
	return n << map[string]int{"": 0, "B": 0, "KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40}[m[2]]
}

// memoryLimitEnv is the GOMEMLIMIT and GOGC settings of a kind of process; none for a kind that has
// neither.
func memoryLimitEnv(kind string) ([]string, error) {
	limit, err := MemoryLimit(kind)
	if err != nil {
		return nil, err
	}
	gc, err := GCPercent(kind)
	if err != nil {
		return nil, err
	}
	var env []string
	if limit != "" {
		env = append(env, "GOMEMLIMIT="+limit)
	}
	if gc != "" {
		env = append(env, "GOGC="+gc)
	}
	return env, nil
}

// peerCacheEnv pins the peer's in-memory block buffers that core.yaml governs, at Fabric's defaults,
// so that the budget in docs/operations.md ("Memory budget") does not move with Fabric's sample
// configuration: gossip's store of recent block messages (also what its pull mechanism offers other
// peers of the organization) and the state provider's reordering buffer of blocks received ahead of
// the next one to commit (up to twice its size). The block store's cache (50 MiB of recent blocks)
// and LevelDB's buffers (goleveldb's defaults: a 4 MiB write buffer and an 8 MiB block cache per
// database) are fixed in Fabric's code: no setting reaches them.
var peerCacheEnv = []string{
	"CORE_PEER_GOSSIP_MAXBLOCKCOUNTTOSTORE=10",
	"CORE_PEER_GOSSIP_STATE_BLOCKBUFFERSIZE=20",
}

// ordererCacheEnv pins the orderer's egress buffer per cluster stream (messages to another
// orderer; consensus messages are dropped when it is full, and Raft sends them again) at Fabric's
// default. The Raft log kept in memory between snapshots is bounded by the channel's
// SnapshotIntervalSize (16 MB, templates/configtx.yaml.tmpl); the block store's 50 MiB cache is
// fixed in Fabric's code.
var ordererCacheEnv = []string{
	"ORDERER_GENERAL_CLUSTER_SENDBUFFERSIZE=100",
}
