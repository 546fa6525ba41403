package netctl

import (
	"context"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/gateway/fabric"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"google.golang.org/grpc"
)

// Dial connects to an organization's own peer as one of its users, through the peer's gateway
// service. The caller closes the returned connection after the gateway.
func (s *System) Dial(mspID, user string, opts ...client.ConnectOption) (*client.Gateway, *grpc.ClientConn, error) {
	org, err := s.Org(mspID)
	if err != nil {
		return nil, nil, err
	}
	u, err := org.User(user)
	if err != nil {
		return nil, nil, err
	}
	conn, err := fabric.DialPeer(org.Peer, org.PeerTLSCA)
	if err != nil {
		return nil, nil, err
	}
	id, sign, err := fabric.LoadIdentity(mspID, u.Certificate, u.PrivateKey)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	gw, err := client.Connect(id, append([]client.ConnectOption{client.WithSign(sign), client.WithClientConnection(conn)}, opts...)...)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return gw, conn, nil
}

// WaitForBlock waits until every organization's peer has committed the given block, so that a test
// can read a transaction's effects from any peer right after the submitting peer reported its commit.
func (s *System) WaitForBlock(ctx context.Context, block uint64) error {
	for _, o := range s.Organizations {
		if o.Peer == "" {
			continue
		}
		gw, conn, err := s.Dial(o.MSPID, "admin")
		if err != nil {
			return err
		}
		err = WaitForHeight(ctx, qscc.NewReader(gw, s.Channel), block+1)
		gw.Close()
		conn.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", o.MSPID, err)
		}
	}
	return nil
}

// WaitForHeight waits until a peer's ledger (r) holds at least height blocks. A transaction committed on
// one peer is committed on the others a moment later: a reader on another organization's peer waits
// for the block before it reads.
func WaitForHeight(ctx context.Context, r *qscc.Reader, height uint64) error {
	for {
		h, err := r.Height()
		if err == nil && h >= height {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ledger height %d, waited for %d: %w", h, height, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
