package netctl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/ipledger/ipledger/gateway"
)

// API keys (`scripts/ipledger key issue|list|expire|rotate|revoke`): each organization's keys are
// records in its gateway's keys file (gateway.Keys: id, owner identity, created, expires, revoked,
// the key's SHA-256, never the key). A command changes the file (written whole, renamed into place)
// and has the gateway reload it (SIGHUP, waited for on its reload counter, as identity add does): the
// change is in force when the command returns. A key is printed once, by issue and rotate.

// DefaultRotationGrace is how long a rotated key stays valid beside its successor, unless told.
const DefaultRotationGrace = time.Hour

// keyOrg is the organization whose gateway this host runs, with its users as they are now.
func (n *Network) keyOrg(mspID string) (*Organization, error) {
	o, err := n.ActingOrg(mspID)
	if err != nil {
		return nil, err
	}
	if o.Gateway == nil {
		return nil, fmt.Errorf("%s runs no HTTP gateway: it has no API keys", o.MSPID)
	}
	st, err := n.loadState()
	if err != nil {
		return nil, err
	}
	if !st.Committed {
		return nil, fmt.Errorf("no running network in %s (run up first)", n.Dir)
	}
	n.applyIdentities(st)
	return o, nil
}

// ListKeys returns the organization's API keys, as its keys file has them.
func (n *Network) ListKeys(mspID string) ([]gateway.KeyRecord, error) {
	o, err := n.keyOrg(mspID)
	if err != nil {
		return nil, err
	}
	keys, err := gateway.LoadKeys(n.gatewayKeysFile(o))
	if err != nil {
		return nil, err
	}
	return keys.Keys, nil
}

// changeKeys reads the organization's keys file, lets change edit it, writes it back and has the
// gateway take it; it returns when the gateway serves the new keys.
func (n *Network) changeKeys(ctx context.Context, o *Organization, change func(*gateway.Keys) error) error {
	path := n.gatewayKeysFile(o)
	keys, err := gateway.LoadKeys(path)
	if err != nil {
		return err
	}
	if err := change(keys); err != nil {
		return err
	}
	if err := keys.Validate(); err != nil {
		return err
	}
	if err := keys.Save(path); err != nil {
		return err
	}
	if !n.gatewayAvailable() {
		return nil
	}
	return n.signalGateway(ctx, o)
}

// IssueKey makes a new API key for one of the organization's users (not an admin), valid until
// expires (nil: until revoked). The key is returned to be shown once; only its hash is kept.
func (n *Network) IssueKey(ctx context.Context, mspID, user string, expires *time.Time) (string, gateway.KeyRecord, error) {
	o, err := n.keyOrg(mspID)
	if err != nil {
		return "", gateway.KeyRecord{}, err
	}
	i := slices.IndexFunc(o.Users, func(u UserSpec) bool { return u.Name == user })
	switch {
	case i < 0:
		return "", gateway.KeyRecord{}, fmt.Errorf("%s has no user %s (list them with `scripts/ipledger status --json`; "+
			"add one with `scripts/ipledger identity add %s --org %s --role ROLE`)", o.MSPID, user, user, o.MSPID)
	case o.Users[i].Role == "admin":
		return "", gateway.KeyRecord{}, fmt.Errorf("%s is %s's admin: an admin has no API key; it acts with netctl on its "+
			"organization's host (scripts/ipledger channel, chaincode, identity)", user, o.MSPID)
	}
	now := time.Now()
	if expires != nil && !expires.After(now) {
		return "", gateway.KeyRecord{}, fmt.Errorf("the expiry %s is not in the future", expires.Format(time.RFC3339))
	}
	key, rec, err := gateway.NewAPIKey(user, "issued", now, expires)
	if err != nil {
		return "", gateway.KeyRecord{}, err
	}
	err = n.changeKeys(ctx, o, func(k *gateway.Keys) error {
		k.Keys = append(k.Keys, rec)
		return nil
	})
	return key, rec, err
}

// findKey is the record id of k, or an error that says how to find ids.
func findKey(k *gateway.Keys, o *Organization, id string) (*gateway.KeyRecord, error) {
	r := k.Find(id)
	if r == nil {
		return nil, fmt.Errorf("%s has no API key %s (`scripts/ipledger key list --org %s` lists them)", o.MSPID, id, o.MSPID)
	}
	return r, nil
}

// ExpireKey makes a key expire at `at` (now or later; an earlier expiry is kept).
func (n *Network) ExpireKey(ctx context.Context, mspID, id string, at time.Time) (gateway.KeyRecord, error) {
	o, err := n.keyOrg(mspID)
	if err != nil {
		return gateway.KeyRecord{}, err
	}
	var out gateway.KeyRecord
	err = n.changeKeys(ctx, o, func(k *gateway.Keys) error {
		r, err := findKey(k, o, id)
		if err != nil {
			return err
		}
		at := at.UTC()
		if r.Expires == nil || at.Before(*r.Expires) {
			r.Expires = &at
		}
		out = *r
		return nil
	})
	return out, err
}

// RevokeKey revokes a key: refused from the gateway's reload on, for good. Its dev key file, if it
// was one, is removed.
func (n *Network) RevokeKey(ctx context.Context, mspID, id string) (gateway.KeyRecord, error) {
	o, err := n.keyOrg(mspID)
	if err != nil {
		return gateway.KeyRecord{}, err
	}
	var out gateway.KeyRecord
	err = n.changeKeys(ctx, o, func(k *gateway.Keys) error {
		r, err := findKey(k, o, id)
		if err != nil {
			return err
		}
		if !r.Revoked {
			now := time.Now().UTC()
			r.Revoked, r.RevokedAt = true, &now
		}
		out = *r
		return nil
	})
	if err != nil {
		return out, err
	}
	return out, n.dropDevKeyFile(o, out)
}

// RotateKey issues a new key for the identity of key id, with the same expiry, and has the old key
// expire after grace (0: at once). It returns the new key, to be shown once.
func (n *Network) RotateKey(ctx context.Context, mspID, id string, grace time.Duration) (string, gateway.KeyRecord, gateway.KeyRecord, error) {
	o, err := n.keyOrg(mspID)
	if err != nil {
		return "", gateway.KeyRecord{}, gateway.KeyRecord{}, err
	}
	if grace < 0 {
		return "", gateway.KeyRecord{}, gateway.KeyRecord{}, fmt.Errorf("the grace %s is negative", grace)
	}
	var key string
	var old, next gateway.KeyRecord
	err = n.changeKeys(ctx, o, func(k *gateway.Keys) error {
		r, err := findKey(k, o, id)
		if err != nil {
			return err
		}
		now := time.Now()
		switch {
		case r.Revoked:
			return fmt.Errorf("API key %s is revoked: a revoked key is not rotated; issue a new one (scripts/ipledger key issue %s --org %s)", id, r.Identity, o.MSPID)
		case r.ReplacedBy != "":
			return fmt.Errorf("API key %s was rotated already, to %s: rotate that one", id, r.ReplacedBy)
		}
		key, next, err = gateway.NewAPIKey(r.Identity, "rotated", now, r.Expires)
		if err != nil {
			return err
		}
		end := now.Add(grace).UTC()
		if r.Expires == nil || end.Before(*r.Expires) {
			r.Expires = &end
		}
		r.ReplacedBy = next.ID
		old = *r
		k.Keys = append(k.Keys, next)
		return nil
	})
	if err != nil {
		return "", old, next, err
	}
	return key, old, next, n.dropDevKeyFile(o, old)
}

// dropDevKeyFile removes the user's api-key file when it holds the key of r: a key revoked or rotated
// away is kept in clear nowhere.
func (n *Network) dropDevKeyFile(o *Organization, r gateway.KeyRecord) error {
	if r.Note != "dev" {
		return nil
	}
	path := n.apiKeyFile(o, r.Identity)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if gateway.RecordOf(string(trimKey(raw)), r.Identity, "", time.Now(), nil).SHA256 != r.SHA256 {
		return nil
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	st, err := n.loadState()
	if err != nil {
		return err
	}
	return writeJSON(n.SystemFile(), n.Describe(st.PackageIDs))
}

func trimKey(raw []byte) []byte {
	for len(raw) > 0 && (raw[len(raw)-1] == '\n' || raw[len(raw)-1] == '\r' || raw[len(raw)-1] == ' ') {
		raw = raw[:len(raw)-1]
	}
	return raw
}
