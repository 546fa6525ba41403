package netctl

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ipledger/ipledger/chaincode/api"
)

// OrgKindBank is the kind of an organization that lends against pledges: the chaincode takes it for a
// bank by its MSP id (api.IsBank), and the chaincode definition gets its terms collection.
const OrgKindBank = "bank"

// IsBank says whether o is a bank of the consortium: an organization with a peer that is of kind bank,
// or of no kind and not one of the organizations whose role is fixed (the IP office, the exchange, the
// regulator, the orderers).
func (o *Organization) IsBank() bool {
	if o.Peer == nil {
		return false
	}
	return o.Kind == OrgKindBank || o.Kind == "" && !slices.Contains(api.FixedOrgs, api.MSPID(o.MSPID))
}

// checkKind refuses an organization the chaincode would not take for what the topology says it is.
func (o *Organization) checkKind() error {
	switch {
	case o.Kind != "" && o.Kind != OrgKindBank:
		return fmt.Errorf("organization %s: kind %q: the only kind is %q (the others are known by their MSP ids %s)",
			o.Name, o.Kind, OrgKindBank, strings.Join(fixedMSPs(), ", "))
	case o.Kind == OrgKindBank && o.Peer == nil:
		return fmt.Errorf("organization %s: a bank runs a peer", o.Name)
	case o.IsBank() && !api.IsBank(api.MSPID(o.MSPID)):
		return fmt.Errorf("organization %s: MSP id %s is not a bank's to the chaincode (%s, at most %d characters, "+
			"not %s): name it so, or use one of those", o.Name, o.MSPID, api.BankMSPPattern, api.MaxBankMSPLen,
			strings.Join(fixedMSPs(), ", "))
	}
	return nil
}

func fixedMSPs() []string {
	out := make([]string, len(api.FixedOrgs))
	for i, o := range api.FixedOrgs {
		out[i] = string(o)
	}
	return out
}

// Banks returns the banks of the topology, in its order.
func (t *Topology) Banks() []*Organization {
	var out []*Organization
	for _, o := range t.Organizations {
		if o.IsBank() {
			out = append(out, o)
		}
	}
	return out
}

// EndorsementPolicy is the chaincode definition's endorsement policy, which governs every key a
// transaction creates: a peer of the IP office and a peer of any other member with a peer, every one
// of them named (a bank added to the topology included), in the topology's order.
func (t *Topology) EndorsementPolicy() string {
	var others []string
	for _, o := range t.PeerOrgs() {
		if o.MSPID != string(api.MSPIPOffice) {
			others = append(others, fmt.Sprintf("'%s.peer'", o.MSPID))
		}
	}
	return fmt.Sprintf("AND('%s.peer', OR(%s))", api.MSPIPOffice, strings.Join(others, ", "))
}

// Collection is one private data collection of the chaincode definition, in the peer CLI's
// --collections-config form.
type Collection struct {
	Name              string `json:"name"`
	Policy            string `json:"policy"`
	RequiredPeerCount int    `json:"requiredPeerCount"`
	MaxPeerCount      int    `json:"maxPeerCount"`
	BlockToLive       int    `json:"blockToLive"`
	MemberOnlyRead    bool   `json:"memberOnlyRead"`
	MemberOnlyWrite   bool   `json:"memberOnlyWrite"`
}

// Collections are the definition's private data collections: for each bank its terms collection
// (V2), whose members are the bank, the IP office and the regulator. Every organization derives them
// from the same topology, so every approval carries the same ones; a bank added to the topology gets
// its collection in the next definition. Fabric refuses a definition that drops a committed
// collection or changes its blockToLive, so a departed bank keeps its collection, with the IP office
// and the regulator as its only members: its past terms stay with them, and no peer of the departed
// bank is given new data. The collections are in the topology's order, departed banks in their place.
func (t *Topology) Collections() []Collection {
	var out []Collection
	for _, b := range t.all() {
		if !b.IsBank() {
			continue
		}
		members := fmt.Sprintf("OR('%s.member', '%s.member', '%s.member')", b.MSPID, api.MSPIPOffice, api.MSPRegulator)
		if b.Departed {
			members = fmt.Sprintf("OR('%s.member', '%s.member')", api.MSPIPOffice, api.MSPRegulator)
		}
		out = append(out, Collection{Name: api.TermsCollection(api.MSPID(b.MSPID)), Policy: members,
			MaxPeerCount: 2, MemberOnlyRead: true, MemberOnlyWrite: true})
	}
	return out
}

// all is every organization of the topology file, departed banks included, in its order.
func (t *Topology) all() []*Organization {
	if t.inOrder != nil {
		return t.inOrder
	}
	return t.Organizations
}

// definitionPolicy and definitionCollections are the chaincode definition's endorsement policy and
// collections: the whole consortium's (the plan), also on a host that runs one organization's parts,
// so that every organization approves the same definition.
func (n *Network) definitionPolicy() string { return n.plan().EndorsementPolicy() }

func (n *Network) definitionCollections() []Collection { return n.plan().Collections() }

// collectionsFile writes the definition's collections where the peer CLI reads them, and returns its path.
func (n *Network) collectionsFile() (string, error) {
	raw, err := json.MarshalIndent(n.definitionCollections(), "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(n.Dir, "collections.json")
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("write the chaincode's collections: %w", err)
	}
	return path, nil
}
