package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// PackagePoint is a pledge of a package of rights (P2) applied for and registered, sequentially,
// through one path, and the size of the blocks that carried its registrations.
type PackagePoint struct {
	Rights int    `json:"rights"`
	Path   string `json:"path"`
	// Apply, Register and ApplyRegister are the latencies of the application, of its registration, and
	// of both, from the application's start to the registration's commit.
	Apply         Summary `json:"apply"`
	Register      Summary `json:"register"`
	ApplyRegister Summary `json:"applyRegister"`
	// BlockBytes is the size of the largest block that carried one of the registrations (the block as
	// the peer stores it: header, envelopes with their endorsements and read-write sets, metadata).
	BlockBytes int `json:"blockBytes"`
	// PayloadBytes is the size of the application's JSON payload (the chaincode argument).
	PayloadBytes int `json:"payloadBytes"`
}

// packageRights registers n new rights of one owner with ImportAssets batches and returns their ids
// and the highest block they committed in.
func (r *Runner) packageRights(ctx context.Context, n int) ([]string, uint64, error) {
	var ids []string
	var last uint64
	for start := 0; start < n; start += api.MaxImportAssets {
		in := struct {
			Assets []api.AssetInput `json:"assets"`
		}{}
		for range min(api.MaxImportAssets, n-start) {
			a := r.asset()
			in.Assets = append(in.Assets, a)
			ids = append(ids, a.ID)
		}
		_, block, err := submitBlock(ctx, r.bare.ipoffice, api.ImportAssets.Name, client.WithArguments(r.next("req"), mustJSON(in)),
			client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1)))
		if err != nil {
			return nil, 0, err
		}
		last = max(last, block)
	}
	return ids, last, nil
}

// runPackages measures, for each package size, the application and registration of a pledge of that
// many rights through each path, Samples/10 times (at least 3): the same rights each time, the
// pledge released after each registration (a patent carries one pledge at a time, P5).
func (r *Runner) runPackages(ctx context.Context) error {
	samples := max(3, r.cfg.Samples/10)
	r.logf("packages: apply and register a pledge of %v rights, %d times per size and path", r.cfg.PackageSizes, samples)
	for _, size := range r.cfg.PackageSizes {
		if size > api.MaxPackage {
			return fmt.Errorf("a package of %d rights is more than the chaincode takes (%d)", size, api.MaxPackage)
		}
		ids, block, err := r.packageRights(ctx, size)
		if err != nil {
			return fmt.Errorf("registering %d rights: %w", size, err)
		}
		app := application(ids[0])
		app.AssetIDs = ids
		for _, d := range []Driver{r.bare, r.http} {
			p, last, err := r.packagePoint(ctx, d, app, samples, block)
			if err != nil {
				return fmt.Errorf("a package of %d rights through %s: %w", size, d.Name(), err)
			}
			block = last
			r.res.Packages = append(r.res.Packages, p)
			r.logf("package %4d rights %-4s apply p50 %7.1fms | register p50 %7.1fms | both p50 %7.1fms p99 %7.1fms | block %d B",
				p.Rights, p.Path, p.Apply.P50Millis, p.Register.P50Millis, p.ApplyRegister.P50Millis, p.ApplyRegister.P99Millis, p.BlockBytes)
		}
	}
	return nil
}

// packagePoint applies for, registers and releases a pledge of the package samples times through d.
// after is the block the rights (or the last release) committed in; it answers the last block.
func (r *Runner) packagePoint(ctx context.Context, d Driver, app api.PledgeApplication, samples int, after uint64) (PackagePoint, uint64, error) {
	p := PackagePoint{Rights: len(app.AssetIDs), Path: d.Name(), PayloadBytes: len(mustJSON(app))}
	var apply, register, both Recorder
	start := time.Now()
	for range samples {
		t0 := time.Now()
		pledgeID, block, err := d.ApplyPledge(ctx, r.next("req"), app, terms(), after)
		apply.Observe(time.Since(t0), err)
		if err != nil {
			return p, 0, err
		}
		t1 := time.Now()
		block, err = d.RegisterPledge(ctx, r.next("req"), pledgeID, r.next("REG"), block)
		register.Observe(time.Since(t1), err)
		both.Observe(time.Since(t0), err)
		if err != nil {
			return p, 0, err
		}
		size, err := r.bare.blockSize(ctx, block)
		if err != nil {
			return p, 0, fmt.Errorf("reading block %d: %w", block, err)
		}
		p.BlockBytes = max(p.BlockBytes, size)
		if after, err = d.ReleasePledge(ctx, r.next("req"), pledgeID, block); err != nil {
			return p, 0, err
		}
	}
	elapsed := time.Since(start)
	p.Apply, p.Register, p.ApplyRegister = apply.Summarize(elapsed), register.Summarize(elapsed), both.Summarize(elapsed)
	return p, after, nil
}

// blockSize reads a block from the IP office's peer (qscc GetBlockByNumber) and answers its size as
// stored. The block is there: the registrations are submitted at the IP office, whose peer answered
// their commit.
func (b *Bare) blockSize(ctx context.Context, number uint64) (int, error) {
	raw, err := b.qscc.EvaluateWithContext(ctx, "GetBlockByNumber", client.WithArguments(b.channel, strconv.FormatUint(number, 10)))
	if err != nil {
		return 0, err
	}
	return len(raw), nil
}
