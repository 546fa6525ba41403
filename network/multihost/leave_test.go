//go:build integration

package multihost

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/gateway/fabric"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// remaining are the peer organizations that stay when Bank2 leaves.
var remaining = []string{"bank1", "exchange", "ipoffice", "regulator"}

// TestConsortiumBankLeaves takes Bank2 out of a consortium of its own, each organization running its
// own steps on its own host: Bank2's pledge in force and the definition that still names it refuse
// the removal; once Bank2 released its pledge and the members committed the definition without it,
// the update is proposed, signed by a majority (Bank2's own signature counting) and submitted. From
// its config block B on, every remaining peer refuses Bank2's identities, no transaction of Bank2's is
// in a later block, Bank2's peer stays at B; the regulator and the IP office still read and verify
// Bank2's pledge and its history, and the four go on committing.
func TestConsortiumBankLeaves(t *testing.T) {
	c := bootstrap(t)

	// Bank2 files a pledge, which the IP office registers.
	asset := c.newRight(t)
	c.settle(t, c.acks[len(c.acks)-1], "bank2")
	app := itest.Application(asset)
	app["pledgeeName"] = "Bank Two Hubei"
	pledge := c.submit(t, "bank2", 201, "POST", "/v1/pledges", app, "pledge", "")
	c.settle(t, pledge, "ipoffice")
	reg := c.submit(t, "ipoffice", 200, "POST", "/v1/pledges/"+pledge.id+"/register", map[string]any{"registrationNumber": "Y-" + pledge.id}, "pledge", pledge.id)
	c.settle(t, reg, "bank2")

	// Every remaining host takes the plan with Bank2 departed; Bank2's host keeps its plan (it is
	// refused the new one).
	plan, sum := c.departedPlan(t, "bank2")
	for _, h := range remaining {
		if out, err := c.netctlPlan(t, h, c.topology, "org", "plan", c.carry(t, plan, h)+"@"+sum); err != nil {
			t.Fatal(err)
		} else if !strings.Contains(out, "departed [Bank2MSP]") {
			t.Fatalf("%s: org plan said\n%s", h, out)
		}
	}
	if out, err := c.netctlPlan(t, "bank2", c.topology, "org", "plan", c.carry(t, plan, "bank2")+"@"+sum); err == nil ||
		!strings.Contains(out, "this host's organization bank2 departs in it") {
		t.Fatalf("Bank2's host took the plan of its own departure: %v\n%s", err, out)
	}

	// Too early: the removal is refused for both causes, and the definition for the pledge.
	out, err := c.netctlPlan(t, "ipoffice", plan, "channel", "propose", "remove-org", "Bank2MSP")
	for _, want := range []string{
		"Bank2MSP cannot leave channel ipledger yet",
		"Bank2MSP holds 1 pledge that has not ended: 1 registered (" + pledge.id + ")",
		"the committed chaincode definition (sequence 1) still names Bank2MSP in its endorsement policy and the members of its " +
			"collection termsBank2MSP: run `org plan` with bank2 departed and `chaincode define` first",
	} {
		if err == nil || !strings.Contains(out, want) {
			t.Fatalf("remove-org with Bank2's pledge in force, before the definition: %v; want %q in\n%s", err, want, out)
		}
	}
	t.Logf("remove-org too early: %s", lastLine(out, "holds"))
	out, err = c.netctlPlan(t, "ipoffice", plan, "org", "define", "--approval-wait", "10s")
	if want := "Bank2MSP has departed in the plan, but the definition cannot drop it yet: Bank2MSP holds 1 pledge"; err == nil || !strings.Contains(out, want) {
		t.Fatalf("org define with Bank2's pledge in force: %v; want %q in\n%s", err, want, out)
	}

	// Bank2 releases its pledge; the removal is still refused, for the definition only.
	rel := c.submit(t, "bank2", 200, "POST", "/v1/pledges/"+pledge.id+"/release", map[string]any{"reason": "repaid"}, "pledge", pledge.id)
	c.settle(t, rel, "ipoffice")
	out, err = c.netctlPlan(t, "ipoffice", plan, "channel", "propose", "remove-org", "Bank2MSP")
	if err == nil || !strings.Contains(out, "still names Bank2MSP") || strings.Contains(out, "holds") {
		t.Fatalf("remove-org after the release, before the definition: %v\n%s", err, out)
	}

	// The leaving bank does not propose its own removal: its peer no longer serves the chaincode once
	// the definition without it is committed, so it could not read its pledges.
	out, err = c.netctlPlan(t, "bank2", c.topology, "channel", "propose", "remove-org", "Bank2MSP")
	if err == nil || !strings.Contains(out, "Bank2MSP proposes or submits its own removal: run these steps on a remaining member's host") {
		t.Fatalf("Bank2 proposing its own removal: %v\n%s", err, out)
	}

	// The members commit the definition without Bank2, each on its own host.
	began := time.Now()
	c.mustPlan(t, plan, remaining, "org", "define", "--approval-wait", "5m")
	t.Logf("FIGURE a bank leaves: the definition without it (sequence 2), four hosts each running `org define` at once: %v",
		time.Since(began).Round(100*time.Millisecond))

	// The removal: proposed at the IP office, signed by Bank1 and Bank2, submitted by the IP office
	// (its own signature the third of the five: MAJORITY).
	began = time.Now()
	out, err = c.netctlPlan(t, "ipoffice", plan, "channel", "propose", "remove-org", "Bank2MSP")
	if err != nil {
		t.Fatal(err)
	}
	proposed := time.Since(began)
	update := artifact(t, out)
	var sigs []string
	for _, h := range []string{"bank1", "bank2"} {
		top := plan
		if h == "bank2" {
			top = c.topology
		}
		out, err := c.netctlPlan(t, h, top, "channel", "sign", c.carry(t, update.path, h)+"@"+update.sum)
		if err != nil {
			t.Fatal(err)
		}
		s := artifact(t, out)
		sigs = append(sigs, c.carry(t, s.path, "ipoffice")+"@"+s.sum)
	}
	signed := time.Since(began)
	submitAt := time.Now()
	out, err = c.netctlPlan(t, "ipoffice", plan, "channel", "submit", filepath.Join(c.dir, "ipoffice", "export", filepath.Base(update.path))+"@"+update.sum,
		"--signatures", strings.Join(sigs, ","))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`committed: config block (\d+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "signed by Bank1MSP, Bank2MSP, IPOfficeMSP") {
		t.Fatalf("submit said\n%s", out)
	}
	b, _ := strconv.ParseUint(m[1], 10, 64)
	t.Logf("FIGURE a bank leaves: remove-org proposed %v, signed by two hosts %v, submitted until config block %d on the IP office's peer %v; %v in all",
		proposed.Round(100*time.Millisecond), (signed - proposed).Round(100*time.Millisecond), b, time.Since(submitAt).Round(100*time.Millisecond),
		time.Since(began).Round(100*time.Millisecond))

	// From B on: every remaining peer refuses Bank2's identities; its gateway's submission fails.
	c.refusedEverywhere(t, "bank2")
	app = itest.Application(c.newRight(t))
	app["pledgeeName"] = "Bank Two Hubei"
	r := c.as(t, "bank2").Do("POST", "/v1/pledges", app, "Idempotency-Key", apiclient.NewIdempotencyKey())
	if r.Status < 400 {
		t.Fatalf("Bank2's gateway after its removal: %s", r)
	}
	t.Logf("Bank2's gateway after its removal: %d %s: %.200s", r.Status, r.Err().Code, r.Err().Message)

	// The four go on: a pledge's life of Bank1's, across their hosts.
	c.pledgeLife(t)

	// Bank2's peer stays at B (the orderers refuse it the blocks after); no block after B holds a
	// transaction of Bank2's or endorsed by it.
	txs, height := c.blocksAfter(t, "ipoffice", b)
	heights := c.heights(t, "bank2")
	if h := heights["peer0.bank2"]; h == 0 || h > b+1 {
		t.Errorf("Bank2's peer has height %d; its removal is config block %d, the last it may have (the IP office's peer is at %d)", h, b, height)
	}
	for _, tx := range txs {
		if tx.CreatorMSP == "Bank2MSP" || slices.Contains(tx.EndorsingOrgs, "Bank2MSP") {
			t.Errorf("block %d holds transaction %s of Bank2MSP (creator %s, endorsers %v, %s)", tx.BlockNumber, tx.TxID, tx.CreatorMSP, tx.EndorsingOrgs, tx.ValidationCode)
		}
	}
	t.Logf("Bank2's peer at height %d (its removal is config block %d; the IP office's peer at height %d); %d transactions in the blocks after it on the IP office's peer, none of Bank2's",
		heights["peer0.bank2"], b, height, len(txs))

	// Bank2's history stays readable and verifiable by the others.
	for _, org := range []string{"regulator", "ipoffice"} {
		c.verifyHistory(t, org, pledge.id, asset, []string{pledge.txID, reg.txID, rel.txID})
	}

	// The definition without Bank2 is not made twice.
	out, err = c.netctlPlan(t, "ipoffice", plan, "org", "define", "--approval-wait", "10s")
	if want := "nothing to define: the committed definition (sequence 2)"; err == nil || !strings.Contains(out, want) {
		t.Errorf("org define again after the removal: %v; want %q in\n%s", err, want, out)
	}

	// Bank2's host stops.
	if out, err := c.netctlPlan(t, "bank2", c.topology, "down"); err != nil {
		t.Fatalf("stopping Bank2's host: %v\n%s", err, out)
	}
}

// departedPlan writes the consortium's topology with a bank marked departed and returns its path and
// sha256.
func (c *consortium) departedPlan(t *testing.T, bank string) (string, string) {
	t.Helper()
	return c.writePlan(t, "topology-"+bank+"-departed.yaml", func(top *netctl.Topology) {
		i := slices.IndexFunc(top.Organizations, func(o *netctl.Organization) bool { return o.Name == bank })
		if i < 0 {
			t.Fatalf("no %s in the topology", bank)
		}
		top.Organizations[i].Departed = true
	})
}

// netctlPlan runs netctl inside a host's namespace, as consortium.netctl does, with the topology the
// host's plan is (after `org plan`, the new one).
func (c *consortium) netctlPlan(t *testing.T, host, topology string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	base := []string{"--data-dir", filepath.Join(c.dir, host), "--topology", topology, "--port-base", portBase,
		"--bin-dir", c.bin, "--fabric-config", c.fabric, "--network-dir", networkDir(t)}
	cmd := c.lab.Command(ctx, host, filepath.Join(c.bin, "netctl"), append(base, args...)...)
	cmd.Env = append(os.Environ(), "IPLEDGER_NO_GATEWAY=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s: netctl %s: %w\n%s", host, strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// mustPlan runs the same netctl command on several hosts at once, with the topology given, and
// fails the test at the first error.
func (c *consortium) mustPlan(t *testing.T, topology string, hosts []string, args ...string) {
	t.Helper()
	errs := make(chan error, len(hosts))
	for _, h := range hosts {
		go func() { _, err := c.netctlPlan(t, h, topology, args...); errs <- err }()
	}
	var all []error
	for range hosts {
		all = append(all, <-errs)
	}
	if err := errors.Join(all...); err != nil {
		t.Fatal(err)
	}
}

// written is a file a netctl command wrote to send, as it printed it (path, then "sha256 …").
type written struct{ path, sum string }

func artifact(t *testing.T, out string) written {
	t.Helper()
	m := regexp.MustCompile(`\n  (\S+)\n  sha256 ([0-9a-f]{64})`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no file with its sha256 in\n%s", out)
	}
	return written{m[1], m[2]}
}

// heights is `netctl heights` on a host: its nodes' ledger heights.
func (c *consortium) heights(t *testing.T, host string) map[string]uint64 {
	t.Helper()
	out, err := c.netctlPlan(t, host, c.topology, "heights")
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]uint64
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("heights: %v: %s", err, out)
	}
	return h
}

// dial connects from inside a host's namespace to an organization's peer (its address and TLS CA
// from that organization's description), as a user of the host's organization.
func (c *consortium) dial(t *testing.T, from, to string) *client.Gateway {
	t.Helper()
	self, err := netctl.LoadSystem(filepath.Join(c.dir, from, "system.json"))
	if err != nil {
		t.Fatal(err)
	}
	target, err := netctl.LoadSystem(filepath.Join(c.dir, to, "system.json"))
	if err != nil {
		t.Fatal(err)
	}
	o, peer := self.Organizations[0], target.Organizations[0]
	u := o.Users[slices.IndexFunc(o.Users, func(u netctl.UserInfo) bool { return u.Role != "admin" })]
	pem, err := os.ReadFile(peer.PeerTLSCA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	dial := c.lab.DialContext(from)
	conn, err := grpc.NewClient(peer.Peer, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "")),
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) { return dial(ctx, "tcp", addr) }))
	if err != nil {
		t.Fatal(err)
	}
	id, sign, err := fabric.LoadIdentity(o.MSPID, u.Certificate, u.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := client.Connect(id, client.WithSign(sign), client.WithClientConnection(conn),
		client.WithEndorseTimeout(30*time.Second), client.WithEvaluateTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close(); conn.Close() })
	return gw
}

// refusedEverywhere endorses a Ping for a user of the departed bank on each remaining organization's
// peer, through that peer's own gateway service: each must refuse it.
func (c *consortium) refusedEverywhere(t *testing.T, bank string) {
	t.Helper()
	for _, h := range remaining {
		sys, err := netctl.LoadSystem(filepath.Join(c.dir, h, "system.json"))
		if err != nil {
			t.Fatal(err)
		}
		contract := c.dial(t, bank, h).GetNetwork("ipledger").GetContract("ipledger")
		p, err := contract.NewProposal(api.Ping.Name, client.WithEndorsingOrganizations(sys.Organizations[0].MSPID))
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Endorse()
		if err == nil {
			t.Errorf("%s's peer endorsed for %s's user after its removal", h, bank)
			continue
		}
		d := details(err)
		if !strings.Contains(d, "access denied") {
			t.Errorf("%s's peer: %s; want access denied", h, d)
			continue
		}
		t.Logf("%s's peer refuses %s's user: %s", h, bank, d[strings.Index(d, "access denied"):])
	}
}

// details is an error's text with the details the gateway reports of each endorser.
func details(err error) string {
	var b strings.Builder
	b.WriteString(strings.SplitN(err.Error(), "\n", 2)[0])
	for _, d := range status.Convert(err).Details() {
		fmt.Fprintf(&b, "; %v", d)
	}
	return b.String()
}

// blocksAfter reads every transaction of the blocks after block b from a host's own peer, as a user
// of its organization (qscc), and the peer's height.
func (c *consortium) blocksAfter(t *testing.T, host string, b uint64) ([]*api.Transaction, uint64) {
	t.Helper()
	r := qscc.NewReader(c.dial(t, host, host), "ipledger")
	height, err := r.Height()
	if err != nil {
		t.Fatal(err)
	}
	if height <= b+1 {
		t.Fatalf("%s's peer has no block after %d (height %d)", host, b, height)
	}
	var txs []*api.Transaction
	for n := b + 1; n < height; n++ {
		got, err := r.Block(n)
		if err != nil {
			t.Fatalf("block %d: %v", n, err)
		}
		txs = append(txs, got...)
	}
	return txs, height
}

// verifyHistory reads a departed bank's pledge, its history and each of its transactions, and the
// statement of its right with its proof, through an organization's gateway: every transaction of
// the bank's as valid as it committed.
func (c *consortium) verifyHistory(t *testing.T, org, pledgeID, asset string, txIDs []string) {
	t.Helper()
	cl := c.as(t, org)
	r := cl.Do("GET", "/v1/pledges/"+pledgeID, nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"released"`) || !strings.Contains(string(r.Body), "Bank2MSP") {
		t.Fatalf("%s's gateway: Bank2's pledge %s: %s", org, pledgeID, r)
	}
	r = cl.Do("GET", "/v1/pledges/"+pledgeID+"/history", nil)
	var h api.History
	if r.Status != 200 || json.Unmarshal(r.Body, &h) != nil {
		t.Fatalf("%s's gateway: the history of Bank2's pledge: %s", org, r)
	}
	var inHistory []string
	for _, it := range h.Items {
		inHistory = append(inHistory, it.TxID)
	}
	for _, tx := range txIDs {
		if !slices.Contains(inHistory, tx) {
			t.Errorf("%s's gateway: the history of pledge %s lacks transaction %s (has %v)", org, pledgeID, tx, inHistory)
		}
		r := cl.Do("GET", "/v1/transactions/"+tx, nil)
		var got api.Transaction
		if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil || !got.Valid || got.ValidationCode != "VALID" {
			t.Errorf("%s's gateway: Bank2's transaction %s: %s", org, tx, r)
		}
	}
	// Bank2's application and release were created by Bank2's identities.
	r = cl.Do("GET", "/v1/transactions/"+txIDs[0], nil)
	if !strings.Contains(string(r.Body), `"creatorMsp":"Bank2MSP"`) {
		t.Errorf("%s's gateway: Bank2's application %s: %s; want creatorMsp Bank2MSP", org, txIDs[0], r)
	}
	r = cl.Do("GET", "/v1/verify/"+asset, nil)
	var v api.Verification
	if r.Status != 200 || json.Unmarshal(r.Body, &v) != nil || v.Proof.Title == nil || !v.Proof.Title.Valid {
		t.Fatalf("%s's gateway: /v1/verify of Bank2's pledged right: %s", org, r)
	}
	t.Logf("%s's gateway reads Bank2's pledge %s (%d versions, each transaction VALID) and verifies its right %s (title tx %s in block %d)",
		org, pledgeID, len(h.Items), asset, v.Proof.Title.TxID, v.Proof.Title.BlockNumber)
}
