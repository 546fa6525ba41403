package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/fabric"
	"github.com/ipledger/ipledger/gateway/readmodel"
)

// errDifferences is the error of a check that found differences (exit status 3).
var errDifferences = errors.New("the read model differs from the chaincode's state")

// maintain runs `ipledger-gateway readmodel rebuild|check --config FILE [--sample N] [--json]`: a
// rebuild empties the gateway's read model and builds it again from its peer's first block (the
// gateway stopped: it holds the read model while it runs); a check compares it with the chaincode's
// state on the peer, every key or a sample, and lists each difference (the gateway may run).
func maintain(args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "rebuild" && args[0] != "check") {
		return errors.New("usage: ipledger-gateway readmodel rebuild|check --config FILE [--sample N] [--json]")
	}
	fs := flag.NewFlagSet("readmodel "+args[0], flag.ContinueOnError)
	configPath := fs.String("config", "", "the gateway's configuration file (YAML)")
	sample := fs.Int("sample", 0, "check: compare this many keys of the read model picked at random instead of every key")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *configPath == "" {
		return errors.New("--config is required: the gateway's configuration file")
	}
	cfg, log, err := configure(*configPath)
	if err != nil {
		return err
	}
	if len(cfg.Identities) == 0 {
		return errors.New("the configuration has no identity to read the ledger as")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ledger, err := fabric.Open(cfg, fabric.WithLogger(log))
	if err != nil {
		return err
	}
	defer ledger.Close()
	store, err := readmodel.Open(ctx, cfg.ReadModel)
	if err != nil {
		return err
	}
	defer store.Close()
	print := func(v any, text string) error {
		if *asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(v)
		}
		_, err := fmt.Fprint(out, text)
		return err
	}
	if args[0] == "rebuild" {
		return rebuild(ctx, cfg, store, ledger, print)
	}
	return check(ctx, cfg, store, ledger, *sample, print)
}

// rebuild empties the read model and builds it again from the peer's first block, holding its lock.
func rebuild(ctx context.Context, cfg *gateway.Config, store *readmodel.Store, ledger *fabric.Ledger, print func(any, string) error) error {
	unlock, err := store.Lock(ctx, cfg.ReadModel)
	if err != nil {
		return err
	}
	defer unlock()
	r, err := readmodel.Rebuild(ctx, store, ledger)
	if err != nil {
		return err
	}
	return print(r, fmt.Sprintf("rebuilt %s's read model: %d blocks, %d transactions, %d key writes in %.1f s (%.0f transactions a second)\n",
		cfg.MSPID, r.Blocks, r.Transactions, r.Writes, r.Duration.Seconds(), r.PerSecond))
}

// check compares the read model with the chaincode's state as the configuration's first identity;
// errDifferences when it found any.
func check(ctx context.Context, cfg *gateway.Config, store *readmodel.Store, ledger *fabric.Ledger, sample int, print func(any, string) error) error {
	id := cfg.Identities[0]
	caller, err := readmodel.CallerOfFile(cfg.MSPID, id.Certificate)
	if err != nil {
		return err
	}
	var colls, valuations []string
	for _, msp := range cfg.PeerOrganizations {
		if api.IsBank(api.MSPID(msp)) {
			colls = append(colls, api.TermsCollection(api.MSPID(msp)))
		}
	}
	for _, valuer := range cfg.PeerOrganizations {
		for _, bank := range cfg.PeerOrganizations {
			if api.IsValuer(api.MSPID(valuer)) && api.IsBank(api.MSPID(bank)) {
				valuations = append(valuations, api.ValuationCollection(api.MSPID(valuer), api.MSPID(bank)))
			}
		}
	}
	eval := func(ctx context.Context, function string, args ...string) ([]byte, error) {
		return ledger.Evaluate(ctx, id.Name, function, args...)
	}
	began := time.Now()
	rep, err := readmodel.Check(ctx, store, caller, eval, ledger.ChainHeight, readmodel.CheckOptions{Sample: sample, Collections: colls, ValuationCollections: valuations})
	if err != nil {
		return err
	}
	text := fmt.Sprintf("checked %s's read model at height %d: %d keys and %d private hashes compared in %.1f s; %d differences\n",
		cfg.MSPID, rep.Height, rep.Keys, rep.Private, time.Since(began).Seconds(), len(rep.Differences))
	for _, d := range rep.Differences {
		where := "public state"
		if d.Collection != "" {
			where = d.Collection
		}
		text += fmt.Sprintf("  %-7s %q (%s): ledger %s, read model %s\n", d.Kind, d.Key, where, orNone(d.Ledger), orNone(d.ReadModel))
	}
	if err := print(rep, text); err != nil {
		return err
	}
	if len(rep.Differences) > 0 {
		return errDifferences
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
