package netctl

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/chaincode/api"
	"google.golang.org/protobuf/proto"
)

// A bank leaves the consortium (docs/operations.md, "A bank leaves the consortium") in this order:
// its pledges ended, the chaincode definition without it (`org plan` with the bank departed, then
// `chaincode define`), then the channel configuration update that removes it. The checks here refuse
// each step taken too early, since each would leave something no one can change again: a pledge's
// keys carry the key-level policy AND(IPOffice, bank) (api.PledgeEndorsement), which no transaction
// can meet once the bank's peer endorses no more (it does not approve a definition without it) or
// its MSP is gone from the channel; and a committed definition that names an organization the
// channel no longer has is refused by Fabric at every later approval ("collection member 'Bank2MSP'
// is not part of the channel").

// pledgeTally is a bank's pledges that have not ended, by status: each still carries the bank's
// key-level policy and may still change (registered and defaulted pledges are in force; applied ones
// are waiting for the IP office's examination).
type pledgeTally map[api.PledgeStatus][]string

// notEnded are the statuses of a pledge that may still change.
var notEnded = []api.PledgeStatus{api.PledgeRegistered, api.PledgeDefaulted, api.PledgeApplied}

func (p pledgeTally) count() int {
	n := 0
	for _, ids := range p {
		n += len(ids)
	}
	return n
}

// String says how many pledges, of which statuses, with up to five ids each.
func (p pledgeTally) String() string {
	var parts []string
	for _, s := range notEnded {
		ids := p[s]
		if len(ids) == 0 {
			continue
		}
		shown := ids
		more := ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(ids)-5)
		}
		parts = append(parts, fmt.Sprintf("%d %s (%s%s)", len(ids), s, strings.Join(shown, ", "), more))
	}
	return strings.Join(parts, ", ")
}

// pledgesRefusal is the refusal of a step while the bank holds pledges that have not ended, or nil.
func pledgesRefusal(mspID string, p pledgeTally) error {
	n := p.count()
	if n == 0 {
		return nil
	}
	noun := "pledges that have"
	if n == 1 {
		noun = "pledge that has"
	}
	return fmt.Errorf("%s holds %d %s not ended: %s. Each keeps %s's key-level endorsement policy and could never change "+
		"again once %s's peer no longer endorses: the bank releases its registered pledges (POST /v1/pledges/{id}/release) and its "+
		"defaulted ones go through disposal, or the IP office deregisters them (P13); the IP office examines its applications "+
		"(register or refuse). No operation assigns a pledge to another bank", mspID, n, noun, p, mspID, mspID)
}

// pledgesOf reads the pledges of a bank that have not ended, through the chaincode on an
// organization's own peer, as its admin (ListPledgesByPledgee, a page of 100 at a time).
func (n *Network) pledgesOf(o *Organization, mspID string) (pledgeTally, error) {
	tally := pledgeTally{}
	bookmark := ""
	for range 10000 {
		args, _ := json.Marshal(map[string][]string{"Args": {api.ListPledgesByPledgee.Name, mspID, strconv.Itoa(api.MaxPageSize), bookmark}})
		out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "chaincode", "query", "-C", n.Top.Channel,
			"-n", n.Top.Chaincode.Name, "-c", string(args))
		if err != nil {
			return nil, fmt.Errorf("reading %s's pledges from %s (chaincode %s, %s): %w", mspID, PeerName(o), n.Top.Chaincode.Name,
				api.ListPledgesByPledgee.Name, err)
		}
		next, err := tallyPage(tally, out)
		if err != nil {
			return nil, fmt.Errorf("reading %s's pledges from %s: %w", mspID, PeerName(o), err)
		}
		if next == "" {
			return tally, nil
		}
		bookmark = next
	}
	return nil, fmt.Errorf("reading %s's pledges from %s: more than 10000 pages", mspID, PeerName(o))
}

// tallyPage adds the pledges of one page of ListPledgesByPledgee that have not ended to tally, and
// returns the page's bookmark ("" after the last page).
func tallyPage(tally pledgeTally, out string) (string, error) {
	var page api.PledgePage
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &page); err != nil {
		return "", fmt.Errorf("not a page of pledges: %w: %s", err, lastLines(out, 3))
	}
	for _, p := range page.Items {
		if p != nil && slices.Contains(notEnded, p.Status) {
			tally[p.Status] = append(tally[p.Status], p.ID)
		}
	}
	return page.Bookmark, nil
}

// committedDefinition is what a committed chaincode definition names: the organizations of its
// endorsement policy and of each collection's member policy.
type committedDefinition struct {
	Sequence int
	Policy   []string            // the MSP ids its endorsement policy names (none: a channel policy reference)
	Members  map[string][]string // collection name → the MSP ids its member policy names
	names    []string            // collection names, in the definition's order
}

// naming says where the definition names an organization: its endorsement policy, and the
// collections whose members include it.
func (d *committedDefinition) naming(mspID string) (inPolicy bool, collections []string) {
	for _, c := range d.names {
		if slices.Contains(d.Members[c], mspID) {
			collections = append(collections, c)
		}
	}
	return slices.Contains(d.Policy, mspID), collections
}

// definitionRefusal is the refusal of the removal of an organization that the committed definition
// still names, or nil.
func definitionRefusal(mspID, name string, d *committedDefinition) error {
	inPolicy, colls := d.naming(mspID)
	if !inPolicy && len(colls) == 0 {
		return nil
	}
	var where []string
	if inPolicy {
		where = append(where, "its endorsement policy")
	}
	if len(colls) > 0 {
		where = append(where, "the members of its collection "+strings.Join(colls, ", "))
	}
	return fmt.Errorf("the committed chaincode definition (sequence %d) still names %s in %s: run `org plan` with %s departed and "+
		"`chaincode define` first (Fabric would refuse every later definition that names an organization the channel no longer has)",
		d.Sequence, mspID, strings.Join(where, " and "), name)
}

// readDefinition reads the definition committed on an organization's own peer.
func (n *Network) readDefinition(o *Organization) (*committedDefinition, error) {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "querycommitted",
		"--channelID", n.Top.Channel, "--name", n.Top.Chaincode.Name, "--output", "json")
	if err != nil {
		return nil, err
	}
	d, err := parseCommittedDefinition(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", PeerName(o), err)
	}
	return d, nil
}

// parseCommittedDefinition reads querycommitted's JSON output (encoding/json over the protobuf
// message: bytes as base64, a oneof under its Go field name, {"Payload":{"StaticCollectionConfig":…}}): the
// sequence, the endorsement policy's organizations (validation_parameter, a marshalled
// ApplicationPolicy) and each collection's members (member_orgs_policy's signature policy).
func parseCommittedDefinition(out string) (*committedDefinition, error) {
	var def struct {
		Sequence            int    `json:"sequence"`
		ValidationParameter []byte `json:"validation_parameter"`
		Collections         struct {
			Config []struct {
				Payload struct {
					Static struct {
						Name    string `json:"name"`
						Members struct {
							Payload struct {
								SignaturePolicy struct {
									Identities []principalJSON `json:"identities"`
								}
							}
						} `json:"member_orgs_policy"`
					} `json:"StaticCollectionConfig"`
				}
			} `json:"config"`
		} `json:"collections"`
	}
	if err := json.Unmarshal([]byte(out), &def); err != nil {
		return nil, fmt.Errorf("querycommitted: %w: %s", err, lastLines(out, 3))
	}
	if def.Sequence == 0 {
		return nil, fmt.Errorf("querycommitted: no sequence in %s", lastLines(out, 3))
	}
	d := &committedDefinition{Sequence: def.Sequence, Members: map[string][]string{}}
	var pol pb.ApplicationPolicy
	if err := proto.Unmarshal(def.ValidationParameter, &pol); err != nil {
		return nil, fmt.Errorf("querycommitted: the endorsement policy (validation_parameter): %w", err)
	}
	if env := pol.GetSignaturePolicy(); env != nil {
		var err error
		if d.Policy, err = principalMSPs(env.GetIdentities()); err != nil {
			return nil, fmt.Errorf("querycommitted: the endorsement policy: %w", err)
		}
	}
	for _, c := range def.Collections.Config {
		s := c.Payload.Static
		if s.Name == "" {
			return nil, errors.New("querycommitted: a collection without a name")
		}
		var ids []*mb.MSPPrincipal
		for _, p := range s.Members.Payload.SignaturePolicy.Identities {
			ids = append(ids, &mb.MSPPrincipal{PrincipalClassification: mb.MSPPrincipal_Classification(p.Classification), Principal: p.Principal})
		}
		msps, err := principalMSPs(ids)
		if err != nil {
			return nil, fmt.Errorf("querycommitted: collection %s's members: %w", s.Name, err)
		}
		d.names = append(d.names, s.Name)
		d.Members[s.Name] = msps
	}
	return d, nil
}

// principalJSON is an MSPPrincipal as encoding/json writes it.
type principalJSON struct {
	Classification int32  `json:"principal_classification"`
	Principal      []byte `json:"principal"`
}

// principalMSPs are the MSP ids a signature policy's principals name (roles and organization units).
func principalMSPs(ids []*mb.MSPPrincipal) ([]string, error) {
	var out []string
	add := func(m string) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	for _, p := range ids {
		switch p.GetPrincipalClassification() {
		case mb.MSPPrincipal_ROLE:
			var r mb.MSPRole
			if err := proto.Unmarshal(p.GetPrincipal(), &r); err != nil {
				return nil, fmt.Errorf("a role principal: %w", err)
			}
			add(r.GetMspIdentifier())
		case mb.MSPPrincipal_ORGANIZATION_UNIT:
			var u mb.OrganizationUnit
			if err := proto.Unmarshal(p.GetPrincipal(), &u); err != nil {
				return nil, fmt.Errorf("an organization unit principal: %w", err)
			}
			add(u.GetMspIdentifier())
		default:
			return nil, fmt.Errorf("a principal of classification %v, which netctl does not read", p.GetPrincipalClassification())
		}
	}
	return out, nil
}

// checkLeave refuses the removal of a bank from the channel while it holds pledges that have not
// ended (read through the acting organization's own peer) or while the committed chaincode definition
// still names it. Both causes are named when both hold.
func (n *Network) checkLeave(o *Organization, mspID string) error {
	if mspID == o.MSPID {
		return fmt.Errorf("%s proposes or submits its own removal: run these steps on a remaining member's host (its peer, "+
			"which serves the definition without %s, reads the pledges the check needs)", mspID, mspID)
	}
	name := mspID
	if org := n.plan().departedOrg(mspID); org != nil {
		name = org.Name
	}
	var errs []error
	tally, err := n.pledgesOf(o, mspID)
	if err != nil {
		return err
	}
	errs = append(errs, pledgesRefusal(mspID, tally))
	d, err := n.readDefinition(o)
	if err != nil {
		return err
	}
	errs = append(errs, definitionRefusal(mspID, name, d))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s cannot leave channel %s yet: %w", mspID, n.Top.Channel, err)
	}
	return nil
}

// departedOrg is a bank of the topology by MSP id, departed or not.
func (t *Topology) departedOrg(mspID string) *Organization {
	for _, o := range t.all() {
		if o.MSPID == mspID {
			return o
		}
	}
	return nil
}

// departing are the banks the plan has departed that a committed definition still names (in its
// endorsement policy or a collection's members): those the next definition drops.
func (n *Network) departing(d *committedDefinition) []string {
	var out []string
	for _, b := range n.plan().Departed() {
		if inPolicy, colls := d.naming(b.MSPID); inPolicy || len(colls) > 0 {
			out = append(out, b.MSPID)
		}
	}
	return out
}

// checkDepartures refuses a definition that drops departed banks while one holds pledges that have
// not ended: the bank does not approve the definition, so from its commit its peer endorses no more,
// and its pledges' key-level policy could never be met again.
func (n *Network) checkDepartures(o *Organization, departing []string) error {
	for _, m := range departing {
		tally, err := n.pledgesOf(o, m)
		if err != nil {
			return err
		}
		if err := pledgesRefusal(m, tally); err != nil {
			return fmt.Errorf("%s has departed in the plan, but the definition cannot drop it yet: %w", m, err)
		}
	}
	return nil
}

// removedOrgs are the application organizations (their groups' names, the MSP ids) an update
// removes from the channel.
func removedOrgs(cfg *cb.Config, u *cb.ConfigUpdate) []string {
	var out []string
	current := flatten(cfg.ChannelGroup)
	for name := range cfg.GetChannelGroup().GetGroups()["Application"].GetGroups() {
		if isRemoved("[Group] /Channel/Application/"+name, u, current) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
