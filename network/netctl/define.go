package netctl

import (
	"context"
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
	st, err := n.deployedState()
	if err != nil {
		return nil, err
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
		if err := n.checkPlanChange(o, committed); err != nil {
			return nil, err
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
	if err := n.recordSequence(st, next.sequence); err != nil {
		return nil, err
	}
	rep.Duration = time.Since(began)
	return rep, writeJSON(n.SystemFile(), n.Describe(st.PackageIDs))
}

// checkPlanChange checks what the plan's definition changes against the one committed, and says it:
// no collection dropped (Fabric refuses it), something to define, and no departed bank dropped while it
// holds pledges that have not ended.
func (n *Network) checkPlanChange(o *Organization, committed ccDef) error {
	d, err := n.readDefinition(o)
	if err != nil {
		return err
	}
	added, dropped := n.collectionChange(d)
	if len(dropped) > 0 {
		return fmt.Errorf("the plan's definition drops the collections %s, which Fabric refuses: a bank that "+
			"leaves stays in the plan with departed: true", strings.Join(dropped, ", "))
	}
	departing := n.departing(d)
	if len(added) == 0 && len(departing) == 0 {
		return fmt.Errorf("nothing to define: the committed definition (sequence %d) has the plan's collections "+
			"already, and names no bank the plan has departed (adopt the consortium's new plan first: `org plan`)", committed.sequence)
	}
	if err := n.checkDepartures(o, departing); err != nil {
		return err
	}
	if len(added) > 0 {
		n.progress("the definition gains the collections %s", strings.Join(added, ", "))
	}
	for _, b := range departing {
		n.progress("%s has departed: its peer leaves the endorsement policy and its collection keeps the IP office and the regulator", b)
	}
	return nil
}

// collectionChange compares the collections of a committed definition with the plan's: the names the
// plan adds and those it drops.
func (n *Network) collectionChange(d *committedDefinition) (added, dropped []string) {
	var planned []string
	for _, c := range n.definitionCollections() {
		planned = append(planned, c.Name)
		if !slices.Contains(d.names, c.Name) {
			added = append(added, c.Name)
		}
	}
	for _, c := range d.names {
		if !slices.Contains(planned, c) {
			dropped = append(dropped, c)
		}
	}
	return added, dropped
}
