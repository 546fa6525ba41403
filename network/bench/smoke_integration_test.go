//go:build integration

package bench

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
)

// TestBenchSmoke runs the benchmark tool briefly against the test network: both paths commit the
// pledge life cycle, answer verifications and apply for and register a package; the register workload
// deploys the trivial chaincode and commits registrations and Puts endorsed alike; the batchtimeout
// workload sets two BatchTimeouts and the channel's value back; the report's outputs are written, and
// the trivial chaincode's servers are stopped. A count-bounded soak samples every process and
// commits without failures.
func TestBenchSmoke(t *testing.T) {
	sys := itest.System(t)
	n, err := netctl.OpenSystem(sys, "../topology.yaml", "..", "")
	if err != nil {
		t.Fatal(err)
	}
	kv := filepath.Join(t.TempDir(), "kvcc")
	if out, err := exec.Command("go", "build", "-o", kv, "./kvcc").CombinedOutput(); err != nil {
		t.Fatalf("building the trivial chaincode: %v\n%s", err, out)
	}
	cfg := Config{Workloads: []string{"submit", "read", "readmodel", "rebuild", "packages", "memory", "register", "batchtimeout", "soak"}, Concurrency: []int{2},
		VerifyClients: 2, VerifyRate: 20,
		Duration: 2 * time.Second, Samples: 3, PackageSizes: []int{3}, Out: testWriter{t}, Network: n, KVProgram: kv,
		RegisterConcurrency: []int{2}, ProfileDir: t.TempDir(), ProfileAt: 2, BatchTimeouts: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond},
		BatchClients: 2, RebuildOrgs: DefaultRebuildOrgs, Soak: SoakConfig{Cycles: 6, Clients: 2, Every: time.Second, Compare: time.Second}}
	r, err := NewRunner(cfg, sys, Settings{BatchTimeout: "100ms"})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			r.Close() // the trivial chaincode's servers stop also when the test fails
		}
	})
	res, err := r.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkRegister(t, res.Register)
	checkBatchTimeout(t, n, res.BatchTimeout)
	servers := r.kvDeployment.Servers
	r.Close()
	closed = true
	for _, p := range servers {
		if n.Pid(p) != 0 {
			t.Errorf("%s still runs after the runner closed", p.Name)
		}
	}
	if len(res.Submit) != 1 || len(res.Read) != 2 || len(res.Packages) != 2 || len(res.Memory) == 0 {
		t.Fatalf("figures missing: %d submit, %d read, %d packages, %d memory", len(res.Submit), len(res.Read), len(res.Packages), len(res.Memory))
	}
	for _, p := range res.Packages {
		if p.Rights != 3 || p.ApplyRegister.Count != 3 || p.ApplyRegister.Failures != 0 || p.BlockBytes < 1000 {
			t.Errorf("package figures of %s: %+v", p.Path, p)
		}
	}
	for _, p := range append(res.Submit, res.Read...) {
		for path, s := range map[string]Summary{"bare": p.Bare, "http": p.HTTP} {
			if s.Count == 0 || s.Failures != 0 || s.P50Millis <= 0 {
				t.Errorf("%s %s: %+v", p.Operation, path, s)
			}
		}
		if p.Ratio <= 0 {
			t.Errorf("%s: ratio %v", p.Operation, p.Ratio)
		}
	}
	checkReadModel(t, res)
	checkRebuild(t, res.Rebuild)
	checkSoak(t, sys.Processes, res.Soak, cfg.Soak)
	dir := t.TempDir()
	if err := res.WriteJSON(filepath.Join(dir, "bench.json")); err != nil {
		t.Fatal(err)
	}
	if err := res.Chart(filepath.Join(dir, "bench.png")); err != nil {
		t.Fatal(err)
	}
	if err := res.SubmissionChart(filepath.Join(dir, "bench-submissions.png")); err != nil {
		t.Fatal(err)
	}
	if err := res.Soak.WriteJSON(filepath.Join(dir, "soak.json")); err != nil {
		t.Fatal(err)
	}
	if err := res.Soak.Chart(filepath.Join(dir, "soak.png")); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", res.Markdown())
}

// checkRegister asserts the register workload's figures: every path committed registrations (the
// trivial chaincode its Puts) without a failure, all three were endorsed by the same organizations,
// and the CPU of the peers and of the trivial chaincode's servers was read.
func checkRegister(t *testing.T, rr *RegisterResult) {
	t.Helper()
	if rr == nil || len(rr.Points) != 1 {
		t.Fatalf("register figures: %+v", rr)
	}
	want := []string{"Bank1MSP", "IPOfficeMSP"}
	for _, path := range []string{"trivial", "bare", "http"} {
		if !slices.Equal(rr.Endorsers[path], want) {
			t.Errorf("%s's transaction endorsed by %v, not %v", path, rr.Endorsers[path], want)
		}
	}
	if rr.ValueBytes < 300 {
		t.Errorf("the trivial chaincode's value is %d bytes, less than a right's record", rr.ValueBytes)
	}
	p := rr.Points[0]
	for path, s := range map[string]Summary{"trivial": p.Trivial, "bare": p.Bare, "http": p.HTTP} {
		if s.Count == 0 || s.Failures != 0 || s.P50Millis <= 0 {
			t.Errorf("register %s: %+v", path, s)
		}
	}
	if p.BareRatio <= 0 || p.HTTPRatio <= 0 {
		t.Errorf("ratios %v, %v", p.BareRatio, p.HTTPRatio)
	}
	t.Logf("FIGURE register-smoke trivial %d committed (%.1f/s), bare %d (%.1f/s), http %d (%.1f/s), bare/trivial %.3f",
		p.Trivial.Count, p.Trivial.PerSecond, p.Bare.Count, p.Bare.PerSecond, p.HTTP.Count, p.HTTP.PerSecond, p.BareRatio)
	if len(p.CPU) != 3 {
		t.Fatalf("CPU of %d paths, want 3", len(p.CPU))
	}
	for _, c := range p.CPU {
		byGroup, all := c.PerTx()
		if byGroup["peer0.ipoffice"] <= 0 || all <= byGroup["peer0.ipoffice"] {
			t.Errorf("%s: CPU per transaction %v (all %v): the IP office's peer used none", c.Path, byGroup, all)
		}
		kinds := map[string]bool{}
		for _, pc := range c.Processes {
			kinds[pc.Kind] = true
		}
		if !kinds["kvcc"] || !kinds["peer"] || !kinds["orderer"] || !kinds["load"] {
			t.Errorf("%s: CPU read of kinds %v", c.Path, kinds)
		}
	}
	if len(p.Profiles) != 2 {
		t.Errorf("%d profiles at %d clients, want trivial and bare", len(p.Profiles), p.Concurrency)
	}
	for _, pr := range p.Profiles {
		if len(pr.Top) == 0 && pr.Error == "" {
			t.Errorf("profile of %s: neither taken nor said why: %+v", pr.Path, pr)
		}
	}
}

// checkBatchTimeout asserts that each BatchTimeout was measured and that the channel's value is back
// at the one it had.
func checkBatchTimeout(t *testing.T, n *netctl.Network, bt *BatchTimeoutResult) {
	t.Helper()
	if bt == nil || len(bt.Points) != 2 {
		t.Fatalf("batchtimeout figures: %+v", bt)
	}
	if bt.Points[0].ConfigBlock == 0 {
		t.Errorf("BatchTimeout %s made no config block", bt.Points[0].BatchTimeout)
	}
	for _, p := range bt.Points {
		for what, s := range map[string]Summary{"sequential bare": p.SeqBare, "sequential http": p.SeqHTTP, "load bare": p.LoadBare, "load http": p.LoadHTTP} {
			if s.Count == 0 || s.Failures != 0 {
				t.Errorf("BatchTimeout %s %s: %+v", p.BatchTimeout, what, s)
			}
		}
		t.Logf("FIGURE batchtimeout-smoke %s sequential p50 bare %.1f ms http %.1f ms", p.BatchTimeout, p.SeqBare.P50Millis, p.SeqHTTP.P50Millis)
	}
	if bt.Why == "" {
		t.Error("no reason for the BatchTimeout chosen")
	}
	cfg, _, err := n.ChannelConfig(n.Top.Org("IPOfficeMSP"))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := netctl.BatchTimeout(cfg); err != nil || d.String() != bt.Reference {
		t.Errorf("the channel's BatchTimeout after the workload: %v (%v), want %s", d, err, bt.Reference)
	}
}

// budgetMiB is the memory limit (GOMEMLIMIT) netctl gives a kind of process, in MiB (0: none).
func budgetMiB(t *testing.T, kind string) float64 {
	limit, err := netctl.MemoryLimit(kind)
	if err != nil {
		t.Fatal(err)
	}
	return mib(netctl.MemoryLimitBytes(limit))
}

// checkSoak asserts that a count-bounded soak ran every cycle without a failure and sampled every
// running process at every sample, the peers', orderers' and gateways' Go heap included, each of
// these running under the memory limit netctl's budget gives its kind.
func checkSoak(t *testing.T, procs []netctl.ProcessInfo, s *SoakResult, cfg SoakConfig) {
	t.Helper()
	if s == nil {
		t.Fatal("no soak result")
	}
	if s.Cycles != int64(cfg.Cycles) || s.Commits != 4*cfg.Cycles || s.Failures != 0 {
		t.Errorf("soak: %d cycles, %d commits, %d failures (%s); want %d cycles, %d commits, none failed",
			s.Cycles, s.Commits, s.Failures, s.LastError, cfg.Cycles, 4*cfg.Cycles)
	}
	if len(s.Samples) < 2 {
		t.Fatalf("soak: %d samples; want one at the start and one at the end at least", len(s.Samples))
	}
	var commits int
	for i, x := range s.Samples {
		commits += x.Commits
		got := map[string]ProcessSoak{}
		for _, p := range x.Processes {
			got[p.Name] = p
		}
		for _, p := range procs {
			if pidOf(p.PidFile) == 0 {
				continue
			}
			ps, ok := got[p.Name]
			switch {
			case !ok:
				t.Errorf("sample %d: %s not sampled", i, p.Name)
			case ps.RSSMiB <= 0 || ps.PSSMiB <= 0:
				t.Errorf("sample %d: %s RSS %v PSS %v", i, p.Name, ps.RSSMiB, ps.PSSMiB)
			case (p.Kind == "peer" || p.Kind == "orderer" || p.Kind == "gateway") && (ps.HeapInuseMiB <= 0 || ps.NextGCMiB <= 0):
				t.Errorf("sample %d: no Go heap figures for %s: %+v", i, p.Name, ps)
			case (p.Kind == "peer" || p.Kind == "orderer" || p.Kind == "gateway") && ps.MemLimitMiB != budgetMiB(t, p.Kind):
				t.Errorf("sample %d: %s runs with a memory limit of %v MiB; netctl's budget for a %s is %v MiB",
					i, p.Name, ps.MemLimitMiB, p.Kind, budgetMiB(t, p.Kind))
			}
		}
	}
	if commits != s.Commits {
		t.Errorf("the samples count %d commits, the soak %d", commits, s.Commits)
	}
	for _, w := range s.MetricsWarnings {
		t.Errorf("soak metrics: %s", w)
	}
	if s.Start == nil || s.End == nil || s.Start.Ratio <= 0 || s.End.Ratio <= 0 {
		t.Errorf("soak comparisons: start %+v end %+v", s.Start, s.End)
	}
	for _, k := range s.Kinds {
		t.Logf("FIGURE soak-smoke %s×%d RSS %.1f→%.1f MiB heap %.1f→%.1f MiB", k.Kind, k.Processes, k.StartRSSMiB, k.EndRSSMiB,
			k.StartHeapMiB, k.EndHeapMiB)
	}
	t.Logf("FIGURE soak-smoke %d commits, %d failures, %d samples in %.1f s", s.Commits, s.Failures, len(s.Samples), s.ElapsedSeconds)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// checkReadModel asserts the readmodel workload's figures: verifications at the set rate on both
// paths without a failure, the HTTP ones answered from the read model, and a search on both paths.
func checkReadModel(t *testing.T, res *Result) {
	t.Helper()
	if len(res.ReadModel) != 2 || len(res.Search) != 2 {
		t.Fatalf("readmodel figures: %d rate points, %d search points; want 2 and 2", len(res.ReadModel), len(res.Search))
	}
	for _, p := range res.ReadModel {
		if p.Count == 0 || p.Failures != 0 {
			t.Errorf("verify at a set rate, %s: %+v", p.Path, p.Summary)
		}
		if p.Path == "http" && p.Sources["read-model"] == 0 {
			t.Errorf("no verification through HTTP came from the read model: %v", p.Sources)
		}
	}
	for _, p := range res.Search {
		if p.ByName.Count == 0 || p.ByName.Failures != 0 || p.ByID.Count == 0 || p.ByID.Failures != 0 {
			t.Errorf("search, %s: by name %+v, by code %+v", p.Path, p.ByName, p.ByID)
		}
	}
	t.Logf("FIGURE readmodel-smoke verify at %.0f/s: bare %.1f/s p99 %.1f ms, http %.1f/s p99 %.1f ms, sources %v",
		res.ReadModel[1].Target, res.ReadModel[0].PerSecond, res.ReadModel[0].P99Millis, res.ReadModel[1].PerSecond,
		res.ReadModel[1].P99Millis, res.ReadModel[1].Sources)
}

// checkRebuild asserts the rebuild workload's figures: the IP office's (SQLite) and the regulator's
// (PostgreSQL) read models rebuilt from block 0 with every transaction and write of the ledger.
func checkRebuild(t *testing.T, points []RebuildPoint) {
	t.Helper()
	want := map[string]string{string(api.MSPIPOffice): netctl.ReadModelSQLite, string(api.MSPRegulator): netctl.ReadModelPostgres}
	if len(points) != len(want) {
		t.Fatalf("rebuild points: %+v, want one for each of %v", points, want)
	}
	for _, p := range points {
		if want[p.Organization] != p.Driver || p.Blocks < 10 || p.Transactions < int64(p.Blocks)-1 || p.Writes <= p.Transactions || p.PerSecond <= 0 {
			t.Errorf("rebuild of %s: %+v", p.Organization, p)
		}
		t.Logf("FIGURE rebuild %s (%s): %d blocks, %d transactions, %d key writes in %.2f s (%.0f transactions/s)",
			p.Organization, p.Driver, p.Blocks, p.Transactions, p.Writes, p.Seconds, p.PerSecond)
	}
}
