package netctl

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/ipledger/ipledger/network/qscc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
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
	conn, err := DialPeer(org.Peer, org.PeerTLSCA)
	if err != nil {
		return nil, nil, err
	}
	id, sign, err := LoadIdentity(mspID, u.Certificate, u.PrivateKey)
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

// DialPeer opens a TLS gRPC connection to a peer.
func DialPeer(addr, tlsCAFile string) (*grpc.ClientConn, error) {
	pem, err := os.ReadFile(tlsCAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", tlsCAFile)
	}
	return grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "")))
}

// LoadIdentity reads an enrolled identity's certificate and private key.
func LoadIdentity(mspID, certFile, keyFile string) (*identity.X509Identity, identity.Sign, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, err
	}
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, nil, err
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, nil, err
	}
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		return nil, nil, err
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, nil, err
	}
	return id, sign, nil
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
