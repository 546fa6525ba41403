package netctl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Scope is what one host runs of the consortium: one organization's parts, from a data directory of
// its own. `org init` writes it to scope.json; every later command in that data directory reads it
// and acts on those parts only. A data directory without scope.json runs every organization (the
// one-machine default), through the same steps.
type Scope struct {
	Org string `json:"org"` // the organization's name in the topology
	// Orderers are the orderers this host runs, for an orderer organization whose orderers are on
	// hosts of their own; empty: all of them.
	Orderers []string `json:"orderers,omitempty"`
	// RemoteCA is set on a host of an orderer organization that does not run the organization's CA:
	// its orderers enroll from the CA on another host with one-time secrets, and it holds no admin or
	// user of the organization.
	RemoteCA bool `json:"remoteCa,omitempty"`
	// TopologySHA256 and PortBase are those of the consortium's plan when init ran: every later command
	// in the directory must read the same topology file at the same port base.
	TopologySHA256 string `json:"topologySha256,omitempty"`
	PortBase       int    `json:"portBase,omitempty"`
}

func (n *Network) scopeFile() string { return filepath.Join(n.Dir, "scope.json") }

// LoadScope reads a data directory's scope: nil when it has none (the one-machine default).
func LoadScope(dir string) (*Scope, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "scope.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s Scope
	if err := jsonUnmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("scope.json: %w", err)
	}
	return &s, nil
}

// Local is the part of a topology one host runs: a copy holding only the scope's organization, with
// only the scope's orderers. Nil scope: the whole topology.
func (t *Topology) Local(s *Scope) (*Topology, error) {
	if s == nil {
		return t, nil
	}
	var org *Organization
	for _, o := range t.Organizations {
		if o.Name == s.Org {
			org = o
		}
	}
	if org == nil {
		return nil, fmt.Errorf("no organization %q in the topology", s.Org)
	}
	local := *org
	local.remoteCA = s.RemoteCA
	if s.RemoteCA && len(org.Orderers) == 0 {
		return nil, fmt.Errorf("%s: only an orderer organization's host may leave its CA to another host", org.Name)
	}
	if len(s.Orderers) > 0 {
		local.Orderers = nil
		for _, name := range s.Orderers {
			i := slices.IndexFunc(org.Orderers, func(o OrdererSpec) bool { return o.Name == name })
			if i < 0 {
				return nil, fmt.Errorf("%s has no orderer %q", org.Name, name)
			}
			local.Orderers = append(local.Orderers, org.Orderers[i])
		}
	}
	view := *t
	view.Organizations = []*Organization{&local}
	return &view, nil
}

// plan is the whole consortium: every organization, also those this host does not run.
func (n *Network) plan() *Topology {
	if n.Plan != nil {
		return n.Plan
	}
	return n.Top
}

// scoped says whether this data directory runs one organization's parts (a host of a consortium)
// rather than the whole network.
func (n *Network) scoped() bool { return n.Plan != nil && n.Plan != n.Top }

// planOrg is an organization of the plan (all its orderers) by name.
func (n *Network) planOrg(name string) *Organization {
	for _, o := range n.plan().Organizations {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// isLocal says whether this host runs an organization's parts.
func (n *Network) isLocal(o *Organization) bool {
	return slices.ContainsFunc(n.Top.Organizations, func(l *Organization) bool { return l.Name == o.Name })
}

// Init writes a data directory's scope: `org init` does it once. A data directory keeps its scope: a
// second init with another one is refused.
func (n *Network) Init(s *Scope) error {
	old, err := LoadScope(n.Dir)
	if err != nil {
		return err
	}
	if old != nil && (old.Org != s.Org || old.RemoteCA != s.RemoteCA || !slices.Equal(old.Orderers, s.Orderers)) {
		return fmt.Errorf("%s is already the data directory of %+v; use another directory for %+v", n.Dir, *old, *s)
	}
	if old == nil {
		if st, err := n.loadState(); err == nil && st.Enrolled {
			return fmt.Errorf("%s holds a whole network (the one-machine default); use an empty directory for one organization", n.Dir)
		}
	}
	if err := os.MkdirAll(n.Dir, 0o700); err != nil {
		return err
	}
	s.TopologySHA256, s.PortBase = n.TopologySHA256, n.PortBase
	return writeJSON(n.scopeFile(), s)
}

// Scope makes the network one host's part of its plan.
func (n *Network) Scope(s *Scope) error {
	if s.TopologySHA256 != "" && n.TopologySHA256 != "" && s.TopologySHA256 != n.TopologySHA256 {
		return fmt.Errorf("this host's plan is the topology of sha256 %s (as of `org init`, or its last `org plan`); "+
			"this command read one of sha256 %s: give the consortium's topology (--topology, IPLEDGER_TOPOLOGY)", s.TopologySHA256, n.TopologySHA256)
	}
	if s.PortBase != 0 && s.PortBase != n.PortBase {
		return fmt.Errorf("this host's data directory was made at port base %d, not %d (--port-base, IPLEDGER_PORT_BASE)", s.PortBase, n.PortBase)
	}
	plan := n.plan()
	local, err := plan.Local(s)
	if err != nil {
		return err
	}
	n.Plan, n.Top = plan, local
	return nil
}
