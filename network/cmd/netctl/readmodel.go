package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/ipledger/ipledger/network/netctl"
)

// readModelCmd is `readmodel rebuild|check [--sample N] [--json] [--org MSPID]`: an organization's
// gateway's read model built again from its peer's blocks, or compared with the chaincode's state.
func readModelCmd(n *netctl.Network, _ string, args []string) {
	if len(args) == 0 || (args[0] != "rebuild" && args[0] != "check") {
		fail(fmt.Errorf("readmodel rebuild|check [--sample N] [--json] [--org MSPID]"))
	}
	fs := flag.NewFlagSet("readmodel "+args[0], flag.ExitOnError)
	mspID := fs.String("org", "", "the organization whose gateway's read model (required on a network of several organizations; a host of one acts as its own)")
	sample := fs.Int("sample", 0, "check: compare this many keys picked at random instead of every key")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if pos := parseMixed(fs, args[1:]); len(pos) > 0 {
		fail(fmt.Errorf("readmodel %s takes no argument besides its flags, not %q", args[0], pos))
	}
	o, err := n.ActingOrg(*mspID)
	if err != nil {
		fail(err)
	}
	var extra []string
	if *sample > 0 {
		extra = append(extra, "--sample", strconv.Itoa(*sample))
	}
	if *asJSON {
		extra = append(extra, "--json")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out, err := n.ReadModelCommand(ctx, o, args[0], extra...)
	fmt.Print(out)
	if err != nil {
		fail(err)
	}
}
