package netctl

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefineOptions say what `chaincode define` does on this host.
type DefineOptions struct {
	Orgs []string // this host's organizations that approve (names); empty: all of them
}

// Define approves, for this host's organizations, the next sequence of the chaincode definition with
// the program the host serves (the same version and packages: no server changes) and the
// collections and endorsement policy of the consortium's plan, which changed when a bank joined or
// departed (`org plan`). On the IP office's host it commits the definition once the approvals reach
// the channel's LifecycleEndorsement; elsewhere it waits for that commit. It then records the new
// sequence, which later `up`s check the peers against. A run interrupted after the commit is finished
// by running it again.
func (n *Network) Define(ctx context.Context, opt DefineOptions) (*UpgradeReport, error) {
	began := time.Now()
	n.began = began
	st, err := n.loadState()
	if err != nil {
		return nil, err
	}
	if !st.Committed || !n.packaged(st) || len(n.Top.PeerOrgs()) == 0 {
		return nil, ErrNotDeployedHere
	}
	version, err := n.ccVersion()
	if err != nil {
		return nil, err
	}
	o := n.Top.PeerOrgs()[0]
	committed, err := n.readCommitted(o)
	if err != nil {
		return nil, err
	}
	serves := n.ccSequence()
	next := ccDef{version: version, sequence: serves + 1}
	old := committed
	switch {
	case committed == next:
		old = ccDef{sequence: serves} // committed already: only the record is left
	case committed.version != version:
		return nil, fmt.Errorf("%s has version %q committed; this host serves %q: bring it to the committed program first "+
			"(`chaincode upgrade`)", PeerName(o), committed.version, version)
	case committed.sequence != serves:
		return nil, fmt.Errorf("%w: %s has sequence %d committed; this host serves sequence %d and would approve %d. "+
			"Bring this host to the committed definition first", ErrSequenceMoved, PeerName(o), committed.sequence, serves, next.sequence)
	default:
		added, dropped, err := n.collectionChange(o)
		if err != nil {
			return nil, err
		}
		if len(dropped) > 0 {
			return nil, fmt.Errorf("the plan's definition drops the collections %s, which Fabric refuses: a bank that "+
				"leaves stays in the plan with departed: true", strings.Join(dropped, ", "))
		}
		if len(added) == 0 && len(n.plan().Departed()) == 0 {
			return nil, fmt.Errorf("nothing to define: the committed definition (sequence %d) has the plan's collections "+
				"already, and no bank of the plan has departed (adopt the consortium's new plan first: `org plan`)", committed.sequence)
		}
		if len(added) > 0 {
			n.progress("the definition gains the collections %s", strings.Join(added, ", "))
		}
		for _, d := range n.plan().Departed() {
			n.progress("%s has departed: its peer leaves the endorsement policy and its collection keeps the IP office and the regulator", d.MSPID)
		}
	}
	approving, err := n.approvingOrgs(opt.Orgs)
	if err != nil {
		return nil, err
	}
	rep := &UpgradeReport{FromVersion: version, ToVersion: version, Sequence: next.sequence}
	if err := n.approveAndCommit(ctx, approving, st.PackageIDs, old, next, rep); err != nil {
		return nil, err
	}
	d := deployedCC{Sequence: next.sequence, Slot: n.ccSlot()}
	if was := n.ccDeployed(); was != nil {
		d.Program = was.Program
	}
	st.Chaincode = &d
	n.setDeployed(st.Chaincode)
	if err := n.saveState(st); err != nil {
		return nil, err
	}
	rep.Duration = time.Since(began)
	return rep, writeJSON(n.SystemFile(), n.Describe(st.PackageIDs))
}

// collectionChange compares the collections a peer has committed with the plan's: the names the plan
// adds and those it drops.
func (n *Network) collectionChange(o *Organization) (added, dropped []string, err error) {
	committed, err := n.committedCollections(o)
	if err != nil {
		return nil, nil, err
	}
	var planned []string
	for _, c := range n.definitionCollections() {
		planned = append(planned, c.Name)
		if !slices.Contains(committed, c.Name) {
			added = append(added, c.Name)
		}
	}
	for _, c := range committed {
		if !slices.Contains(planned, c) {
			dropped = append(dropped, c)
		}
	}
	return added, dropped, nil
}

// committedCollections are the names of the collections of the definition a peer has committed.
func (n *Network) committedCollections(o *Organization) ([]string, error) {
	out, err := n.output(n.peerCLIEnv(o), n.ProgramPath("peer"), "lifecycle", "chaincode", "querycommitted",
		"--channelID", n.Top.Channel, "--name", n.Top.Chaincode.Name, "--output", "json")
	if err != nil {
		return nil, err
	}
	return parseCommittedCollections(out)
}

// parseCommittedCollections reads the collection names of querycommitted's JSON output (the CLI
// marshals the protobuf result with encoding/json, so a collection sits under its oneof's field:
// {"collections":{"config":[{"Payload":{"StaticCollectionConfig":{"name":...}}}]}}).
func parseCommittedCollections(out string) ([]string, error) {
	var def struct {
		Collections struct {
			Config []map[string]json.RawMessage `json:"config"`
		} `json:"collections"`
	}
	if err := json.Unmarshal([]byte(out), &def); err != nil {
		return nil, fmt.Errorf("querycommitted: %w: %s", err, lastLines(out, 3))
	}
	var names []string
	for _, c := range def.Collections.Config {
		raw := c["Payload"]
		if raw == nil {
			raw, _ = json.Marshal(c) // a CLI that marshals without the oneof's field
		}
		var p map[string]struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("querycommitted: a collection: %w: %s", err, raw)
		}
		static, ok := p["StaticCollectionConfig"]
		if !ok {
			static = p["static_collection_config"]
		}
		if static.Name == "" {
			return nil, fmt.Errorf("querycommitted: a collection without a name: %s", raw)
		}
		names = append(names, static.Name)
	}
	return names, nil
}
