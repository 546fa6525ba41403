package netctl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	lb "github.com/hyperledger/fabric-protos-go-apiv2/peer/lifecycle"
)

// The peer CLI prints querycommitted's result with encoding/json over the protobuf message, as
// printResponseAsJSON does: the collection names are read from that form.
func TestParseCommittedDefinition_ReadsTheCollectionNamesOfTheCLIsJSON(t *testing.T) {
	coll := func(name string) *pb.CollectionConfig {
		return &pb.CollectionConfig{Payload: &pb.CollectionConfig_StaticCollectionConfig{
			StaticCollectionConfig: &pb.StaticCollectionConfig{Name: name, MaximumPeerCount: 2}}}
	}
	res := &lb.QueryChaincodeDefinitionResult{Sequence: 2, Version: "1.0-abc",
		Collections: &pb.CollectionConfigPackage{Config: []*pb.CollectionConfig{coll("termsBank1MSP"), coll("termsBank2MSP")}}}
	out, err := json.MarshalIndent(res, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseCommittedDefinition(string(out))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.names, []string{"termsBank1MSP", "termsBank2MSP"}) {
		t.Fatalf("names %v from %s", d.names, out)
	}
	if _, err := parseCommittedDefinition("Error: query failed"); err == nil {
		t.Fatal("a CLI error was read as a definition")
	}
}

// planFile writes the repository's topology changed by edit and returns FILE@SHA256.
func planFile(t *testing.T, edit func(string) string) (string, *Topology) {
	t.Helper()
	raw, err := os.ReadFile("../topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "topology.yaml")
	if err := os.WriteFile(path, []byte(edit(string(raw))), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	top, err := LoadTopology(path, 7000)
	if err != nil {
		t.Fatalf("the edited topology: %v", err)
	}
	return path + "@" + sum, top
}

const bank3Entry = `
  - name: bank3
    mspId: Bank3MSP
    kind: bank
    host: 127.0.0.1
    ca: {port: 70, opsPort: 71}
    peer: {name: peer0, port: 72, chaincodePort: 73, opsPort: 74, ccServerPort: 76}
    gateway: {port: 75, opsPort: 78}
    users:
      - {name: admin, role: admin}
`

func withBank3(s string) string { return s + bank3Entry }

// bank2Departs marks Bank2 departed in a topology.
func bank2Departs(s string) string {
	return strings.Replace(s, "  - name: bank2\n    mspId: Bank2MSP\n", "  - name: bank2\n    mspId: Bank2MSP\n    departed: true\n", 1)
}

// A departed bank runs nothing and leaves the endorsement policy, but keeps its terms collection, in
// its place, with the IP office and the regulator as members: Fabric refuses a definition that drops
// a committed collection.
func TestTopology_ADepartedBankKeepsItsCollectionWithoutItsMembers(t *testing.T) {
	_, top := planFile(t, bank2Departs)
	if top.Org("Bank2MSP") != nil || slices.ContainsFunc(top.PeerOrgs(), func(o *Organization) bool { return o.MSPID == "Bank2MSP" }) {
		t.Fatal("a departed bank is still an organization that runs")
	}
	if strings.Contains(top.EndorsementPolicy(), "Bank2MSP") {
		t.Fatalf("the policy names the departed bank: %s", top.EndorsementPolicy())
	}
	cs := top.Collections()
	if len(cs) != 4 || cs[0].Name != "termsBank1MSP" || cs[1].Name != "termsBank2MSP" || cs[3].Name != "valuation-ValuerMSP-Bank2MSP" {
		t.Fatalf("collections %+v", cs)
	}
	if cs[1].Policy != "OR('IPOfficeMSP.member', 'RegulatorMSP.member')" {
		t.Fatalf("the departed bank's collection policy: %s", cs[1].Policy)
	}
	if cs[3].Policy != "OR('ValuerMSP.member', 'IPOfficeMSP.member', 'RegulatorMSP.member')" {
		t.Fatalf("the departed bank's valuation collection policy: %s", cs[3].Policy)
	}
	if _, err := ParseTopology([]byte(strings.Replace(mustRead(t, "../topology.yaml"), "  - name: exchange\n    mspId: ExchangeMSP\n",
		"  - name: exchange\n    mspId: ExchangeMSP\n    departed: true\n", 1)), 0); err == nil || !strings.Contains(err.Error(), "only a bank may be departed") {
		t.Fatalf("a departed exchange: %v", err)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// A new plan may only add peer organizations and mark banks departed.
func TestPlanChange(t *testing.T) {
	_, old := planFile(t, func(s string) string { return s })
	cases := []struct {
		name      string
		edit      func(string) string
		want      string // error text, or "" for a change accepted
		join, dep []string
	}{
		{name: "a bank joins", edit: withBank3, join: []string{"Bank3MSP"}},
		{name: "a bank departs", edit: bank2Departs, dep: []string{"Bank2MSP"}},
		{name: "both", edit: func(s string) string { return bank2Departs(withBank3(s)) }, join: []string{"Bank3MSP"}, dep: []string{"Bank2MSP"}},
		{name: "nothing", edit: func(s string) string { return s }, want: "it changes nothing"},
		{name: "a port moved", edit: func(s string) string {
			return strings.Replace(s, "gateway: {port: 25, opsPort: 28}", "gateway: {port: 29, opsPort: 28}", 1)
		}, want: "organization bank1 differs"},
		{name: "an organization dropped", edit: func(s string) string {
			i := strings.Index(s, "  - name: bank2\n")
			j := strings.Index(s, "  - name: exchange\n")
			return s[:i] + s[j:]
		}, want: "organization bank2 is not in it"},
		{name: "the ordering changed", edit: func(s string) string {
			return strings.Replace(s, "maxMessageCount: 100", "maxMessageCount: 10", 1)
		}, want: "ordering settings differ"},
		{name: "an MSP id taken again", edit: func(s string) string {
			return s + strings.Replace(bank3Entry, "mspId: Bank3MSP", "mspId: Bank1MSP", 1)
		}, want: "a second organization"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := c.edit(mustRead(t, "../topology.yaml"))
			next, err := ParseTopology([]byte(raw), 7000)
			if err == nil {
				var ch *PlanChange
				ch, err = planChange(old, next)
				if err == nil {
					if c.want != "" {
						t.Fatalf("accepted: %+v", ch)
					}
					if !slices.Equal(ch.Joined, c.join) || !slices.Equal(ch.Departed, c.dep) {
						t.Fatalf("change %+v, want joined %v departed %v", ch, c.join, c.dep)
					}
					return
				}
			}
			if c.want == "" || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	// Once departed, a bank stays so.
	_, departed := planFile(t, bank2Departs)
	back, err := ParseTopology([]byte(withBank3(mustRead(t, "../topology.yaml"))), 7000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := planChange(departed, back); err == nil || !strings.Contains(err.Error(), "cannot come back") {
		t.Fatalf("a departed bank back: %v", err)
	}
}
