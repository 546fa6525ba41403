package netctl

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"golang.org/x/sync/errgroup"
)

// waitReady waits until the network can serve: every organization's peer gateway can reach every
// organization's peer for an endorsement (gossip has told it of them all), and a real transaction,
// endorsed across organizations through the IP office's peer, commits. A direct peer query works long
// before that, which is why readiness is proven this way.
func (n *Network) waitReady(ctx context.Context, sys *System, timeout time.Duration) error {
	var all []string
	for _, o := range n.plan().PeerOrgs() {
		all = append(all, o.MSPID)
	}
	return waitFor(ctx, timeout, 300*time.Millisecond, func() error {
		if err := n.anyExited(sys); err != nil {
			return final(err)
		}
		var g errgroup.Group
		for _, o := range n.Top.PeerOrgs() {
			g.Go(func() error { return endorseEverywhere(ctx, sys, o.MSPID, all) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		return submitPing(ctx, sys, n.readinessOrg().MSPID)
	})
}

// WaitEveryPeerReachesEveryOrg waits until every organization's peer gateway can have Ping endorsed
// by every organization's peer: gossip has told each peer of all the others. Up waits for it; a test
// that follows a heavy phase of the machine (scratch networks, a load) waits again, because a peer
// that missed another's alive messages for a while forgets it until the next ones arrive, and its
// gateway then finds no endorsing peer of that organization.
func (s *System) WaitEveryPeerReachesEveryOrg(ctx context.Context, timeout time.Duration) error {
	var all []string
	for _, o := range s.Organizations {
		if o.Peer != "" {
			all = append(all, o.MSPID)
		}
	}
	return waitFor(ctx, timeout, 300*time.Millisecond, func() error {
		var g errgroup.Group
		for _, msp := range all {
			g.Go(func() error { return endorseEverywhere(ctx, s, msp, all) })
		}
		return g.Wait()
	})
}

// anyExited names the first node or chaincode server of the network that is not running (gateways
// and their read models start after readiness), with the
// cause from its log: readiness cannot come without it.
func (n *Network) anyExited(sys *System) error {
	for _, p := range n.processes(sys.PackageIDs()) {
		if p.Kind != "gateway" && p.Kind != "postgres" && n.Pid(p) == 0 {
			return n.withCause(p.Name, fmt.Errorf("%s exited", p.Name))
		}
	}
	return nil
}

// endorseEverywhere asks msp's peer gateway to have Ping endorsed by every organization.
func endorseEverywhere(ctx context.Context, sys *System, msp string, orgs []string) error {
	gw, conn, err := sys.Dial(msp, "admin")
	if err != nil {
		return err
	}
	defer conn.Close()
	defer gw.Close()
	proposal, err := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name).NewProposal(api.Ping.Name,
		client.WithEndorsingOrganizations(orgs...))
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := proposal.EndorseWithContext(cctx); err != nil {
		return fmt.Errorf("not ready: %s's peer cannot reach every organization yet: %w", msp, err)
	}
	return nil
}

// submitPing submits Ping through msp's peer and waits for it to commit.
func submitPing(ctx context.Context, sys *System, msp string) error {
	gw, conn, err := sys.Dial(msp, "admin")
	if err != nil {
		return err
	}
	defer conn.Close()
	defer gw.Close()
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	proposal, err := gw.GetNetwork(sys.Channel).GetContract(sys.Chaincode.Name).NewProposal(api.Ping.Name)
	if err != nil {
		return err
	}
	tx, err := proposal.EndorseWithContext(cctx)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	commit, err := tx.SubmitWithContext(cctx)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	status, err := commit.StatusWithContext(cctx)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	if !status.Successful {
		return fmt.Errorf("not ready: transaction %s committed with %s", status.TransactionID, status.Code)
	}
	return nil
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }
