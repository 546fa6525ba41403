package netctl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// foundingCollections is the definition's collections the network is founded with: the topology's two
// banks' terms, then the valuation agency's collection with each bank.
const foundingCollections = `[
  {"name": "termsBank1MSP", "policy": "OR('Bank1MSP.member', 'IPOfficeMSP.member', 'RegulatorMSP.member')",
   "requiredPeerCount": 0, "maxPeerCount": 2, "blockToLive": 0, "memberOnlyRead": true, "memberOnlyWrite": true},
  {"name": "termsBank2MSP", "policy": "OR('Bank2MSP.member', 'IPOfficeMSP.member', 'RegulatorMSP.member')",
   "requiredPeerCount": 0, "maxPeerCount": 2, "blockToLive": 0, "memberOnlyRead": true, "memberOnlyWrite": true},
  {"name": "valuation-ValuerMSP-Bank1MSP", "policy": "OR('ValuerMSP.member', 'Bank1MSP.member', 'IPOfficeMSP.member', 'RegulatorMSP.member')",
   "requiredPeerCount": 0, "maxPeerCount": 3, "blockToLive": 0, "memberOnlyRead": true, "memberOnlyWrite": true},
  {"name": "valuation-ValuerMSP-Bank2MSP", "policy": "OR('ValuerMSP.member', 'Bank2MSP.member', 'IPOfficeMSP.member', 'RegulatorMSP.member')",
   "requiredPeerCount": 0, "maxPeerCount": 3, "blockToLive": 0, "memberOnlyRead": true, "memberOnlyWrite": true}
]`

func TestTopology_CollectionsAndPolicyFollowFromTheOrganizations(t *testing.T) {
	top := loadTestTopology(t, 0)
	var want []Collection
	if err := json.Unmarshal([]byte(foundingCollections), &want); err != nil {
		t.Fatal(err)
	}
	got := top.Collections()
	if g, w := js(t, got), js(t, want); g != w {
		t.Fatalf("collections\n%s\nwant\n%s", g, w)
	}
	const founding = "AND('IPOfficeMSP.peer', OR('Bank1MSP.peer', 'Bank2MSP.peer', 'ExchangeMSP.peer', 'RegulatorMSP.peer', " +
		"'ValuerMSP.peer', 'InsurerMSP.peer', 'FundMSP.peer'))"
	if p := top.EndorsementPolicy(); p != founding {
		t.Fatalf("policy %s", p)
	}
	n := &Network{Top: top, Dir: t.TempDir()}
	path, err := n.collectionsFile()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil || filepath.Dir(path) != n.Dir {
		t.Fatal(path, err)
	}
	var onDisk []Collection
	if err := json.Unmarshal(raw, &onDisk); err != nil || js(t, onDisk) != js(t, want) {
		t.Fatalf("%s: %s %v", path, raw, err)
	}
}

// A bank added to the topology (named by kind or only by not being a fixed organization) gets its terms
// collection and a place in the definition's policy; an MSP id the chaincode would not take for a bank's
// is refused when the topology is loaded.
func TestTopology_ABankAddedToTheTopologyGetsItsCollection(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("..", "topology.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	add := func(t *testing.T, org string) (*Topology, error) {
		t.Helper()
		path := filepath.Join(t.TempDir(), "topology.yaml")
		if err := os.WriteFile(path, append(append([]byte{}, base...), org...), 0o644); err != nil {
			t.Fatal(err)
		}
		return LoadTopology(path, 0)
	}
	const bank3 = `
  - name: bank3
    mspId: Bank3MSP
    host: 127.0.0.1
    ca: {port: 70, opsPort: 71}
    peer: {name: peer0, port: 72, chaincodePort: 73, opsPort: 74, ccServerPort: 76}
    gateway: {port: 75, opsPort: 78}
    users:
      - {name: admin, role: admin}
      - {name: officer1, role: loan-officer}
`
	for _, org := range []string{bank3, strings.Replace(bank3, "    mspId: Bank3MSP\n", "    mspId: Bank3MSP\n    kind: bank\n", 1)} {
		top, err := add(t, org)
		if err != nil {
			t.Fatal(err)
		}
		colls := top.Collections()
		if len(colls) != 6 || colls[2].Name != "termsBank3MSP" ||
			colls[2].Policy != "OR('Bank3MSP.member', 'IPOfficeMSP.member', 'RegulatorMSP.member')" || colls[2].BlockToLive != 0 {
			t.Fatalf("collections %+v", colls)
		}
		if v := colls[5]; v.Name != "valuation-ValuerMSP-Bank3MSP" ||
			v.Policy != "OR('ValuerMSP.member', 'Bank3MSP.member', 'IPOfficeMSP.member', 'RegulatorMSP.member')" {
			t.Fatalf("the valuation agency's collection with the new bank: %+v", v)
		}
		if p := top.EndorsementPolicy(); !strings.Contains(p, "'Bank3MSP.peer'") || !strings.HasPrefix(p, "AND('IPOfficeMSP.peer', OR(") {
			t.Fatalf("policy %s", p)
		}
	}
	for name, org := range map[string]string{
		"not a bank's MSP id": strings.Replace(bank3, "Bank3MSP", "Guarantor3MSP", 1),
		"an unknown kind":     strings.Replace(bank3, "    mspId: Bank3MSP\n", "    mspId: Bank3MSP\n    kind: guarantor\n", 1),
		"a bank with no peer": strings.Replace(strings.Replace(bank3, "    peer: {name: peer0, port: 72, chaincodePort: 73, opsPort: 74, ccServerPort: 76}\n", "", 1),
			"    mspId: Bank3MSP\n", "    mspId: Bank3MSP\n    kind: bank\n", 1),
	} {
		if _, err := add(t, org); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "bank3") {
			t.Errorf("%s: %v does not name the organization", name, err)
		}
	}
}

// A second valuation agency gets a valuation collection with each bank; an organization whose kind,
// MSP id, peer or users the chaincode would not take for what the topology says is refused when the
// topology is loaded, with the organization named.
func TestTopology_AValuationAgencyGetsACollectionWithEachBank(t *testing.T) {
	base := mustRead(t, "../topology.yaml")
	const valuer2 = `
  - name: valuer2
    mspId: HubeiValuerMSP
    kind: valuer
    host: 127.0.0.1
    ca: {port: 130, opsPort: 131}
    peer: {name: peer0, port: 132, chaincodePort: 133, opsPort: 134, ccServerPort: 136}
    gateway: {port: 135, opsPort: 138}
    users:
      - {name: admin, role: admin}
      - {name: appraiser1, role: valuer}
`
	top, err := ParseTopology([]byte(base+valuer2), 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range top.Collections() {
		names = append(names, c.Name)
	}
	want := "termsBank1MSP termsBank2MSP valuation-ValuerMSP-Bank1MSP valuation-ValuerMSP-Bank2MSP " +
		"valuation-HubeiValuerMSP-Bank1MSP valuation-HubeiValuerMSP-Bank2MSP"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("collections %s\nwant %s", got, want)
	}
	if k := top.Org("InsurerMSP").OrgKind(); k != "insurer" {
		t.Errorf("the insurer's kind: %q", k)
	}
	for name, c := range map[string]struct{ org, says string }{
		"not a valuer's MSP id":      {strings.Replace(valuer2, "HubeiValuerMSP", "HubeiAppraisalMSP", 1), "is not a valuer's"},
		"two kinds in one MSP id":    {strings.Replace(valuer2, "HubeiValuerMSP", "BankValuerMSP", 1), "is not a valuer's"},
		"the kind of another's id":   {strings.Replace(valuer2, "kind: valuer", "kind: insurer", 1), "is not a insurer's"},
		"an unknown kind":            {strings.Replace(valuer2, "kind: valuer", "kind: guarantor", 1), "the kinds are bank, valuer, insurer"},
		"a valuer with no peer":      {strings.Replace(valuer2, "    peer: {name: peer0, port: 132, chaincodePort: 133, opsPort: 134, ccServerPort: 136}\n", "", 1), "runs a peer"},
		"a user of another's role":   {strings.Replace(valuer2, "role: valuer", "role: loan-officer", 1), `role "loan-officer"`},
		"the fund's user an auditor": {strings.Replace(base, "{name: manager1, role: fund-officer}", "{name: manager1, role: auditor}", 1), `role "auditor"`},
	} {
		raw := base + c.org
		if strings.HasPrefix(c.org, base[:20]) {
			raw = c.org
		}
		if _, err := ParseTopology([]byte(raw), 0); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "organization ") {
			t.Errorf("%s: %v; want it to name the organization and say %q", name, err, c.says)
		}
	}
}

func js(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// On a host of a consortium, which runs one organization's parts, the definition is still the whole
// consortium's: every organization approves the same policy and collections.
func TestNetwork_AHostOfAConsortiumApprovesTheWholeConsortiumsDefinition(t *testing.T) {
	whole := loadTestTopology(t, 0)
	for _, org := range []string{"ipoffice", "bank1", "exchange"} {
		part, err := whole.Local(&Scope{Org: org})
		if err != nil {
			t.Fatal(err)
		}
		n := &Network{Top: part, Plan: whole, Dir: t.TempDir()}
		if p := n.definitionPolicy(); p != whole.EndorsementPolicy() {
			t.Errorf("%s: policy %s", org, p)
		}
		if c := n.definitionCollections(); js(t, c) != js(t, whole.Collections()) {
			t.Errorf("%s: collections %s", org, js(t, c))
		}
		if s := n.Describe(nil); s.Chaincode.EndorsementPolicy != whole.EndorsementPolicy() || len(s.Chaincode.Collections) != 4 {
			t.Errorf("%s: system.json's chaincode %+v", org, s.Chaincode)
		}
	}
}
