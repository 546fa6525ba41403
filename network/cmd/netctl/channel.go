package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/network/netctl"
)

// parseMixed parses flags given before, between or after the positional arguments, and returns the
// positional ones.
func parseMixed(fs *flag.FlagSet, args []string) []string {
	var pos []string
	for {
		_ = fs.Parse(args)
		if fs.NArg() == 0 {
			return pos
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// channelCmd is `channel propose|sign|submit`: a channel configuration update proposed on one host,
// signed by organizations' admins each on its own host, submitted by one of them.
func channelCmd(n *netctl.Network, _ string, args []string) {
	if len(args) == 0 {
		fail(fmt.Errorf("channel needs a command: propose, sign or submit (see --help)"))
	}
	fs := flag.NewFlagSet("channel "+args[0], flag.ExitOnError)
	mspID := fs.String("org", "", "the organization whose admin acts (required on a network of several organizations; a host of one acts as its own)")
	sigs := fs.String("signatures", "", "submit: the signature files, comma-separated, each FILE or FILE@SHA256")
	pos := parseMixed(fs, args[1:])
	o, err := n.ActingOrg(*mspID)
	if err != nil {
		fail(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case args[0] == "propose" && len(pos) >= 1:
		p, err := n.ProposeUpdate(o, pos[0], pos[1:])
		if err != nil {
			fail(err)
		}
		fmt.Println("the update changes:\n  " + strings.Join(p.Changes, "\n  "))
		fmt.Println("it needs:\n  " + strings.Join(p.Needs, "\n  "))
		printArtifact("the update: send it to each signing admin's host", p.Artifact)
	case args[0] == "sign" && len(pos) == 1:
		s, err := n.SignUpdateFile(o, pos[0])
		if err != nil {
			fail(err)
		}
		fmt.Println("signed, as " + o.MSPID + "'s admin, the update that changes:\n  " + strings.Join(s.Changes, "\n  "))
		printArtifact("the signature: send it to the submitting admin's host", s.Artifact)
	case args[0] == "submit" && len(pos) == 1:
		var files []string
		if *sigs != "" {
			files = strings.Split(*sigs, ",")
		}
		s, err := n.SubmitUpdate(ctx, o, pos[0], files)
		if err != nil {
			fail(err)
		}
		fmt.Printf("signed by %s; satisfies %s\n", strings.Join(s.Check.Signers, ", "), strings.Join(s.Check.Policies, ", "))
		fmt.Printf("committed: config block %d\n", s.Block)
	default:
		fail(fmt.Errorf("channel propose crl MSPID CRLFILE | propose add-org DEFINITION@SHA256 | propose remove-org MSPID | sign UPDATE@SHA256 | submit UPDATE@SHA256 --signatures SIG[@SHA256][,SIG[@SHA256]]"))
	}
}

// identityCmd is `identity add|revoke|renew|renew-tls`, on the host of the organization's CA.
func identityCmd(n *netctl.Network, _ string, args []string) {
	if len(args) == 0 {
		fail(fmt.Errorf("identity needs a command: add, revoke, renew or renew-tls (see --help)"))
	}
	fs := flag.NewFlagSet("identity "+args[0], flag.ExitOnError)
	mspID := fs.String("org", "", "the user's organization (required on a network of several organizations)")
	role := fs.String("role", "", "add: the user's role (its ipledger.role attribute), e.g. loan-officer")
	pos := parseMixed(fs, args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case args[0] == "add" && len(pos) == 1:
		if err := n.AddUser(ctx, *mspID, pos[0], *role); err != nil {
			fail(err)
		}
		fmt.Printf("enrolled %s (%s); its gateway accepts its API key (system.json lists it)\n", pos[0], *role)
	case args[0] == "revoke" && len(pos) == 1:
		r, err := n.RevokeUser(ctx, *mspID, pos[0])
		if err != nil {
			fail(err)
		}
		printArtifact("the CA's revocation list", r.CRL)
		fmt.Printf("revoked %s: the CRL is in the channel from config block %d; every peer refuses its transactions from that block on; its gateway no longer accepts its API key\n", pos[0], r.Block)
	case args[0] == "renew" && len(pos) == 1:
		r, err := n.RenewUser(ctx, *mspID, pos[0])
		if err != nil {
			fail(fmt.Errorf("renewing %s: %w", pos[0], err))
		}
		printRenewal(r)
		fmt.Printf("its gateway signs with the new certificate from its next request (reloaded, not restarted)\n")
	case args[0] == "renew-tls" && len(pos) <= 1:
		org := *mspID
		if len(pos) == 1 {
			o, err := n.PeerOrg(pos[0], org)
			if err != nil {
				fail(err)
			}
			org = o.MSPID
		}
		r, err := n.RenewPeerTLS(ctx, org)
		if err != nil {
			fail(fmt.Errorf("renewing the TLS certificate: %w", err))
		}
		printRenewal(r)
		fmt.Printf("%s was not serving for %s (stop to serving the new certificate); at the channel's height %d %s after its stop\n",
			r.Identity, r.NotServing.Round(time.Millisecond), r.Height, r.CaughtUp.Round(time.Millisecond))
	default:
		fail(fmt.Errorf("identity add --org MSPID --role ROLE NAME | identity revoke --org MSPID NAME | identity renew --org MSPID NAME | identity renew-tls [PEER] [--org MSPID]"))
	}
}

func printRenewal(r *netctl.Renewal) {
	day := func(c netctl.CertInfo) string { return c.NotAfter.UTC().Format(time.RFC3339) }
	fmt.Printf("renewed %s in %s\n  old: serial %s, valid until %s (not revoked: valid until then)\n  new: serial %s, valid until %s\n",
		r.Identity, r.Took.Round(time.Millisecond), r.Old.Serial, day(r.Old), r.New.Serial, day(r.New))
}
