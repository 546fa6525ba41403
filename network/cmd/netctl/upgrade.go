package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/network/netctl"
)

// chaincodeCmd is `chaincode upgrade`: the chaincode of this host's organizations replaced by another
// program, approved as the next sequence and committed (on the IP office's host) once the channel's
// LifecycleEndorsement is met, with no gap in service.
func chaincodeCmd(n *netctl.Network, _ string, args []string) {
	switch {
	case len(args) > 0 && args[0] == "upgrade":
		upgradeCmd(n, args[1:])
	case len(args) > 0 && args[0] == "define":
		defineCmd(n, args[1:])
	default:
		fail(fmt.Errorf("chaincode needs a command: upgrade or define (see --help)"))
	}
}

// defineCmd is `chaincode define`: the next sequence of the definition, with the same program, and
// the collections and endorsement policy of the consortium's (new) plan.
func defineCmd(n *netctl.Network, args []string) {
	fs := flag.NewFlagSet("chaincode define", flag.ExitOnError)
	orgs := fs.String("orgs", "", "only these organizations of this host approve (comma-separated names; default: all)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.DurationVar(&n.ApprovalWait, "approval-wait", 10*time.Minute, "on a host of a consortium: how long to wait for the other organizations' approvals and the commit")
	_ = fs.Parse(args)
	var opt netctl.DefineOptions
	if *orgs != "" {
		opt.Orgs = strings.Split(*orgs, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := n.Define(ctx, opt)
	if err != nil {
		fail(fmt.Errorf("chaincode define failed: %w\nLogs are in %s", err, filepath.Join(n.Dir, "logs")))
	}
	if *asJSON {
		out, _ := json.Marshal(rep)
		fmt.Println(string(out))
		return
	}
	fmt.Printf("chaincode defined in %.1fs: sequence %d, version %s\n", rep.Duration.Seconds(), rep.Sequence, rep.ToVersion)
	if rep.Committed {
		fmt.Printf("committed here in block %d (transaction %s) with the approvals of %s (%d of %d needed)\n",
			rep.CommitBlock, rep.CommitTx, strings.Join(rep.Approvers, ", "), rep.Threshold, rep.Members)
	}
}

func upgradeCmd(n *netctl.Network, args []string) {
	fs := flag.NewFlagSet("chaincode upgrade", flag.ExitOnError)
	program := fs.String("program", "", "the new chaincode program (built like ipledger-cc: scripts/ipledger chaincode upgrade builds it)")
	orgs := fs.String("orgs", "", "only these organizations of this host approve (comma-separated names; default: all)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.DurationVar(&n.ApprovalWait, "approval-wait", 10*time.Minute, "on a host of a consortium: how long to wait for the other organizations' approvals and the commit")
	_ = fs.Parse(args)
	if *program == "" {
		fail(fmt.Errorf("chaincode upgrade needs --program"))
	}
	opt := netctl.UpgradeOptions{Program: *program}
	if *orgs != "" {
		opt.Orgs = strings.Split(*orgs, ",")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := n.Upgrade(ctx, opt)
	if err != nil {
		fail(fmt.Errorf("chaincode upgrade failed: %w\nLogs are in %s", err, filepath.Join(n.Dir, "logs")))
	}
	if *asJSON {
		out, _ := json.Marshal(rep)
		fmt.Println(string(out))
		return
	}
	fmt.Printf("chaincode upgraded in %.1fs: sequence %d, version %s (was %s)\n", rep.Duration.Seconds(), rep.Sequence, rep.ToVersion, rep.FromVersion)
	if rep.Committed {
		fmt.Printf("committed here in block %d (transaction %s) with the approvals of %s (%d of %d needed)\n",
			rep.CommitBlock, rep.CommitTx, strings.Join(rep.Approvers, ", "), rep.Threshold, rep.Members)
	}
}
