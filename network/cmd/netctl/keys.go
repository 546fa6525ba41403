package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/network/netctl"
)

const keyUsage = "key issue USER [--expires WHEN] | key list | key expire ID [--at WHEN] | key rotate ID [--grace D] | key revoke ID   (each with --org MSPID on a network of several organizations; WHEN: an RFC 3339 time or a duration from now, e.g. 720h)"

// keyCmd manages the API keys of an organization's gateway; each change is in force at the gateway
// (reloaded) when the command returns.
func keyCmd(n *netctl.Network, _ string, args []string) {
	if len(args) == 0 {
		fail(fmt.Errorf("%s", keyUsage))
	}
	fs := flag.NewFlagSet("key "+args[0], flag.ExitOnError)
	mspID := fs.String("org", "", "the organization (required on a network of several organizations)")
	expires := fs.String("expires", "", "issue: when the key expires (RFC 3339 time, or a duration from now such as 720h); default never")
	at := fs.String("at", "", "expire: when (RFC 3339 time or duration from now); default now")
	grace := fs.Duration("grace", netctl.DefaultRotationGrace, "rotate: how long the old key stays valid beside the new one (0: it ends now)")
	pos := parseMixed(fs, args[1:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case args[0] == "issue" && len(pos) == 1:
		var exp *time.Time
		if *expires != "" {
			t, err := when(*expires)
			if err != nil {
				fail(fmt.Errorf("--expires: %w", err))
			}
			exp = &t
		}
		key, rec, err := n.IssueKey(ctx, *mspID, pos[0], exp)
		if err != nil {
			fail(fmt.Errorf("issuing a key for %s: %w", pos[0], err))
		}
		fmt.Printf("issued API key %s for %s (expires %s); its gateway accepts it now\n", rec.ID, rec.Identity, expiry(rec))
		printKey(key)
	case args[0] == "list" && len(pos) == 0:
		listKeys(n, *mspID)
	case args[0] == "expire" && len(pos) == 1:
		t := time.Now()
		if *at != "" {
			var err error
			if t, err = when(*at); err != nil {
				fail(fmt.Errorf("--at: %w", err))
			}
		}
		rec, err := n.ExpireKey(ctx, *mspID, pos[0], t)
		if err != nil {
			fail(fmt.Errorf("expiring %s: %w", pos[0], err))
		}
		fmt.Printf("API key %s of %s expires %s; its gateway has taken the change\n", rec.ID, rec.Identity, expiry(rec))
	case args[0] == "rotate" && len(pos) == 1:
		key, old, next, err := n.RotateKey(ctx, *mspID, pos[0], *grace)
		if err != nil {
			fail(fmt.Errorf("rotating %s: %w", pos[0], err))
		}
		fmt.Printf("API key %s of %s replaced by %s (expires %s); the old key is valid until %s\n", old.ID, old.Identity, next.ID,
			expiry(next), expiry(old))
		printKey(key)
	case args[0] == "revoke" && len(pos) == 1:
		rec, err := n.RevokeKey(ctx, *mspID, pos[0])
		if err != nil {
			fail(fmt.Errorf("revoking %s: %w", pos[0], err))
		}
		fmt.Printf("API key %s of %s revoked; its gateway refuses it (401, \"the API key has been revoked\")\n", rec.ID, rec.Identity)
	default:
		fail(fmt.Errorf("%s", keyUsage))
	}
}

func printKey(key string) {
	fmt.Printf("\nAPI key (shown this once, kept nowhere; give it to its holder now):\n%s\n", key)
}

func expiry(r gateway.KeyRecord) string {
	if r.Expires == nil {
		return "never"
	}
	return r.Expires.UTC().Format(time.RFC3339)
}

// when reads an RFC 3339 time or a duration from now.
func when(s string) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2026-12-31T00:00:00Z) nor a duration (720h)", s)
	}
	return t, nil
}

// listKeys prints the organization's keys as a table; never a key.
func listKeys(n *netctl.Network, mspID string) {
	keys, err := n.ListKeys(mspID)
	if err != nil {
		fail(err)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tIDENTITY\tCREATED\tEXPIRES\tREVOKED\tSTATE\tHASH\tNOTE")
	now := time.Now()
	for _, r := range keys {
		revoked := "no"
		if r.Revoked {
			revoked = "yes"
			if r.RevokedAt != nil {
				revoked = r.RevokedAt.UTC().Format(time.RFC3339)
			}
		}
		note := r.Note
		if r.ReplacedBy != "" {
			note += " (replaced by " + r.ReplacedBy + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t…%s\t%s\n", r.ID, r.Identity, r.Created.UTC().Format(time.RFC3339), expiry(r),
			revoked, r.State(now), r.HashTail(), note)
	}
	_ = tw.Flush()
}
