package main

import (
	"context"
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

// orgCmd is `org init|import|genesis|up`: one organization's parts on a host of its own.
func orgCmd(n *netctl.Network, _ string, args []string) {
	if len(args) == 0 {
		fail(fmt.Errorf("org needs a command: init, import, genesis, up, upgrade, define or plan (see --help)"))
	}
	switch args[0] {
	case "init":
		orgInit(n, args[1:])
	case "import":
		if len(args) < 2 {
			fail(fmt.Errorf("org import needs at least one file"))
		}
		for _, a := range args[1:] {
			path, want, _ := strings.Cut(a, "@")
			what, err := n.Import(path, want)
			if err != nil {
				fail(err)
			}
			fmt.Printf("imported %s from %s (sha256 %s, as its sender said)\n", what, path, want)
		}
	case "genesis":
		a, err := n.MakeGenesis()
		if err != nil {
			fail(err)
		}
		printArtifact("the channel's genesis block: send it to every host", a)
	case "up":
		ufs := flag.NewFlagSet("org up", flag.ExitOnError)
		ufs.DurationVar(&n.ApprovalWait, "approval-wait", 10*time.Minute, "how long to wait for the other organizations' approvals and the commit")
		join := ufs.String("join", "genesis", "an organization joining a running channel: its peer joins from the genesis block, or from a member's snapshot (snapshot:FILE@SHA256)")
		hash := ufs.String("snapshot-hash", "", "with --join snapshot:… (required): the snapshot_hash a second member's snapshot at the same block has; a snapshot with another is refused")
		_ = ufs.Parse(args[1:])
		if *join != "genesis" {
			src, err := netctl.ParseJoiningSource(*join, *hash)
			if err != nil {
				fail(err)
			}
			n.JoinSnapshot = src
		}
		upCmd(n, "up", nil) // upCmd handles the interrupts
	case "upgrade":
		upgradeCmd(n, args[1:])
	case "define":
		defineCmd(n, args[1:])
	case "plan":
		if len(args) != 2 {
			fail(fmt.Errorf("org plan needs the consortium's new topology file: FILE@SHA256"))
		}
		ch, err := n.AdoptPlan(args[1])
		if err != nil {
			fail(err)
		}
		fmt.Printf("this host takes the plan of sha256 %s: joined %v, departed %v\n"+
			"every later command here reads that topology file (--topology, IPLEDGER_TOPOLOGY)\n", ch.SHA256, ch.Joined, ch.Departed)
	default:
		fail(fmt.Errorf("unknown org command %q: init, import, genesis, up, upgrade, define or plan", args[0]))
	}
}

func orgInit(n *netctl.Network, args []string) {
	ifs := flag.NewFlagSet("org init", flag.ExitOnError)
	org := ifs.String("org", "", "the organization this host runs (its name in the topology)")
	orderers := ifs.String("orderers", "", "an orderer organization's host: the orderers it runs, comma-separated (default: all)")
	remoteCA := ifs.Bool("remote-ca", false, "an orderer host without the organization's CA: its orderers enrol from the CA's host")
	secret := ifs.String("enroll-secret", "", "with --remote-ca: the file with the one-time enrolment secret from the CA's host")
	caDef := ifs.String("ca-definition", "", "with --remote-ca: the organization's definition FILE@SHA256 from the CA's host (its CA certificate)")
	_ = ifs.Parse(args)
	s := &netctl.Scope{Org: *org, RemoteCA: *remoteCA}
	if *orderers != "" {
		s.Orderers = strings.Split(*orderers, ",")
	}
	// Every flag is checked before the directory takes its scope, which it keeps.
	switch {
	case *org == "":
		fail(fmt.Errorf("org init needs --org"))
	case *remoteCA && (*secret == "" || *caDef == "" || len(s.Orderers) != 1):
		fail(fmt.Errorf("--remote-ca needs one orderer (--orderers), its --enroll-secret and --ca-definition"))
	case !*remoteCA && (*secret != "" || *caDef != ""):
		fail(fmt.Errorf("--enroll-secret and --ca-definition go with --remote-ca"))
	}
	if err := n.Scope(s); err != nil {
		fail(err)
	}
	if err := n.Init(s); err != nil {
		fail(err)
	}
	if *remoteCA {
		if err := n.PlaceEnrollSecret(s.Orderers[0], *secret); err != nil {
			fail(err)
		}
		path, want, _ := strings.Cut(*caDef, "@")
		if _, err := n.Import(path, want); err != nil {
			fail(fmt.Errorf("--ca-definition: %w", err))
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := n.Prepare(ctx)
	if err != nil {
		fail(fmt.Errorf("org init failed: %w\nLogs are in %s", err, filepath.Join(n.Dir, "logs")))
	}
	printArtifact("this organization's definition: send it to every other host", a)
	for _, f := range n.EnrollSecrets() {
		fmt.Printf("one-time enrolment secret of an orderer on another host (a secret: send it only to that host, "+
			"and delete it here once that host has enrolled): %s\n", f)
	}
}

func printArtifact(what string, a netctl.Artifact) {
	fmt.Printf("%s\n  %s\n  sha256 %s\n", what, a.Path, a.SHA256)
}
