//go:build integration

package chaincodetest

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
)

// tally counts outcomes by kind, for the log.
func tally(outs []outcome) string {
	counts := map[string]int{}
	for _, o := range outs {
		counts[o.Call.Fn+" "+describe(o)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d× %s", counts[k], k)
	}
	return strings.Join(parts, ", ")
}

// lostRace says whether a submission lost a race as it should: refused by a domain rule (409; a
// decision, committed under its request id), refused at endorsement because its endorsers disagreed
// (one had the winner's block, the other not yet: nothing ordered), or ordered and then invalidated by
// the peers. Invalidated how depends on where it was
// ordered. In a later block than the winner: MVCC_READ_CONFLICT (or PHANTOM_READ_CONFLICT). In the
// same block as an earlier submission of the race: ENDORSEMENT_POLICY_FAILURE, because the chaincode
// sets the key-level endorsement policy on every write, and Fabric's validator refuses a transaction
// that writes a key whose validation parameter an earlier transaction of its block has set
// (statebased.ValidationParameterUpdatedError), before MVCC is checked. perBlock counts the race's
// submissions in each block.
func lostRace(o outcome, perBlock map[uint64]int, rulesAllowed ...api.Code) bool {
	switch {
	case o.Refusal != nil:
		return o.Refusal.Code.IsRule() && slices.Contains(rulesAllowed, o.Refusal.Code)
	case o.Err != nil:
		// The endorsers disagreed: one had committed the winner's block and answered the kept refusal
		// (a successful response, I3), the other had not. Nothing was ordered; it lost the race.
		return strings.Contains(errorDetails(o.Err), "ProposalResponsePayloads do not match")
	case o.Code == "MVCC_READ_CONFLICT" || o.Code == "PHANTOM_READ_CONFLICT":
		return true
	default:
		return o.Code == "ENDORSEMENT_POLICY_FAILURE" && perBlock[o.Block] > 1
	}
}

// perBlock counts the outcomes ordered into each block.
func perBlock(outs []outcome) map[uint64]int {
	m := map[uint64]int{}
	for _, o := range outs {
		if o.Block > 0 {
			m[o.Block]++
		}
	}
	return m
}

// TestT3_FiftyConflictingSubmissionsOnOnePatentOneWinner races, on one patent, the registration of 25
// pending applications (filed concurrently by Bank1 and Bank2, which P5 allows as applications) against
// the recording of 25 requested transfers of the same patent to different buyers. Every one of the 50
// reads and writes the patent, so exactly one may commit (T3, P5): the others are refused at
// endorsement by a rule or invalidated by the peers (see lostRace). The patent ends with either one
// active pledge and its owner, or no pledge and the winning transfer's buyer. The losers then retry
// and are refused by a rule.
func TestT3_FiftyConflictingSubmissionsOnOnePatentOneWinner(t *testing.T) {
	const applications, transfers = 25, 25
	n := connect(t)
	begin := time.Now()
	run := runID()
	asset := "T3-" + run
	req := func(s string, i int) string { return fmt.Sprintf("t3-%s-%s-%d", run, s, i) }

	n.commitAll("register the contested patent", []call{{MSP: string(api.MSPIPOffice), User: "examiner1", Fn: api.RegisterAsset.Name,
		Args: []string{req("asset", 0), patentJSON(t, asset)}, Endorsers: []string{string(api.MSPIPOffice), string(api.MSPExchange)}}})

	var setup []call
	for i := range applications {
		bank, name := api.MSPBank1, "Bank One Wuhan"
		if i%2 == 1 {
			bank, name = api.MSPBank2, "Bank Two Wuhan"
		}
		setup = append(setup, call{MSP: string(bank), User: "officer1", Fn: api.ApplyPledge.Name, Args: []string{req("apply", i), applicationJSON(t, name, asset)},
			Endorsers: []string{string(api.MSPIPOffice), string(bank)}, Transient: termsTransient(t)})
	}
	for i := range transfers {
		setup = append(setup, call{MSP: string(api.MSPExchange), User: "trader1", Fn: api.RequestTransfer.Name,
			Args:      []string{req("transfer", i), tradeJSON(t, asset, fmt.Sprintf("BUYER-%s-%d", run, i), fmt.Sprintf("WHIPE-%s-%d", run, i))},
			Endorsers: []string{string(api.MSPIPOffice), string(api.MSPExchange)}})
	}
	out := n.commitAll(fmt.Sprintf("%d concurrent applications (Bank1 and Bank2) and %d transfer requests", applications, transfers), setup)

	// Registrations and recordings alternate, so neither kind starts first.
	var race []call
	pledgeeOf, buyerOf := map[string]string{}, map[string]api.Owner{}
	for i := range max(applications, transfers) {
		if i < applications {
			p := pledgeOf(t, out[i])
			pledgeeOf[p.ID] = string(p.Pledgee.MSP)
			race = append(race, call{MSP: string(api.MSPIPOffice), User: "examiner1", Fn: api.RegisterPledge.Name,
				Args:      []string{req("register", i), p.ID, fmt.Sprintf(`{"registrationNumber":"T3R%s%d"}`, run, i)},
				Endorsers: []string{string(api.MSPIPOffice), string(p.Pledgee.MSP)}})
		}
		if i < transfers {
			tr := transferOf(t, out[applications+i])
			buyerOf[tr.ID] = tr.NewOwners[0]
			race = append(race, call{MSP: string(api.MSPIPOffice), User: "admin", Fn: api.RecordTransfer.Name,
				Args: []string{req("record", i), tr.ID, "{}"}, Endorsers: []string{string(api.MSPIPOffice), string(api.MSPExchange)}})
		}
	}

	raceStart := time.Now()
	outs := n.race(race)
	raceTook := time.Since(raceStart)
	var winners []outcome
	blocks := perBlock(outs)
	for _, o := range outs {
		switch {
		case o.valid():
			winners = append(winners, o)
		case !lostRace(o, blocks, "P1", "P5", "T2", "T3"):
			t.Errorf("%s %v: neither won nor lost the race as it should: %s", o.Call.Fn, o.Call.Args[1], describe(o))
		}
	}
	t.Logf("race of %d on %s in %v, ordered into %d block(s): %s", len(race), asset, raceTook.Round(time.Millisecond), len(blocks), tally(outs))
	if len(winners) != 1 {
		t.Fatalf("%d submissions committed valid, want exactly 1", len(winners))
	}
	w := winners[0]
	n.waitAll(outs)

	// The final state, read back from the ledger: one change of the patent, the winner's.
	var a api.Asset
	n.evaluate(string(api.MSPRegulator), "auditor1", &a, api.GetAsset.Name, asset)
	var list struct {
		Items []api.Pledge `json:"items"`
	}
	n.evaluate(string(api.MSPRegulator), "auditor1", &list, api.ListPledgesByAsset.Name, asset, "100", "")
	status := map[string]int{}
	for _, p := range list.Items {
		status[string(p.Status)]++
	}
	recorded := 0
	for id := range buyerOf {
		var tr api.Transfer
		n.evaluate(string(api.MSPRegulator), "auditor1", &tr, api.GetTransfer.Name, id)
		if tr.Status == api.TransferRecorded {
			recorded++
		}
	}
	winnerID := w.Call.Args[1]
	switch w.Call.Fn {
	case api.RegisterPledge.Name:
		if len(a.Encumbrances) != 1 || a.Encumbrances[0].PledgeID != winnerID || a.Owners[0].ID != ownerID ||
			status[string(api.PledgeRegistered)] != 1 || recorded != 0 {
			t.Fatalf("after pledge %s won: encumbrances %+v owners %+v pledges %v recorded transfers %d", winnerID, a.Encumbrances, a.Owners, status, recorded)
		}
		t.Logf("winner: RegisterPledge of %s (pledgee %s, tx %.12s…, block %d); the patent has 1 active pledge, owner %s unchanged, 0 of %d transfers recorded, pledges by status %v",
			winnerID, pledgeeOf[winnerID], w.TxID, w.Block, a.Owners[0].ID, transfers, status)
	case api.RecordTransfer.Name:
		if len(a.Encumbrances) != 0 || len(a.Owners) != 1 || a.Owners[0] != buyerOf[winnerID] || a.TitleTxID != w.TxID ||
			status[string(api.PledgeRegistered)] != 0 || recorded != 1 {
			t.Fatalf("after transfer %s won: encumbrances %+v owners %+v pledges %v recorded transfers %d", winnerID, a.Encumbrances, a.Owners, status, recorded)
		}
		t.Logf("winner: RecordTransfer of %s (tx %.12s…, block %d); the patent now belongs to %s, 1 of %d transfers recorded, no pledge registered, pledges by status %v",
			winnerID, w.TxID, w.Block, a.Owners[0].ID, transfers, status)
	}
	if len(list.Items) != applications {
		t.Errorf("%d pledges on the patent, want the %d applications", len(list.Items), applications)
	}

	// The losers retry with their request ids (a submission that did not commit stored nothing): now
	// they run against the winner's state, and a rule refuses every one at endorsement.
	var retry []call
	for _, o := range outs {
		if !o.valid() {
			retry = append(retry, o.Call)
		}
	}
	again := n.race(retry)
	for _, o := range again {
		if o.Refusal == nil || !o.Refusal.Code.IsRule() {
			t.Errorf("retry of %s %s after the race: %s", o.Call.Fn, o.Call.Args[1], describe(o))
		}
	}
	t.Logf("the %d losers retried: %s", len(retry), tally(again))
	t.Logf("T3: %d conflicting submissions, 1 committed, %d lost; total %v", len(race), len(race)-1, time.Since(begin).Round(time.Millisecond))
}

// TestI3_OneRequestIDTwentyTimesAtOnceOneRecord submits one ApplyPledge with one request id 20 times
// at once, then 5 times more once the first has committed. The ledger holds exactly one pledge; every
// repeat that commits returns the first outcome byte for byte and writes nothing; the others lose to
// the first at validation, because they all read and write the request id's key (I3; see lostRace).
func TestI3_OneRequestIDTwentyTimesAtOnceOneRecord(t *testing.T) {
	const burst, later = 20, 5
	n := connect(t)
	begin := time.Now()
	run := runID()
	asset := "I3-" + run
	n.commitAll("register a patent", []call{{MSP: string(api.MSPIPOffice), User: "examiner1", Fn: api.RegisterAsset.Name,
		Args: []string{"i3-" + run + "-asset", patentJSON(t, asset)}, Endorsers: []string{string(api.MSPIPOffice), string(api.MSPExchange)}}})

	requestID := "i3-" + run + "-apply"
	apply := call{MSP: string(api.MSPBank2), User: "officer1", Fn: api.ApplyPledge.Name, Args: []string{requestID, applicationJSON(t, "Bank Two Wuhan", asset)},
		Endorsers: []string{string(api.MSPIPOffice), string(api.MSPBank2)}, Transient: termsTransient(t)}
	calls := make([]call, burst)
	for i := range calls {
		calls[i] = apply
	}
	outs := n.race(calls)
	n.waitAll(outs)
	var first []byte
	var valid, conflicts int
	blocks := perBlock(outs)
	for _, o := range outs {
		switch {
		case o.valid():
			valid++
			if first == nil {
				first = o.Result
			} else if !bytes.Equal(o.Result, first) {
				t.Errorf("two committed submissions of one request id answered differently:\n%s\n%s", first, o.Result)
			}
		case lostRace(o, blocks):
			conflicts++
		default:
			t.Errorf("submission of the repeated request id: %s", describe(o))
		}
	}
	t.Logf("%d submissions of request id %s at once: %s", burst, requestID, tally(outs))
	if valid < 1 {
		t.Fatal("no submission committed")
	}
	p := pledgeOf(t, first)

	// Once the first has committed, every repeat (the same arguments and terms) returns it and writes
	// nothing.
	again := n.race(calls[:later])
	n.waitAll(again)
	for _, o := range again {
		if !o.valid() || !bytes.Equal(o.Result, first) {
			t.Errorf("repeat after the commit: %s, answer %s, want the first outcome %s", describe(o), o.Result, first)
		}
	}
	t.Logf("%d repeats after the commit: %s, each answering pledge %s byte for byte", later, tally(again), p.ID)

	// The ledger: one pledge, made by the request id; the same id with other arguments is refused (I3).
	var list struct {
		Count int          `json:"count"`
		Items []api.Pledge `json:"items"`
	}
	n.evaluate(string(api.MSPRegulator), "auditor1", &list, api.ListPledgesByAsset.Name, asset, "100", "")
	if len(list.Items) != 1 || list.Items[0].ID != p.ID || list.Items[0].LastChange.RequestID != requestID || list.Items[0].Version != 1 {
		t.Fatalf("pledges on %s after %d submissions of one request id: %+v", asset, burst+later, list.Items)
	}
	other := apply
	other.Args = []string{requestID, applicationJSON(t, "Another name", asset)}
	prop, err := n.contract(other.MSP, other.User).NewProposal(other.Fn, other.options()...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = prop.Endorse()
	if e, ok := api.ParseError(errorDetails(err)); !ok || e.Code != "I3" || e.Details["firstTxId"] != p.LastChange.TxID {
		t.Fatalf("the request id with other arguments: %v", errorDetails(err))
	}
	// The private terms are part of the request too: other terms (a new salt is enough) are refused.
	otherTerms := apply
	otherTerms.Transient = termsTransient(t)
	prop, err = n.contract(otherTerms.MSP, otherTerms.User).NewProposal(otherTerms.Fn, otherTerms.options()...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = prop.Endorse()
	if e, ok := api.ParseError(errorDetails(err)); !ok || e.Code != "I3" {
		t.Fatalf("the request id with other private terms: %v", errorDetails(err))
	}
	t.Logf("I3: %d submissions of one request id -> %d pledge on the ledger (%s, tx %.12s…); %d committed valid (1 wrote, the others answered the first outcome), %d lost at validation; same id with other arguments refused I3; total %v",
		burst+later, len(list.Items), p.ID, p.LastChange.TxID, valid+later, conflicts, time.Since(begin).Round(time.Millisecond))
}
