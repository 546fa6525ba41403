// Command bench measures a running IPLedger network: the HTTP gateways against a bare Fabric Gateway
// client doing the same chaincode transactions, in one run. `scripts/ipledger bench` starts a network
// for it (or uses a running one) and passes the system description; run that rather than this.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/network/bench"
	"github.com/ipledger/ipledger/network/netctl"
)

func main() {
	if err := run(parseFlags()); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// options are the command line's flags, as given.
type options struct {
	system, topology, workloads, concurrency, growth, packages, out, rebuildOrgs string
	duration                                                                     time.Duration
	samples, blocks                                                              int
	kvProgram, batchTimeouts, registerConcurrency                                string
	batchClients, profileAt                                                      int
	verifyClients                                                                int
	verifyRate                                                                   float64
	soak                                                                         bench.SoakConfig
	scale                                                                        bench.ScaleConfig
	workloadSet                                                                  bool // --workload was given
}

// parseFlags reads the command line.
func parseFlags() options {
	var o options
	flag.StringVar(&o.system, "system", os.Getenv("IPLEDGER_SYSTEM_FILE"), "the network's system.json (IPLEDGER_SYSTEM_FILE)")
	flag.StringVar(&o.topology, "topology", "network/topology.yaml", "the topology, for the settings the report names")
	flag.StringVar(&o.workloads, "workload", "submit,read,readmodel,growth,packages,memory,register,batchtimeout,rebuild", "comma-separated: submit, read, readmodel, growth, rebuild (last by default: read models rebuilt from block 0, their gateways restarted), packages, memory, register, batchtimeout, join (not by default: it grows the ledger and makes a peer rejoin), scale (not by default: the read model alone at --scale-rights, built in-process)")
	flag.StringVar(&o.concurrency, "concurrency", "1,10,50", "comma-separated client counts for submit and read")
	flag.DurationVar(&o.duration, "duration", 15*time.Second, "duration of each measurement point")
	flag.StringVar(&o.growth, "growth", "1000,100000", "comma-separated ledger sizes (IP rights) for the growth workload")
	flag.StringVar(&o.packages, "packages", "50,200,500", "comma-separated numbers of rights of the pledges the packages workload applies for and registers")
	flag.IntVar(&o.samples, "samples", 50, "sequential samples per latency figure of the growth workload")
	flag.IntVar(&o.blocks, "blocks", 10000, "the ledger height the join workload grows the ledger to before a peer rejoins")
	flag.StringVar(&o.out, "out", "out/bench", "directory for bench.json, bench.md, bench.png, bench-submissions.png, the peer's CPU profiles, soak.json and soak.png")
	exe, _ := os.Executable()
	flag.StringVar(&o.kvProgram, "kv-program", filepath.Join(filepath.Dir(exe), "kvcc"), "the trivial chaincode's server program (network/bench/kvcc), for the register workload")
	flag.StringVar(&o.registerConcurrency, "register-concurrency", "1,10,50,200", "comma-separated client counts for the register workload")
	flag.IntVar(&o.profileAt, "profile-at", 50, "the register workload's concurrency at which the IP office's peer's CPU profile is taken (a network started with IPLEDGER_PEER_PROFILE=1)")
	flag.StringVar(&o.batchTimeouts, "batch-timeouts", "10ms,25ms,50ms,100ms,250ms", "comma-separated BatchTimeouts for the batchtimeout workload; a value listed more than once (10ms,100ms,10ms,100ms) is measured once per listing and the default is chosen from its medians")
	flag.IntVar(&o.batchClients, "batch-clients", 50, "clients of the batchtimeout workload's throughput figure")
	flag.IntVar(&o.verifyClients, "verify-clients", 50, "clients of the readmodel workload's open-loop verification")
	flag.Float64Var(&o.verifyRate, "verify-rate", 2000, "the combined rate (a second) at which the readmodel workload's clients verify")
	flag.StringVar(&o.rebuildOrgs, "rebuild-orgs", strings.Join(bench.DefaultRebuildOrgs, ","), "comma-separated MSP ids whose read models the rebuild workload rebuilds from block 0 (at a million rights, each takes tens of minutes)")
	flag.IntVar(&o.scale.Rights, "scale-rights", 0, "the scale workload's size: a read model of this many rights built in-process by the chaincode's rules (default: the largest --growth size)")
	flag.StringVar(&o.scale.Dir, "scale-dir", "", "where the scale workload builds its read model (removed afterwards unless --scale-keep; default: the system's temporary directory)")
	flag.BoolVar(&o.scale.Keep, "scale-keep", false, "keep the scale workload's read model in --scale-dir, and time one kept there by an earlier run instead of building it again")
	flag.DurationVar(&o.soak.Duration, "soak", 0, "run the soak for this long (e.g. 1h): the pledge life cycle through HTTP, every process's memory sampled; alone unless --workload names others")
	flag.IntVar(&o.soak.Cycles, "soak-cycles", 0, "end the soak after this many life cycles (a count-bounded soak; with --soak, whichever comes first)")
	flag.IntVar(&o.soak.Clients, "soak-clients", 10, "concurrent HTTP clients of the soak")
	flag.DurationVar(&o.soak.Every, "soak-every", time.Minute, "time between two memory samples of the soak")
	flag.DurationVar(&o.soak.Compare, "soak-compare", 30*time.Second, "length of each path's run in the bare/HTTP comparisons before and after the soak (0: none)")
	flag.Parse()
	flag.Visit(func(f *flag.Flag) { o.workloadSet = o.workloadSet || f.Name == "workload" })
	return o
}

// run loads the network's description and topology, runs the workloads until done or interrupted
// (SIGINT, SIGTERM) and writes the report of what it measured; a run that failed part-way still
// writes its report before its error is returned.
func run(o options) error {
	if o.system == "" {
		return fmt.Errorf("--system (or IPLEDGER_SYSTEM_FILE) is required")
	}
	sys, err := netctl.LoadSystem(o.system)
	if err != nil {
		return err
	}
	top, err := netctl.LoadTopology(o.topology, 0)
	if err != nil {
		return err
	}
	cfg, err := o.benchConfig()
	if err != nil {
		return err
	}
	settings := bench.Settings{BatchTimeout: top.Ordering.BatchTimeout.String(), MaxMessageCount: top.Ordering.MaxMessageCount,
		EndorsementPolicy: top.EndorsementPolicy()}
	if slices.ContainsFunc(cfg.Workloads, func(w string) bool {
		return slices.Contains([]string{"join", "register", "batchtimeout", "rebuild"}, w)
	}) {
		// The join workload acts on the network's nodes, register deploys a chaincode, batchtimeout
		// updates the channel and rebuild stops and starts gateways: the network the system describes,
		// with the topology it was started from.
		n, err := netctl.OpenSystem(sys, o.topology, filepath.Dir(o.topology), os.Getenv("IPLEDGER_FABRIC_CONFIG"))
		if err != nil {
			return err
		}
		n.Out = os.Stdout
		cfg.Network = n
	}
	runner, err := bench.NewRunner(cfg, sys, settings)
	if err != nil {
		return err
	}
	defer runner.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, runErr := runner.Run(ctx)
	if err := writeReport(res, o.out); err != nil {
		return err
	}
	return runErr
}

// benchConfig is the runner's configuration from the flags; progress goes to stdout.
func (o options) benchConfig() (bench.Config, error) {
	cs, err := ints(o.concurrency)
	if err != nil {
		return bench.Config{}, fmt.Errorf("--concurrency: %w", err)
	}
	gs, err := ints(o.growth)
	if err != nil {
		return bench.Config{}, fmt.Errorf("--growth: %w", err)
	}
	ps, err := ints(o.packages)
	if err != nil {
		return bench.Config{}, fmt.Errorf("--packages: %w", err)
	}
	rcs, err := ints(o.registerConcurrency)
	if err != nil {
		return bench.Config{}, fmt.Errorf("--register-concurrency: %w", err)
	}
	var bts []time.Duration
	for _, f := range strings.Split(o.batchTimeouts, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil || d <= 0 {
			return bench.Config{}, fmt.Errorf("--batch-timeouts: %q is not a duration such as 25ms", f)
		}
		bts = append(bts, d)
	}
	if o.batchClients <= 0 {
		return bench.Config{}, fmt.Errorf("--batch-clients: %d is not a positive number", o.batchClients)
	}
	workloads := strings.Split(o.workloads, ",")
	if (o.soak.Duration > 0 || o.soak.Cycles > 0) && !o.workloadSet {
		workloads = []string{"soak"}
	}
	if slices.Contains(workloads, "soak") && o.soak.Duration <= 0 && o.soak.Cycles <= 0 {
		return bench.Config{}, fmt.Errorf("the soak workload needs --soak DURATION (e.g. 1h) or --soak-cycles N")
	}
	return bench.Config{Workloads: workloads, Concurrency: cs, Duration: o.duration,
		GrowthSizes: gs, Samples: o.samples, PackageSizes: ps, Out: os.Stdout, Blocks: o.blocks,
		RegisterConcurrency: rcs, KVProgram: o.kvProgram, ProfileDir: o.out, ProfileAt: o.profileAt, BatchTimeouts: bts, BatchClients: o.batchClients,
		VerifyClients: o.verifyClients, VerifyRate: o.verifyRate, Soak: o.soak, Scale: o.scale,
		RebuildOrgs: strings.Split(o.rebuildOrgs, ","),
		SeededFile:  filepath.Join(filepath.Dir(o.system), "bench-seeded.json")}, nil
}

// writeReport writes bench.json, bench.md and bench.png into dir and prints the Markdown. A chart
// that cannot be drawn is reported on stderr, not an error.
func writeReport(res *bench.Result, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := res.WriteJSON(filepath.Join(dir, "bench.json")); err != nil {
		return err
	}
	md := res.Markdown()
	if err := os.WriteFile(filepath.Join(dir, "bench.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if len(res.Submit) > 0 || len(res.Read) > 0 {
		if err := res.Chart(filepath.Join(dir, "bench.png")); err != nil {
			fmt.Fprintln(os.Stderr, "no chart:", err)
		}
	}
	if res.Soak != nil {
		if err := res.Soak.WriteJSON(filepath.Join(dir, "soak.json")); err != nil {
			return err
		}
		if err := res.Soak.Chart(filepath.Join(dir, "soak.png")); err != nil {
			fmt.Fprintln(os.Stderr, "no soak chart:", err)
		}
	}
	if res.Register != nil || res.BatchTimeout != nil {
		if err := res.SubmissionChart(filepath.Join(dir, "bench-submissions.png")); err != nil {
			fmt.Fprintln(os.Stderr, "no submissions chart:", err)
		}
	}
	fmt.Println()
	fmt.Print(md)
	fmt.Printf("Written: %s/bench.json, bench.md, bench.png\n", dir)
	return nil
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
