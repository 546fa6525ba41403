package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/netctl"
)

// PeerProfile is a CPU profile of the IP office's peer taken while one path of a point was
// measured, and the top of `go tool pprof -top` of it.
type PeerProfile struct {
	// Process is the process profiled when it is not the IP office's peer (a gateway).
	Process     string   `json:"process,omitempty"`
	Path        string   `json:"path"`
	Concurrency int      `json:"concurrency"`
	File        string   `json:"file,omitempty"`
	Seconds     int      `json:"seconds"`
	Top         []string `json:"top,omitempty"`
	// Shares are the profile's CPU by what it was spent on (profileCategories), in percent.
	Shares []Share `json:"shares,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// Share is a part of a profile's CPU.
type Share struct {
	What    string  `json:"what"`
	Percent float64 `json:"percent"`
}

// profileCategories sort a profile's functions (by their flat time) into what the CPU was spent on,
// the first that matches: signatures and hashes, protobuf, gRPC and the network, the ledger's
// databases, logging, gossip, the Go runtime and garbage collector.
var profileCategories = []category{
	{"crypto (ECDSA, SHA-256, TLS)", "crypto/|p256|sha256|ecdsa|x509|nistec|bigmod|fips140"},
	{"protobuf", "protobuf"},
	{"gRPC, HTTP/2 and syscalls", `grpc|http2|syscall|^net\.|^net/|internal/poll|^bufio\.`},
	{"ledger (LevelDB, state, history)", "leveldb|statedb|kvledger|history|blkstorage|snappy"},
	{"logging", `zap|flogging|^fmt\.`},
	{"gossip", "gossip"},
	{"Go runtime and GC", `^runtime\.|^internal/runtime|^sync\.|^sync/|^aeshash|^memeqbody|^indexbyte`},
}

// category is a part of a profile's CPU: the functions whose names match.
type category struct{ what, match string }

// gatewayCategories are profileCategories for a gateway: its TLS, its read model's SQLite (a Go
// translation of C: modernc.org/sqlite and libc), the OpenAPI request validation, JSON, gin and
// net/http, logging, the Go runtime.
var gatewayCategories = []category{
	{"crypto (TLS, hashes)", "crypto/|p256|sha256|ecdsa|x509|nistec|bigmod|fips140|aes|gcm"},
	{"read model (SQLite)", `modernc\.org|sqlite|libc`},
	{"OpenAPI validation", `kin-openapi|openapi3|jsonpointer|regexp`},
	{"JSON", `encoding/json|jsontext|json\.|strconv`},
	{"logging", `log/slog|^fmt\.`},
	{"gin, net/http and syscalls", `gin-gonic|^net/|^net\.|syscall|internal/poll|^bufio\.|^io\.|textproto`},
	{"Go runtime and GC", `^runtime\.|^internal/runtime|^sync\.|^sync/|^aeshash|^memeqbody|^indexbyte|^memmove`},
}

// profiling is a profile being taken.
type profiling struct {
	p     PeerProfile
	done  chan struct{}
	cats  []category
	other string // the share of the functions no category matches
}

// startProfile asks the IP office's peer's pprof endpoint (a network started with
// IPLEDGER_PEER_PROFILE=1) for a CPU profile of the next Duration less a second, into ProfileDir.
// Without a ProfileDir it answers nil: no profile is taken.
func (r *Runner) startProfile(ctx context.Context, path string, c int) *profiling {
	if r.cfg.ProfileDir == "" || r.cfg.Network == nil {
		return nil
	}
	secs := max(1, int(r.cfg.Duration.Seconds())-1)
	pr := &profiling{p: PeerProfile{Path: path, Concurrency: c, Seconds: secs}, done: make(chan struct{}),
		cats: profileCategories, other: "other (Fabric's own code, chaincode shim, validation)"}
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
		if err := fetch(ctx, http.DefaultClient, url, pr.p.File, time.Duration(secs+30)*time.Second); err != nil {
			pr.p.Error = fmt.Sprintf("no profile from %s: %v (the peer serves one only on a network started with IPLEDGER_PEER_PROFILE=1, "+
				"as scripts/ipledger bench starts its own)", url, err)
			pr.p.File = ""
		}
	}()
	return pr
}

// fetch gets url into file.
func fetch(ctx context.Context, client *http.Client, url, file string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
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
	table := false
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.Contains(l, "flat%") {
			table = true
		}
		if table && len(pr.p.Top) < 16 {
			pr.p.Top = append(pr.p.Top, strings.TrimRight(l, " "))
		}
	}
	// Every function's flat time, for the shares.
	all, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=100000", pr.p.File).CombinedOutput()
	if err == nil {
		pr.p.Shares = shares(string(all), pr.cats, pr.other)
	}
	return pr.p
}

// shares sorts `go tool pprof -top`'s rows by profileCategories: each row's flat percentage counts for
// the first category its function matches, "other" when none does.
func shares(top string, cats []category, other string) []Share {
	sum := map[string]float64{}
	for _, l := range strings.Split(top, "\n") {
		f := strings.Fields(l)
		if len(f) < 6 || !strings.HasSuffix(f[1], "%") {
			continue
		}
		pct, err := strconv.ParseFloat(strings.TrimSuffix(f[1], "%"), 64)
		if err != nil {
			continue
		}
		fn := strings.Join(f[5:], " ")
		what := other
		for _, c := range cats {
			if regexp.MustCompile(c.match).MatchString(fn) {
				what = c.what
				break
			}
		}
		sum[what] += pct
	}
	var out []Share
	for w, p := range sum {
		out = append(out, Share{What: w, Percent: math.Round(p*10) / 10})
	}
	slices.SortFunc(out, func(a, b Share) int {
		if a.Percent != b.Percent {
			return cmp.Compare(b.Percent, a.Percent)
		}
		return strings.Compare(a.What, b.What)
	})
	return out
}
