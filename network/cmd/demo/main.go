// Command demo fills an empty IPLedger ledger with an invented data set to look at, through the
// gateways' HTTP API (network/demo). `scripts/ipledger demo` runs it against the network `up` started;
// run that rather than this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ipledger/ipledger/network/demo"
	"github.com/ipledger/ipledger/network/netctl"
)

func main() {
	system := flag.String("system", os.Getenv("IPLEDGER_SYSTEM_FILE"), "the network's system.json (IPLEDGER_SYSTEM_FILE)")
	force := flag.Bool("force", false, "run on a ledger that already has rights: to finish a run that stopped part-way "+
		"(every request is sent with the same Idempotency-Key, so nothing is written twice), or beside other data")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: demo --system FILE [--force]\n\n"+
			"Fills an empty ledger, through the gateways' HTTP API, with an invented data set: rights of Wuhan and Hubei\n"+
			"companies, pledges at both banks in every status, a package, a consented transfer, licences, court freezes,\n"+
			"defaults and disposals, applications waiting for examination, transfers waiting for each bank's consent and\n"+
			"for the IP office, a licence request, changes and extensions of pledges recorded, refused and waiting, a\n"+
			"refused transfer and a terminated licence; prints what it made and where to look.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *system == "" {
		flag.Usage()
		os.Exit(2)
	}
	sys, err := netctl.LoadSystem(*system)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := demo.Run(ctx, demo.Config{System: sys, Force: *force, Out: os.Stdout}); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		if errors.Is(err, demo.ErrNotEmpty) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}
