package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ipledger/ipledger/network/netctl"
)

const (
	bank1     = "Bank1MSP"
	bank2     = "Bank2MSP"
	exchange  = "ExchangeMSP"
	ipoffice  = "IPOfficeMSP"
	regulator = "RegulatorMSP"
)

// The users the demo acts as, each with the API key `up` wrote for it.
var users = map[string]string{bank1: "officer1", bank2: "officer1", exchange: "trader1", ipoffice: "examiner1", regulator: "auditor1"}

// Statuses are the pledge statuses of the API (docs/openapi.yaml), each of which the data set reaches
// at both banks.
var Statuses = []string{"applied", "registered", "refused", "released", "revoked", "defaulted", "disposed", "discharged", "deregistered"}

// ErrNotEmpty is returned when the ledger already has rights and Force is not set.
var ErrNotEmpty = errors.New("the ledger is not empty")

// Config is what Run needs.
type Config struct {
	System *netctl.System
	// Force runs on a ledger that already has rights: to finish a run that stopped part-way (its
	// requests are answered from the ledger, nothing is written twice), or beside other data.
	Force bool
	// Out receives progress lines and the summary (nil: none).
	Out io.Writer
	// Now is the time the data set's dates are reckoned from (nil: time.Now).
	Now func() time.Time
	// Idle is how long the check for an empty ledger waits for a next event before it takes the
	// replay as complete (0: 3 s).
	Idle time.Duration
}

// Report is what Run made: ids by what they show, and the counts per status.
type Report struct {
	Rights []string
	// Pledges are the data set's pledges by status (as made), and Banks the pledgee of each.
	Pledges map[string][]string
	Banks   map[string]string
	// Package is a registered pledge of several rights; Transfer the transfer of a pledged right that
	// its pledgee bank consented to and the IP office recorded; Licences the recorded licences;
	// Frozen the right with two court freezes (one in effect, one waiting); Disposals the two
	// disposals' pledges; Applied the applications left for the IP office, with their examination
	// due instants (P9).
	Package, Transfer, Frozen string
	Licences, Disposals       []string
	Applied                   map[string]string
	// WaitingConsent is, for each bank, a transfer of a right pledged there that waits for its consent
	// (P7); Consented a transfer its pledgee bank consented to, waiting for the IP office;
	// RefusedTransfer one the IP office refused; LicenceRequested a licence waiting for the IP office;
	// LicenceTerminated a recorded licence terminated early (L3), of the right TerminatedRight.
	WaitingConsent                                       map[string]string
	Consented, RefusedTransfer                           string
	LicenceRequested, LicenceTerminated, TerminatedRight string
	// Changed is the registered pledge whose changes are in every state (an amendment recorded, an
	// extension refused, an amendment filed); ChangesWaiting the pledges with a change or extension
	// waiting for the IP office (P6).
	Changed        string
	ChangesWaiting []string
	// Counts are the ledger's pledges per status after the run (GET /v1/pledges?status=, the
	// regulator's), which may include pledges that were not the demo's.
	Counts map[string]int
	// Overdue is the number of overdue examinations now (GET /v1/pledges?overdue=true).
	Overdue int
	// Block is the highest block a submission of the run committed in.
	Block uint64
}

// run is one run of the data set.
type run struct {
	cfg    Config
	c      caller
	actors map[string]actor
	now    time.Time
	began  time.Time
	rep    *Report
	r      *rights
	ps     pledges // the data set's pledges, planned when they are filed
}

// Run fills the ledger of cfg.System with the data set through the gateways' HTTP API. It refuses a
// ledger that already has rights (ErrNotEmpty) unless cfg.Force.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Idle == 0 {
		cfg.Idle = 3 * time.Second
	}
	x := &run{cfg: cfg, actors: map[string]actor{}, now: cfg.Now().In(chinaTime), began: time.Now(),
		rep: &Report{Pledges: map[string][]string{}, Banks: map[string]string{}, Applied: map[string]string{}, Counts: map[string]int{},
			WaitingConsent: map[string]string{}}}
	x.r = newRights(x.now)
	for org, user := range users {
		c, err := cfg.System.APIClient(org, user)
		if err != nil {
			return nil, err
		}
		x.actors[org] = actor{org: org, user: user, client: c}
	}
	if err := x.checkEmpty(ctx); err != nil {
		return nil, err
	}
	steps := []struct {
		what string
		fn   func(context.Context) error
	}{
		{"rights registered by the IP office", x.registerRights},
		{"pledges applied for, examined and registered or refused", x.pledges},
		{"releases, revocations and deregistrations", x.endings},
		{"a transfer of a pledged right, consented and recorded; licences", x.transfers},
		{"court freezes, one in effect and one waiting", x.freezes},
		{"defaults, and two disposals at the exchange", x.disposals},
		{"transfers waiting for each bank's consent and for the IP office, one refused; a licence waiting, one terminated", x.waiting},
		{"changes and extensions of registered pledges: recorded, refused, and waiting for the IP office", x.changes},
	}
	for _, s := range steps {
		if err := s.fn(ctx); err != nil {
			return x.rep, err
		}
		x.say("%s", s.what)
	}
	x.rep.Block = x.c.after
	if err := x.count(ctx); err != nil {
		return x.rep, err
	}
	x.summary()
	return x.rep, nil
}

var chinaTime = time.FixedZone("UTC+8", 8*3600)

func (x *run) say(format string, args ...any) {
	fmt.Fprintf(x.cfg.Out, "[%5.1fs] %s\n", time.Since(x.began).Seconds(), fmt.Sprintf(format, args...))
}

// checkEmpty refuses a ledger that has rights, unless forced.
func (x *run) checkEmpty(ctx context.Context) error {
	reg := x.actors[regulator]
	id, block, err := firstRight(ctx, reg, x.cfg.Idle)
	switch {
	case errors.Is(err, errLedgerTooLong):
		id = "(beyond the gateway's replay of events)"
	case err != nil:
		return fmt.Errorf("reading the ledger's events to see whether it is empty: %w", err)
	}
	if id == "" {
		x.say("the ledger has no rights: filling it")
		return nil
	}
	var mark map[string]any
	demoThere := x.c.get(ctx, reg, "/v1/assets/"+url.PathEscape(x.r.optics.ID), &mark) == nil
	if x.cfg.Force {
		x.say("the ledger already has rights (the first: %s, block %d); going on (--force)", id, block)
		return nil
	}
	if demoThere {
		return fmt.Errorf("%w: the demo's data set is already on it (right %s). A run that stopped part-way is finished by running it again "+
			"with --force: every request is sent with the same Idempotency-Key, so nothing is written twice", ErrNotEmpty, x.r.optics.ID)
	}
	return fmt.Errorf("%w: it has rights (the first: %s, block %d). The demo fills an empty ledger (a network started with `scripts/ipledger up` "+
		"after `down --purge`); --force adds its data set anyway", ErrNotEmpty, id, block)
}

// registerRights registers the data set's rights, four at a time (each is a transaction of its own).
func (x *run) registerRights(ctx context.Context) error {
	all := x.r.all()
	errs := make([]error, len(all))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, r := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			body := map[string]any{"id": r.ID, "kind": r.Kind, "number": r.Number, "title": r.Title, "owners": owners(r.Owners),
				"applicationDate": r.Application, "grantDate": r.Grant, "expiryDate": r.Expiry}
			if r.FeesPaidThrough != "" {
				body["feesPaidThrough"] = r.FeesPaidThrough
			}
			if r.NiceClass > 0 {
				body["niceClass"] = r.NiceClass
			}
			_, errs[i] = x.c.submit(ctx, x.actors[ipoffice], "asset."+r.ID, "POST", "/v1/assets", body)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, r := range all {
		x.rep.Rights = append(x.rep.Rights, r.ID)
	}
	return nil
}

func owners(os []Owner) []map[string]any {
	var out []map[string]any
	for _, o := range os {
		out = append(out, map[string]any{"id": o.ID, "name": o.Name, "share": o.Share})
	}
	return out
}

// pledge is one pledge of the data set: its label (unique per bank: the requests' keys), pledgee,
// rights and secured amount (yuan).
type pledge struct {
	label, bank string
	rights      []Right
	amount      string
	id          string
}

// hashOf is a SHA-256 standing in for a document's (a contract, a judgment): of a text naming it.
func hashOf(s string) string {
	h := sha256.Sum256([]byte("IPLedger demo: " + s))
	return hex.EncodeToString(h[:])
}

// apply files a pledge's application at its bank: the owners of its rights are the pledgors; a
// two-year loan from today.
func (x *run) apply(ctx context.Context, p *pledge) error {
	var pledgors []map[string]any
	var ids []string
	seen := map[string]bool{}
	for _, r := range p.rights {
		ids = append(ids, r.ID)
		for _, o := range r.Owners {
			if !seen[o.ID] {
				seen[o.ID] = true
				pledgors = append(pledgors, map[string]any{"id": o.ID, "name": o.Name})
			}
		}
	}
	start := x.now.AddDate(0, 0, -7)
	body := map[string]any{"assetIds": ids, "pledgors": pledgors, "pledgeeName": bankNames[p.bank], "debtKind": "loan",
		"debtTermStart": day(start), "debtTermEnd": day(start.AddDate(2, 0, -1)), "contractHash": hashOf("pledge contract " + p.bank + " " + p.label),
		"terms": map[string]any{"amount": p.amount, "currency": "CNY", "interestRate": "3.45", "scope": "主债权本金、利息、罚息及实现质权的费用"}}
	s, err := x.c.submit(ctx, x.actors[p.bank], "apply."+p.label, "POST", "/v1/pledges", body)
	if err != nil {
		return err
	}
	p.id = s.ID
	x.rep.Banks[p.id] = p.bank
	return nil
}

func (x *run) register(ctx context.Context, p *pledge, number string) error {
	_, err := x.c.submit(ctx, x.actors[ipoffice], "register."+p.bank+"."+p.label, "POST", "/v1/pledges/"+p.id+"/register",
		map[string]any{"registrationNumber": number})
	return err
}

func (x *run) made(status string, ps ...*pledge) {
	for _, p := range ps {
		x.rep.Pledges[status] = append(x.rep.Pledges[status], p.id)
	}
}

// The data set's pledges, by what becomes of them.
type pledges struct {
	b1Registered, b1Package, b1Trademark, b1Software, b2Registered, b2Trademark *pledge
	b1Applied, b1AppliedTM, b2Applied, b2AppliedSoftware                        *pledge
	b1Refused, b2Refused, b1Released, b2Released, b1Revoked, b2Revoked          *pledge
	b1Deregistered, b2Deregistered, b1Defaulted, b2Defaulted                    *pledge
	b1Disposed, b2Discharged, b2Disposed, b1Discharged                          *pledge
}

func (x *run) plan() pledges {
	r := x.r
	return pledges{
		b1Registered:      &pledge{label: "registered", bank: bank1, rights: []Right{r.optics}, amount: "8000000"},
		b1Package:         &pledge{label: "package", bank: bank1, rights: []Right{r.fiberAI, r.module, r.housing}, amount: "15000000"},
		b1Trademark:       &pledge{label: "registered-trademark", bank: bank1, rights: []Right{r.hankouNorthTM}, amount: "3000000"},
		b1Software:        &pledge{label: "registered-software", bank: bank1, rights: []Right{r.officeApp}, amount: "2000000"},
		b2Registered:      &pledge{label: "registered", bank: bank2, rights: []Right{r.pumpCombiner}, amount: "6000000"},
		b2Trademark:       &pledge{label: "registered-trademark", bank: bank2, rights: []Right{r.qingchuanGeTM}, amount: "1500000"},
		b1Applied:         &pledge{label: "applied", bank: bank1, rights: []Right{r.mems}, amount: "5000000"},
		b1AppliedTM:       &pledge{label: "applied-trademark", bank: bank1, rights: []Right{r.shennongHerbTM}, amount: "1200000"},
		b2Applied:         &pledge{label: "applied", bank: bank2, rights: []Right{r.antibody}, amount: "12000000"},
		b2AppliedSoftware: &pledge{label: "applied-software", bank: bank2, rights: []Right{r.govSoftware}, amount: "2500000"},
		b1Refused:         &pledge{label: "refused", bank: bank1, rights: []Right{r.carbonFibre}, amount: "4000000"},
		b2Refused:         &pledge{label: "refused", bank: bank2, rights: []Right{r.hotPress}, amount: "900000"},
		b1Released:        &pledge{label: "released", bank: bank1, rights: []Right{r.cutterHead}, amount: "1000000"},
		b2Released:        &pledge{label: "released", bank: bank2, rights: []Right{r.strainPatch}, amount: "800000"},
		b1Revoked:         &pledge{label: "revoked", bank: bank1, rights: []Right{r.microsphere}, amount: "7000000"},
		b2Revoked:         &pledge{label: "revoked", bank: bank2, rights: []Right{r.humiditySensor}, amount: "600000"},
		b1Deregistered:    &pledge{label: "deregistered", bank: bank1, rights: []Right{r.coolingPlate}, amount: "9000000"},
		b2Deregistered:    &pledge{label: "deregistered", bank: bank2, rights: []Right{r.seatRail}, amount: "1100000"},
		b1Defaulted:       &pledge{label: "defaulted", bank: bank1, rights: []Right{r.thermalComp}, amount: "6500000"},
		b2Defaulted:       &pledge{label: "defaulted", bank: bank2, rights: []Right{r.spindle}, amount: "1300000"},
		b1Disposed:        &pledge{label: "disposed", bank: bank1, rights: []Right{r.qingchuanTM}, amount: "2000000"},
		b2Discharged:      &pledge{label: "discharged", bank: bank2, rights: []Right{r.qingchuanTM}, amount: "1000000"},
		b2Disposed:        &pledge{label: "disposed", bank: bank2, rights: []Right{r.shennongTM}, amount: "3000000"},
		b1Discharged:      &pledge{label: "discharged", bank: bank1, rights: []Right{r.shennongTM}, amount: "1500000"},
	}
}

// regNo is a registration number in the register's style: Y + year + a 7-digit serial (invented).
func (x *run) regNo(n int) string { return fmt.Sprintf("Y%d420%07d", x.now.Year(), 1000+n) }

// pledges files every application, then the IP office registers, refuses or leaves them waiting.
// The two trademarks of the disposals carry a pledge at each bank; the first registered ranks first
// (P5, Civil Code 414).
func (x *run) pledges(ctx context.Context) error {
	x.ps = x.plan()
	ps := x.ps
	order := []*pledge{ps.b1Registered, ps.b1Package, ps.b1Trademark, ps.b1Software, ps.b2Registered, ps.b2Trademark,
		ps.b1Refused, ps.b2Refused, ps.b1Released, ps.b2Released, ps.b1Revoked, ps.b2Revoked, ps.b1Deregistered, ps.b2Deregistered,
		ps.b1Defaulted, ps.b2Defaulted, ps.b1Disposed, ps.b2Disposed}
	for _, p := range order {
		if err := x.apply(ctx, p); err != nil {
			return err
		}
	}
	n := 0
	for _, p := range order {
		if p == ps.b1Refused || p == ps.b2Refused {
			continue
		}
		n++
		if err := x.register(ctx, p, x.regNo(n)); err != nil {
			return err
		}
	}
	// The second pledges of the two trademarks rank after the first (registered above).
	for _, p := range []*pledge{ps.b2Discharged, ps.b1Discharged} {
		n++
		if err := x.apply(ctx, p); err != nil {
			return err
		}
		if err := x.register(ctx, p, x.regNo(n)); err != nil {
			return err
		}
	}
	refusals := []struct {
		p      *pledge
		reason string
		note   string
	}{
		{ps.b1Refused, "P2-incomplete", "质押合同未附出质人董事会决议，申请材料不齐全。"},
		{ps.b2Refused, "other", "质押合同约定的被担保债权数额与借款合同不一致。"},
	}
	for _, f := range refusals {
		if _, err := x.c.submit(ctx, x.actors[ipoffice], "refuse."+f.p.bank+"."+f.p.label, "POST", "/v1/pledges/"+f.p.id+"/refuse",
			map[string]any{"reasons": []string{f.reason}, "note": f.note}); err != nil {
			return err
		}
	}
	x.made("refused", ps.b1Refused, ps.b2Refused)
	// Applications left for the IP office: they are filed now, so their examination is not overdue
	// yet (P9: the ledger takes the filing time from the transaction).
	for _, p := range []*pledge{ps.b1Applied, ps.b1AppliedTM, ps.b2Applied, ps.b2AppliedSoftware} {
		if err := x.apply(ctx, p); err != nil {
			return err
		}
		var got struct {
			ExaminationDueBy string `json:"examinationDueBy"`
		}
		if err := x.c.get(ctx, x.actors[p.bank], "/v1/pledges/"+p.id, &got); err != nil {
			return err
		}
		x.rep.Applied[p.id] = got.ExaminationDueBy
	}
	x.made("applied", ps.b1Applied, ps.b1AppliedTM, ps.b2Applied, ps.b2AppliedSoftware)
	x.made("registered", ps.b1Registered, ps.b1Package, ps.b1Trademark, ps.b1Software, ps.b2Registered, ps.b2Trademark)
	x.rep.Package = ps.b1Package.id
	return nil
}

// endings: each bank releases a repaid loan's pledge; the IP office revokes an improper registration
// at each and deregisters one at the pledgor's request and one on a court's judgment (P6, P13).
func (x *run) endings(ctx context.Context) error {
	ps := x.ps
	for _, p := range []*pledge{ps.b1Released, ps.b2Released} {
		if _, err := x.c.submit(ctx, x.actors[p.bank], "release."+p.label, "POST", "/v1/pledges/"+p.id+"/release",
			map[string]any{"reason": "借款本息已全部清偿"}); err != nil {
			return err
		}
	}
	for _, p := range []*pledge{ps.b1Revoked, ps.b2Revoked} {
		if _, err := x.c.submit(ctx, x.actors[ipoffice], "revoke."+p.bank+"."+p.label, "POST", "/v1/pledges/"+p.id+"/revoke",
			map[string]any{"reason": "经核查，质押合同出质人签章系伪造，撤销该质押登记。"}); err != nil {
			return err
		}
	}
	deregs := []struct {
		p    *pledge
		body map[string]any
	}{
		{ps.b1Deregistered, map[string]any{"basis": "pledgor-request", "documentHash": hashOf("release document " + ps.b1Deregistered.label)}},
		{ps.b2Deregistered, map[string]any{"basis": "court-decision", "documentHash": hashOf("judgment " + ps.b2Deregistered.label),
			"reference": fmt.Sprintf("（%d）鄂01民初1234号", x.now.Year())}},
	}
	for _, d := range deregs {
		if _, err := x.c.submit(ctx, x.actors[ipoffice], "deregister."+d.p.bank+"."+d.p.label, "POST", "/v1/pledges/"+d.p.id+"/deregister", d.body); err != nil {
			return err
		}
	}
	x.made("released", ps.b1Released, ps.b2Released)
	x.made("revoked", ps.b1Revoked, ps.b2Revoked)
	x.made("deregistered", ps.b1Deregistered, ps.b2Deregistered)
	return nil
}

// transfers: the laser patent pledged at Bank 2 is sold through the exchange; Bank 2 consents, the
// proceeds to be held in escrow (P7), and the IP office records the new owner, who is the pledgor now.
// Two licences of rights not pledged are recorded: an exclusive one in Hubei, an ordinary one in China.
func (x *run) transfers(ctx context.Context) error {
	ps := x.ps
	ex, ipo := x.actors[exchange], x.actors[ipoffice]
	year := x.now.Year()
	t, err := x.c.submit(ctx, ex, "transfer.pump-combiner", "POST", "/v1/transfers", map[string]any{
		"assetId": x.r.pumpCombiner.ID, "kind": "assignment", "origin": "trade", "tradeRef": fmt.Sprintf("WHIPE-%d-ZR-0042", year),
		"newOwners": owners(sole(futureCity))})
	if err != nil {
		return err
	}
	if _, err := x.c.submit(ctx, x.actors[bank2], "consent.pump-combiner", "POST", "/v1/transfers/"+t.ID+"/consent",
		map[string]any{"pledgeId": ps.b2Registered.id, "proceedsUse": "escrow"}); err != nil {
		return err
	}
	if _, err := x.c.submit(ctx, ipo, "record.pump-combiner", "POST", "/v1/transfers/"+t.ID+"/record", map[string]any{}); err != nil {
		return err
	}
	x.rep.Transfer = t.ID
	licences := []struct {
		step      string
		right     Right
		licensee  Party
		kind      string
		territory []string
		filing    string
	}{
		{"licence.tool-path", x.r.toolPath, precision, "exclusive", []string{"CN-HB"}, fmt.Sprintf("%d420000123", year)},
		{"licence.cartoon", x.r.cartoon, animation, "ordinary", []string{"CN"}, fmt.Sprintf("鄂作许备-%d-0088", year)},
	}
	for _, l := range licences {
		t, err := x.c.submit(ctx, ex, l.step, "POST", "/v1/transfers", map[string]any{
			"assetId": l.right.ID, "kind": "license", "origin": "trade", "tradeRef": fmt.Sprintf("WHIPE-%d-XK-%s", year, l.right.Number[len(l.right.Number)-4:]),
			"newOwners": owners(sole(l.licensee)),
			"license": map[string]any{"type": l.kind, "termStart": fmt.Sprintf("%d-01-01", year), "termEnd": fmt.Sprintf("%d-12-31", year+4),
				"territory": l.territory, "filingNumber": l.filing}})
		if err != nil {
			return err
		}
		if _, err := x.c.submit(ctx, ipo, "record."+l.step, "POST", "/v1/transfers/"+t.ID+"/record", map[string]any{}); err != nil {
			return err
		}
		x.rep.Licences = append(x.rep.Licences, t.ID)
	}
	return nil
}

// freezes: two courts freeze the design patent of the car parts maker; the second waits (轮候查封, C1).
func (x *run) freezes(ctx context.Context) error {
	year := x.now.Year()
	for i, f := range []struct{ court, ref string }{
		{courtWuhan, fmt.Sprintf("（%d）鄂01执保217号", year)},
		{courtDonghu, fmt.Sprintf("（%d）鄂0192执保88号", year)},
	} {
		if _, err := x.c.submit(ctx, x.actors[ipoffice], fmt.Sprintf("freeze.wheel.%d", i+1), "POST", "/v1/assets/"+x.r.wheel.ID+"/freezes",
			map[string]any{"court": f.court, "ref": f.ref}); err != nil {
			return err
		}
	}
	x.rep.Frozen = x.r.wheel.ID
	return nil
}

// disposals: two borrowers default and stay so; two others' trademarks are sold at the exchange, the
// first-ranked bank paid its claim in full, the second-ranked the rest of the price (its pledge
// discharged), and the IP office records each buyer's title (P8, T1).
func (x *run) disposals(ctx context.Context) error {
	ps := x.ps
	def := func(p *pledge, claim string) error {
		_, err := x.c.submit(ctx, x.actors[p.bank], "default."+p.label, "POST", "/v1/pledges/"+p.id+"/default",
			map[string]any{"claim": map[string]any{"amount": claim, "currency": "CNY"}, "reason": "借款人逾期未偿还本息已超过90日"})
		return err
	}
	for _, d := range []struct {
		p     *pledge
		claim string
	}{{ps.b1Defaulted, "5800000.00"}, {ps.b2Defaulted, "1250000.00"}} {
		if err := def(d.p, d.claim); err != nil {
			return err
		}
	}
	x.made("defaulted", ps.b1Defaulted, ps.b2Defaulted)
	year := x.now.Year()
	sales := []struct {
		first, second      *pledge
		claim, secondClaim string
		secondShare, price string
		buyer              Party
		method, saleRef    string
	}{
		{ps.b1Disposed, ps.b2Discharged, "1850000.00", "900000.00", "450000.00", "2300000.00", hubeiIPOps, "auction", fmt.Sprintf("WHIPE-%d-PM-0107", year)},
		{ps.b2Disposed, ps.b1Discharged, "2600000.00", "1400000.00", "600000.00", "3200000.00", sanxia, "sale", fmt.Sprintf("WHIPE-%d-GP-0031", year)},
	}
	for _, s := range sales {
		if err := def(s.first, s.claim); err != nil {
			return err
		}
		if _, err := x.c.submit(ctx, x.actors[s.second.bank], "claim."+s.second.label, "POST", "/v1/pledges/"+s.second.id+"/claim",
			map[string]any{"amount": s.secondClaim, "currency": "CNY"}); err != nil {
			return err
		}
		d, err := x.c.submit(ctx, x.actors[exchange], "dispose."+s.first.bank+"."+s.first.label, "POST", "/v1/pledges/"+s.first.id+"/dispose",
			map[string]any{"buyers": owners(sole(s.buyer)), "currency": "CNY", "method": s.method, "price": s.price, "saleRef": s.saleRef,
				"surplus": "0.00", "proceeds": []map[string]any{{"pledgeId": s.first.id, "amount": s.claim}, {"pledgeId": s.second.id, "amount": s.secondShare}}})
		if err != nil {
			return err
		}
		var disposed struct {
			Disposal struct {
				TransferIDs []string `json:"transferIds"`
			} `json:"disposal"`
		}
		if err := json.Unmarshal(d.Result, &disposed); err != nil {
			return fmt.Errorf("disposal of %s: %w", s.first.id, err)
		}
		for _, t := range disposed.Disposal.TransferIDs {
			if _, err := x.c.submit(ctx, x.actors[ipoffice], "record.disposal."+t, "POST", "/v1/transfers/"+t+"/record", map[string]any{}); err != nil {
				return err
			}
		}
		x.rep.Disposals = append(x.rep.Disposals, s.first.id)
		x.made("disposed", s.first)
		x.made("discharged", s.second)
	}
	return nil
}

// count reads the ledger's pledges per status and the overdue examinations, as the regulator.
func (x *run) count(ctx context.Context) error {
	reg := x.actors[regulator]
	for _, s := range Statuses {
		l, err := x.c.listPledges(ctx, reg, "status="+s)
		if err != nil {
			return err
		}
		x.rep.Counts[s] = len(l.Items)
	}
	l, err := x.c.listPledges(ctx, reg, "overdue=true")
	if err != nil {
		return err
	}
	x.rep.Overdue = len(l.Items)
	return nil
}

// summary prints what the run made and where to look.
func (x *run) summary() {
	w, rep := x.cfg.Out, x.rep
	kinds := map[string]int{}
	for _, r := range x.r.all() {
		kinds[r.Kind]++
	}
	fmt.Fprintf(w, "\nThe demo data set is on the ledger (last block %d):\n", rep.Block)
	fmt.Fprintf(w, "  %d rights of %d invented Wuhan and Hubei parties: %d invention, %d utility-model and %d design patents, %d trademarks, %d copyrights\n",
		len(rep.Rights), len(allParties), kinds["patent-invention"], kinds["patent-utility"], kinds["patent-design"], kinds["trademark"], kinds["copyright"])
	fmt.Fprintf(w, "  pledges per status (the demo's at Bank 1 / Bank 2; the ledger's in all, GET /v1/pledges?status=):\n")
	for _, s := range Statuses {
		b1, b2 := 0, 0
		for _, id := range rep.Pledges[s] {
			if rep.Banks[id] == bank1 {
				b1++
			} else {
				b2++
			}
		}
		fmt.Fprintf(w, "    %-13s %d / %d   (ledger: %d)\n", s, b1, b2, rep.Counts[s])
	}
	fmt.Fprintf(w, "  a package of 3 rights: pledge %s; a pledged right sold with Bank 2's consent: transfer %s\n", rep.Package, rep.Transfer)
	fmt.Fprintf(w, "  licences recorded: %s; two court freezes (one in effect, one waiting): right %s\n", strings.Join(rep.Licences, ", "), rep.Frozen)
	fmt.Fprintf(w, "  disposals at the exchange: pledges %s (each discharging the other bank's lower-ranked pledge)\n", strings.Join(rep.Disposals, ", "))
	x.summaryWaiting()
	var dues []string
	for _, d := range rep.Applied {
		dues = append(dues, d)
	}
	slices.Sort(dues)
	fmt.Fprintf(w, "  overdue examinations now: %d.", rep.Overdue)
	if len(dues) > 0 {
		first, _ := time.Parse(time.RFC3339Nano, dues[0])
		fmt.Fprintf(w, " The ledger takes an application's filing time from its transaction, so the %d applications filed now\n"+
			"  for the IP office to examine become overdue only after their statutory time (P9: 2 working days for patents and trademarks,\n"+
			"  10 days for copyright): the first at %s (China time). Until then\n"+
			"  GET /v1/pledges?overdue=true&asOf=%s lists them as they will be.\n",
			len(dues), first.In(chinaTime).Format("2006-01-02 15:04"), url.QueryEscape(first.In(chinaTime).Format(time.RFC3339)))
	} else {
		fmt.Fprintln(w)
	}
	x.summaryTimes()
	fmt.Fprintf(w, "\nWhere to look: each organization's console, signed in with the API key in the file named (one key per user):\n")
	for _, org := range []string{bank1, bank2, exchange, ipoffice, regulator} {
		o, err := x.cfg.System.Org(org)
		if err != nil {
			continue
		}
		u, err := o.User(users[org])
		if err != nil {
			continue
		}
		fmt.Fprintf(w, "  %-13s %s/console/   key: %s\n", org, o.Gateway, u.APIKeyFile)
	}
	if o, err := x.cfg.System.Org(exchange); err == nil {
		fmt.Fprintf(w, "  a party's certified search extract: %s/console/parties?id=%s (%s)\n", o.Gateway, guanggu.ID, guanggu.Name)
		fmt.Fprintf(w, "  a right's title and encumbrances:  %s/console/verify?asset=%s\n", o.Gateway, x.r.qingchuanTM.ID)
	}
	fmt.Fprintf(w, "  the browser must trust each organization's CA: its gatewayCaCert in system.json (docs/console.md)\n")
}

// summaryWaiting prints the transfers, licences and changes the run left waiting or decided.
func (x *run) summaryWaiting() {
	w, rep := x.cfg.Out, x.rep
	fmt.Fprintf(w, "  transfers requested, waiting for the consent of Bank 1: %s, of Bank 2: %s (GET /v1/transfers?consentOf=<bank MSP>);\n"+
		"    consented by Bank 1, waiting for the IP office: %s; refused by the IP office: %s\n",
		rep.WaitingConsent[bank1], rep.WaitingConsent[bank2], rep.Consented, rep.RefusedTransfer)
	fmt.Fprintf(w, "  a licence request waiting for the IP office: %s; a licence terminated early: %s (right %s)\n",
		rep.LicenceRequested, rep.LicenceTerminated, rep.TerminatedRight)
	fmt.Fprintf(w, "  pledge %s has an amendment recorded, an extension refused and an amendment waiting;\n"+
		"    changes and extensions waiting for the IP office: pledges %s\n", rep.Changed, strings.Join(rep.ChangesWaiting, ", "))
}

// summaryTimes says why every record is dated today (I4).
func (x *run) summaryTimes() {
	fmt.Fprintf(x.cfg.Out, "  every record is dated now, so the dashboard's time charts show one day and its decision times about 0 days:\n"+
		"  the ledger takes each record's time from its transaction, and a peer accepts a client's time only within\n"+
		"  5 minutes of its own clock (I4), so the demo cannot date anything in the past. The charts spread out as the\n"+
		"  ledger is used over days.\n")
}
