package netctl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

func TestUpgrade_CommitNeedsTheCommittersApprovalAndTheThreshold(t *testing.T) {
	cases := []struct {
		name      string
		approvals map[string]bool
		want      error
	}{
		{"3 of 5 with the IP office", map[string]bool{"IPOfficeMSP": true, "Bank1MSP": true, "Bank2MSP": true, "ExchangeMSP": false, "RegulatorMSP": false}, nil},
		{"2 of 5", map[string]bool{"IPOfficeMSP": true, "Bank1MSP": true, "Bank2MSP": false, "ExchangeMSP": false, "RegulatorMSP": false}, ErrMajority},
		{"4 of 5 without the IP office", map[string]bool{"IPOfficeMSP": false, "Bank1MSP": true, "Bank2MSP": true, "ExchangeMSP": true, "RegulatorMSP": true}, ErrApprovalMissing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			yes, err := approvalsSuffice(tc.approvals, "IPOfficeMSP", 3, 5)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want == nil && len(yes) != 3 {
				t.Fatalf("approvers %v", yes)
			}
			if errors.Is(err, ErrMajority) && !strings.Contains(err.Error(), "2 of 5 organizations approved (Bank1MSP, IPOfficeMSP)") {
				t.Fatalf("the refusal does not say who approved: %v", err)
			}
		})
	}
}

// configBlock is a configuration block whose Application group has orgs organizations and a
// LifecycleEndorsement policy of the given rule.
func configBlock(t *testing.T, orgs int, policy *cb.Policy) []byte {
	t.Helper()
	app := &cb.ConfigGroup{Groups: map[string]*cb.ConfigGroup{}, Policies: map[string]*cb.ConfigPolicy{"LifecycleEndorsement": {Policy: policy}}}
	for i := range orgs {
		app.Groups[string(rune('A'+i))+"MSP"] = &cb.ConfigGroup{}
	}
	must := func(m proto.Message) []byte {
		raw, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	ce := &cb.ConfigEnvelope{Config: &cb.Config{ChannelGroup: &cb.ConfigGroup{Groups: map[string]*cb.ConfigGroup{"Application": app}}}}
	env := &cb.Envelope{Payload: must(&cb.Payload{Data: must(ce)})}
	return must(&cb.Block{Data: &cb.BlockData{Data: [][]byte{must(env)}}})
}

func TestUpgrade_ThresholdReadFromTheChannelsLifecycleEndorsement(t *testing.T) {
	implicit := func(rule cb.ImplicitMetaPolicy_Rule) *cb.Policy {
		raw, _ := proto.Marshal(&cb.ImplicitMetaPolicy{SubPolicy: "Endorsement", Rule: rule})
		return &cb.Policy{Type: int32(cb.Policy_IMPLICIT_META), Value: raw}
	}
	for _, tc := range []struct {
		orgs int
		rule cb.ImplicitMetaPolicy_Rule
		want int
	}{{5, cb.ImplicitMetaPolicy_MAJORITY, 3}, {6, cb.ImplicitMetaPolicy_MAJORITY, 4}, {5, cb.ImplicitMetaPolicy_ALL, 5}, {5, cb.ImplicitMetaPolicy_ANY, 1}} {
		got, members, err := implicitThreshold(configBlock(t, tc.orgs, implicit(tc.rule)), "LifecycleEndorsement")
		if err != nil || got != tc.want || members != tc.orgs {
			t.Errorf("%s of %d: got %d of %d, %v; want %d", tc.rule, tc.orgs, got, members, err, tc.want)
		}
	}
	signature := &cb.Policy{Type: int32(cb.Policy_SIGNATURE)}
	if _, _, err := implicitThreshold(configBlock(t, 5, signature), "LifecycleEndorsement"); err == nil || !strings.Contains(err.Error(), "not an implicit meta policy") {
		t.Errorf("a signature policy: %v", err)
	}
	if _, _, err := implicitThreshold([]byte("no block"), "LifecycleEndorsement"); err == nil {
		t.Error("garbage read as a configuration block")
	}
}

// After an upgrade, state.json names the sequence, the kept program and the slot: up starts that
// program at that slot's port and checks that definition, whatever the topology's sequence says.
func TestUpgrade_StateNamesTheUpgradedProgramSlotAndSequence(t *testing.T) {
	n, _ := enrolledNetwork(t)
	n.Bin = t.TempDir()
	if err := os.WriteFile(n.ProgramPath("ipledger-cc"), []byte("old program"), 0o755); err != nil {
		t.Fatal(err)
	}
	before, err := n.currentDef()
	if err != nil {
		t.Fatal(err)
	}
	newProgram := filepath.Join(t.TempDir(), "ipledger-cc")
	if err := os.WriteFile(newProgram, []byte("new program"), 0o755); err != nil {
		t.Fatal(err)
	}
	kept, err := n.keepProgram(newProgram)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, o := range n.Top.PeerOrgs() {
		ids[o.Name] = "ipledger_1.0:" + o.Name
	}
	if err := n.saveState(&state{Committed: true, PackageIDs: ids, Chaincode: &deployedCC{Sequence: 2, Program: kept, Slot: 1}}); err != nil {
		t.Fatal(err)
	}
	fresh := &Network{Top: n.Top, Dir: n.Dir, Bin: n.Bin}
	after, err := fresh.currentDef()
	if err != nil {
		t.Fatal(err)
	}
	if after.sequence != 2 || after.version == before.version || !strings.HasPrefix(after.version, "1.0-") {
		t.Fatalf("after the upgrade: %+v (before %+v)", after, before)
	}
	for _, p := range kindOf(fresh.processes(ids), "chaincode") {
		o := orgByName(fresh.Top, p.Org)
		if p.Bin != kept || !strings.HasSuffix(p.Name, ".alt") || p.Ports[0] != o.Peer.CCServerAltPort {
			t.Errorf("%s runs %s at %v; want the kept program at ccServerAltPort", p.Name, p.Bin, p.Ports)
		}
	}
	if sys := fresh.Describe(ids); sys.Chaincode.Sequence != 2 || sys.Chaincode.Version != after.version {
		t.Errorf("system.json says %+v", sys.Chaincode)
	}
}

func orgByName(t *Topology, name string) *Organization {
	for _, o := range t.Organizations {
		if o.Name == name {
			return o
		}
	}
	return nil
}

func TestUpgrade_RefusesTheCommittedProgramAndAMovedSequence(t *testing.T) {
	a, b, c := ccDef{"1.0-aaa", 1}, ccDef{"1.0-bbb", 2}, ccDef{"1.0-ccc", 2}
	cases := []struct {
		name      string
		committed ccDef
		next      ccDef
		serves    int
		want      error
		from      ccDef
	}{
		{"the next sequence", a, b, 1, nil, a},
		{"the committed program", a, ccDef{"1.0-aaa", 2}, 1, ErrProgramUnchanged, ccDef{}},
		{"committed already (an earlier run, the IP office's host)", b, b, 1, nil, ccDef{sequence: 1}},
		{"another upgrade committed meanwhile", c, b, 1, ErrSequenceMoved, ccDef{}},
		{"this host behind", b, ccDef{"1.0-ddd", 2}, 1, ErrSequenceMoved, ccDef{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			from, err := upgradeFrom("peer0.ipoffice", tc.committed, tc.next, tc.serves)
			if !errors.Is(err, tc.want) || from != tc.from {
				t.Fatalf("got %+v, %v; want %+v, %v", from, err, tc.from, tc.want)
			}
		})
	}
}
