// Package fabric implements [gateway.Ledger] with the Hyperledger Fabric Gateway client
// (fabric-gateway): one gRPC connection to the organization's own peer, shared by one client gateway
// per enrolled identity of the organization.
package fabric

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/fabric/qscc"
	"google.golang.org/grpc"
	grpcbackoff "google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
)

// Ledger is the channel as the organization's identities see it through their own peer.
type Ledger struct {
	cfg  *gateway.Config
	conn *grpc.ClientConn
	// ids are the identities as last loaded: replaced whole by a reload (PrepareSwap), so that a call
	// that took its signer goes on with it while the next call takes the new one.
	ids      atomic.Pointer[identities]
	observer gateway.Observer
	log      *slog.Logger
	// sleep waits between retries; tests shorten it.
	sleep func(context.Context, time.Duration) error
	// proofs keeps committed transactions read through qscc: a committed transaction's block,
	// validation code and endorsers never change, so verification asks the peer for each only once.
	proofs *lru.Cache[string, *api.Transaction]
	// heights is the channel's height as the one block-event stream (followBlocks) delivers it;
	// stopFollowing ends that stream, and followed is closed once it has ended.
	heights       *gateway.Heights
	stopFollowing context.CancelFunc
	followed      chan struct{}
}

// proofCacheSize bounds the committed transactions kept in memory (a few hundred bytes each).
const proofCacheSize = 50000

// identities are the organization's enrolled identities by name, and the first configured one (the
// one /readyz pings as).
type identities struct {
	byName map[string]*signer
	first  string
}

// signer is one enrolled identity with its client gateway.
type signer struct {
	name     string
	id       *identity.X509Identity
	cert     *x509.Certificate
	key      crypto.PrivateKey // opens the answers sealed to this identity (private terms, V2)
	gw       *client.Gateway
	network  *client.Network
	contract *client.Contract
	qscc     *qscc.Reader
}

// Option configures a [Ledger].
type Option func(*Ledger)

// WithObserver reports submission outcomes and retries (metrics).
func WithObserver(o gateway.Observer) Option { return func(l *Ledger) { l.observer = o } }

// WithLogger logs retries and ambiguous submissions.
func WithLogger(log *slog.Logger) Option { return func(l *Ledger) { l.log = log } }

// Open dials the organization's peer and loads every configured identity. Dialing is lazy: Open
// succeeds while the peer is down, and /readyz tells when it answers.
func Open(cfg *gateway.Config, opts ...Option) (*Ledger, error) {
	proofs, err := lru.New[string, *api.Transaction](proofCacheSize)
	if err != nil {
		return nil, err
	}
	l := &Ledger{cfg: cfg, observer: gateway.NopObserver{}, log: slog.Default(), sleep: sleepCtx,
		proofs: proofs}
	for _, o := range opts {
		o(l)
	}
	conn, err := DialPeer(cfg.Peer.Address, cfg.Peer.TLSCACert)
	if err != nil {
		return nil, err
	}
	l.conn = conn
	ids, err := l.load(cfg.Identities)
	if err != nil {
		l.Close()
		return nil, err
	}
	l.ids.Store(ids)
	l.heights = gateway.NewHeights()
	var follow context.Context
	follow, l.stopFollowing = context.WithCancel(context.Background())
	l.followed = make(chan struct{})
	go l.followBlocks(follow)
	return l, nil
}

// load reads every identity's certificate and key and makes its client gateway (on the shared
// connection): all of them, or an error naming the first that failed.
func (l *Ledger) load(ics []gateway.IdentityConfig) (*identities, error) {
	ids := &identities{byName: map[string]*signer{}}
	for _, ic := range ics {
		s, err := l.connect(ic)
		if err != nil {
			return nil, fmt.Errorf("identity %s: %w", ic.Name, err)
		}
		ids.byName[ic.Name] = s
		if ids.first == "" {
			ids.first = ic.Name
		}
	}
	return ids, nil
}

// PrepareSwap loads the identities of cfg (their certificates and keys, read again from their files);
// the returned function makes them the ones the next calls use. Calls already under way keep the
// identity they started with, and its client gateway is not closed (closing it would end its event
// streams): it goes when nothing uses it any more. The peer, channel and timeouts stay those of the
// start.
func (l *Ledger) PrepareSwap(cfg *gateway.Config) (func(), error) {
	ids, err := l.load(cfg.Identities)
	if err != nil {
		return nil, err
	}
	return func() { l.ids.Store(ids) }, nil
}

// Certificate is what a loaded identity's certificate says of itself: for metrics and for checking
// that a renewed certificate is the one in use.
type Certificate struct {
	Identity string
	Serial   string // hex, lower case, as openssl and fabric-ca print it
	NotAfter time.Time
}

// Certificates are the loaded identities' certificates, by identity name.
func (l *Ledger) Certificates() []Certificate {
	ids := l.ids.Load()
	out := make([]Certificate, 0, len(ids.byName))
	for name, s := range ids.byName {
		out = append(out, Certificate{Identity: name, Serial: s.cert.SerialNumber.Text(16), NotAfter: s.cert.NotAfter})
	}
	return out
}

// adminOU is the NodeOU of an organization's admins (fabric-ca's identity type admin): a gateway
// refuses such a certificate itself, at start and at every reload, whatever wrote its configuration.
const adminOU = "admin"

func (l *Ledger) connect(ic gateway.IdentityConfig) (*signer, error) {
	id, sign, err := LoadIdentity(l.cfg.MSPID, ic.Certificate, ic.PrivateKey)
	if err != nil {
		return nil, err
	}
	cert, err := identity.CertificateFromPEM(id.Credentials())
	if err != nil {
		return nil, err
	}
	if slices.Contains(cert.Subject.OrganizationalUnit, adminOU) {
		return nil, fmt.Errorf("%s is an admin's certificate (OU %s): a gateway acts with client identities only; "+
			"an admin acts with netctl on its organization's host", ic.Certificate, adminOU)
	}
	key, err := LoadKey(ic.PrivateKey)
	if err != nil {
		return nil, err
	}
	gw, err := client.Connect(id, client.WithSign(sign), client.WithClientConnection(l.conn),
		client.WithEvaluateTimeout(l.cfg.EvaluateTimeout), client.WithEndorseTimeout(l.cfg.EndorseTimeout),
		client.WithSubmitTimeout(l.cfg.EndorseTimeout), client.WithCommitStatusTimeout(l.cfg.CommitTimeout))
	if err != nil {
		return nil, err
	}
	network := gw.GetNetwork(l.cfg.Channel)
	return &signer{name: ic.Name, id: id, cert: cert, key: key, gw: gw, network: network, contract: network.GetContract(l.cfg.Chaincode),
		qscc: qscc.NewReader(gw, l.cfg.Channel)}, nil
}

// DialPeer opens a TLS gRPC connection to a peer whose TLS CA certificate is in tlsCAFile.
func DialPeer(addr, tlsCAFile string) (*grpc.ClientConn, error) {
	pem, err := os.ReadFile(tlsCAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", tlsCAFile)
	}
	// The peer's own limit (100 MiB), not gRPC's default 4 MiB: a page of pledges of packages of
	// hundreds of rights, or a package of rights with long records, can be larger than 4 MiB.
	// A peer that restarts (a renewed TLS certificate, an upgrade) is back within seconds: reconnect
	// soon after, not on gRPC's default backoff (1 s growing to 2 min).
	return grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "")),
		grpc.WithConnectParams(grpc.ConnectParams{MinConnectTimeout: 5 * time.Second,
			Backoff: grpcbackoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second}}),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)))
}

// maxMessage is the largest gRPC message the gateway sends or receives: the peer's default.
const maxMessage = 100 << 20

// LoadIdentity reads an enrolled identity's certificate and private key (PEM files), and checks that
// the key is the certificate's: a certificate renewed without its new key would sign transactions
// that every peer refuses.
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
		return nil, nil, fmt.Errorf("%s: %w", keyFile, err)
	}
	pub, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return nil, nil, fmt.Errorf("%s: not a private key", keyFile)
	}
	if eq, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(pub.Public()) {
		return nil, nil, fmt.Errorf("%s is not the private key of the certificate %s (serial %s)", keyFile, certFile, cert.SerialNumber.Text(16))
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, nil, err
	}
	return id, sign, nil
}

// Close ends the block-event stream, then closes every client gateway and the connection.
func (l *Ledger) Close() error {
	if l.stopFollowing != nil {
		l.stopFollowing()
		<-l.followed
	}
	if ids := l.ids.Load(); ids != nil {
		for _, s := range ids.byName {
			s.gw.Close()
		}
	}
	if l.conn != nil {
		return l.conn.Close()
	}
	return nil
}

func (l *Ledger) signer(name string) (*signer, error) {
	s, ok := l.ids.Load().byName[name]
	if !ok {
		return nil, &api.Error{Code: api.CodeUnauthenticated, Message: "unknown identity"}
	}
	return s, nil
}

// Evaluate runs a read-only transaction through the organization's peer (its gateway may evaluate on
// another organization's peer when its own cannot answer).
func (l *Ledger) Evaluate(ctx context.Context, identityName, function string, args ...string) ([]byte, error) {
	s, err := l.signer(identityName)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, l.cfg.EvaluateTimeout)
	defer cancel()
	res, err := s.contract.EvaluateWithContext(ctx, function, client.WithArguments(args...))
	if err != nil {
		return nil, classify(err, "")
	}
	if sealedAnswers[function] {
		plain, err := OpenSealed(s.key, function, args, res)
		if err != nil {
			return nil, &api.Error{Code: api.CodeInternal, Message: "internal error", Cause: fmt.Errorf("identity %s: %w", s.name, err)}
		}
		return plain, nil
	}
	return res, nil
}

// Ping evaluates the chaincode's Ping as the first configured identity, on this organization's own
// peer and so through its own chaincode server: without the target, the peer's gateway would answer
// from another organization's peer when its own chaincode server is down, and /readyz would say ready
// while every endorsement this organization must give fails.
func (l *Ledger) Ping(ctx context.Context) (string, error) {
	ids := l.ids.Load() // once: a reload between two loads could take the first identity away
	s, ok := ids.byName[ids.first]
	if !ok {
		return "", &api.Error{Code: api.CodeUnauthenticated, Message: "unknown identity"}
	}
	ctx, cancel := context.WithTimeout(ctx, l.cfg.EvaluateTimeout)
	defer cancel()
	res, err := s.contract.EvaluateWithContext(ctx, api.Ping.Name, client.WithEndorsingOrganizations(l.cfg.MSPID))
	if err != nil {
		return "", classify(err, "")
	}
	return string(res), nil
}

// Transaction reads a committed transaction through qscc.
func (l *Ledger) Transaction(ctx context.Context, identityName, txID string) (*api.Transaction, error) {
	s, err := l.signer(identityName)
	if err != nil {
		return nil, err
	}
	if tx, ok := l.proofs.Get(txID); ok {
		return tx, nil
	}
	tx, err := s.qscc.Transaction(txID)
	if err != nil {
		if NoSuchTransaction.In(err.Error()) {
			return nil, &api.Error{Code: api.CodeNotFound,
				Message: "no committed transaction with this id (it may still be pending)", TxID: txID, Cause: err}
		}
		if m := BeforeSnapshot.Pattern.FindStringSubmatch(err.Error()); m != nil {
			return nil, &api.Error{Code: api.CodeBeforeSnapshot, TxID: txID, Cause: err,
				Message: fmt.Sprintf("%s's peer joined the channel from a snapshot and has no block before block %s: this "+
					"transaction is older, and its proof is at another member's gateway", l.cfg.MSPID, m[1]),
				Details: map[string]string{"firstBlock": m[1]}}
		}
		return nil, classify(err, txID)
	}
	l.proofs.Add(txID, tx)
	return tx, nil
}

// Height is the number of blocks of the channel.
func (l *Ledger) Height(ctx context.Context, identityName string) (uint64, error) {
	s, err := l.signer(identityName)
	if err != nil {
		return 0, err
	}
	h, err := s.qscc.Height()
	if err != nil {
		return 0, classify(err, "")
	}
	return h, nil
}

// Events streams the chaincode's events from a checkpoint (or from the next block).
func (l *Ledger) Events(ctx context.Context, identityName string, from *gateway.Checkpoint) (<-chan gateway.Event, error) {
	s, err := l.signer(identityName)
	if err != nil {
		return nil, err
	}
	var opts []client.ChaincodeEventsOption
	switch {
	case from == nil:
	case from.IsZero():
		opts = append(opts, client.WithStartBlock(0))
	default:
		cp := &client.InMemoryCheckpointer{}
		cp.CheckpointTransaction(from.BlockNumber, from.TransactionID)
		opts = append(opts, client.WithCheckpoint(cp))
	}
	events, err := s.network.ChaincodeEvents(ctx, l.cfg.Chaincode, opts...)
	if err != nil {
		return nil, classify(err, "")
	}
	out := make(chan gateway.Event)
	go func() {
		defer close(out)
		for ev := range events {
			select {
			case out <- gateway.Event{BlockNumber: ev.BlockNumber, TransactionID: ev.TransactionID, Name: ev.EventName, Payload: ev.Payload}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

var streamName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// OpenCheckpoint opens the file checkpoint of a named stream of an identity.
func (l *Ledger) OpenCheckpoint(identityName, stream string) (gateway.Checkpointer, error) {
	if _, err := l.signer(identityName); err != nil {
		return nil, err
	}
	if !streamName.MatchString(stream) {
		return nil, api.Invalid("stream", "must be 1-64 characters of A-Z a-z 0-9 . _ -")
	}
	if l.cfg.CheckpointDir == "" {
		return nil, &api.Error{Code: api.CodeUnavailable, Message: "durable streams are not configured"}
	}
	if err := os.MkdirAll(l.cfg.CheckpointDir, 0o700); err != nil {
		return nil, err
	}
	fc, err := client.NewFileCheckpointer(filepath.Join(l.cfg.CheckpointDir, identityName+"."+stream+".json"))
	if err != nil {
		return nil, err
	}
	return &fileCheckpoint{fc: fc}, nil
}

type fileCheckpoint struct{ fc *client.FileCheckpointer }

func (f *fileCheckpoint) Checkpoint() gateway.Checkpoint {
	return gateway.Checkpoint{BlockNumber: f.fc.BlockNumber(), TransactionID: f.fc.TransactionID()}
}

func (f *fileCheckpoint) Save(e gateway.Event) error {
	return f.fc.CheckpointTransaction(e.BlockNumber, e.TransactionID)
}

func (f *fileCheckpoint) Close() error { return f.fc.Close() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var _ gateway.Ledger = (*Ledger)(nil)

func serializedIdentity(s *signer) *msp.SerializedIdentity {
	return &msp.SerializedIdentity{Mspid: s.id.MspID(), IdBytes: s.id.Credentials()}
}
