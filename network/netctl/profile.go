package netctl

import "slices"

// OrdererProfilePort is where an orderer serves Go's pprof when the network runs with PeerProfile
// (IPLEDGER_PEER_PROFILE=1), at 127.0.0.1: the spare ports after the peers' (the soak's heap
// profiles of an orderer).
func (t *Topology) OrdererProfilePort(name string) int {
	var names []string
	for _, o := range t.OrdererOrgs() {
		for _, ord := range o.Orderers {
			names = append(names, ord.Name)
		}
	}
	return t.SparePort(peerProfileSpare + len(t.PeerOrgs()) + max(0, slices.Index(names, name)))
}

// ordererProfile turns on an orderer's Go profiler (General.Profile) at 127.0.0.1 on a network
// started with PeerProfile: plain HTTP without authentication, as the peers'.
func (n *Network) ordererProfile(p *Process, ord OrdererSpec) {
	if !n.PeerProfile {
		return
	}
	port := n.Top.OrdererProfilePort(ord.Name)
	p.Env = append(p.Env, "ORDERER_GENERAL_PROFILE_ENABLED=true", "ORDERER_GENERAL_PROFILE_ADDRESS="+Addr("127.0.0.1", port))
	p.LoopbackPorts = append(p.LoopbackPorts, port)
}
