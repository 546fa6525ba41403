package netctl

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	lb "github.com/hyperledger/fabric-protos-go-apiv2/peer/lifecycle"
	"google.golang.org/protobuf/proto"
)

// anyOf is OR(each MSP's role) as a signature policy envelope, as the peer CLI compiles
// "OR('A.member', 'B.member')".
func anyOf(t *testing.T, role mb.MSPRole_MSPRoleType, msps ...string) *cb.SignaturePolicyEnvelope {
	t.Helper()
	env := &cb.SignaturePolicyEnvelope{Rule: &cb.SignaturePolicy{Type: &cb.SignaturePolicy_NOutOf_{NOutOf: &cb.SignaturePolicy_NOutOf{N: 1}}}}
	for i, m := range msps {
		raw, err := proto.Marshal(&mb.MSPRole{MspIdentifier: m, Role: role})
		if err != nil {
			t.Fatal(err)
		}
		env.Identities = append(env.Identities, &mb.MSPPrincipal{PrincipalClassification: mb.MSPPrincipal_ROLE, Principal: raw})
		env.Rule.GetNOutOf().Rules = append(env.Rule.GetNOutOf().Rules, &cb.SignaturePolicy{Type: &cb.SignaturePolicy_SignedBy{SignedBy: int32(i)}})
	}
	return env
}

// committedJSON is querycommitted's output as the peer CLI prints it (json.MarshalIndent over the
// protobuf message, printResponseAsJSON): a definition with the endorsement policy naming policy's
// peers and the terms collections with their members.
func committedJSON(t *testing.T, seq int64, policy []string, members map[string][]string) string {
	t.Helper()
	vp, err := proto.Marshal(&pb.ApplicationPolicy{Type: &pb.ApplicationPolicy_SignaturePolicy{SignaturePolicy: anyOf(t, mb.MSPRole_PEER, policy...)}})
	if err != nil {
		t.Fatal(err)
	}
	res := &lb.QueryChaincodeDefinitionResult{Sequence: seq, Version: "1.0-abc", ValidationParameter: vp, Collections: &pb.CollectionConfigPackage{}}
	for _, name := range []string{"termsBank1MSP", "termsBank2MSP"} {
		res.Collections.Config = append(res.Collections.Config, &pb.CollectionConfig{Payload: &pb.CollectionConfig_StaticCollectionConfig{
			StaticCollectionConfig: &pb.StaticCollectionConfig{Name: name, MaximumPeerCount: 2,
				MemberOrgsPolicy: &pb.CollectionPolicyConfig{Payload: &pb.CollectionPolicyConfig_SignaturePolicy{
					SignaturePolicy: anyOf(t, mb.MSPRole_MEMBER, members[name]...)}}}}})
	}
	out, err := json.MarshalIndent(res, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

var (
	fivePolicy    = []string{"IPOfficeMSP", "Bank1MSP", "Bank2MSP", "ExchangeMSP", "RegulatorMSP"}
	fiveMembers   = map[string][]string{"termsBank1MSP": {"Bank1MSP", "IPOfficeMSP", "RegulatorMSP"}, "termsBank2MSP": {"Bank2MSP", "IPOfficeMSP", "RegulatorMSP"}}
	departedAfter = map[string][]string{"termsBank1MSP": {"Bank1MSP", "IPOfficeMSP", "RegulatorMSP"}, "termsBank2MSP": {"IPOfficeMSP", "RegulatorMSP"}}
)

// The committed definition is read from the CLI's JSON: the organizations of the endorsement policy
// (validation_parameter, base64 of an ApplicationPolicy) and of each collection's member policy.
func TestParseCommittedDefinition_ReadsPolicyAndMembers(t *testing.T) {
	d, err := parseCommittedDefinition(committedJSON(t, 1, fivePolicy, fiveMembers))
	if err != nil {
		t.Fatal(err)
	}
	if d.Sequence != 1 || !slices.Equal(d.Policy, fivePolicy) {
		t.Fatalf("sequence %d, policy %v", d.Sequence, d.Policy)
	}
	if !slices.Equal(d.Members["termsBank2MSP"], []string{"Bank2MSP", "IPOfficeMSP", "RegulatorMSP"}) {
		t.Fatalf("members %v", d.Members)
	}
	inPolicy, colls := d.naming("Bank2MSP")
	if !inPolicy || !slices.Equal(colls, []string{"termsBank2MSP"}) {
		t.Fatalf("naming Bank2MSP: %v %v", inPolicy, colls)
	}
	for _, bad := range []string{"Error: query failed", `{"sequence": 1, "validation_parameter": "AAEC"}`, `{"version": "1.0"}`} {
		if _, err := parseCommittedDefinition(bad); err == nil {
			t.Errorf("%q was read as a definition", bad)
		}
	}
}

// The removal is refused while the committed definition names the bank, with what to run; once the
// definition without it is committed, it is not.
func TestDefinitionRefusal(t *testing.T) {
	d, err := parseCommittedDefinition(committedJSON(t, 1, fivePolicy, fiveMembers))
	if err != nil {
		t.Fatal(err)
	}
	err = definitionRefusal("Bank2MSP", "bank2", d)
	wantErr(t, err, "the committed chaincode definition (sequence 1) still names Bank2MSP in its endorsement policy and the members of "+
		"its collection termsBank2MSP: run `org plan` with bank2 departed and `chaincode define` first")

	// The definition in the policy only (a collection changed by hand): named as such.
	d, _ = parseCommittedDefinition(committedJSON(t, 2, fivePolicy, departedAfter))
	wantErr(t, definitionRefusal("Bank2MSP", "bank2", d), "still names Bank2MSP in its endorsement policy: run")

	after := slices.DeleteFunc(slices.Clone(fivePolicy), func(m string) bool { return m == "Bank2MSP" })
	d, err = parseCommittedDefinition(committedJSON(t, 2, after, departedAfter))
	if err != nil {
		t.Fatal(err)
	}
	if err := definitionRefusal("Bank2MSP", "bank2", d); err != nil {
		t.Fatalf("the definition without Bank2: %v", err)
	}
	// The collection is kept: Fabric refuses a definition that drops one.
	if d.Members["termsBank2MSP"] == nil {
		t.Fatal("termsBank2MSP is gone from the definition")
	}
}

// A page of ListPledgesByPledgee: the pledges that have not ended are counted by status, the ended
// ones not; the bookmark leads to the next page.
func TestTallyPage(t *testing.T) {
	page := api.PledgePage{Bookmark: "next", Items: []*api.Pledge{
		{ID: "p1", Status: api.PledgeRegistered}, {ID: "p2", Status: api.PledgeReleased}, {ID: "p3", Status: api.PledgeApplied},
		{ID: "p4", Status: api.PledgeDefaulted}, {ID: "p5", Status: api.PledgeRefused}, {ID: "p6", Status: api.PledgeRegistered},
		{ID: "p7", Status: api.PledgeDeregistered}, {ID: "p8", Status: api.PledgeDisposed},
	}}
	raw, _ := json.Marshal(page)
	tally := pledgeTally{}
	next, err := tallyPage(tally, string(raw)+"\n")
	if err != nil || next != "next" {
		t.Fatalf("next %q, %v", next, err)
	}
	raw, _ = json.Marshal(api.PledgePage{Items: []*api.Pledge{{ID: "p9", Status: api.PledgeRegistered}}})
	if next, err = tallyPage(tally, string(raw)); err != nil || next != "" {
		t.Fatalf("last page: next %q, %v", next, err)
	}
	if tally.count() != 5 || !slices.Equal(tally[api.PledgeRegistered], []string{"p1", "p6", "p9"}) {
		t.Fatalf("tally %v", tally)
	}
	if got, want := tally.String(), "3 registered (p1, p6, p9), 1 defaulted (p4), 1 applied (p3)"; got != want {
		t.Fatalf("tally says %q, want %q", got, want)
	}
	if _, err := tallyPage(pledgeTally{}, `Error: endorsement failure during query. response: status:500 message:"..."`); err == nil {
		t.Fatal("a CLI error was read as a page")
	}
}

// The refusal names how many pledges, which, and what to do; none is no refusal.
func TestPledgesRefusal(t *testing.T) {
	if err := pledgesRefusal("Bank2MSP", pledgeTally{}); err != nil {
		t.Fatal(err)
	}
	err := pledgesRefusal("Bank2MSP", pledgeTally{api.PledgeRegistered: {"p1"}})
	wantErr(t, err, "Bank2MSP holds 1 pledge that has not ended: 1 registered (p1)")
	wantErr(t, err, "the bank releases its registered pledges")
	var ids []string
	for i := range 7 {
		ids = append(ids, string(rune('a'+i)))
	}
	err = pledgesRefusal("Bank2MSP", pledgeTally{api.PledgeRegistered: ids, api.PledgeApplied: {"x"}})
	wantErr(t, err, "Bank2MSP holds 8 pledges that have not ended: 7 registered (a, b, c, d, e and 2 more), 1 applied (x)")
}

// removedOrgs finds the organization a remove-org update removes, and none in another update.
func TestRemovedOrgs(t *testing.T) {
	tc := newTestChannel(t)
	upd, err := ProposeRemoveOrg(tc.cfg, "ipledger", "Bank2MSP")
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := ReadUpdate(tc.cfg, "ipledger", upd)
	if err != nil {
		t.Fatal(err)
	}
	if got := removedOrgs(tc.cfg, u); !slices.Equal(got, []string{"Bank2MSP"}) {
		t.Fatalf("removed %v", got)
	}
	user := tc.cas["Bank1MSP"].identity(t, "Bank1MSP", "officer9", "client")
	upd, err = ProposeCRL(tc.cfg, "ipledger", "Bank1MSP", tc.cas["Bank1MSP"].crl(t, user.Certificate))
	if err != nil {
		t.Fatal(err)
	}
	if u, _, err = ReadUpdate(tc.cfg, "ipledger", upd); err != nil {
		t.Fatal(err)
	}
	if got := removedOrgs(tc.cfg, u); len(got) != 0 {
		t.Fatalf("a CRL update removes %v", got)
	}
}
