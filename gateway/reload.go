package gateway

import "slices"

// Swapper is a part of the gateway that takes a new configuration while it serves: the keyring (API
// keys) and the ledger (the identities' certificates and keys). PrepareSwap reads and checks all it
// needs from cfg and returns the function that makes it current; it changes nothing itself, so that a
// configuration one part refuses leaves every part as it was.
type Swapper interface {
	PrepareSwap(cfg *Config) (commit func(), err error)
}

// Reload reads the configuration file at path again (with the environment's overrides, as at start)
// and, when every part accepts it, swaps it into all of them at once: requests in flight finish with
// what they started with, new requests get the new identities and keys. When the file cannot be read
// or checked, or a part refuses it (an unreadable certificate, a key that is not the certificate's),
// nothing changes and the error says why. Settings other than the identities and their API keys (keysFile included) are
// read at start only: those that differ from cur are returned in restart, to be logged.
func Reload(path string, getenv func(string) string, cur *Config, parts ...Swapper) (next *Config, restart []string, err error) {
	next, err = LoadConfig(path, getenv)
	if err != nil {
		return nil, nil, err
	}
	commits := make([]func(), 0, len(parts))
	for _, p := range parts {
		c, err := p.PrepareSwap(next)
		if err != nil {
			return nil, nil, err
		}
		commits = append(commits, c)
	}
	for _, c := range commits {
		c()
	}
	return next, StartOnly(cur, next), nil
}

// StartOnly names the settings that differ between a and b and that the gateway reads at start only.
func StartOnly(a, b *Config) []string {
	if a == nil || b == nil {
		return nil
	}
	var diff []string
	add := func(name string, same bool) {
		if !same {
			diff = append(diff, name)
		}
	}
	add("listen", a.Listen == b.Listen)
	add("mspId", a.MSPID == b.MSPID)
	add("peer", a.Peer == b.Peer)
	add("channel", a.Channel == b.Channel)
	add("chaincode", a.Chaincode == b.Chaincode)
	add("commitTimeout", a.CommitTimeout == b.CommitTimeout)
	add("endorseTimeout", a.EndorseTimeout == b.EndorseTimeout)
	add("evaluateTimeout", a.EvaluateTimeout == b.EvaluateTimeout)
	add("maxBodyBytes", a.MaxBodyBytes == b.MaxBodyBytes)
	add("checkpointDir", a.CheckpointDir == b.CheckpointDir)
	add("peerOrganizations", slices.Equal(a.PeerOrganizations, b.PeerOrganizations))
	add("logLevel", a.LogLevel == b.LogLevel)
	add("maxRetries", a.MaxRetries == b.MaxRetries)
	add("tls", a.TLS == b.TLS)
	add("insecureHTTP", a.InsecureHTTP == b.InsecureHTTP)
	add("limits", a.Limits == b.Limits)
	add("readyInterval", a.ReadyInterval == b.ReadyInterval)
	add("readModel", a.ReadModel == b.ReadModel)
	add("operations", a.Operations.Listen == b.Operations.Listen && a.Operations.TLS == b.Operations.TLS &&
		slices.Equal(a.Operations.ClientRootCAs, b.Operations.ClientRootCAs))
	return diff
}
