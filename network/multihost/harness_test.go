//go:build integration

package multihost

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
	"github.com/ipledger/ipledger/network/netns"
	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"
)

// The hosts: one per peer organization, one per orderer (the orderer organization's CA and admin on
// orderer1's). The lab's consortium is the network's founding organizations: the IP-finance record's
// members (the valuation agency, the insurer, the fund's manager) of network/topology.yaml are left out
// of it (writeTopology), which keeps the lab at eleven hosts and the majorities its steps sign with
// (3 of 5) as they are; they join a consortium by the same procedure as a bank (join_test.go).
var (
	peerOrgs     = []string{"bank1", "bank2", "exchange", "ipoffice", "regulator"}
	ordererHosts = []string{"orderer1", "orderer2", "orderer3"}
)

// portBase is every host's port base: each namespace has ports of its own, so the default serves.
const portBase = "7000"

// consortium is the test's consortium: the lab, each host's data directory, and the acknowledged
// submissions.
type consortium struct {
	lab      *netns.Lab
	dir      string // hosts' data directories: dir/<host>
	topology string
	bin      string // the programs, built by scripts/ipledger
	fabric   string // Fabric's sampleconfig

	mu      sync.Mutex
	acks    []ack
	clients map[string]*itest.Caller
}

// ack is an acknowledged submission: the record it wrote and its transaction.
type ack struct {
	kind, id, txID string
	block          uint64
	// told are every transaction id the client was told of for this request: the final answer's, and
	// those of 503 or 504 answers before it (a transaction that may commit, although its commit was not
	// seen). The request is applied once, by one of them: a retry with the same Idempotency-Key whose
	// first transaction had committed answers the first decision and names that transaction.
	told []string
}

// bootstrap makes the lab and the consortium on it, by the runbook's steps (docs/operations.md), and
// registers the cleanup: every host's processes stopped, the namespaces removed, also on failure.
// The idle hosts are in the lab too, with nothing on them until the test gives them work (a bank
// that joins later).
func bootstrap(t *testing.T, idle ...string) *consortium {
	t.Helper()
	c := &consortium{dir: t.TempDir(), clients: map[string]*itest.Caller{}}
	c.bin, c.fabric = programs(t)
	// Named after the test network's port base: a second run at another base (another clone) has
	// namespaces of its own, and a run at this base first removes what a killed one left.
	prefix := "ipl" + strings.TrimSpace(os.Getenv("IPLEDGER_PORT_BASE"))
	lab, err := netns.New(context.Background(), prefix, slices.Concat(ordererHosts, peerOrgs, idle))
	if err != nil {
		t.Fatal(err)
	}
	c.lab = lab
	t.Cleanup(func() {
		if err := lab.Close(); err != nil {
			t.Errorf("removing the namespaces: %v", err)
		}
		if left, _ := lab.Leftovers(); len(left) > 0 {
			t.Errorf("namespaces left behind: %v", left)
		}
	})
	t.Cleanup(func() {
		c.downAll(t)
		for h := range lab.Hosts {
			if left := netctl.PostgresRoot(filepath.Join(c.dir, h)); dirExists(left) {
				t.Errorf("%s's read model data left behind in %s", h, left)
				_ = os.RemoveAll(left)
			}
		}
	})
	c.writeTopology(t)
	begin := time.Now()
	c.initHosts(t)
	c.makeChannel(t)
	c.upPeers(t)
	t.Logf("FIGURE consortium bootstrapped across %d namespaces (%d idle) in %v",
		len(lab.Hosts), len(idle), time.Since(begin).Round(100*time.Millisecond))
	return c
}

// programs finds the network's programs (the directory of the peer the test network runs) and
// Fabric's sampleconfig.
func programs(t *testing.T) (bin, fabric string) {
	sys := itest.System(t)
	for _, p := range sys.Processes {
		if p.Kind == "peer" {
			bin = filepath.Dir(p.Binary)
		}
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/hyperledger/fabric")
	cmd.Dir = "../tools/fabric" // the pinned Fabric module scripts/ipledger builds from
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("finding Fabric's module: %v", err)
	}
	fabric = filepath.Join(strings.TrimSpace(string(out)), "sampleconfig")
	if bin == "" {
		t.Fatal("no peer in the test network's description")
	}
	return bin, fabric
}

// writeTopology writes the repository's topology with each organization (and each orderer) on its
// host's address in the lab.
func (c *consortium) writeTopology(t *testing.T) {
	raw, err := os.ReadFile("../topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var top netctl.Topology
	if err := yaml.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	top.Organizations = slices.DeleteFunc(top.Organizations, func(o *netctl.Organization) bool {
		return len(o.Orderers) == 0 && !slices.Contains(peerOrgs, o.Name)
	})
	for _, o := range top.Organizations {
		if len(o.Orderers) > 0 {
			o.Host = c.lab.Hosts["orderer1"].Addr.String()
			for i := range o.Orderers {
				o.Orderers[i].Host = c.lab.Hosts[o.Orderers[i].Name].Addr.String()
			}
			continue
		}
		o.Host = c.lab.Hosts[o.Name].Addr.String()
	}
	out, err := yaml.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	c.topology = filepath.Join(c.dir, "topology.yaml")
	if err := os.WriteFile(c.topology, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// netctl runs netctl inside a host's namespace on that host's data directory.
func (c *consortium) netctl(t *testing.T, host string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	base := []string{"--data-dir", filepath.Join(c.dir, host), "--topology", c.topology, "--port-base", portBase,
		"--bin-dir", c.bin, "--fabric-config", c.fabric, "--network-dir", networkDir(t)}
	cmd := c.lab.Command(ctx, host, filepath.Join(c.bin, "netctl"), append(base, args...)...)
	cmd.Env = append(os.Environ(), "IPLEDGER_NO_GATEWAY=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("%s: netctl %s: %w\n%s", host, strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

func networkDir(t *testing.T) string {
	d, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// must runs netctl on several hosts at once, each with its arguments (made here, before any runs),
// and fails the test at the first error.
func (c *consortium) must(t *testing.T, hosts []string, args func(host string) []string) {
	t.Helper()
	cmds := map[string][]string{}
	for _, h := range hosts {
		cmds[h] = args(h)
	}
	var g errgroup.Group
	for h, a := range cmds {
		g.Go(func() error { _, err := c.netctl(t, h, a...); return err })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// carry is what a person does between two hosts: take a file from one host's directory to the
// other's inbox (beside its data directory), keeping its mode.
func (c *consortium) carry(t *testing.T, src, to string) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(c.dir, "inbox", to, filepath.Base(src))
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, raw, fi.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
	return dst
}

// send carries a public file from a host's export directory to another host, with the sha256 its
// sender read out: the argument for the receiver's `org import`.
func (c *consortium) send(t *testing.T, from, name, to string) string {
	t.Helper()
	src := filepath.Join(c.dir, from, "export", name)
	sum, err := netctl.FileSHA256(src)
	if err != nil {
		t.Fatal(err)
	}
	return c.carry(t, src, to) + "@" + sum
}

// initHosts: every host starts its CA (or enrols from its organization's) and writes its definition.
// An orderer's own host gets its one-time enrolment secret from the CA's host, and deletes its copy
// once enrolled (netctl deletes the one it placed).
func (c *consortium) initHosts(t *testing.T) {
	c.must(t, append([]string{"orderer1"}, peerOrgs...), func(h string) []string {
		if h == "orderer1" {
			return []string{"org", "init", "--org", "orderer", "--orderers", "orderer1"}
		}
		return []string{"org", "init", "--org", h}
	})
	secrets := map[string]string{}
	c.must(t, ordererHosts[1:], func(h string) []string {
		secrets[h] = c.carry(t, filepath.Join(c.dir, "orderer1", "orgs", "orderer", "ca", "enroll", h+".secret"), h)
		return []string{"org", "init", "--org", "orderer", "--orderers", h, "--remote-ca",
			"--enroll-secret", secrets[h], "--ca-definition", c.send(t, "orderer1", "orderer.org.json", h)}
	})
	for _, f := range secrets {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
}

// makeChannel: the orderer organization imports every definition, makes the genesis block, and each
// orderer host imports it and starts its orderer.
func (c *consortium) makeChannel(t *testing.T) {
	args := []string{"org", "import"}
	for _, h := range ordererHosts[1:] {
		args = append(args, c.send(t, h, "orderer."+h+".node.json", "orderer1"))
	}
	for _, o := range peerOrgs {
		args = append(args, c.send(t, o, o+".org.json", "orderer1"))
	}
	c.must(t, []string{"orderer1"}, func(string) []string { return args })
	c.must(t, []string{"orderer1"}, func(string) []string { return []string{"org", "genesis"} })
	c.must(t, ordererHosts[1:], func(h string) []string { return []string{"org", "import", c.send(t, "orderer1", "ipledger.block", h)} })
	c.must(t, ordererHosts, func(string) []string { return []string{"org", "up"} })
}

// upPeers: each peer organization imports the others' definitions and the block, then all run up at
// once: each approves, the IP office commits once all have, each starts its gateway.
func (c *consortium) upPeers(t *testing.T) {
	c.must(t, peerOrgs, func(h string) []string {
		args := []string{"org", "import", c.send(t, "orderer1", "orderer.org.json", h), c.send(t, "orderer1", "ipledger.block", h)}
		for _, o := range peerOrgs {
			if o != h {
				args = append(args, c.send(t, o, o+".org.json", h))
			}
		}
		return args
	})
	c.must(t, peerOrgs, func(string) []string { return []string{"org", "up", "--approval-wait", "5m"} })
}

// downAll stops every host's processes.
func (c *consortium) downAll(t *testing.T) {
	var wg sync.WaitGroup
	for h := range c.lab.Hosts {
		if _, err := os.Stat(filepath.Join(c.dir, h)); err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// down reads pid files: it needs no network, so it runs from the root namespace too. --purge:
			// a host's data outside its directory (a read model's PostgreSQL data, in the postgres
			// account's home) goes with it.
			cmd := exec.Command(filepath.Join(c.bin, "netctl"), "--data-dir", filepath.Join(c.dir, h), "--topology", c.topology,
				"--network-dir", networkDir(t), "--port-base", portBase, "down", "--purge")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: down: %v\n%s", h, err, out)
			}
		}()
	}
	wg.Wait()
}

// as is a client of an organization's gateway as its user, from inside the organization's host.
func (c *consortium) as(t *testing.T, org string) *itest.Caller {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl := c.clients[org]; cl != nil {
		cp := *cl
		cp.T = t
		return &cp
	}
	// The description the host's `org up` wrote: its gateway, the CA its clients trust, its users.
	sys, err := netctl.LoadSystem(filepath.Join(c.dir, org, "system.json"))
	if err != nil {
		t.Fatal(err)
	}
	o := sys.Organizations[0]
	user := o.Users[slices.IndexFunc(o.Users, func(u netctl.UserInfo) bool { return u.Role != "admin" })].Name
	url, key, err := sys.APIKey(o.MSPID, user)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := apiclient.CertPool(o.GatewayCACert)
	if err != nil {
		t.Fatal(err)
	}
	tr := c.lab.HTTPTransport(org, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	cl := &itest.Caller{Base: url, Key: key, Org: o.MSPID, User: user, HTTP: &http.Client{Transport: tr, Timeout: 90 * time.Second}}
	c.clients[org] = cl
	cp := *cl
	cp.T = t
	return &cp
}

// submit sends a submission and fails unless it answers status; the acknowledged submission is
// recorded with the record it wrote (kind, and id: the given one, or the one the answer names).
// A 503 (no Raft leader for a moment, a peer out of reach) or a 504 (submitted, its commit not seen in
// time: a transaction in flight when the Raft leader was cut off) is retried with the same idempotency
// key, as the API tells clients to, at most 20 times; checkExactlyOnce then finds each request applied
// once, by one of the transactions the answers named.
func (c *consortium) submit(t *testing.T, org string, status int, method, path string, body any, kind, id string) ack {
	t.Helper()
	cl := c.as(t, org)
	key := apiclient.NewIdempotencyKey()
	var r itest.Reply
	var told []string
	err := retry(20, 500*time.Millisecond, func() error {
		r = cl.Do(method, path, body, "Idempotency-Key", key)
		if r.Status == http.StatusServiceUnavailable || r.Status == http.StatusGatewayTimeout {
			if tx := r.Err().TxID; tx != "" {
				told = append(told, tx)
			}
			return errors.New(r.String())
		}
		return nil
	})
	if err != nil || r.Status != status {
		t.Fatalf("%s %s at %s: %s, want %d", method, path, org, r, status)
	}
	if id == "" {
		id = r.Str(t, "id")
	}
	txID := r.Str(t, "txId")
	if txID == "" || id == "" {
		t.Fatalf("%s %s at %s: no id or txId in %s", method, path, org, r)
	}
	a := ack{kind: kind, id: id, txID: txID, block: r.Block(), told: append(told, txID)}
	c.mu.Lock()
	c.acks = append(c.acks, a)
	c.mu.Unlock()
	return a
}

// settle waits until an organization's peer has committed a submission's transaction (its gateway
// finds it): the next step may then go through that organization's gateway.
func (c *consortium) settle(t *testing.T, a ack, org string) {
	t.Helper()
	cl := c.as(t, org)
	err := retry(600, 100*time.Millisecond, func() error {
		if r := cl.Do("GET", "/v1/transactions/"+a.txID, nil); r.Status != 200 {
			return errors.New(r.String())
		}
		return nil
	})
	if err != nil {
		t.Fatalf("transaction %s never reached %s's peer: %v", a.txID, org, err)
	}
}

// newRight registers a right at the IP office's gateway and returns its id.
func (c *consortium) newRight(t *testing.T) string { return c.newRightAck(t).id }

func (c *consortium) newRightAck(t *testing.T) ack {
	t.Helper()
	a := c.submit(t, "ipoffice", 201, "POST", "/v1/assets", itest.Patent(itest.Uniq("MH")), "asset", "")
	c.settle(t, a, "bank1")
	return a
}

// retry calls f until it succeeds, at most n times, waiting pause between attempts.
func retry(n int, pause time.Duration, f func() error) error {
	var err error
	for i := range n {
		if err = f(); err == nil {
			return nil
		}
		if i < n-1 {
			time.Sleep(pause)
		}
	}
	return err
}

func dirExists(d string) bool {
	fi, err := os.Stat(d)
	return err == nil && fi.IsDir()
}
