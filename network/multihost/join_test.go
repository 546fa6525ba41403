//go:build integration

package multihost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
	"gopkg.in/yaml.v3"
)

// TestBankJoinsRunningConsortium: Bank3MSP joins the running consortium from a host of its own, each
// organization's step on its own host and only public files travelling between them
// (docs/operations.md, "A bank joins a running consortium"). Every host takes the new plan; Bank3's
// host makes its definition; a member proposes the update adding it, which two signatures do not
// carry and three do; Bank3's `org up`, refused before the update, joins its peer from the genesis
// block and approves the next definition (its collection added) with three members, which is a
// majority of six; the two others approve the committed one. Then Bank3 applies for a pledge on a
// right registered before it joined, the IP office registers it, and every record made before Bank3
// joined is read and verified from Bank3's gateway, while Bank1 cannot read Bank3's terms.
func TestBankJoinsRunningConsortium(t *testing.T) {
	c := bootstrap(t, "bank3", "bank4")

	// Records made before Bank3 joins: a right pledged to Bank1 and registered, and a free right.
	pledged := c.newRightAck(t)
	p1 := c.submit(t, "bank1", 201, "POST", "/v1/pledges", itest.Application(pledged.id), "pledge", "")
	c.settle(t, p1, "ipoffice")
	reg1 := c.submit(t, "ipoffice", 200, "POST", "/v1/pledges/"+p1.id+"/register", map[string]any{"registrationNumber": "Y-" + p1.id}, "pledge", p1.id)
	free := c.newRightAck(t)
	before := slices.Clone(c.acks)

	// 1. The consortium's new plan, with bank3: every running host takes it.
	began := time.Now()
	v2 := c.writePlanWithBank(t, "bank3", "Bank3MSP", 70)
	members := slices.Concat(ordererHosts, peerOrgs)
	c.must(t, members, func(h string) []string { return []string{"org", "plan", c.carry(t, v2, h) + "@" + fileSum(t, v2)} })
	c.topology = v2 // from now on every host reads the new plan
	t.Logf("FIGURE join: every host took the new plan (org plan on %d hosts at once) in %v", len(members), time.Since(began).Round(100*time.Millisecond))

	// 2. Bank3's host: its CA, identities and definition; the orderers' definition and the genesis block.
	step := time.Now()
	if _, err := c.netctl(t, "bank3", "org", "init", "--org", "bank3"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.netctl(t, "bank3", "org", "import", c.send(t, "orderer1", "ipledger.block", "bank3")); err != nil {
		t.Fatal(err)
	}
	// Without the orderers' definition, Bank3's `org up` names it.
	out, err := c.netctl(t, "bank3", "org", "up", "--approval-wait", "1m")
	if err == nil || !strings.Contains(out, "OrdererMSP's definition is not imported on this host") {
		t.Fatalf("bank3's org up without the orderers' definition: want it named, got err %v:\n%s", err, out)
	}
	if _, err := c.netctl(t, "bank3", "org", "import", c.send(t, "orderer1", "orderer.org.json", "bank3")); err != nil {
		t.Fatal(err)
	}
	t.Logf("FIGURE join: Bank3's host made its definition (org init), imported the genesis block and the orderers' definition (and org up once without the latter) in %v", time.Since(step).Round(100*time.Millisecond))

	// Before the update, Bank3's `org up` is refused by the orderers, and says why.
	out, err = c.netctl(t, "bank3", "org", "up", "--approval-wait", "1m")
	if err == nil || !strings.Contains(out, "the configuration update adding Bank3MSP is not committed yet") {
		t.Fatalf("bank3's org up before the update: want the refusal naming the update, got err %v:\n%s", err, out)
	}
	t.Logf("bank3's org up before the update: %s", lastLine(out, "not committed yet"))

	// 3. The members import Bank3's definition; Bank1 proposes the update; Bank2 and the Exchange sign.
	step = time.Now()
	c.must(t, peerOrgs, func(h string) []string { return []string{"org", "import", c.send(t, "bank3", "bank3.org.json", h)} })
	if _, err := c.netctl(t, "bank1", "channel", "propose", "add-org", c.send(t, "bank3", "bank3.org.json", "bank1")); err != nil {
		t.Fatal(err)
	}
	update := exported(t, c, "bank1", "update-*-add-org-Bank3MSP.pb")
	sigs := map[string]string{}
	var mu sync.Mutex
	c.must(t, []string{"bank2", "exchange"}, func(h string) []string {
		return []string{"channel", "sign", c.send(t, "bank1", update, h)}
	})
	for _, h := range []string{"bank2", "exchange"} {
		mu.Lock()
		sigs[h] = c.send(t, h, update+"."+map[string]string{"bank2": "Bank2MSP", "exchange": "ExchangeMSP"}[h]+".sig", "bank1")
		mu.Unlock()
	}
	upd := c.send(t, "bank1", update, "bank1")
	out, err = c.netctl(t, "bank1", "channel", "submit", upd, "--signatures", sigs["bank2"])
	if err == nil || !strings.Contains(out, "majority not reached") || !strings.Contains(out, "has 2 (Bank1MSP, Bank2MSP)") {
		t.Fatalf("submit with 2 of 5 signatures: want majority not reached, got err %v:\n%s", err, out)
	}
	t.Logf("submit with 2 signatures: %s", lastLine(out, "majority not reached"))
	out, err = c.netctl(t, "bank1", "channel", "submit", upd, "--signatures", sigs["bank2"]+","+sigs["exchange"])
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`committed: config block \d+`).MatchString(out) {
		t.Fatalf("submit with 3 signatures printed no config block:\n%s", out)
	}
	t.Logf("submit with 3 signatures: %s", lastLine(out, "config block"))
	t.Logf("FIGURE join: the update adding Bank3MSP (import, propose, 2 signatures, a refused and an accepted submit) took %v", time.Since(step).Round(100*time.Millisecond))

	// 4. Bank3's `org up` (it joins from the genesis block and approves the next definition, with its
	// collection) while three members run `org define`: four of six, the channel's majority.
	step = time.Now()
	var upOut string
	var upErr error
	var upTook time.Duration
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		upOut, upErr = c.netctl(t, "bank3", "org", "up", "--approval-wait", "5m")
		upTook = time.Since(step)
	}()
	define := time.Now()
	c.must(t, []string{"bank1", "ipoffice", "regulator"}, func(string) []string { return []string{"org", "define", "--approval-wait", "5m"} })
	t.Logf("FIGURE join: org define on three members' hosts at once, with Bank3's approval the majority (4 of 6): %v", time.Since(define).Round(100*time.Millisecond))
	// The two others approve the committed definition (their peers endorse again with it).
	late := time.Now()
	c.must(t, []string{"bank2", "exchange"}, func(string) []string { return []string{"org", "define", "--approval-wait", "5m"} })
	t.Logf("FIGURE join: org define on the two other members' hosts after the commit: %v", time.Since(late).Round(100*time.Millisecond))
	wg.Wait()
	if upErr != nil {
		t.Fatal(upErr)
	}
	if !strings.Contains(upOut, "approved sequence 2 for Bank3MSP") {
		t.Errorf("bank3's org up did not approve sequence 2:\n%s", upOut)
	}
	t.Logf("bank3's org up:\n%s", upOut)
	if l := lastLine(upOut, "replayed from the genesis block"); l != "" {
		_, l, _ = strings.Cut(l, "] ")
		t.Logf("FIGURE join: %s", l)
	} else {
		t.Errorf("bank3's org up did not report its peer's catch-up:\n%s", upOut)
	}
	t.Logf("FIGURE join: Bank3's org up (join from the genesis block, approval, wait for the commit, gateway) took %v", upTook.Round(100*time.Millisecond))
	t.Logf("FIGURE join: from the new plan to Bank3's gateway serving: %v", time.Since(began).Round(100*time.Millisecond))

	// 5. Bank3 applies for a pledge on the right registered before it joined; the IP office registers it.
	// The members' gateways are not restarted: their peers' gateways find Bank3's peer by gossip.
	app := itest.Application(free.id)
	app["pledgeeName"] = "Bank Three Wuhan"
	p3 := c.submit(t, "bank3", 201, "POST", "/v1/pledges", app, "pledge", "")
	c.settle(t, p3, "ipoffice")
	reg3 := c.submit(t, "ipoffice", 200, "POST", "/v1/pledges/"+p3.id+"/register", map[string]any{"registrationNumber": "Y-" + p3.id}, "pledge", p3.id)
	c.settle(t, reg3, "bank3")
	c.settle(t, reg3, "bank1")
	for _, a := range []ack{p3, reg3} {
		var tx api.TransactionView
		if r := c.as(t, "bank3").Do("GET", "/v1/transactions/"+a.txID, nil); r.Status != 200 || json.Unmarshal(r.Body, &tx) != nil ||
			tx.Transaction == nil || !tx.Valid || !slices.Contains(tx.EndorsingOrgs, "IPOfficeMSP") || !slices.Contains(tx.EndorsingOrgs, "Bank3MSP") {
			t.Errorf("transaction %s of Bank3's pledge: %s; want it valid, endorsed by IPOfficeMSP and Bank3MSP", a.txID, r)
		} else {
			t.Logf("transaction %s of Bank3's pledge (block %d) endorsed by %v", a.txID, tx.BlockNumber, tx.EndorsingOrgs)
		}
	}
	t.Logf("Bank3's pledge %s on right %s (registered before it joined) registered in block %d", p3.id, free.id, reg3.block)

	// 6. From Bank3's gateway: every record made before it joined, and their proofs.
	b3 := c.as(t, "bank3")
	for _, a := range before {
		r := b3.Do("GET", "/v1/transactions/"+a.txID, nil)
		var tx api.TransactionView
		if r.Status != 200 || json.Unmarshal(r.Body, &tx) != nil || tx.Transaction == nil || !tx.Valid || tx.BlockNumber != a.block {
			t.Errorf("transaction %s (%s %s, block %d) at Bank3's gateway: %s", a.txID, a.kind, a.id, a.block, r)
		}
		path := map[string]string{"asset": "/v1/assets/", "pledge": "/v1/pledges/"}[a.kind]
		if r := b3.Do("GET", path+a.id, nil); r.Status != 200 {
			t.Errorf("%s %s at Bank3's gateway: %s", a.kind, a.id, r)
		}
	}
	var v api.Verification
	r := b3.Do("GET", "/v1/verify/"+pledged.id, nil)
	if r.Status != 200 || json.Unmarshal(r.Body, &v) != nil {
		t.Fatalf("verify %s at Bank3's gateway: %s", pledged.id, r)
	}
	switch {
	case v.Proof.VerifiedBy != "Bank3MSP":
		t.Errorf("verified by %s, want Bank3MSP", v.Proof.VerifiedBy)
	case v.Proof.Title == nil || v.Proof.Title.TxID != pledged.txID || !v.Proof.Title.Valid || v.Proof.Title.BlockNumber != pledged.block:
		t.Errorf("the title's proof at Bank3's gateway: %+v, want the registration %s in block %d", v.Proof.Title, pledged.txID, pledged.block)
	case len(v.Proof.Encumbrances) != 1 || v.Proof.Encumbrances[0].PledgeID != p1.id || v.Proof.Encumbrances[0].Transaction == nil ||
		v.Proof.Encumbrances[0].TxID != reg1.txID || !v.Proof.Encumbrances[0].Valid:
		t.Errorf("the encumbrance's proof at Bank3's gateway: %s, want pledge %s registered by %s", r, p1.id, reg1.txID)
	}
	t.Logf("from Bank3's gateway: %d transactions made before it joined found valid in their blocks; right %s verified "+
		"(title in block %d, Bank1's pledge %s registered in block %d), ledger height %d",
		len(before), pledged.id, v.Proof.Title.BlockNumber, p1.id, v.Proof.Encumbrances[0].BlockNumber, v.Proof.LedgerHeight)

	// 7. Bank3's terms: Bank3 and the IP office read them, Bank1 does not.
	for org, want := range map[string]bool{"bank3": true, "ipoffice": true, "bank1": false} {
		r := c.as(t, org).Do("GET", "/v1/pledges/"+p3.id, nil, "IPLedger-After-Block", itoa(reg3.block))
		var p struct {
			Terms json.RawMessage `json:"privateTerms"`
		}
		if r.Status != 200 || json.Unmarshal(r.Body, &p) != nil {
			t.Fatalf("pledge %s at %s's gateway: %s", p3.id, org, r)
		}
		if got := len(p.Terms) > 0 && string(p.Terms) != "null"; got != want {
			t.Errorf("pledge %s at %s's gateway: terms read %v, want %v: %s", p3.id, org, got, want, r)
		}
	}
	t.Logf("Bank3's terms of pledge %s: read at Bank3's and the IP office's gateways, left out at Bank1's", p3.id)

	// 8. Bank3's host restarts from its data: `org up` checks its peer against the sequence it recorded.
	step = time.Now()
	if _, err := c.netctl(t, "bank3", "down"); err != nil {
		t.Fatal(err)
	}
	if out, err := c.netctl(t, "bank3", "org", "up"); err != nil || !strings.Contains(out, "IPLedger is up") {
		t.Fatalf("bank3's org up after down: %v\n%s", err, out)
	}
	t.Logf("FIGURE join: Bank3's host down and org up again (its recorded sequence 2 checked against its peer): %v", time.Since(step).Round(100*time.Millisecond))
	right := c.newRightAck(t)
	c.settle(t, right, "bank3")
	next := itest.Application(right.id)
	next["pledgeeName"] = "Bank Three Wuhan"
	c.submit(t, "bank3", 201, "POST", "/v1/pledges", next, "pledge", "")

	c.bankJoinsBySnapshot(t, pledged)
}

// bankJoinsBySnapshot: a fourth bank, Bank4MSP, joins the consortium (now six members) with its peer
// joining from a snapshot of the channel taken by the IP office's peer after the update that admitted
// it, its snapshot_hash checked against the Exchange's snapshot at the same block (`org up --join
// snapshot:FILE@SHA256 --snapshot-hash H`). Then it files a pledge that the IP office registers; a
// proof of a record older than the snapshot is not at its gateway (its peer has no blocks before the
// snapshot: docs/operations.md), while the IP office's gateway still proves it.
func (c *consortium) bankJoinsBySnapshot(t *testing.T, earlier ack) {
	began := time.Now()
	v3 := c.writePlanWithBank(t, "bank4", "Bank4MSP", 80)
	members := slices.Concat(ordererHosts, peerOrgs, []string{"bank3"})
	c.must(t, members, func(h string) []string { return []string{"org", "plan", c.carry(t, v3, h) + "@" + fileSum(t, v3)} })
	c.topology = v3
	if _, err := c.netctl(t, "bank4", "org", "init", "--org", "bank4"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ipledger.block", "orderer.org.json"} {
		if _, err := c.netctl(t, "bank4", "org", "import", c.send(t, "orderer1", f, "bank4")); err != nil {
			t.Fatal(err)
		}
	}
	banks := append(slices.Clone(peerOrgs), "bank3")
	c.must(t, banks, func(h string) []string { return []string{"org", "import", c.send(t, "bank4", "bank4.org.json", h)} })
	if _, err := c.netctl(t, "bank1", "channel", "propose", "add-org", c.send(t, "bank4", "bank4.org.json", "bank1")); err != nil {
		t.Fatal(err)
	}
	update := exported(t, c, "bank1", "update-*-add-org-Bank4MSP.pb")
	signers := map[string]string{"bank2": "Bank2MSP", "exchange": "ExchangeMSP", "bank3": "Bank3MSP"}
	var sigs []string
	for h, msp := range signers {
		if _, err := c.netctl(t, h, "channel", "sign", c.send(t, "bank1", update, h)); err != nil {
			t.Fatal(err)
		}
		sigs = append(sigs, c.send(t, h, update+"."+msp+".sig", "bank1"))
	}
	out, err := c.netctl(t, "bank1", "channel", "submit", c.send(t, "bank1", update, "bank1"), "--signatures", strings.Join(sigs, ","))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`committed: config block (\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the update adding Bank4MSP printed no config block:\n%s", out)
	}
	t.Logf("FIGURE join by snapshot: new plan, Bank4's host made, the update adding Bank4MSP (4 of 6 signatures) committed in block %s: %v",
		m[1], time.Since(began).Round(100*time.Millisecond))

	// The IP office's and the Exchange's peers make snapshots once they have the config block; both at
	// the same block (nothing else is submitted meanwhile), with the same snapshot_hash.
	step := time.Now()
	hashes := map[string]string{}
	blocks := map[string]string{}
	for _, h := range []string{"ipoffice", "exchange"} {
		if r := c.as(t, h).Do("GET", "/v1/assets/"+earlier.id, nil, "IPLedger-After-Block", m[1]); r.Status != 200 {
			t.Fatalf("%s's gateway after block %s: %s", h, m[1], r)
		}
		out, err := c.netctl(t, h, "snapshot", "take")
		if err != nil {
			t.Fatal(err)
		}
		hm := regexp.MustCompile(`snapshot_hash ([0-9a-f]+)`).FindStringSubmatch(out)
		bm := regexp.MustCompile(`last block (\d+)`).FindStringSubmatch(out)
		if hm == nil || bm == nil {
			t.Fatalf("%s's snapshot take printed no hash or block:\n%s", h, out)
		}
		hashes[h], blocks[h] = hm[1], bm[1]
	}
	if blocks["ipoffice"] != blocks["exchange"] || hashes["ipoffice"] != hashes["exchange"] {
		t.Fatalf("the two snapshots: blocks %v, hashes %v; want the same block and hash", blocks, hashes)
	}
	snap := exported(t, c, "ipoffice", "snapshot-*.tar.gz")
	t.Logf("FIGURE join by snapshot: the IP office's and the Exchange's snapshots at block %s (the same snapshot_hash) in %v",
		blocks["ipoffice"], time.Since(step).Round(100*time.Millisecond))

	// Bank4's org up joins from the snapshot while three members define; the three others after.
	step = time.Now()
	var upOut string
	var upErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		upOut, upErr = c.netctl(t, "bank4", "org", "up", "--approval-wait", "5m",
			"--join", "snapshot:"+c.send(t, "ipoffice", snap, "bank4"), "--snapshot-hash", hashes["exchange"])
	}()
	c.must(t, []string{"bank1", "ipoffice", "regulator"}, func(string) []string { return []string{"org", "define", "--approval-wait", "5m"} })
	c.must(t, []string{"bank2", "exchange", "bank3"}, func(string) []string { return []string{"org", "define", "--approval-wait", "5m"} })
	wg.Wait()
	if upErr != nil {
		t.Fatal(upErr)
	}
	if l := lastLine(upOut, "joined the channel from the snapshot"); l != "" {
		_, l, _ = strings.Cut(l, "] ")
		t.Logf("FIGURE join by snapshot: %s", l)
	} else {
		t.Errorf("bank4's org up did not join from the snapshot:\n%s", upOut)
	}
	t.Logf("FIGURE join by snapshot: Bank4's org up (join from the snapshot, approval of sequence 3, the commit, gateway) with the members' org define: %v",
		time.Since(step).Round(100*time.Millisecond))

	// Bank4 files a pledge; the IP office registers it.
	right := c.newRightAck(t)
	c.settle(t, right, "bank4")
	app := itest.Application(right.id)
	app["pledgeeName"] = "Bank Four Wuhan"
	p4 := c.submit(t, "bank4", 201, "POST", "/v1/pledges", app, "pledge", "")
	c.settle(t, p4, "ipoffice")
	reg4 := c.submit(t, "ipoffice", 200, "POST", "/v1/pledges/"+p4.id+"/register", map[string]any{"registrationNumber": "Y-" + p4.id}, "pledge", p4.id)
	c.settle(t, reg4, "bank4")
	if r := c.as(t, "bank4").Do("GET", "/v1/verify/"+right.id, nil); r.Status != 200 {
		t.Errorf("verify %s (registered after the snapshot) at Bank4's gateway: %s", right.id, r)
	}
	// A record older than the snapshot: its state is there, its proof is not (no blocks before it).
	if r := c.as(t, "bank4").Do("GET", "/v1/assets/"+earlier.id, nil); r.Status != 200 {
		t.Errorf("right %s (registered before the snapshot) at Bank4's gateway: %s", earlier.id, r)
	}
	r := c.as(t, "bank4").Do("GET", "/v1/verify/"+earlier.id, nil)
	t.Logf("verify %s (registered before the snapshot) at Bank4's gateway: %s", earlier.id, r)
	if r.Status != 404 || !strings.Contains(string(r.Body), `"code":"BEFORE_SNAPSHOT"`) {
		t.Errorf("verify %s (its title before the snapshot) at Bank4's gateway: %s; want 404 BEFORE_SNAPSHOT", earlier.id, r)
	}
	if r := c.as(t, "ipoffice").Do("GET", "/v1/verify/"+earlier.id, nil); r.Status != 200 {
		t.Errorf("verify %s at the IP office's gateway: %s", earlier.id, r)
	}
	t.Logf("Bank4's pledge %s registered in block %d; from Bank4's gateway the records since the snapshot are proved", p4.id, reg4.block)
}

// writePlanWithBank writes the consortium's plan with a bank added (its MSP id, on the lab's host of
// its name, at port offsets offset … offset+8), every other organization as it was, and returns its
// path.
func (c *consortium) writePlanWithBank(t *testing.T, name, mspID string, offset int) string {
	t.Helper()
	path, _ := c.writePlan(t, "topology-with-"+name+".yaml", func(top *netctl.Topology) {
		top.Organizations = append(top.Organizations, c.hostOrg(top, name, mspID, "", offset, nil))
	})
	return path
}

// writePlan writes the consortium's plan (c.topology) changed by edit, as file in the test's
// directory, and returns its path and sha256.
func (c *consortium) writePlan(t *testing.T, file string, edit func(*netctl.Topology)) (string, string) {
	t.Helper()
	raw, err := os.ReadFile(c.topology)
	if err != nil {
		t.Fatal(err)
	}
	var top netctl.Topology
	if err := yaml.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	edit(&top)
	out, err := yaml.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.dir, file)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, fileSum(t, path)
}

// exported is the name of the one file of a host's export directory that matches pattern.
func exported(t *testing.T, c *consortium, host, pattern string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(c.dir, host, "export", pattern))
	if err != nil || len(m) != 1 {
		t.Fatalf("%s's export directory: %v files match %s (%v)", host, m, pattern, err)
	}
	return filepath.Base(m[0])
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	sum, err := netctl.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func itoa(u uint64) string { return strconv.FormatUint(u, 10) }
