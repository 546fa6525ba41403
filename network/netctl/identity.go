package netctl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Users added after the network was made (`identity add`) and users revoked (`identity revoke`) are
// recorded in state.json by organization name; applyIdentities puts them into the topology this
// host works with, so that the gateway's configuration and system.json follow them on every up.

// applyIdentities adds the users added and drops the users revoked from the topology's organizations.
func (n *Network) applyIdentities(st *state) {
	for _, o := range n.Top.Organizations {
		for _, u := range st.Users[o.Name] {
			if !slices.ContainsFunc(o.Users, func(x UserSpec) bool { return x.Name == u.Name }) {
				o.Users = append(o.Users, u)
			}
		}
		o.Users = slices.DeleteFunc(o.Users, func(u UserSpec) bool { return slices.Contains(st.Revoked[o.Name], u.Name) })
	}
}

// identityOrg is the organization whose CA this host runs, for identity commands.
func (n *Network) identityOrg(mspID string) (*Organization, *state, error) {
	o, err := n.ActingOrg(mspID)
	if err != nil {
		return nil, nil, err
	}
	if o.remoteCA {
		return nil, nil, fmt.Errorf("%s's CA runs on another host: manage its identities there", o.MSPID)
	}
	st, err := n.loadState()
	if err != nil {
		return nil, nil, err
	}
	if !st.Committed {
		return nil, nil, fmt.Errorf("no running network in %s (run up first)", n.Dir)
	}
	n.applyIdentities(st)
	return o, st, nil
}

// AddUser registers a new user of an organization at its CA and enrols it (its key made here), gives
// it an API key, and restarts the organization's HTTP gateway so that the gateway accepts the key.
func (n *Network) AddUser(ctx context.Context, mspID, name, role string) error {
	o, st, err := n.identityOrg(mspID)
	if err != nil {
		return err
	}
	if name == "admin" || role == "admin" || role == "" || strings.ContainsAny(name, "/ ") {
		return fmt.Errorf("a user needs a name (not admin, no / or space) and a role (not admin): %q %q", name, role)
	}
	if slices.Contains(st.Revoked[o.Name], name) {
		return fmt.Errorf("%s's user %s was revoked: its name is not given again", o.MSPID, name)
	}
	if slices.ContainsFunc(o.Users, func(u UserSpec) bool { return u.Name == name }) {
		return fmt.Errorf("%s has a user %s already", o.MSPID, name)
	}
	id := enrollee{name: name, typ: "client", role: role, dir: n.userDir(o, name), hosts: hostList(o.Host)}
	if err := n.enrollIdentity(o, id); err != nil {
		return err
	}
	if st.Users == nil {
		st.Users = map[string][]UserSpec{}
	}
	st.Users[o.Name] = append(st.Users[o.Name], UserSpec{Name: name, Role: role})
	if err := n.saveState(st); err != nil {
		return err
	}
	n.applyIdentities(st)
	return n.reloadGateway(ctx, o, st)
}

// Revocation is what a revocation did.
type Revocation struct {
	CRL   Artifact // the CA's new CRL
	Block uint64   // the config block that published it: the user is refused from it on
}

// RevokeUser revokes a user's certificates at its organization's CA, publishes the CA's CRL in the
// organization's channel MSP by a configuration update signed by the organization's admin (its own
// Admins policy is all a CRL needs), then drops the user from the HTTP gateway's configuration and
// restarts the gateway, so that its API key stops working.
func (n *Network) RevokeUser(ctx context.Context, mspID, name string) (*Revocation, error) {
	o, st, err := n.identityOrg(mspID)
	if err != nil {
		return nil, err
	}
	if name == "admin" {
		return nil, fmt.Errorf("%s's admin signs the revocation itself: it is not revoked this way", o.MSPID)
	}
	known := slices.ContainsFunc(o.Users, func(u UserSpec) bool { return u.Name == name })
	if !known && !slices.Contains(st.Revoked[o.Name], name) {
		return nil, fmt.Errorf("%s has no user %s", o.MSPID, name)
	}
	crl, err := n.revokeAtCA(o, name)
	if err != nil {
		return nil, err
	}
	p, err := n.ProposeUpdate(o, UpdateCRL, []string{o.MSPID, crl.Path})
	if err != nil && !strings.Contains(err.Error(), "no differences detected") {
		return nil, err
	}
	rev := &Revocation{CRL: crl}
	if p != nil { // else the channel has this CRL already (a revocation resumed)
		sub, err := n.SubmitUpdate(ctx, o, p.Path+"@"+p.SHA256, nil)
		if err != nil {
			return nil, err
		}
		rev.Block = sub.Block
	} else if _, rev.Block, err = n.ChannelConfig(o); err != nil {
		return nil, err
	}
	if !slices.Contains(st.Revoked[o.Name], name) {
		if st.Revoked == nil {
			st.Revoked = map[string][]string{}
		}
		st.Revoked[o.Name] = append(st.Revoked[o.Name], name)
		if err := n.saveState(st); err != nil {
			return nil, err
		}
	}
	n.applyIdentities(st)
	return rev, n.reloadGateway(ctx, o, st)
}

// revokeAtCA revokes every certificate of the user at the organization's CA as its registrar, then
// has the CA generate its CRL, which it returns (exported, to be read and published). The CRL is its
// own step: a revocation run again (its first run stopped after the CA) revokes no certificate, and
// fabric-ca then makes no CRL for --gencrl and writes an empty file in its place.
func (n *Network) revokeAtCA(o *Organization, name string) (Artifact, error) {
	home := n.registrarHome(o)
	err := n.caClient(o, "revoke", "-H", home, "-u", n.caURL(o, "", ""), "-e", name, "-r", "keycompromise")
	if err != nil && !strings.Contains(err.Error(), "already revoked") {
		return Artifact{}, err
	}
	if err := n.caClient(o, "gencrl", "-H", home, "-u", n.caURL(o, "", "")); err != nil {
		return Artifact{}, err
	}
	path := filepath.Join(home, "msp", "crls", "crl.pem")
	raw, err := os.ReadFile(path)
	if err != nil {
		return Artifact{}, fmt.Errorf("%s's CA made no CRL: %w", o.Name, err)
	}
	if !strings.Contains(string(raw), "-----BEGIN X509 CRL-----") {
		return Artifact{}, fmt.Errorf("%s's CA made no CRL (%s is empty)", o.Name, path)
	}
	return n.exportFile(path, o.Name+".crl.pem")
}

// reloadGateway rewrites the gateways' configuration and system.json, and has the organization's
// gateway take it without a restart (SIGHUP: signalGateway), or starts it when it does not run.
func (n *Network) reloadGateway(ctx context.Context, o *Organization, st *state) error {
	if err := n.writeGatewayConfigs(); err != nil {
		return err
	}
	if err := writeJSON(n.SystemFile(), n.Describe(st.PackageIDs)); err != nil {
		return err
	}
	if o.Gateway == nil || !n.gatewayAvailable() {
		return nil
	}
	return n.signalGateway(ctx, o)
}
