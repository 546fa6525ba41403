package netctl

import (
	"context"
	"fmt"

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
		err = qscc.NewReader(gw, s.Channel).WaitForHeight(ctx, block+1)
		gw.Close()
		conn.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", o.MSPID, err)
		}
	}
	return nil
}
