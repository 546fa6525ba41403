package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/netctl"
)

// PeerProfile is a CPU profile of the IP office's peer taken while one path of a point was
// measured, and the top of `go tool pprof -top` of it.
type PeerProfile struct {
	Path        string   `json:"path"`
	Concurrency int      `json:"concurrency"`
	File        string   `json:"file,omitempty"`
	Seconds     int      `json:"seconds"`
	Top         []string `json:"top,omitempty"`
	Error       string   `json:"error,omitempty"`
}

// profiling is a profile being taken.
type profiling struct {
	p    PeerProfile
	done chan struct{}
}

// startProfile asks the IP office's peer's pprof endpoint (a network started with
// IPLEDGER_PEER_PROFILE=1) for a CPU profile of the next Duration less a second, into ProfileDir.
// Without a ProfileDir it answers nil: no profile is taken.
func (r *Runner) startProfile(ctx context.Context, path string, c int) *profiling {
	if r.cfg.ProfileDir == "" || r.cfg.Network == nil {
		return nil
	}
	secs := max(1, int(r.cfg.Duration.Seconds())-1)
	pr := &profiling{p: PeerProfile{Path: path, Concurrency: c, Seconds: secs}, done: make(chan struct{})}
	o := r.cfg.Network.Top.Org(string(api.MSPIPOffice))
	if o == nil {
		pr.p.Error = "the topology has no IPOfficeMSP"
		close(pr.done)
		return pr
	}
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", netctl.Addr("127.0.0.1", r.cfg.Network.Top.PeerProfilePort(o)), secs)
	pr.p.File = filepath.Join(r.cfg.ProfileDir, fmt.Sprintf("cpu-peer0.ipoffice-%s-c%d.pb.gz", path, c))
	go func() {
		defer close(pr.done)
		if err := fetch(ctx, url, pr.p.File, time.Duration(secs+30)*time.Second); err != nil {
			pr.p.Error = fmt.Sprintf("no profile from %s: %v (the peer serves one only on a network started with IPLEDGER_PEER_PROFILE=1, "+
				"as scripts/ipledger bench starts its own)", url, err)
			pr.p.File = ""
		}
	}()
	return pr
}

// fetch gets url into file.
func fetch(ctx context.Context, url, file string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
		return fmt.Errorf("%s: %s", res.Status, b)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// finish waits for the profile and reads its top entries with `go tool pprof -top` (the Go toolchain
// that builds the project).
func (pr *profiling) finish() PeerProfile {
	<-pr.done
	if pr.p.File == "" {
		return pr.p
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=25", pr.p.File).CombinedOutput()
	if err != nil {
		pr.p.Error = fmt.Sprintf("go tool pprof -top %s: %v: %.300s", pr.p.File, err, out)
		return pr.p
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pr.p.Top = append(pr.p.Top, strings.TrimRight(l, " "))
	}
	return pr.p
}
