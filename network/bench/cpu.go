package bench

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// clockTicks is the unit of /proc/<pid>/stat's CPU times: USER_HZ, 100 on every Linux Go supports.
const clockTicks = 100

// ProcessCPU is the CPU (user and system) one process used during a measurement.
type ProcessCPU struct {
	Name    string  `json:"name"`
	Kind    string  `json:"kind"` // ca, orderer, peer, chaincode (IPLedger's), kvcc, gateway, load (this tool)
	Seconds float64 `json:"seconds"`
}

// PathCPU is the CPU every process used while one path of a point was measured, and the number of
// transactions that committed meanwhile.
type PathCPU struct {
	Path      string       `json:"path"`
	Committed int          `json:"committed"`
	Processes []ProcessCPU `json:"processes"`
}

// cpuProc is a process whose CPU is sampled.
type cpuProc struct {
	name, kind string
	pid        int
}

// cpuProcs lists the network's processes that run now, the trivial chaincode's servers and this tool.
func (r *Runner) cpuProcs() []cpuProc {
	var ps []cpuProc
	for _, p := range r.sys.Processes {
		raw, err := os.ReadFile(p.PidFile)
		if err != nil {
			continue
		}
		if f := strings.Fields(string(raw)); len(f) > 0 {
			if pid, err := strconv.Atoi(f[0]); err == nil {
				ps = append(ps, cpuProc{p.Name, p.Kind, pid})
			}
		}
	}
	if d := r.kvDeployment; d != nil {
		for _, p := range d.Servers {
			if pid := r.cfg.Network.Pid(p); pid != 0 {
				ps = append(ps, cpuProc{p.Name, "kvcc", pid})
			}
		}
	}
	return append(ps, cpuProc{"bench", "load", os.Getpid()})
}

// cpuTicks reads a process's user and system time, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(raw)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	// After the command name: state is field 3, utime field 14 and stime field 15 of stat.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return utime + stime, nil
}

// cpuBefore is a sample of every process's CPU ticks.
type cpuBefore struct {
	procs []cpuProc
	ticks map[int]int64
}

func (r *Runner) cpuSample() cpuBefore {
	b := cpuBefore{procs: r.cpuProcs(), ticks: map[int]int64{}}
	for _, p := range b.procs {
		if t, err := cpuTicks(p.pid); err == nil {
			b.ticks[p.pid] = t
		}
	}
	return b
}

// cpuSince is the CPU each process sampled before used since.
func (r *Runner) cpuSince(b cpuBefore, path string, committed int) PathCPU {
	out := PathCPU{Path: path, Committed: committed}
	for _, p := range b.procs {
		t0, ok := b.ticks[p.pid]
		t1, err := cpuTicks(p.pid)
		if !ok || err != nil {
			continue
		}
		out.Processes = append(out.Processes, ProcessCPU{Name: p.name, Kind: p.kind, Seconds: float64(t1-t0) / clockTicks})
	}
	return out
}

// cpuGroups are the columns of the CPU table: the IP office's peer (the one every registration is
// endorsed and committed by, and the bare client's and the IP office's gateway's), the other peers,
// and the other kinds of process.
var cpuGroups = []string{"peer0.ipoffice", "other peers", "orderers", "chaincode", "gateways", "CAs", "load tool"}

// group is the CPU table's column a process counts in.
func (p ProcessCPU) group() string {
	switch {
	case p.Name == "peer0.ipoffice":
		return "peer0.ipoffice"
	case p.Kind == "peer":
		return "other peers"
	case p.Kind == "orderer":
		return "orderers"
	case p.Kind == "chaincode" || p.Kind == "kvcc":
		return "chaincode"
	case p.Kind == "gateway":
		return "gateways"
	case p.Kind == "ca":
		return "CAs"
	}
	return "load tool"
}

// PerTx is the CPU milliseconds per committed transaction by group (cpuGroups) and in all.
func (c PathCPU) PerTx() (map[string]float64, float64) {
	byGroup := map[string]float64{}
	var all float64
	for _, p := range c.Processes {
		byGroup[p.group()] += p.Seconds
		all += p.Seconds
	}
	if c.Committed == 0 {
		return map[string]float64{}, 0
	}
	for g, s := range byGroup {
		byGroup[g] = math.Round(s/float64(c.Committed)*1e4) / 10
	}
	return byGroup, math.Round(all/float64(c.Committed)*1e4) / 10
}

// cpuTable renders the CPU milliseconds per committed transaction of every point and path.
func cpuTable(points []RegisterPoint) string {
	var b strings.Builder
	b.WriteString("| clients | path | committed | " + strings.Join(cpuGroups, " | ") + " | all |\n")
	b.WriteString("| ---: | --- | ---: |" + strings.Repeat(" ---: |", len(cpuGroups)+1) + "\n")
	for _, p := range points {
		for _, c := range p.CPU {
			byGroup, all := c.PerTx()
			cells := make([]string, len(cpuGroups))
			for i, g := range cpuGroups {
				cells[i] = strconv.FormatFloat(byGroup[g], 'f', 1, 64)
			}
			fmt.Fprintf(&b, "| %d | %s | %d | %s | %.1f |\n", p.Concurrency, c.Path, c.Committed, strings.Join(cells, " | "), all)
		}
	}
	return b.String()
}
