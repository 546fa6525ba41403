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

// The kinds an organization of the topology may declare (Organization.Kind). The chaincode knows
// every organization's kind by its MSP id alone (api.KindOf), so a declared kind must agree with it;
// the IP office, the exchange, the regulator, the fund and the orderers are known by their fixed MSP
// ids and declare none.
const (
	// OrgKindBank lends against pledges: the chaincode definition gets its terms collection.
	OrgKindBank = string(api.KindBank)
	// OrgKindValuer is an accredited valuation agency (F1, F2): the definition gets a valuation
	// collection for it and each bank.
	OrgKindValuer = string(api.KindValuer)
	// OrgKindInsurer insures and guarantees pledge loans (F4, F5).
	OrgKindInsurer = string(api.KindInsurer)
)

// declarableKinds are the kinds a topology may write; each runs a peer.
var declarableKinds = []string{OrgKindBank, OrgKindValuer, OrgKindInsurer}

// OrgKind is what o is to the register: its declared kind, else the one its MSP id gives the
// chaincode (api.KindOf), else a bank (an organization of no kind and no fixed MSP id was a bank
// before kinds were written, and checkKind then refuses an MSP id the chaincode does not take for one).
func (o *Organization) OrgKind() api.OrgKind {
	if o.Kind != "" {
		return api.OrgKind(o.Kind)
	}
	if k, ok := api.KindOf(api.MSPID(o.MSPID)); ok {
		return k
	}
	return api.KindBank
}

// IsBank says whether o is a bank of the consortium: an organization with a peer whose kind
// (OrgKind) is bank.
func (o *Organization) IsBank() bool { return o.Peer != nil && o.OrgKind() == api.KindBank }

// IsValuer says whether o is a valuation agency with a peer.
func (o *Organization) IsValuer() bool { return o.Peer != nil && o.OrgKind() == api.KindValuer }

// checkKind refuses an organization the chaincode would not take for what the topology says it is.
func (o *Organization) checkKind() error {
	kind := o.OrgKind()
	switch {
	case o.Kind != "" && !slices.Contains(declarableKinds, o.Kind):
		return fmt.Errorf("organization %s: kind %q: the kinds are %s (the others are known by their MSP ids %s)",
			o.Name, o.Kind, strings.Join(declarableKinds, ", "), strings.Join(fixedMSPs(), ", "))
	case o.Peer == nil && o.Kind == "" && kind == api.KindBank:
		return nil // no kind, no fixed MSP id and no peer: a member that is not a bank
	case o.Peer == nil && slices.Contains(declarableKinds, string(kind)):
		return fmt.Errorf("organization %s: a %s runs a peer", o.Name, kind)
	}
	if got, ok := api.KindOf(api.MSPID(o.MSPID)); !ok || got != kind {
		return fmt.Errorf("organization %s: MSP id %s is not a %s's to the chaincode (%s, at most %d characters, "+
			"of no other kind's, not %s): name it so, or use one of those", o.Name, o.MSPID, kind, kindPattern(kind),
			api.MaxBankMSPLen, strings.Join(fixedMSPs(), ", "))
	}
	for _, u := range o.Users {
		if u.Role == string(api.RoleAdmin) {
			continue
		}
		if want, ok := api.OperationalRole(api.MSPID(o.MSPID)); ok && u.Role != string(want) {
			return fmt.Errorf("organization %s: user %s: role %q: a %s's staff are %s or %s", o.Name, u.Name, u.Role,
				kind, want, api.RoleAdmin)
		}
	}
	return nil
}

// kindPattern is the form of a kind's MSP id.
func kindPattern(k api.OrgKind) string {
	switch k {
	case api.KindValuer:
		return api.ValuerMSPPattern
	case api.KindInsurer:
		return api.InsurerMSPPattern
	}
	return api.BankMSPPattern
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

// Collections are the definition's private data collections:
//   - for each bank its terms collection terms<MSP> (V2), whose members are the bank, the IP office and
//     the regulator;
//   - for each valuation agency and each bank the collection of the reports the agency issues for that
//     bank, valuation-<agency>-<bank> (F2), whose members are the agency, the bank, the IP office and
//     the regulator.
//
// Every organization derives them from the same topology, so every approval carries the same ones; a
// bank or an agency added to the topology gets its collections in the next definition. Fabric refuses a
// definition that drops a committed collection or changes its blockToLive, so a departed bank keeps its
// collections without itself as a member: what was recorded stays with the others, and no peer of the
// departed bank is given new data. The terms collections come first, then the valuation collections,
// each in the topology's order, departed banks in their place.
func (t *Topology) Collections() []Collection {
	var out []Collection
	for _, b := range t.all() {
		if b.IsBank() {
			out = append(out, Collection{Name: api.TermsCollection(api.MSPID(b.MSPID)),
				Policy:       memberPolicy(t.present(b), string(api.MSPIPOffice), string(api.MSPRegulator)),
				MaxPeerCount: 2, MemberOnlyRead: true, MemberOnlyWrite: true})
		}
	}
	for _, v := range t.all() {
		if !v.IsValuer() {
			continue
		}
		for _, b := range t.all() {
			if b.IsBank() {
				out = append(out, Collection{Name: api.ValuationCollection(api.MSPID(v.MSPID), api.MSPID(b.MSPID)),
					Policy:       memberPolicy(v.MSPID, t.present(b), string(api.MSPIPOffice), string(api.MSPRegulator)),
					MaxPeerCount: 3, MemberOnlyRead: true, MemberOnlyWrite: true})
			}
		}
	}
	return out
}

// present is o's MSP id while it is a member, "" once it has departed.
func (t *Topology) present(o *Organization) string {
	if o.Departed {
		return ""
	}
	return o.MSPID
}

// memberPolicy is the signature policy that any member of the named organizations satisfies; "" names
// none.
func memberPolicy(msps ...string) string {
	var members []string
	for _, m := range msps {
		if m != "" {
			members = append(members, fmt.Sprintf("'%s.member'", m))
		}
	}
	return "OR(" + strings.Join(members, ", ") + ")"
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
