package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/network/netctl"
	"golang.org/x/sync/errgroup"
)

// Config says what to measure.
type Config struct {
	Workloads   []string      // submit, read, readmodel, growth, rebuild, packages, memory, join, register, batchtimeout, soak, scale
	Concurrency []int         // client counts for submit and read
	Duration    time.Duration // per measurement
	GrowthSizes []int         // ledger sizes (IP rights) for the growth workload
	Samples     int           // sequential samples per latency measurement in growth (a tenth, at least 3, in packages)
	// PackageSizes are the numbers of rights of the pledges the packages workload applies for and
	// registers (P2; at most api.MaxPackage).
	PackageSizes []int
	Out          io.Writer // progress lines
	// Blocks is the ledger height the join workload grows the ledger to; Network is the network whose
	// nodes it acts on (a peer rejoins).
	Blocks  int
	Network *netctl.Network
	// VerifyClients and VerifyRate are the readmodel workload's open-loop verification: that many
	// clients sending at that combined rate (a second).
	VerifyClients int
	VerifyRate    float64
	// The register and batchtimeout workloads (register.go, batchtimeout.go): the trivial chaincode's
	// program, the directory the IP office's peer's CPU profiles go to ("" : none taken) and the
	// concurrency they are taken at, the BatchTimeouts and the clients of the throughput figure.
	RegisterConcurrency []int
	KVProgram           string
	ProfileDir          string
	ProfileAt           int
	BatchTimeouts       []time.Duration
	BatchClients        int
	// Soak is the soak workload's configuration (soak.go).
	Soak SoakConfig
	// Scale is the scale workload's configuration (scale.go).
	Scale ScaleConfig
	// RebuildOrgs are the organizations whose read models the rebuild workload rebuilds.
	RebuildOrgs []string
	// SeededFile records the rights the growth workload seeded on this ledger, so that a later run on
	// the same network (scripts/ipledger bench with IPLEDGER_BENCH_DATA_DIR) goes on from there
	// instead of seeding them again: a million rights take hours on two cores. "": none kept.
	SeededFile string
}

// Result holds every figure of a run; it is written as JSON and rendered as Markdown and a chart.
type Result struct {
	Started  time.Time      `json:"started"`
	Machine  Machine        `json:"machine"`
	Settings Settings       `json:"settings"`
	Submit   []Pair         `json:"submit,omitempty"`
	Read     []Pair         `json:"read,omitempty"`
	Growth   []GrowthPoint  `json:"growth,omitempty"`
	History  []HistoryPoint `json:"history,omitempty"`
	Packages []PackagePoint `json:"packages,omitempty"`
	Memory   []ProcessMem   `json:"memory,omitempty"`
	Join     *JoinResult    `json:"join,omitempty"`
	// ReadModel is the open-loop verification (readmodel workload); Search the search by party at
	// each growth size.
	ReadModel []RatePoint   `json:"readModel,omitempty"`
	Search    []SearchPoint `json:"search,omitempty"`
	// Rebuild: the read models rebuilt from block 0 (rebuild workload).
	Rebuild []RebuildPoint `json:"rebuild,omitempty"`
	// Scale: the read model alone, built in-process at a size the ledger does not reach (scale.go).
	Scale []ScalePoint `json:"scale,omitempty"`
	// Register and BatchTimeout: register.go, batchtimeout.go.
	Register     *RegisterResult     `json:"register,omitempty"`
	BatchTimeout *BatchTimeoutResult `json:"batchTimeout,omitempty"`
	// Soak: soak.go.
	Soak *SoakResult `json:"soak,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"goVersion"`
	CPUModel  string `json:"cpuModel,omitempty"`
	MemoryKiB int64  `json:"memoryKiB,omitempty"`
}

// Settings are the network settings that shape the figures.
type Settings struct {
	BatchTimeout      string `json:"batchTimeout"`
	MaxMessageCount   int    `json:"maxMessageCount"`
	EndorsementPolicy string `json:"endorsementPolicy"`
	Duration          string `json:"durationPerPoint"`
}

// Pair is one operation at one concurrency through both paths, measured back to back.
type Pair struct {
	Operation   string  `json:"operation"`
	Concurrency int     `json:"concurrency"`
	HTTP        Summary `json:"http"`
	Bare        Summary `json:"bare"`
	// Ratio is HTTP throughput over bare throughput.
	Ratio float64 `json:"ratio"`
}

// GrowthPoint is latency with a given number of IP rights on the ledger.
type GrowthPoint struct {
	Rights   int     `json:"rights"`
	Path     string  `json:"path"`
	Register Summary `json:"register"`
	Verify   Summary `json:"verify"`
}

// HistoryPoint is history latency for a right with a given number of changes.
type HistoryPoint struct {
	Changes int     `json:"changes"`
	Path    string  `json:"path"`
	History Summary `json:"history"`
}

// ProcessMem is one process's memory after the run.
type ProcessMem struct {
	Name   string  `json:"name"`
	Kind   string  `json:"kind"`
	RSSMiB float64 `json:"rssMiB"`
	PSSMiB float64 `json:"pssMiB"`
}

// Runner holds the drivers and the run's state.
type Runner struct {
	cfg      Config
	sys      *netctl.System
	bare     *Bare
	http     *HTTP
	runID    string
	seq      atomic.Int64
	res      *Result
	maxBlock atomic.Uint64 // the highest block a preparation step committed in
	// kv is the trivial chaincode's driver and kvDeployment its servers, once deployed (register.go).
	kv           *kvDriver
	kvDeployment *netctl.ExtraDeployment
	// seeded is the largest count noteSeeded recorded.
	seededMu sync.Mutex
	seeded   int
}

// noteBlock remembers the highest block preparation wrote.
func (r *Runner) noteBlock(b uint64) {
	for {
		cur := r.maxBlock.Load()
		if b <= cur || r.maxBlock.CompareAndSwap(cur, b) {
			return
		}
	}
}

// NewRunner connects both drivers to a running network. settings come from the topology.
func NewRunner(cfg Config, sys *netctl.System, settings Settings) (*Runner, error) {
	maxC := 1
	for _, c := range append(append(slices.Clone(cfg.Concurrency), cfg.RegisterConcurrency...), cfg.Soak.Clients) {
		maxC = max(maxC, c)
	}
	bare, err := NewBare(sys)
	if err != nil {
		return nil, err
	}
	h, err := NewHTTP(sys, maxC)
	if err != nil {
		bare.Close()
		return nil, err
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	settings.Duration = cfg.Duration.String()
	return &Runner{cfg: cfg, sys: sys, bare: bare, http: h, runID: strings.ToUpper(hex.EncodeToString(b)),
		res: &Result{Started: time.Now().UTC(), Machine: machine(), Settings: settings}}, nil
}

// Close closes both drivers.
func (r *Runner) Close() {
	r.bare.Close()
	r.http.Close()
	if r.kvDeployment != nil {
		if err := r.cfg.Network.StopExtraChaincode(r.kvDeployment); err != nil {
			r.logf("stopping the trivial chaincode's servers: %v", err)
		}
	}
}

func (r *Runner) logf(format string, args ...any) {
	if r.cfg.Out != nil {
		fmt.Fprintf(r.cfg.Out, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
}

// Run measures every configured workload.
func (r *Runner) Run(ctx context.Context) (*Result, error) {
	for _, w := range r.cfg.Workloads {
		var err error
		switch w {
		case "submit":
			err = r.runSubmit(ctx)
		case "read":
			err = r.runRead(ctx)
		case "growth":
			err = r.runGrowth(ctx)
		case "packages":
			err = r.runPackages(ctx)
		case "memory":
			err = r.runMemory()
		case "join":
			err = r.runJoin(ctx)
		case "readmodel":
			err = r.runReadModel(ctx)
		case "register":
			err = r.runRegister(ctx)
		case "batchtimeout":
			err = r.runBatchTimeout(ctx)
		case "rebuild":
			err = r.runRebuild(ctx)
		case "soak":
			err = r.runSoak(ctx)
		case "scale":
			err = r.runScale(ctx)
		default:
			err = fmt.Errorf("unknown workload %q (submit, read, readmodel, growth, rebuild, packages, memory, join, register, batchtimeout, soak, scale)", w)
		}
		if err != nil {
			return r.res, fmt.Errorf("%s: %w", w, err)
		}
		// A process that died during a workload would turn every later point into failures: stop
		// here, naming it (a failed run keeps the network's logs, scripts/ipledger bench).
		if dead := deadProcesses(r.sys.Processes); len(dead) > 0 {
			return r.res, fmt.Errorf("%s: the network lost %s during this workload; its log says why",
				w, strings.Join(dead, ", "))
		}
	}
	return r.res, nil
}

// deadProcesses names the processes whose pid file names a process that no longer runs (a process
// restarted by a workload has written its new pid). A process without a pid file is not judged.
func deadProcesses(ps []netctl.ProcessInfo) []string {
	var out []string
	for _, p := range ps {
		raw, err := os.ReadFile(p.PidFile)
		if err != nil {
			continue
		}
		f := strings.Fields(string(raw))
		if len(f) == 0 {
			continue
		}
		pid, err := strconv.Atoi(f[0])
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			out = append(out, fmt.Sprintf("%s (pid %d, log %s)", p.Name, pid, p.Log))
		}
	}
	return out
}

func (r *Runner) next(prefix string) string {
	return fmt.Sprintf("%s-%s-%d", prefix, r.runID, r.seq.Add(1))
}

// asset is a valid patent whose id and number are new.
func (r *Runner) asset() api.AssetInput {
	id := r.next("BN")
	return api.AssetInput{ID: id, Kind: api.KindPatentInvention, Number: "ZL" + id, Title: "Benchmark patent " + id,
		Owners:          []api.Owner{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co.", Share: 10000}},
		ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2040-01-15", FeesPaidThrough: "2035-01-15"}
}

func application(assetID string) api.PledgeApplication {
	return api.PledgeApplication{AssetIDs: []string{assetID}, ContractHash: strings.Repeat("ab", 32), DebtKind: "loan",
		DebtTermStart: "2025-01-01", DebtTermEnd: "2027-12-31", PledgeeName: "Bank One Hubei Branch",
		Pledgors: []api.Party{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co."}}}
}

func terms() api.Terms {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	return api.Terms{Amount: "5000000.00", Currency: "CNY", InterestRate: "3.85", Scope: "principal and interest",
		Salt: hex.EncodeToString(salt)}
}

// lifecycle runs one pledge life cycle, recording each of its four submissions.
func (r *Runner) lifecycle(ctx context.Context, d Driver, rec *Recorder) error {
	a := r.asset()
	step := func(f func() error) error {
		start := time.Now()
		err := f()
		rec.Observe(time.Since(start), err)
		return err
	}
	var block uint64
	if err := step(func() (err error) { block, err = d.RegisterAsset(ctx, r.next("req"), a); return }); err != nil {
		return err
	}
	var pledgeID string
	if err := step(func() (err error) {
		pledgeID, block, err = d.ApplyPledge(ctx, r.next("req"), application(a.ID), terms(), block)
		return
	}); err != nil {
		return err
	}
	if err := step(func() (err error) {
		block, err = d.RegisterPledge(ctx, r.next("req"), pledgeID, r.next("REG"), block)
		return
	}); err != nil {
		return err
	}
	return step(func() error { _, err := d.ReleasePledge(ctx, r.next("req"), pledgeID, block); return err })
}

// load runs op from c workers until the duration is over and summarizes what committed.
func (r *Runner) load(ctx context.Context, c int, op func(ctx context.Context, rec *Recorder) error) Summary {
	return r.loadFor(ctx, c, r.cfg.Duration, op)
}

// loadFor is load for a given duration.
func (r *Runner) loadFor(ctx context.Context, c int, d time.Duration, op func(ctx context.Context, rec *Recorder) error) Summary {
	var rec Recorder
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				_ = op(ctx, &rec) // failures are counted by the recorder
			}
		}()
	}
	wg.Wait()
	return rec.Summarize(time.Since(start))
}

func (r *Runner) pair(ctx context.Context, name string, c int, op func(ctx context.Context, d Driver, rec *Recorder) error) Pair {
	return r.pairFor(ctx, name, c, r.cfg.Duration, op)
}

// pairFor is pair with each path run for dur.
func (r *Runner) pairFor(ctx context.Context, name string, c int, dur time.Duration, op func(ctx context.Context, d Driver, rec *Recorder) error) Pair {
	p := Pair{Operation: name, Concurrency: c}
	// Bare first, then HTTP, back to back, so both see the same ledger size and machine state.
	p.Bare = r.loadFor(ctx, c, dur, func(ctx context.Context, rec *Recorder) error { return op(ctx, r.bare, rec) })
	p.HTTP = r.loadFor(ctx, c, dur, func(ctx context.Context, rec *Recorder) error { return op(ctx, r.http, rec) })
	if p.Bare.PerSecond > 0 {
		p.Ratio = math.Round(p.HTTP.PerSecond/p.Bare.PerSecond*1000) / 1000
	}
	r.logf("%-8s c=%-3d bare %7.1f/s p50 %6.1fms p99 %6.1fms | http %7.1f/s p50 %6.1fms p99 %6.1fms | ratio %.3f (failures bare %d, http %d)",
		name, c, p.Bare.PerSecond, p.Bare.P50Millis, p.Bare.P99Millis, p.HTTP.PerSecond, p.HTTP.P50Millis, p.HTTP.P99Millis,
		p.Ratio, p.Bare.Failures, p.HTTP.Failures)
	return p
}

func (r *Runner) runSubmit(ctx context.Context) error {
	r.logf("submit: the pledge life cycle (register right, apply, register pledge, release), %s per point", r.cfg.Duration)
	for _, c := range r.cfg.Concurrency {
		r.res.Submit = append(r.res.Submit, r.pair(ctx, "submit", c, func(ctx context.Context, d Driver, rec *Recorder) error {
			return r.lifecycle(ctx, d, rec)
		}))
	}
	return nil
}

// pledgedAssets registers n rights, each with a registered pledge, so statements carry an encumbrance.
func (r *Runner) pledgedAssets(ctx context.Context, n int) ([]string, error) {
	ids := make([]string, n)
	var g errgroup.Group
	g.SetLimit(8)
	for i := range ids {
		g.Go(func() error {
			a := r.asset()
			block, err := r.bare.RegisterAsset(ctx, r.next("req"), a)
			if err != nil {
				return err
			}
			pid, block, err := r.bare.ApplyPledge(ctx, r.next("req"), application(a.ID), terms(), block)
			if err != nil {
				return err
			}
			ids[i] = a.ID
			block, err = r.bare.RegisterPledge(ctx, r.next("req"), pid, r.next("REG"), block)
			r.noteBlock(block)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// Every peer has the prepared rights before anyone reads them.
	return ids, r.sys.WaitForBlock(ctx, r.maxBlock.Load())
}

func (r *Runner) runRead(ctx context.Context) error {
	ids, err := r.pledgedAssets(ctx, 20)
	if err != nil {
		return fmt.Errorf("preparing pledged rights: %w", err)
	}
	r.logf("read: verification and history of %d pledged rights, %s per point", len(ids), r.cfg.Duration)
	pick := func() string { return ids[mrand.IntN(len(ids))] }
	for _, c := range r.cfg.Concurrency {
		r.res.Read = append(r.res.Read, r.pair(ctx, "verify", c, func(ctx context.Context, d Driver, rec *Recorder) error {
			start := time.Now()
			err := d.Verify(ctx, pick())
			rec.Observe(time.Since(start), err)
			return err
		}))
		r.res.Read = append(r.res.Read, r.pair(ctx, "history", c, func(ctx context.Context, d Driver, rec *Recorder) error {
			start := time.Now()
			err := d.History(ctx, pick())
			rec.Observe(time.Since(start), err)
			return err
		}))
	}
	return nil
}

// sample measures n sequential calls.
func sample(n int, f func() error) Summary {
	var rec Recorder
	start := time.Now()
	for range n {
		t := time.Now()
		err := f()
		rec.Observe(time.Since(t), err)
	}
	return rec.Summarize(time.Since(start))
}

// readSeeded is the number of rights earlier runs seeded on this ledger (0 without a record).
func readSeeded(path string) (int, error) {
	if path == "" {
		return 0, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var rec struct {
		Rights int `json:"rights"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return rec.Rights, nil
}

// noteSeeded records that the ledger holds at least n rights the growth workload put there. Batches
// commit out of order, so the record only grows; at most the batches in flight are seeded again
// after a run is stopped.
func (r *Runner) noteSeeded(n int) error {
	if r.cfg.SeededFile == "" {
		return nil
	}
	r.seededMu.Lock()
	defer r.seededMu.Unlock()
	if n <= r.seeded {
		return nil
	}
	r.seeded = n
	tmp := r.cfg.SeededFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("{\"rights\": %d}\n", n)), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, r.cfg.SeededFile)
}

// seed brings the number of IP rights on the ledger from have up to target with ImportAssets batches.
func (r *Runner) seed(ctx context.Context, have, target int) error {
	if target <= have {
		return nil
	}
	start := time.Now()
	batches := (target - have + api.MaxImportAssets - 1) / api.MaxImportAssets
	var done atomic.Int64
	var g errgroup.Group
	g.SetLimit(4)
	for b := range batches {
		n := min(api.MaxImportAssets, target-have-b*api.MaxImportAssets)
		g.Go(func() error {
			in := struct {
				Assets []api.AssetInput `json:"assets"`
			}{}
			for i := range n {
				a := r.asset()
				a.Owners = []api.Owner{seedOwner(have + b*api.MaxImportAssets + i)}
				in.Assets = append(in.Assets, a)
			}
			_, block, err := submitBlock(ctx, r.bare.ipoffice, api.ImportAssets.Name, client.WithArguments(r.next("req"), mustJSON(in)),
				client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1)))
			r.noteBlock(block)
			if err != nil {
				return err
			}
			d := done.Add(int64(n))
			if err := r.noteSeeded(have + int(d)); err != nil {
				return err
			}
			if d%10000 < int64(n) {
				r.logf("seeded %d of %d rights (%.0f rights/s)", have+int(d), target, float64(d)/time.Since(start).Seconds())
			}
			return nil
		})
	}
	return g.Wait()
}

func (r *Runner) runGrowth(ctx context.Context) error {
	have, err := readSeeded(r.cfg.SeededFile)
	if err != nil {
		return err
	}
	if have > 0 {
		r.logf("growth: %d rights seeded on this ledger by earlier runs (%s)", have, r.cfg.SeededFile)
	}
	verifyIDs, err := r.pledgedAssets(ctx, 10)
	if err != nil {
		return err
	}
	have += 10
	for i, size := range r.cfg.GrowthSizes {
		if size < have && i < len(r.cfg.GrowthSizes)-1 {
			r.logf("growth: %d rights asked, the ledger already holds %d: no point at %d", size, have, size)
			continue
		}
		if err := r.seed(ctx, have, size); err != nil {
			return fmt.Errorf("seeding %d rights: %w", size, err)
		}
		have = max(have, size)
		for _, d := range []Driver{r.bare, r.http} {
			i := 0
			p := GrowthPoint{Rights: have, Path: d.Name()}
			p.Register = sample(r.cfg.Samples, func() error { _, err := d.RegisterAsset(ctx, r.next("req"), r.asset()); return err })
			p.Verify = sample(r.cfg.Samples, func() error { i++; return d.Verify(ctx, verifyIDs[i%len(verifyIDs)]) })
			have += r.cfg.Samples
			r.res.Growth = append(r.res.Growth, p)
			r.logf("growth %7d rights %-4s register p50 %6.1fms p99 %6.1fms | verify p50 %6.1fms p99 %6.1fms",
				p.Rights, p.Path, p.Register.P50Millis, p.Register.P99Millis, p.Verify.P50Millis, p.Verify.P99Millis)
		}
		// The search by party, once the IP office's read model has every seeded right.
		if err := r.http.AwaitReadModel(ctx, r.maxBlock.Load()); err != nil {
			return err
		}
		r.searchAt(ctx, have, size)
	}
	// History latency against history length: one right changed again and again.
	a := r.asset()
	if _, err := r.bare.RegisterAsset(ctx, r.next("req"), a); err != nil {
		return err
	}
	changes := 1
	for _, target := range []int{1, 10, 100} {
		for ; changes < target; changes++ {
			patch := map[string]string{"title": fmt.Sprintf("Benchmark patent, revision %d", changes)}
			_, block, err := submitBlock(ctx, r.bare.ipoffice, api.UpdateAsset.Name, client.WithArguments(r.next("req"), a.ID, mustJSON(patch)),
				client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1)))
			if err != nil {
				return err
			}
			// The next change is endorsed by Bank1's peer too: it must have read this one.
			if err := netctl.WaitForHeight(ctx, r.bare.bankLedger, block+1); err != nil {
				return err
			}
		}
		for _, d := range []Driver{r.bare, r.http} {
			p := HistoryPoint{Changes: changes, Path: d.Name(), History: sample(r.cfg.Samples, func() error { return d.History(ctx, a.ID) })}
			r.res.History = append(r.res.History, p)
			r.logf("history of %3d changes %-4s p50 %6.1fms p99 %6.1fms", changes, d.Name(), p.History.P50Millis, p.History.P99Millis)
		}
	}
	return nil
}

func (r *Runner) runMemory() error {
	for _, p := range r.sys.Processes {
		raw, err := os.ReadFile(p.PidFile)
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(strings.Fields(string(raw))[0])
		m, err := netctl.ReadMemory(pid)
		if err != nil {
			continue
		}
		r.res.Memory = append(r.res.Memory, ProcessMem{Name: p.Name, Kind: p.Kind,
			RSSMiB: math.Round(float64(m.RSSKiB)/102.4) / 10, PSSMiB: math.Round(float64(m.PSSKiB)/102.4) / 10})
	}
	r.logf("memory: %d processes read", len(r.res.Memory))
	return nil
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kib int64
		if _, err := fmt.Sscanf(string(raw), "MemTotal: %d kB", &kib); err == nil {
			m.MemoryKiB = kib
		}
	}
	return m
}

// WriteJSON writes the result.
func (res *Result) WriteJSON(path string) error {
	raw, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}
