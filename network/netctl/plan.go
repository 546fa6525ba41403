package netctl

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// PlanChange is what a host's adoption of a new consortium plan changed.
type PlanChange struct {
	Joined   []string // MSP ids of the organizations the new plan adds
	Departed []string // MSP ids of the banks it marks departed
	SHA256   string   // the new plan's sha256, which the host's commands read from now on
}

// AdoptPlan makes a host of a consortium take a new plan: the topology file arg names as FILE@SHA256
// (its sha256 read out by the consortium's coordinator). The new plan may only add peer organizations
// and mark banks departed; every organization, node and port of the old plan, the channel, the
// ordering and the chaincode's name and version stay as they were (a change to them needs a network
// made anew, or a procedure of its own). From then on every command in the data directory must read
// the new topology file (--topology); the old one is refused.
func (n *Network) AdoptPlan(arg string) (*PlanChange, error) {
	s, err := LoadScope(n.Dir)
	if err != nil {
		return nil, err
	}
	if s == nil || !n.scoped() {
		return nil, errors.New("org plan is for a host of one organization (a data directory made by `org init`); " +
			"a network of every organization on one machine reads its topology file as it is given")
	}
	raw, path, err := ReadChecked(arg, false)
	if err != nil {
		return nil, err
	}
	next, err := ParseTopology(raw, n.PortBase)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ch, err := planChange(n.plan(), next)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if slices.ContainsFunc(next.Departed(), func(o *Organization) bool { return o.Name == s.Org }) {
		return nil, fmt.Errorf("%s: this host's organization %s departs in it: the host keeps its plan (stop it "+
			"with `netctl down` once the update that removes it is committed)", path, s.Org)
	}
	ch.SHA256 = strings.ToLower(strings.TrimPrefix(arg[strings.LastIndexByte(arg, '@')+1:], "sha256:"))
	s.TopologySHA256 = ch.SHA256
	return ch, writeJSON(n.scopeFile(), s)
}

// planChange checks that next only adds peer organizations to old and marks banks departed, and
// says which.
func planChange(old, next *Topology) (*PlanChange, error) {
	switch {
	case old.Channel != next.Channel:
		return nil, fmt.Errorf("the channel is %s, not %s: a plan may not change it", next.Channel, old.Channel)
	case old.Ordering != next.Ordering:
		return nil, errors.New("the ordering settings differ: a plan may not change them (a configuration update of the orderers' does)")
	case old.Chaincode.Name != next.Chaincode.Name || old.Chaincode.Version != next.Chaincode.Version:
		return nil, errors.New("the chaincode's name or version differ: a plan may not change them (`chaincode upgrade` does)")
	}
	ch := &PlanChange{}
	for _, o := range old.all() {
		i := slices.IndexFunc(next.all(), func(x *Organization) bool { return x.Name == o.Name })
		if i < 0 {
			return nil, fmt.Errorf("organization %s is not in it: an organization stays in the plan (a bank that "+
				"leaves stays with departed: true, for its terms collection)", o.Name)
		}
		x := next.all()[i]
		if !sameOrganization(o, x) {
			return nil, fmt.Errorf("organization %s differs: a plan may not change an organization's MSP id, hosts, "+
				"ports or users", o.Name)
		}
		switch {
		case o.Departed && !x.Departed:
			return nil, fmt.Errorf("organization %s has departed: it cannot come back under the same name (it joins "+
				"anew, under another name and MSP id)", o.Name)
		case !o.Departed && x.Departed:
			ch.Departed = append(ch.Departed, x.MSPID)
		}
	}
	for _, x := range next.all() {
		if slices.ContainsFunc(old.all(), func(o *Organization) bool { return o.Name == x.Name }) {
			continue
		}
		if slices.ContainsFunc(old.all(), func(o *Organization) bool { return o.MSPID == x.MSPID }) {
			return nil, fmt.Errorf("organization %s: MSP id %s was another organization's", x.Name, x.MSPID)
		}
		if x.Peer == nil || len(x.Orderers) > 0 || x.Departed {
			return nil, fmt.Errorf("organization %s: only a peer organization joins by a plan (with a peer, no orderers, "+
				"not departed)", x.Name)
		}
		ch.Joined = append(ch.Joined, x.MSPID)
	}
	if len(ch.Joined) == 0 && len(ch.Departed) == 0 {
		return nil, errors.New("it changes nothing: the same organizations as the plan this host has")
	}
	return ch, nil
}

// sameOrganization compares two organizations of two plans but for departure.
func sameOrganization(a, b *Organization) bool {
	x, y := *a, *b
	x.Departed, y.Departed, x.remoteCA, y.remoteCA = false, false, false, false
	return reflect.DeepEqual(x, y)
}
