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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/network/bench"
	"github.com/ipledger/ipledger/network/netctl"
)

func main() {
	system := flag.String("system", os.Getenv("IPLEDGER_SYSTEM_FILE"), "the network's system.json (IPLEDGER_SYSTEM_FILE)")
	topology := flag.String("topology", "network/topology.yaml", "the topology, for the settings the report names")
	workloads := flag.String("workload", "submit,read,growth,memory", "comma-separated: submit, read, growth, memory")
	concurrency := flag.String("concurrency", "1,10,50", "comma-separated client counts for submit and read")
	duration := flag.Duration("duration", 15*time.Second, "duration of each measurement point")
	growth := flag.String("growth", "1000,100000", "comma-separated ledger sizes (IP rights) for the growth workload")
	samples := flag.Int("samples", 50, "sequential samples per latency figure of the growth workload")
	out := flag.String("out", "out/bench", "directory for bench.json, bench.md and bench.png")
	flag.Parse()

	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	if *system == "" {
		fail(fmt.Errorf("--system (or IPLEDGER_SYSTEM_FILE) is required"))
	}
	sys, err := netctl.LoadSystem(*system)
	if err != nil {
		fail(err)
	}
	top, err := netctl.LoadTopology(*topology, 0)
	if err != nil {
		fail(err)
	}
	cs, err := ints(*concurrency)
	if err != nil {
		fail(fmt.Errorf("--concurrency: %w", err))
	}
	gs, err := ints(*growth)
	if err != nil {
		fail(fmt.Errorf("--growth: %w", err))
	}
	cfg := bench.Config{Workloads: strings.Split(*workloads, ","), Concurrency: cs, Duration: *duration,
		GrowthSizes: gs, Samples: *samples, Out: os.Stdout}
	settings := bench.Settings{BatchTimeout: top.Ordering.BatchTimeout.String(), MaxMessageCount: top.Ordering.MaxMessageCount,
		EndorsementPolicy: top.Chaincode.EndorsementPolicy}
	runner, err := bench.NewRunner(cfg, sys, settings)
	if err != nil {
		fail(err)
	}
	defer runner.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, runErr := runner.Run(ctx)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	if err := res.WriteJSON(filepath.Join(*out, "bench.json")); err != nil {
		fail(err)
	}
	md := res.Markdown()
	if err := os.WriteFile(filepath.Join(*out, "bench.md"), []byte(md), 0o644); err != nil {
		fail(err)
	}
	if err := res.Chart(filepath.Join(*out, "bench.png")); err != nil {
		fmt.Fprintln(os.Stderr, "no chart:", err)
	}
	fmt.Println()
	fmt.Print(md)
	fmt.Printf("Written: %s/bench.json, bench.md, bench.png\n", *out)
	if runErr != nil {
		fail(runErr)
	}
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
