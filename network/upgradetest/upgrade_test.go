//go:build integration

// Package upgradetest upgrades the chaincode of the real test network to a program with one more
// refusal ground (P14, a debt term of more than 10 years, switched on at build time) while clients
// submit through the HTTP gateways, then checks on the ledger that every acknowledged submission is
// applied exactly once, that the rule refuses from the definition's block on and not before, and that
// records written by the old program are read and changed by the new one. It changes the network the
// other packages use, so scripts/ipledger test runs it after them (the network stays up, upgraded).
package upgradetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
)

const (
	workers      = 4   // clients, each with its own gateway user and Idempotency-Keys
	minPairs     = 25  // each worker files at least this many registrations and applications (200 submissions)
	afterCommit  = 5   // and this many pairs once the upgrade has returned
	maxPairs     = 150 // a bound on each worker, whatever the upgrade does
	maxAttempts  = 12  // a careful client's retries of one submission
	startAfterAc = 20  // the upgrade starts once this many submissions were acknowledged
	ruleSwitch   = "-X github.com/ipledger/ipledger/chaincode/rules.MaxDebtTermYears=10"
)

// reply is one answer; status 0: no answer at all.
type reply struct {
	status int
	body   []byte
	err    error
}

func (r reply) String() string {
	if r.err != nil {
		return r.err.Error()
	}
	return fmt.Sprintf("%d %.300s", r.status, r.body)
}

func (r reply) errDoc() itest.APIError {
	var e struct {
		Error itest.APIError `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error
}

func (r reply) block() uint64 {
	var s struct {
		BlockNumber uint64 `json:"blockNumber"`
	}
	_ = json.Unmarshal(r.body, &s)
	return s.BlockNumber
}

// retryable is what a careful client repeats with the same Idempotency-Key: no answer, the network
// unavailable or late (502, 503, 504), or a lost race (409 MVCC or phantom read conflict).
func retryable(r reply) bool {
	if r.err != nil || r.status == http.StatusBadGateway || r.status == http.StatusServiceUnavailable || r.status == http.StatusGatewayTimeout {
		return true
	}
	code := r.errDoc().Code
	return r.status == http.StatusConflict && (code == string(api.CodeReadConflict) || code == string(api.CodePhantomConflict))
}

type gwClient struct{ api *apiclient.Client }

func newClient(t *testing.T, sys *netctl.System, msp, user string) *gwClient {
	t.Helper()
	c, err := sys.APIClient(msp, user)
	if err != nil {
		t.Fatal(err)
	}
	c.HTTP.Timeout = 60 * time.Second
	return &gwClient{api: c}
}

func (c *gwClient) do(ctx context.Context, method, path, key string, body any, headers ...string) reply {
	if key != "" {
		headers = append(headers, "Idempotency-Key", key)
	}
	r, err := c.api.Do(ctx, method, path, body, headers...)
	if err != nil {
		return reply{err: err}
	}
	return reply{status: r.Status, body: r.Body}
}

// tally counts the load's submissions and the client's retries.
type tally struct {
	submissions, during, retries atomic.Int64
	mu                           sync.Mutex
	statuses                     map[string]int
}

func (l *tally) saw(r reply) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := fmt.Sprint(r.status)
	if r.status == http.StatusConflict || r.status >= 500 {
		key += "/" + r.errDoc().Code
	}
	l.statuses[key]++
}

// submit posts with one Idempotency-Key, retrying by count while the answer is retryable.
func (c *gwClient) submit(ctx context.Context, l *tally, path, key string, body any, headers ...string) reply {
	var r reply
	for attempt := range maxAttempts {
		if attempt > 0 {
			l.retries.Add(1)
			time.Sleep(time.Duration(min(attempt, 5)) * 200 * time.Millisecond) // back off between retries
		}
		r = c.do(ctx, http.MethodPost, path, key, body, headers...)
		l.saw(r)
		if !retryable(r) {
			return r
		}
	}
	return r
}

// pledged is an acknowledged or refused application.
type pledged struct {
	assetID, pledgeID string
	long              bool   // a debt term of 12 years: P14 refuses it under the new program
	block             uint64 // where it committed (a refusal under a rule commits too, I3)
	refused           string // the rule that refused it, "" when acknowledged
}

// ledgerBook is what the gateways acknowledged.
type ledgerBook struct {
	mu       sync.Mutex
	assets   []string
	pledges  []pledged
	maxBlock uint64
}

func (b *ledgerBook) asset(id string, block uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.assets = append(b.assets, id)
	b.maxBlock = max(b.maxBlock, block)
}

func (b *ledgerBook) pledge(p pledged) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pledges = append(b.pledges, p)
	b.maxBlock = max(b.maxBlock, p.block)
}

func patent(id string) api.AssetInput {
	return api.AssetInput{ID: id, Kind: api.KindPatentInvention, Number: "ZL" + id, Title: "Upgrade test patent",
		Owners:          []api.Owner{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co.", Share: 10000}},
		ApplicationDate: "2020-01-15", GrantDate: "2022-03-01", ExpiryDate: "2045-01-15", FeesPaidThrough: "2040-01-15"}
}

func application(assetID string, long bool) map[string]any {
	end := "2027-12-31"
	if long {
		end = "2037-01-02" // 12 years and a day after the start: P14 refuses it
	}
	return map[string]any{"assetIds": []string{assetID}, "pledgors": []api.Party{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co."}},
		"pledgeeName": "Hubei Branch", "debtKind": "loan", "debtTermStart": "2025-01-01", "debtTermEnd": end,
		"contractHash": strings.Repeat("cd", 32),
		"terms":        map[string]string{"amount": "1000000.00", "currency": "CNY", "interestRate": "3.5", "scope": "principal"}}
}

// pair registers a right through the IP office and applies to pledge it through a bank; it records
// what was acknowledged (or refused under a rule) and returns an error for anything else.
func pair(ctx context.Context, ipo, bank *gwClient, l *tally, book *ledgerBook, id string, long bool) error {
	r := ipo.submit(ctx, l, "/v1/assets", "asset-"+id, patent(id))
	l.submissions.Add(1)
	if r.status/100 != 2 {
		return fmt.Errorf("POST /v1/assets %s: %s", id, r)
	}
	book.asset(id, r.block())
	r = bank.submit(ctx, l, "/v1/pledges", "pledge-"+id, application(id, long), "IPLedger-After-Block", fmt.Sprint(r.block()))
	l.submissions.Add(1)
	switch {
	case r.status/100 == 2:
		var out struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(r.body, &out); err != nil || out.ID == "" {
			return fmt.Errorf("POST /v1/pledges %s answered %s", id, r)
		}
		book.pledge(pledged{assetID: id, pledgeID: out.ID, long: long, block: r.block()})
	case r.status == http.StatusConflict && r.errDoc().Code == "P14":
		book.pledge(pledged{assetID: id, long: long, block: r.errDoc().BlockNumber, refused: "P14"})
	default:
		return fmt.Errorf("POST /v1/pledges %s: %s", id, r)
	}
	return nil
}

// upgradeReport is what `scripts/ipledger chaincode upgrade --json` prints last.
type upgradeReport struct {
	Sequence    int      `json:"sequence"`
	ToVersion   string   `json:"toVersion"`
	Approvers   []string `json:"approvers"`
	CommitBlock uint64   `json:"commitBlock"`
	Duration    int64    `json:"duration"`
}

func ipledger(args ...string) (string, error) {
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "ipledger"), args...).CombinedOutput()
	return string(out), err
}

// load runs the workers: each files pairs (a 2-year and a 12-year application in turn) until it has
// filed minPairs and the upgrade has returned and it has filed afterCommit more, or maxPairs. The
// upgrade starts (start is closed) once startAfterAc submissions were acknowledged.
type load struct {
	ipo   *gwClient
	banks []*gwClient
	run   string
	l     *tally
	book  *ledgerBook
	phase atomic.Int32 // 0 before the upgrade, 1 while it runs, 2 after
	acks  atomic.Int64
	start chan struct{}
	once  sync.Once
	mu    sync.Mutex
	fails []error
}

func (ld *load) worker(ctx context.Context, w int) {
	bank := ld.banks[w%len(ld.banks)]
	after := 0
	for i := range maxPairs {
		if i >= minPairs && ld.phase.Load() == 2 {
			if after == afterCommit {
				return
			}
			after++
		}
		during := ld.phase.Load() == 1
		err := pair(ctx, ld.ipo, bank, ld.l, ld.book, fmt.Sprintf("CN-%s-%d-%d", ld.run, w, i), i%2 == 1)
		if err != nil {
			ld.mu.Lock()
			ld.fails = append(ld.fails, err)
			ld.mu.Unlock()
			continue
		}
		if during {
			ld.l.during.Add(2)
		}
		if ld.acks.Add(2) >= startAfterAc {
			ld.once.Do(func() { close(ld.start) })
		}
	}
	ld.once.Do(func() { close(ld.start) })
}

func TestUpgrade_UnderLoad_NoneLostNoneTwice_RuleFromItsBlock(t *testing.T) {
	sys := itest.System(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	ld := &load{ipo: newClient(t, sys, string(api.MSPIPOffice), "examiner1"),
		banks: []*gwClient{newClient(t, sys, string(api.MSPBank1), "officer1"), newClient(t, sys, string(api.MSPBank2), "officer1")},
		run:   fmt.Sprintf("U%d", time.Now().Unix()%1000000), l: &tally{statuses: map[string]int{}}, book: &ledgerBook{},
		start: make(chan struct{})}
	// A record of the old program: a 12-year pledge, accepted (P14 is not in force yet).
	oldID := "CN-" + ld.run + "-old"
	if err := pair(ctx, ld.ipo, ld.banks[0], ld.l, ld.book, oldID, true); err != nil || ld.book.pledges[0].refused != "" {
		t.Fatalf("the old program: %v %+v", err, ld.book.pledges)
	}
	oldPledge := ld.book.pledges[0].pledgeID
	held := holdEndorsement(ctx, t, sys, ld, "CN-"+ld.run+"-held")
	retriesBefore := gatewayRetries(t)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); ld.worker(ctx, w) }()
	}
	<-ld.start
	ld.phase.Store(1)
	began := time.Now()
	out, err := ipledger("chaincode", "upgrade", "--ldflags", ruleSwitch, "--json")
	took := time.Since(began)
	ld.phase.Store(2)
	wg.Wait()
	if err != nil {
		t.Fatalf("chaincode upgrade: %v\n%s", err, out)
	}
	var rep upgradeReport
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || rep.CommitBlock == 0 {
		t.Fatalf("the upgrade's report: %v\n%s", err, out)
	}
	t.Logf("upgraded to sequence %d (%s) in block %d, approved by %v; netctl's part %.1fs, the rest building the program",
		rep.Sequence, rep.ToVersion, rep.CommitBlock, rep.Approvers, time.Duration(rep.Duration).Seconds())
	for _, err := range ld.fails {
		t.Errorf("not acknowledged after %d attempts: %v", maxAttempts, err)
	}
	submitHeld(ctx, t, ld, held, rep.CommitBlock)
	lost, doubled := checkExactlyOnce(ctx, t, sys, ld.book)
	checkRuleFromItsBlock(t, ld.book, rep.CommitBlock)
	checkOldRecordChangedByNew(ctx, t, sys, ld, oldPledge, rep.CommitBlock)
	retries := gatewayRetries(t)
	for reason, n := range retriesBefore {
		retries[reason] -= n
	}
	t.Logf("answers seen: %v", ld.l.statuses)
	t.Logf("FIGURE upgrade: %.1fs; submissions %d (%d during the upgrade); client retries %d; gateway retries %v; "+
		"not acknowledged %d; lost %d; doubled %d", took.Seconds(), ld.l.submissions.Load(), ld.l.during.Load(),
		ld.l.retries.Load(), retries, len(ld.fails), lost, doubled)
	if ld.l.during.Load() == 0 {
		t.Error("no submission was acknowledged while the upgrade ran")
	}
}

// checkExactlyOnce proves that every acknowledged submission is on the ledger exactly once: each right
// has one registration in its history; each right has exactly the pledge the gateway acknowledged, or
// none when its application was refused, however often it was retried.
func checkExactlyOnce(ctx context.Context, t *testing.T, sys *netctl.System, b *ledgerBook) (lost, doubled int) {
	t.Helper()
	if err := sys.WaitForBlock(ctx, b.maxBlock); err != nil {
		t.Fatal(err)
	}
	reader := newClient(t, sys, string(api.MSPRegulator), "auditor1")
	for _, id := range b.assets {
		r := reader.do(ctx, http.MethodGet, "/v1/assets/"+id+"/history", "", nil)
		var h struct {
			Items []struct {
				Action string `json:"action"`
			} `json:"items"`
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &h) != nil {
			t.Errorf("acknowledged right %s: history %s", id, r)
			lost++
			continue
		}
		n := 0
		for _, it := range h.Items {
			if it.Action == "AssetRegistered" {
				n++
			}
		}
		switch {
		case n == 0:
			lost++
			t.Errorf("acknowledged right %s is not registered", id)
		case n > 1:
			doubled++
			t.Errorf("acknowledged right %s registered %d times", id, n)
		}
	}
	for _, p := range b.pledges {
		r := reader.do(ctx, http.MethodGet, "/v1/pledges?assetId="+p.assetID, "", nil)
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &page) != nil {
			t.Errorf("pledges of %s: %s", p.assetID, r)
			continue
		}
		want := 1
		if p.refused != "" {
			want = 0
		}
		if len(page.Items) < want || (want == 1 && page.Items[0].ID != p.pledgeID) {
			lost++
			t.Errorf("right %s has pledges %+v; acknowledged: %q", p.assetID, page.Items, p.pledgeID)
		} else if len(page.Items) > want {
			doubled++
			t.Errorf("right %s has pledges %+v; acknowledged: %q", p.assetID, page.Items, p.pledgeID)
		}
	}
	t.Logf("on the ledger: %d acknowledged rights, %d applications (%d refused under P14): lost %d, doubled %d",
		len(b.assets), len(b.pledges), countRefused(b), lost, doubled)
	return lost, doubled
}

func countRefused(b *ledgerBook) int {
	n := 0
	for _, p := range b.pledges {
		if p.refused != "" {
			n++
		}
	}
	return n
}

// checkRuleFromItsBlock: every 12-year application accepted is in a block up to the definition's (in
// its block, ordered before the commit: a proposal endorsed under the old definition and ordered after
// the commit is invalidated, and the gateway's retry is endorsed under the new one), every refusal
// under P14 after it (endorsed by a peer that had committed the definition's block).
func checkRuleFromItsBlock(t *testing.T, b *ledgerBook, commit uint64) {
	t.Helper()
	longBefore, refusedAfter := 0, 0
	for _, p := range b.pledges {
		switch {
		case p.refused != "" && p.block <= commit:
			t.Errorf("application on %s refused under P14 in block %d, before the upgrade's block %d", p.assetID, p.block, commit)
		case p.refused != "":
			refusedAfter++
		case p.long && p.block > commit:
			t.Errorf("a 12-year application on %s accepted in block %d, after the upgrade's block %d", p.assetID, p.block, commit)
		case p.long:
			longBefore++
		}
	}
	if longBefore == 0 || refusedAfter == 0 {
		t.Errorf("12-year applications: %d accepted before block %d, %d refused after: want some of each", longBefore, commit, refusedAfter)
	}
	t.Logf("12-year applications: %d accepted before block %d, %d refused under P14 after it", longBefore, commit, refusedAfter)
}

// checkOldRecordChangedByNew registers, under the new program, the pledge the old one filed, and reads
// it back from the regulator: the 12-year term the old rules allowed stays.
func checkOldRecordChangedByNew(ctx context.Context, t *testing.T, sys *netctl.System, ld *load, id string, commit uint64) {
	t.Helper()
	r := ld.ipo.submit(ctx, ld.l, "/v1/pledges/"+id+"/register", "register-"+id,
		map[string]string{"registrationNumber": "ZX" + ld.run})
	if r.status/100 != 2 || r.block() <= commit {
		t.Fatalf("registering the old program's pledge %s under the new one: %s", id, r)
	}
	if err := sys.WaitForBlock(ctx, r.block()); err != nil {
		t.Fatal(err)
	}
	got := newClient(t, sys, string(api.MSPRegulator), "auditor1").do(ctx, http.MethodGet, "/v1/pledges/"+id, "", nil)
	var p struct {
		Status      string `json:"status"`
		DebtTermEnd string `json:"debtTermEnd"`
	}
	if got.status != http.StatusOK || json.Unmarshal(got.body, &p) != nil || p.Status != "registered" || p.DebtTermEnd != "2037-01-02" {
		t.Fatalf("the old program's pledge read under the new one: %s", got)
	}
	t.Logf("the old program's 12-year pledge %s registered under the new program in block %d and read back", id, r.block())
}

// gatewayRetries sums the submission retries by reason of the gateways the load goes through (their
// /metrics, counted since each gateway started).
func gatewayRetries(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, msp := range []string{string(api.MSPIPOffice), string(api.MSPBank1), string(api.MSPBank2)} {
		r, err := itest.Ops(t, msp, "/metrics", true)
		if err != nil || r.Status != http.StatusOK {
			t.Errorf("%s /metrics: %v %v", msp, r, err)
			continue
		}
		for _, line := range strings.Split(string(r.Body), "\n") {
			if !strings.HasPrefix(line, "ipledger_gateway_submission_retries_total{") {
				continue
			}
			_, reason, _ := strings.Cut(line, `reason="`)
			reason, _, _ = strings.Cut(reason, `"`)
			var v float64
			fields := strings.Fields(line)
			_, _ = fmt.Sscan(fields[len(fields)-1], &v)
			out[reason] += int(v)
		}
	}
	return out
}

// heldTx is a 12-year application endorsed under the old definition, not yet submitted.
type heldTx struct {
	assetID string
	tx      *client.Transaction
}

// holdEndorsement registers a right through the HTTP gateway, then has Bank1's officer endorse a
// 12-year application for it directly (the Fabric Gateway client, as the HTTP gateway does inside)
// under the old definition, and keeps the endorsed transaction without submitting it.
func holdEndorsement(ctx context.Context, t *testing.T, sys *netctl.System, ld *load, assetID string) heldTx {
	t.Helper()
	r := ld.ipo.submit(ctx, ld.l, "/v1/assets", "asset-"+assetID, patent(assetID))
	if r.status/100 != 2 {
		t.Fatalf("POST /v1/assets %s: %s", assetID, r)
	}
	gw, conn, err := sys.Dial(string(api.MSPBank1), "officer1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close(); conn.Close() })
	contract := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name)
	app := api.PledgeApplication{AssetIDs: []string{assetID}, Pledgors: []api.Party{{ID: "91420100MA4K0001", Name: "Wuhan Optics Co."}},
		PledgeeName: "Hubei Branch", DebtKind: "loan", DebtTermStart: "2025-01-01", DebtTermEnd: "2037-01-02", ContractHash: strings.Repeat("cd", 32)}
	terms := api.Terms{Amount: "1000000.00", Currency: "CNY", InterestRate: "3.5", Scope: "principal", Salt: "c53b1b1ed96cce77810ba2b9a5fb7874"}
	appJSON, _ := json.Marshal(app)
	termsJSON, _ := json.Marshal(terms)
	// Both endorsers must have the right's block: wait until every peer has it.
	if err := sys.WaitForBlock(ctx, r.block()); err != nil {
		t.Fatal(err)
	}
	proposal, err := contract.NewProposal(api.ApplyPledge.Name, client.WithArguments("held-"+assetID, string(appJSON)),
		client.WithTransient(map[string][]byte{api.TransientTermsKey: termsJSON}),
		client.WithEndorsingOrganizations(string(api.MSPIPOffice), string(api.MSPBank1)))
	if err != nil {
		t.Fatal(err)
	}
	tx, err := proposal.EndorseWithContext(ctx)
	if err != nil {
		t.Fatalf("endorsing the held application: %v", err)
	}
	if o, ok := api.ParseOutcome(tx.Result()); !ok || o.Refusal != nil {
		t.Fatalf("the old program refused a 12-year application: %s", tx.Result())
	}
	return heldTx{assetID: assetID, tx: tx}
}

// submitHeld submits, after the upgrade, the transaction endorsed under the old definition: the
// peers invalidate it (its read of the definition's sequence is stale: MVCC_READ_CONFLICT), nothing is
// written, and the same application through the HTTP gateway (a new proposal, endorsed under the new
// definition) is refused under P14.
func submitHeld(ctx context.Context, t *testing.T, ld *load, h heldTx, commit uint64) {
	t.Helper()
	status, err := h.tx.SubmitWithContext(ctx)
	if err != nil {
		t.Fatalf("submitting the held transaction: %v", err)
	}
	st, err := status.StatusWithContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Successful || st.Code != peer.TxValidationCode_MVCC_READ_CONFLICT || st.BlockNumber <= commit {
		t.Fatalf("a 12-year application endorsed under the old definition, ordered after block %d: committed as %s in block %d; "+
			"want MVCC_READ_CONFLICT", commit, st.Code, st.BlockNumber)
	}
	t.Logf("the application endorsed under the old definition was invalidated in block %d (%s): endorsements of the two "+
		"definitions never mix", st.BlockNumber, st.Code)
	r := ld.banks[0].submit(ctx, ld.l, "/v1/pledges", "pledge-"+h.assetID, application(h.assetID, true),
		"IPLedger-After-Block", fmt.Sprint(st.BlockNumber))
	if r.status != http.StatusConflict || r.errDoc().Code != "P14" {
		t.Fatalf("the same application through the gateway after the upgrade: %s; want 409 P14", r)
	}
	ld.book.pledge(pledged{assetID: h.assetID, long: true, block: r.errDoc().BlockNumber, refused: "P14"})
}
