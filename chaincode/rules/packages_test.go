package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// packageOf puts n patents of acme on the register (ImportAssets, in batches) and returns their ids.
func (e *env) packageOf(n int) []string {
	e.t.Helper()
	ids := make([]string, n)
	for start := 0; start < n; start += api.MaxImportAssets {
		var batch []api.AssetInput
		for i := start; i < min(n, start+api.MaxImportAssets); i++ {
			ids[i] = fmt.Sprintf("CN%06d", i)
			batch = append(batch, patent(ids[i]))
		}
		e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.ImportAssets(e.req(), importPayload(e.t, batch...)) }))
	}
	return ids
}

// recordKeys counts the committed keys other than request ids: a refusal under a rule writes its
// request id only (I3).
func recordKeys(e *env) int {
	n := 0
	for _, k := range e.l.Keys() {
		if !strings.HasPrefix(k, CompositeKey(keyRequest)) {
			n++
		}
	}
	return n
}

// measured runs fn as one transaction of c, like env.submit, and returns the bytes it writes to the
// public state (keys and values) and how long the rules took.
func (e *env) measured(c Caller, transient map[string][]byte, fn func(*Service) (string, error)) (string, int, time.Duration) {
	e.t.Helper()
	id := e.nextTx()
	e.l.Begin(id, e.now)
	start := time.Now()
	out, err := fn(New(e.l, Tx{ID: id, Time: e.now, Caller: c, Transient: transient}))
	took := time.Since(start)
	if err != nil {
		e.t.Fatalf("unexpected error: %v", err)
	}
	size := 0
	for k, v := range e.l.writes {
		size += len(k) + len(v)
	}
	e.l.Commit()
	e.now = e.now.Add(time.Minute)
	return out, size, took
}

// P2: a package of api.MaxPackage rights is applied for, registered (every right encumbered, with its
// rank) and released, each in one transaction.
func TestP2_PackageOf500RightsAppliedRegisteredReleased(t *testing.T) {
	if api.MaxPackage < 500 {
		t.Fatalf("MaxPackage is %d: a package must hold at least 500 rights", api.MaxPackage)
	}
	e := newEnv(t)
	ids := e.packageOf(api.MaxPackage)
	app := application(ids...)
	out, applyBytes, applyTook := e.measured(bank1, withTerms(termsA), func(s *Service) (string, error) { return s.ApplyPledge(e.req(), js(app)) })
	var p api.Pledge
	mustDecode(t, out, &p)
	if len(p.AssetIDs) != len(ids) || p.Status != api.PledgeApplied {
		t.Fatalf("applied %d rights, status %s", len(p.AssetIDs), p.Status)
	}
	out, regBytes, regTook := e.measured(examiner, nil, func(s *Service) (string, error) {
		return s.RegisterPledge(e.req(), p.ID, js(api.Registration{RegistrationNumber: "Y2025-PKG-1"}))
	})
	mustDecode(t, out, &p)
	if p.Status != api.PledgeRegistered || len(p.Ranks) != len(ids) {
		t.Fatalf("registered with %d ranks, status %s", len(p.Ranks), p.Status)
	}
	for i, id := range ids {
		if p.Ranks[i] != (api.Rank{AssetID: id, Rank: 1}) {
			t.Fatalf("rank %d: %+v", i, p.Ranks[i])
		}
		if enc := e.asset(id).Encumbrances; len(enc) != 1 || enc[0].PledgeID != p.ID || enc[0].Rank != 1 || enc[0].Status != api.PledgeRegistered {
			t.Fatalf("%s is not encumbered by the package: %+v", id, enc)
		}
	}
	var ev api.Event
	mustDecode(t, string(e.l.Events[len(e.l.Events)-1].Payload), &ev)
	if ev.Type != "PledgeRegistered" || len(ev.AssetIDs) != len(ids) {
		t.Fatalf("event %s names %d rights", ev.Type, len(ev.AssetIDs))
	}
	evBytes := len(e.l.Events[len(e.l.Events)-1].Payload)
	_, relBytes, relTook := e.measured(bank1, nil, func(s *Service) (string, error) {
		return s.ReleasePledge(e.req(), p.ID, `{"reason":"loan repaid"}`)
	})
	for _, id := range ids {
		if enc := e.asset(id).Encumbrances; len(enc) != 0 {
			t.Fatalf("%s still encumbered after the release: %+v", id, enc)
		}
	}
	if p := e.pledge(p.ID); p.Status != api.PledgeReleased {
		t.Fatalf("status %s after the release", p.Status)
	}
	t.Logf("%d rights: application payload %d B; writes: apply %d B in %v, register %d B in %v (event %d B), release %d B in %v",
		len(ids), len(js(app)), applyBytes, applyTook, regBytes, regTook, evBytes, relBytes, relTook)
}

// P2, P8: a package of api.MaxPackage rights is disposed of in one transaction: a transfer to the
// buyer is requested for every right, and no right is left encumbered.
func TestP2_PackageOf500RightsDisposed(t *testing.T) {
	e := newEnv(t)
	ids := e.packageOf(api.MaxPackage)
	p := e.pledged(bank1, "Y2025-PKG-3", ids...)
	wantCode(t, e.declareDefault(bank1, p.ID, "5000000"), "")
	out, size, took := e.measured(trader, nil, func(s *Service) (string, error) {
		return s.DisposePledge(e.req(), p.ID, js(sold("6000000", "1000000", p.ID, "5000000")))
	})
	var d api.Pledge
	mustDecode(t, out, &d)
	if d.Status != api.PledgeDisposed || len(d.Disposal.TransferIDs) != len(ids) {
		t.Fatalf("disposed %s with %d transfers", d.Status, len(d.Disposal.TransferIDs))
	}
	for _, id := range []string{ids[0], ids[250], ids[len(ids)-1]} {
		if enc := e.asset(id).Encumbrances; len(enc) != 0 {
			t.Fatalf("%s still encumbered after the disposal: %+v", id, enc)
		}
	}
	t.Logf("%d rights: disposal writes %d B in %v", len(ids), size, took)
}

// P2, P4: one refused right refuses the whole package, at filing and at registration, and nothing of
// it is written.
func TestP2_OneRefusedRightRefusesTheWholePackage(t *testing.T) {
	e := newEnv(t)
	ids := e.packageOf(api.MaxPackage)
	e.freeze(ids[377], "Wuhan Intermediate People's Court", "(2025)E01ZB7")
	before := recordKeys(e)
	_, err := e.apply(bank1, application(ids...))
	wantCode(t, err, "P4", "frozen")
	if re, _ := api.AsError(err); re.Details["assetId"] != ids[377] {
		t.Fatalf("refusal names %q, want %s", re.Details["assetId"], ids[377])
	}
	if recordKeys(e) != before {
		t.Fatal("a refused package wrote more than its request id")
	}
	// Filed while every right is pledgeable; one right lapses before the examination.
	e.lift(ids[377], 1, "(2025)E01ZB7-1")
	p, err := e.apply(bank1, application(ids...))
	wantCode(t, err, "")
	e.update(ids[499], `{"legalStatus":"lapsed"}`)
	_, err = e.registerPledge(p.ID, "Y2025-PKG-2")
	wantCode(t, err, "P4", "not-valid")
	for _, id := range []string{ids[0], ids[250], ids[498]} {
		if enc := e.asset(id).Encumbrances; len(enc) != 0 {
			t.Fatalf("%s encumbered by a refused registration", id)
		}
	}
	if got := e.pledge(p.ID); got.Status != api.PledgeApplied || len(got.Ranks) != 0 {
		t.Fatalf("pledge after a refused registration: %s, %d ranks", got.Status, len(got.Ranks))
	}
	_, err = e.apply(bank1, application(append(ids, "CN-ONE-TOO-MANY")...))
	wantCode(t, err, api.CodeInvalidArgument, "assetIds")
}

// P4: a right of the package that is not on the register refuses the application under P4, naming the
// right and its index in assetIds (not a bare NOT_FOUND).
func TestP4_UnknownRightInAPackageIsRefusedNamingIt(t *testing.T) {
	e := newEnv(t)
	ids := e.packageOf(30)
	for _, tc := range []struct {
		ids   []string
		index int
	}{
		{[]string{"CN-NOPE"}, 0},
		{append(slices.Clone(ids[:12]), "CN-NOPE", ids[12]), 12},
		{append(slices.Clone(ids), "CN-NOPE"), 30},
	} {
		before := recordKeys(e)
		_, err := e.apply(bank1, application(tc.ids...))
		wantCode(t, err, "P4", "not-registered")
		re, _ := api.AsError(err)
		if re.Details["assetId"] != "CN-NOPE" || re.Details["index"] != strconv.Itoa(tc.index) {
			t.Fatalf("details %v, want assetId CN-NOPE at index %d", re.Details, tc.index)
		}
		if recordKeys(e) != before {
			t.Fatal("a refused application wrote more than its request id")
		}
	}
}

// scanCounter counts the scans of the ledger beneath the rules.
type scanCounter struct {
	Ledger
	scans int
}

func (c *scanCounter) Scan(objectType string, attrs []string) ([]string, error) {
	c.scans++
	return c.Ledger.Scan(objectType, attrs)
}

// P4: a package of many marks of one family scans that family once, not once per mark, and still
// finds the member left out.
func TestP4_SimilarMarksOfALargePackageScanEachFamilyOnce(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 200 {
		tm := trademark(fmt.Sprintf("TM%04d", i), "acme-big", 9)
		e.register(tm)
		ids = append(ids, tm.ID)
	}
	run := func(ids []string) (int, error) {
		c := &scanCounter{Ledger: e.l}
		id := e.nextTx()
		e.l.Begin(id, e.now)
		defer e.l.Begin("", time.Time{})
		_, err := New(c, Tx{ID: id, Time: e.now, Caller: bank1, Transient: withTerms(termsA)}).ApplyPledge(e.req(), js(application(ids...)))
		return c.scans, err
	}
	scans, err := run(ids)
	wantCode(t, err, "")
	if scans != 1 {
		t.Fatalf("%d scans of one family for %d marks, want 1", scans, len(ids))
	}
	_, err = run(ids[1:])
	wantCode(t, err, "P4", "similar-marks-missing")
}

// P2: the largest application the rules accept (api.MaxPackage rights with ids of the longest form,
// the most pledgors with the longest names in Chinese) and the largest terms fit the chaincode's
// payload limit, so no package is refused for its size before the rules run.
func TestP2_LargestApplicationFitsThePayloadLimit(t *testing.T) {
	app := application()
	for i := range api.MaxPackage {
		app.AssetIDs = append(app.AssetIDs, fmt.Sprintf("%064d", i))
	}
	app.Pledgors = nil
	for i := range 20 {
		app.Pledgors = append(app.Pledgors, api.Party{ID: fmt.Sprintf("P%063d", i), Name: strings.Repeat("湖", 200)})
	}
	app.PledgeeName = strings.Repeat("银", 200)
	payload := js(app)
	if _, err := ParsePledgeApplication(payload); err != nil {
		t.Fatalf("the largest application is refused: %v", err)
	}
	terms := termsA
	terms.Scope, terms.Conditions = strings.Repeat("范", 1000), strings.Repeat("条", 4000)
	terms.Valuation = &api.Valuation{Appraiser: strings.Repeat("评", 200), ReportHash: hashA, Value: "999999999999999.99"}
	terms.Salt = "8b67265d1122c263c03ef6eef6f03f06d41fb43999e90e13dce62283bbfef906" +
		"13fb7d81c187a698f6fbc1fbd8982b5dcd8b41d5b18c9884a013995e02d0024f"
	if _, err := ParseTerms([]byte(js(terms))); err != nil {
		t.Fatalf("the largest terms are refused: %v", err)
	}
	if len(payload) > MaxPayloadBytes || len(js(terms)) > MaxPayloadBytes {
		t.Fatalf("application %d B, terms %d B: more than the %d B a payload may hold", len(payload), len(js(terms)), MaxPayloadBytes)
	}
	t.Logf("largest application %d B, largest terms %d B (limit %d B)", len(payload), len(js(terms)), MaxPayloadBytes)
}
