package contract

import (
	"encoding/json"
	"fmt"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/statebased"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/chaincode/rules"
	"google.golang.org/protobuf/proto"
)

type harness struct {
	t   *testing.T
	w   *world
	ids map[string][]byte
	// last is the stub of the last transaction invoked.
	last *fakeStub
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, w: newWorld(), ids: map[string][]byte{
		"examiner": creator(t, string(api.MSPIPOffice), "examiner1", string(api.RoleExaminer)),
		"bank1":    creator(t, string(api.MSPBank1), "officer1", string(api.RoleLoanOfficer)),
		"bank2":    creator(t, string(api.MSPBank2), "officer1", string(api.RoleLoanOfficer)),
		"trader":   creator(t, string(api.MSPExchange), "trader1", string(api.RoleTrader)),
		"auditor":  creator(t, string(api.MSPRegulator), "auditor1", string(api.RoleAuditor)),
		"peer":     creator(t, string(api.MSPBank1), "peer0", ""),
	}}
	return h
}

// invoke runs one transaction through the real contractapi chaincode and commits it when it succeeds.
func (h *harness) invoke(who string, transient map[string][]byte, fn string, args ...string) *peer.Response {
	h.t.Helper()
	cc, err := NewChaincode()
	if err != nil {
		h.t.Fatal(err)
	}
	stub := h.w.stub(h.ids[who], transient, fn, args...)
	h.last = stub
	resp := cc.Invoke(stub)
	// The shim sends the write batch after the function, and answers the peer's refusal of it.
	if err := stub.FinishWriteBatch(); err != nil {
		resp = shim.Error(err.Error())
	}
	if resp.GetStatus() == 200 {
		stub.commit()
	}
	return resp
}

func (h *harness) ok(who string, transient map[string][]byte, fn string, args ...string) string {
	h.t.Helper()
	resp := h.invoke(who, transient, fn, args...)
	if resp.GetStatus() != 200 {
		h.t.Fatalf("%s by %s: %d %s", fn, who, resp.GetStatus(), resp.GetMessage())
	}
	if slices.Contains(api.ReadOnlyNames(), fn) {
		return string(resp.GetPayload())
	}
	o, ok := api.ParseOutcome(resp.GetPayload())
	if !ok || o.Refusal != nil {
		h.t.Fatalf("%s by %s: not a result: %s", fn, who, resp.GetPayload())
	}
	return string(o.Result)
}

func (h *harness) refused(who string, transient map[string][]byte, code api.Code, fn string, args ...string) {
	h.t.Helper()
	_ = h.refusal(who, transient, code, fn, args...)
}

// refusal checks that a transaction is refused with code and returns the parsed error.
func (h *harness) refusal(who string, transient map[string][]byte, code api.Code, fn string, args ...string) *api.Error {
	h.t.Helper()
	resp := h.invoke(who, transient, fn, args...)
	e, ok := api.ParseError(resp.GetMessage())
	if o, decided := api.ParseOutcome(resp.GetPayload()); resp.GetStatus() == 200 && decided && o.Refusal != nil {
		// A refusal under a rule is a decision, answered as a successful response and kept (I3).
		e, ok = o.Refusal, code.IsRule()
	} else if resp.GetStatus() == 200 || code.IsRule() && code != "I3" {
		ok = false
	}
	if !ok || e.Code != code {
		h.t.Fatalf("%s by %s: want %s, got %d %s", fn, who, code, resp.GetStatus(), resp.GetMessage())
	}
	return e
}

const patentP1 = `{"applicationDate":"2020-01-10","expiryDate":"2040-01-10","feesPaidThrough":"2026-01-10","grantDate":"2022-06-01","id":"P1","kind":"patent-invention","number":"ZL202010012345.6","owners":[{"id":"ACME","name":"Acme Optics","share":10000}],"title":"Lens"}`

func terms() map[string][]byte {
	return map[string][]byte{"terms": []byte(`{"amount":"5000000.00","currency":"CNY","interestRate":"3.85","salt":"` +
		"51b1c722f69660b5148747daf3aa9274" + `","scope":"principal and interest"}`)}
}

func application() string {
	return `{"assetIds":["P1"],"contractHash":"` + strings.Repeat("c", 64) + `","debtKind":"loan","debtTermEnd":"2027-03-01","debtTermStart":"2025-03-01","pledgeeName":"Bank One","pledgors":[{"id":"ACME","name":"Acme Optics"}]}`
}

func TestContractPingAndRegisterAsset(t *testing.T) {
	h := newHarness(t)
	if got := h.ok("peer", nil, "Ping"); got != rules.Version {
		t.Fatalf("Ping = %q", got)
	}
	out := h.ok("examiner", nil, "RegisterAsset", "req-1", patentP1)
	var a api.Asset
	if err := json.Unmarshal([]byte(out), &a); err != nil || a.ID != "P1" || a.LastChange.MSP != api.MSPIPOffice ||
		!strings.HasPrefix(a.LastChange.Submitter, "x509::CN=examiner1") {
		t.Fatalf("asset %s (%v)", out, err)
	}
	if again := h.ok("examiner", nil, "RegisterAsset", "req-1", patentP1); again != out {
		t.Fatalf("repeat returned %s", again)
	}
	if len(h.w.events) != 1 || h.w.events[0].EventName != "AssetRegistered" {
		t.Fatalf("events %v", h.w.events)
	}
	var ev api.Event
	if err := json.Unmarshal(h.w.events[0].Payload, &ev); err != nil || ev.ID != "P1" || ev.MSP != api.MSPIPOffice || ev.TxID == "" {
		t.Fatalf("event %s", h.w.events[0].Payload)
	}
	e := h.refusal("bank1", nil, api.CodeForbidden, "RegisterAsset", "req-2", patentP1)
	if e.Details["rule"] != "A1" {
		t.Fatalf("forbidden: %+v", e)
	}
	h.refused("peer", nil, api.CodeForbidden, "GetAsset", "P1")
	h.refused("auditor", nil, api.CodeForbidden, "RegisterAsset", "req-3", patentP1)
	h.refused("examiner", nil, api.CodeInvalidArgument, "RegisterAsset", "req-4", `{"id":"P2","extra":1}`)
	h.refused("examiner", nil, api.CodeMalformed, "NoSuchTransaction")
	// The key-level policy the contract sets is a valid Fabric policy naming the IP office and the others.
	key := rules.CompositeKey("asset", "P1")
	ep, err := statebased.NewStateEP(h.w.policies[key])
	if err != nil {
		t.Fatal(err)
	}
	if orgs := ep.ListOrgs(); len(orgs) != 5 || !slices.Contains(orgs, string(api.MSPIPOffice)) {
		t.Fatalf("policy orgs %v", orgs)
	}
}

func TestContractPledgeLifecycleAcrossOrganizations(t *testing.T) {
	h := newHarness(t)
	h.ok("examiner", nil, "RegisterAsset", "a1", patentP1)
	h.refused("bank1", nil, api.CodeInvalidArgument, "ApplyPledge", "p0", application()) // no transient terms
	var p api.Pledge
	if err := json.Unmarshal([]byte(h.ok("bank1", terms(), "ApplyPledge", "p1", application())), &p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(h.w.events[len(h.w.events)-1].Payload), "5000000") {
		t.Fatal("event carries private terms")
	}
	h.ok("examiner", nil, "RegisterPledge", "p2", p.ID, `{"registrationNumber":"Y2025980000001"}`)
	// The pledge key needs the IP office and the pledgee bank.
	ep, err := statebased.NewStateEP(h.w.policies[rules.CompositeKey("pledge", p.ID)])
	if err != nil {
		t.Fatal(err)
	}
	if orgs := ep.ListOrgs(); len(orgs) != 2 || !slices.Contains(orgs, string(api.MSPBank1)) {
		t.Fatalf("pledge policy orgs %v", orgs)
	}
	e := h.refusal("bank2", terms(), "P5", "ApplyPledge", "q1", application())
	if e.Details["reason"] != "patent-already-pledged" {
		t.Fatalf("P5 refusal: %+v", e)
	}
	// The refusal was committed under its request id: a repeat answers it as a replay of that transaction.
	first, _ := api.ParseOutcome(h.invoke("bank2", terms(), "ApplyPledge", "q1", application()).GetPayload())
	again := h.invoke("bank2", terms(), "ApplyPledge", "q1", application())
	if o, ok := api.ParseOutcome(again.GetPayload()); again.GetStatus() != 200 || !ok || !o.Replay || o.TxID != first.TxID ||
		o.Refusal == nil || o.Refusal.Code != "P5" {
		t.Fatalf("repeat of a refusal: %d %s (first %+v)", again.GetStatus(), again.GetPayload(), first)
	}
	if v := h.terms("bank1", p.ID); !v.Verified {
		t.Fatalf("terms %+v", v)
	}
	h.refused("trader", nil, api.CodeForbidden, "GetPledgeTerms", p.ID)
	var filed api.Pledge
	if err := json.Unmarshal([]byte(h.ok("bank1", nil, "ExtendPledge", "p3", p.ID, `{"debtTermEnd":"2028-01-01"}`)), &filed); err != nil {
		t.Fatal(err)
	}
	h.ok("examiner", nil, "RecordPledgeChange", "p3r", p.ID, filed.PendingChangeID, "{}")
	if err := json.Unmarshal([]byte(h.ok("bank1", terms(), "AmendPledge", "p4", p.ID, `{"pledgeeName":"Bank One Hubei"}`)), &filed); err != nil {
		t.Fatal(err)
	}
	// The IP office reads the filed terms to record them: it is a member of the pledgee's collection.
	h.ok("examiner", nil, "RecordPledgeChange", "p4r", p.ID, filed.PendingChangeID, "{}")
	var tr api.Transfer
	if err := json.Unmarshal([]byte(h.ok("trader", nil, "RequestTransfer", "t1",
		`{"assetId":"P1","kind":"assignment","newOwners":[{"id":"BUYER","name":"Buyer","share":10000}],"origin":"trade","tradeRef":"W-1"}`)), &tr); err != nil {
		t.Fatal(err)
	}
	h.refused("examiner", nil, "T2", "RecordTransfer", "t2", tr.ID, "{}")
	h.ok("bank1", nil, "ConsentToTransfer", "t3", tr.ID, `{"pledgeId":"`+p.ID+`","proceedsUse":"early-repayment"}`)
	h.ok("examiner", nil, "RecordTransfer", "t4", tr.ID, "{}")
	h.ok("bank1", nil, "DeclareDefault", "p5", p.ID, `{"reason":"missed payments","claim":{"amount":"90","currency":"CNY"}}`)
	h.ok("trader", nil, "DisposePledge", "p6", p.ID, `{"buyers":[{"id":"B2","name":"Second Buyer","share":10000}],"currency":"CNY","method":"auction","price":"100","proceeds":[{"pledgeId":"`+p.ID+`","amount":"90"}],"saleRef":"AUC-1","surplus":"10"}`)

	for _, q := range [][]string{
		{"GetAsset", "P1"}, {"GetAssetHistory", "P1"}, {"GetStatement", "P1"}, {"GetPledge", p.ID}, {"GetPledgeHistory", p.ID},
		{"GetTransfer", tr.ID}, {"GetTransferHistory", tr.ID}, {"ListPledgesByAsset", "P1", "10", ""},
		{"ListPledgesByPledgee", string(api.MSPBank1), "0", ""}, {"ListPledgesByStatus", string(api.PledgeDisposed), "1", ""},
		{"ListOverdueExaminations", "", "0", ""},
	} {
		h.ok("auditor", nil, q[0], q[1:]...)
	}
	var hist api.History
	if err := json.Unmarshal([]byte(h.ok("trader", nil, "GetAssetHistory", "P1")), &hist); err != nil {
		t.Fatal(err)
	}
	if hist.Items[0].Action != "AssetRegistered" || hist.Items[0].MSP != api.MSPIPOffice ||
		hist.Items[len(hist.Items)-1].Action != "PledgeDisposed:"+p.ID {
		t.Fatalf("history order or content: %+v", hist.Items)
	}
	var page api.PledgePage
	if err := json.Unmarshal([]byte(h.ok("trader", nil, "ListPledgesByStatus", string(api.PledgeDisposed), "1", "")), &page); err != nil {
		t.Fatal(err)
	}
	if page.Count != 1 || page.Bookmark == "" { // a full page: the peer's bookmark is kept
		t.Fatalf("page %+v", page)
	}
	if err := json.Unmarshal([]byte(h.ok("trader", nil, "ListPledgesByStatus", string(api.PledgeDisposed), "1", page.Bookmark)), &page); err != nil {
		t.Fatal(err)
	}
	if page.Count != 0 || page.Bookmark != "" { // a short page is the last
		t.Fatalf("last page %+v", page)
	}
	resp := h.invoke("trader", nil, "ListPledgesByStatus", string(api.PledgeDisposed), "many", "")
	if resp.GetStatus() == 200 {
		t.Fatalf("a non-numeric page size was accepted")
	}
	types := []string{}
	for _, e := range h.w.events {
		types = append(types, e.EventName)
	}
	want := []string{"AssetRegistered", "PledgeApplied", "PledgeRegistered", "PledgeChangeFiled", "PledgeChangeRecorded",
		"PledgeChangeFiled", "PledgeChangeRecorded", "TransferRequested",
		"TransferConsented", "TransferRecorded", "PledgeDefaulted", "PledgeDisposed"}
	if !slices.Equal(types, want) {
		t.Fatalf("events %v", types)
	}
}

// A submission batches its writes: the shim sends them to the peer at its end instead of one round
// trip each (an ImportAssets of 100 rights writes some 1,500 keys and their policies).
func TestContract_SubmissionsBatchTheirWrites(t *testing.T) {
	h := newHarness(t)
	h.ok("examiner", nil, "RegisterAsset", "req-1", patentP1)
	if !h.last.batched || h.last.unbatched != 0 || len(h.last.writes) < 3 {
		t.Fatalf("RegisterAsset: batched %v, %d writes outside the batch, %d in all", h.last.batched, h.last.unbatched, len(h.last.writes))
	}
	// A private write sends the batch at once (so that a collection the definition lacks refuses it
	// there); the public writes after it are batched again.
	h.ok("bank1", terms(), "ApplyPledge", "p1", application())
	if len(h.w.private) == 0 || h.last.unbatched != 0 || len(h.last.writes) < 3 {
		t.Fatalf("ApplyPledge: %d collections written, %d public writes outside the batch, %d in all", len(h.w.private), h.last.unbatched, len(h.last.writes))
	}
}

// A write batch the peer refuses (sent at the end of a submission) is answered in the error JSON, as
// INTERNAL naming the cause, and nothing is written.
func TestContract_ARefusedWriteBatchIsAnsweredInTheErrorJSON(t *testing.T) {
	h := newHarness(t)
	h.w.refuseBatch = "invalid key"
	e := h.refusal("examiner", nil, api.CodeInternal, "RegisterAsset", "req-1", patentP1)
	if e.Details["op"] != "send the write batch" || !strings.Contains(e.Details["cause"], "invalid key") || len(h.w.state) != 0 {
		t.Fatalf("refusal %+v; %d keys written", e, len(h.w.state))
	}
}

func TestSignaturePolicy(t *testing.T) {
	b, err := SignaturePolicy(api.RightEndorsement)
	if err != nil {
		t.Fatal(err)
	}
	var env common.SignaturePolicyEnvelope
	if err := proto.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	top := env.GetRule().GetNOutOf()
	if top.GetN() != 2 || len(top.GetRules()) != 2 || top.GetRules()[0].GetSignedBy() != 0 ||
		top.GetRules()[1].GetNOutOf().GetN() != 1 || len(top.GetRules()[1].GetNOutOf().GetRules()) != 4 || len(env.GetIdentities()) != 5 {
		t.Fatalf("policy %v", &env)
	}
	again, _ := SignaturePolicy(api.RightEndorsement)
	if string(again) != string(b) {
		t.Fatal("policy bytes are not deterministic")
	}
	if _, err := SignaturePolicy(api.Endorsement{}); err == nil {
		t.Fatal("empty policy accepted")
	}
	pb, _ := SignaturePolicy(api.PledgeEndorsement(api.MSPBank2))
	if err := proto.Unmarshal(pb, &env); err != nil || env.GetRule().GetNOutOf().GetN() != 2 || len(env.GetIdentities()) != 2 {
		t.Fatalf("pledge policy %v", &env)
	}
}

// TestContractALaterBankFilesThroughTheStub: Bank3MSP, which no line of the code names, files a pledge
// through the real contract; its terms go to termsBank3MSP and its pledge's keys carry its own policy.
// HubeiBank4MSP, whose collection the definition lacks, is refused under P1 (no-terms-collection) as a
// kept decision, not an internal error, and nothing but its request id is written.
func TestContractALaterBankFilesThroughTheStub(t *testing.T) {
	h := newHarness(t)
	h.ids["bank3"] = creator(t, "Bank3MSP", "officer1", string(api.RoleLoanOfficer))
	h.ids["bank4"] = creator(t, "HubeiBank4MSP", "officer1", string(api.RoleLoanOfficer))
	h.ok("examiner", nil, "RegisterAsset", "a1", patentP1)
	var p api.Pledge
	if err := json.Unmarshal([]byte(h.ok("bank3", terms(), "ApplyPledge", "p1", application())), &p); err != nil {
		t.Fatal(err)
	}
	if p.Pledgee.MSP != "Bank3MSP" || len(h.w.private["termsBank3MSP"]) != 1 {
		t.Fatalf("pledgee %s, private %v", p.Pledgee.MSP, h.w.private)
	}
	h.ok("examiner", nil, "RegisterPledge", "p2", p.ID, `{"registrationNumber":"Y2025980000003"}`)
	ep, err := statebased.NewStateEP(h.w.policies[rules.CompositeKey("pledge", p.ID)])
	if err != nil {
		t.Fatal(err)
	}
	if orgs := ep.ListOrgs(); len(orgs) != 2 || !slices.Contains(orgs, "Bank3MSP") {
		t.Fatalf("pledge policy orgs %v", orgs)
	}
	if v := h.terms("bank3", p.ID); !v.Verified {
		t.Fatalf("terms %+v", v)
	}
	h.refused("bank1", nil, api.CodeForbidden, "GetPledgeTerms", p.ID)
	if out := h.ok("auditor", nil, "ListPledgesByPledgee", "Bank3MSP", "0", ""); !strings.Contains(out, `"count":1`) {
		t.Fatalf("Bank3's pledges: %s", out)
	}

	h.ok("examiner", nil, "RegisterAsset", "a2", strings.NewReplacer(`"id":"P1"`, `"id":"P2"`, "12345.6", "12346.7").Replace(patentP1))
	h.w.undefined["termsHubeiBank4MSP"] = true
	before := len(h.w.state)
	e := h.refusal("bank4", terms(), "P1", "ApplyPledge", "b4", strings.Replace(application(), `["P1"]`, `["P2"]`, 1))
	if e.Details["reason"] != "no-terms-collection" || e.Details["collection"] != "termsHubeiBank4MSP" {
		t.Fatalf("refusal %+v", e)
	}
	if len(h.w.state) != before+1 || len(h.w.private["termsHubeiBank4MSP"]) != 0 {
		t.Fatalf("a refused filing wrote %d keys", len(h.w.state)-before)
	}
}

// I4: a proposal whose timestamp is further than MaxClockSkew from the endorsing peer's clock is
// refused before any rule runs, and nothing is kept under its request id: the same request sent again
// with a true timestamp is decided. Within the tolerance, either way, it is accepted.
func TestI4_AProposalDatedFarFromThePeersClockIsRefusedAndNotKept(t *testing.T) {
	h := newHarness(t)
	cc, err := NewChaincode()
	if err != nil {
		t.Fatal(err)
	}
	at := func(skew time.Duration, req, asset string) *peer.Response {
		stub := h.w.stub(h.ids["examiner"], nil, "RegisterAsset", req, strings.Replace(patentP1, `"id":"P1"`, `"id":"`+asset+`"`, 1))
		proposed := stub.ts
		clock = func() time.Time { return proposed.Add(-skew) } // the proposal is dated skew from the peer's clock
		resp := cc.Invoke(stub)
		if resp.GetStatus() == 200 {
			stub.commit()
		}
		if len(stub.writes) > 0 && resp.GetStatus() != 200 {
			t.Fatalf("a refused proposal wrote %v", slices.Collect(maps.Keys(stub.writes)))
		}
		return resp
	}
	for _, skew := range []time.Duration{-MaxClockSkew - time.Second, MaxClockSkew + time.Second, -7 * 365 * 24 * time.Hour} {
		resp := at(skew, "req-skew", "P9")
		e, ok := api.ParseError(resp.GetMessage())
		if resp.GetStatus() == 200 || !ok || e.Code != api.CodeClockSkew || e.Details["rule"] != "I4" {
			t.Fatalf("dated %v from the peer's clock: %d %s %s", skew, resp.GetStatus(), resp.GetMessage(), resp.GetPayload())
		}
	}
	// Not kept: the same request id, dated truly, is decided now.
	if resp := at(0, "req-skew", "P9"); resp.GetStatus() != 200 {
		t.Fatalf("the same request with a true date: %d %s", resp.GetStatus(), resp.GetMessage())
	}
	for i, skew := range []time.Duration{MaxClockSkew - time.Second, -MaxClockSkew + time.Second} {
		if resp := at(skew, fmt.Sprint("req-in-", i), fmt.Sprint("P", 10+i)); resp.GetStatus() != 200 {
			t.Fatalf("dated %v from the peer's clock (within the tolerance): %d %s", skew, resp.GetStatus(), resp.GetMessage())
		}
	}
}
