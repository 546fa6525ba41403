//go:build integration

package netctl_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/gateway/apiclient"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
	"google.golang.org/protobuf/proto"
)

// The load of the renewal test: count-bounded, so that a slow machine does as much as a fast one.
const (
	renewClients     = 2
	renewEach        = 30 // submissions per client
	renewStartAfter  = 10 // acknowledgements before the renewals begin
	renewMaxAttempts = 20 // a client's attempts of one submission, with the same Idempotency-Key
)

// Under a bounded load of registrations through the IP office's gateway (2 clients, 60 submissions, as
// examiner1), examiner1's certificate and the Regulator's peer's TLS certificate are renewed: every
// submission is acknowledged (a client repeats one with the same Idempotency-Key while the answer is
// 502/503/504 or none), each registration is on the ledger exactly once, the next transaction of
// examiner1 carries the new certificate, the Regulator's peer presents its new TLS certificate, and the
// Regulator's gateway, whose peer restarted, answers again. It brings up a network of its own (its peer
// restarts), at the test network's port base + 400 (or IPLEDGER_RENEW_PORT_BASE).
func TestRenew_UserAndPeerTLSUnderLoad_NoneLostNoneTwice(t *testing.T) {
	n := netctl.ScratchNetwork(t, 400, "IPLEDGER_RENEW_PORT_BASE", func(base int) *netctl.Topology {
		top, err := netctl.LoadTopology(filepath.Join("..", "topology.yaml"), base)
		if err != nil {
			t.Fatal(err)
		}
		return top
	})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	sys, err := n.Up(ctx)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	examiner, err := sys.APIClient("IPOfficeMSP", "examiner1")
	if err != nil {
		t.Fatal(err)
	}
	examiner.HTTP.Timeout = 60 * time.Second
	auditor, err := sys.APIClient("RegulatorMSP", "auditor1")
	if err != nil {
		t.Fatal(err)
	}
	auditor.HTTP.Timeout = 30 * time.Second
	oldCert := readUserCert(t, sys, "IPOfficeMSP", "examiner1")
	// A registration before the renewal: its creator is the old certificate; the Regulator's reader reads it.
	first := itest.Uniq("RN-first-")
	r, err := examiner.Do(ctx, http.MethodPost, "/v1/assets", itest.Patent(first), "Idempotency-Key", "renew-"+first)
	if err != nil || r.Status != http.StatusCreated {
		t.Fatalf("the first registration: %v %s", err, body(r))
	}
	firstTx := txIDOf(r)

	// The load: each client registers its patents, one Idempotency-Key per patent.
	type ack struct {
		asset, txID string
		block       uint64
		latency     time.Duration
	}
	var (
		mu        sync.Mutex
		acks      []ack
		failed    []string
		acked     atomic.Int64
		retries   atomic.Int64
		loadDone  = make(chan struct{})
		started   = make(chan struct{})
		startOnce sync.Once
	)
	var wg sync.WaitGroup
	for c := range renewClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range renewEach {
				asset := itest.Uniq(fmt.Sprintf("RN%d-%d-", c, i))
				key := "renew-" + asset
				began := time.Now()
				var r *apiclient.Response
				var err error
				for attempt := range renewMaxAttempts {
					if attempt > 0 {
						retries.Add(1)
						time.Sleep(time.Duration(min(attempt, 5)) * 200 * time.Millisecond)
					}
					r, err = examiner.Do(ctx, http.MethodPost, "/v1/assets", itest.Patent(asset), "Idempotency-Key", key)
					if err == nil && r.Status != http.StatusBadGateway && r.Status != http.StatusServiceUnavailable && r.Status != http.StatusGatewayTimeout {
						break
					}
				}
				mu.Lock()
				if err != nil || (r.Status != http.StatusCreated && r.Status != http.StatusOK) {
					failed = append(failed, fmt.Sprintf("%s: %v %s", asset, err, body(r)))
				} else {
					acks = append(acks, ack{asset: asset, txID: txIDOf(r), block: blockOf(r), latency: time.Since(began)})
				}
				mu.Unlock()
				if acked.Add(1) >= renewStartAfter {
					startOnce.Do(func() { close(started) })
				}
			}
		}()
	}
	go func() { wg.Wait(); close(loadDone) }()
	// Until the load ends, the Regulator's gateway is read (its peer restarts): a failed read is
	// counted, and so is the longest time it did not answer.
	var regFailed atomic.Int64
	var regGap time.Duration
	regStatuses := map[string]int{} // the failed reads' answers; written by the reader only
	regDone := make(chan struct{})
	go func() {
		defer close(regDone)
		var failingSince time.Time
		for {
			select {
			case <-loadDone:
				return
			default:
			}
			r, err := auditor.Do(ctx, http.MethodGet, "/v1/assets/"+first, nil)
			switch {
			case err != nil || r.Status != http.StatusOK:
				regFailed.Add(1)
				if err != nil {
					regStatuses["no answer"]++
				} else {
					regStatuses[fmt.Sprint(r.Status)]++
				}
				if failingSince.IsZero() {
					failingSince = time.Now()
				}
			case !failingSince.IsZero():
				regGap = max(regGap, time.Since(failingSince))
				failingSince = time.Time{}
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()

	select {
	case <-started:
	case <-loadDone:
	}
	user, err := n.RenewUser(ctx, "IPOfficeMSP", "examiner1")
	if err != nil {
		t.Fatalf("renewing examiner1 under load: %v", err)
	}
	ackedAtUser := acked.Load()
	peerTLS, err := n.RenewPeerTLS(ctx, "RegulatorMSP")
	if err != nil {
		t.Fatalf("renewing peer0.regulator's TLS certificate under load: %v", err)
	}
	ackedAtTLS := acked.Load()
	<-loadDone
	<-regDone
	t.Logf("FIGURE renew user: examiner1 renewed in %s (serial %s → %s), %d of %d submissions answered by then",
		user.Took.Round(time.Millisecond), user.Old.Serial, user.New.Serial, ackedAtUser, renewClients*renewEach)
	t.Logf("FIGURE renew peer TLS: peer0.regulator renewed in %s, not serving %s, at the channel's height %d %s after its stop; %d of %d submissions answered by then",
		peerTLS.Took.Round(time.Millisecond), peerTLS.NotServing.Round(time.Millisecond), peerTLS.Height, peerTLS.CaughtUp.Round(time.Millisecond),
		ackedAtTLS, renewClients*renewEach)
	if ackedAtTLS >= renewClients*renewEach {
		t.Errorf("the load had ended before the peer's renewal did: not a renewal under load")
	}

	// Every submission acknowledged, each registration on the ledger once, with the acknowledged tx.
	if len(failed) > 0 {
		t.Errorf("%d submissions not acknowledged: %v", len(failed), failed)
	}
	var maxLatency time.Duration
	lost, doubled := 0, 0
	for _, a := range acks {
		maxLatency = max(maxLatency, a.latency)
		// Read once the Regulator's gateway has the acknowledged block: its peer, restarted for the
		// renewal, may still be catching up, and a read model a block behind answers 404.
		r, err := auditor.Do(ctx, http.MethodGet, "/v1/assets/"+a.asset+"/history", nil,
			"IPLedger-After-Block", strconv.FormatUint(a.block, 10))
		if err != nil || r.Status != http.StatusOK {
			lost++
			t.Errorf("%s acknowledged (tx %s) but not readable: %v %s", a.asset, a.txID, err, body(r))
			continue
		}
		var h struct {
			Items []struct {
				TxID string `json:"txId"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &h); err != nil {
			t.Fatal(err)
		}
		switch {
		case len(h.Items) == 0:
			lost++
			t.Errorf("%s acknowledged (tx %s) but its history is empty: lost", a.asset, a.txID)
		case len(h.Items) > 1:
			doubled++
			t.Errorf("%s has %d versions: registered more than once", a.asset, len(h.Items))
		case h.Items[0].TxID != a.txID:
			t.Errorf("%s was registered by tx %s, not the acknowledged %s", a.asset, h.Items[0].TxID, a.txID)
		}
	}
	t.Logf("FIGURE renew load: %d of %d submissions acknowledged by %d clients (%d client retries with the same Idempotency-Key), max latency %s; lost %d, doubled %d; the Regulator's gateway failed %d reads (%v), longest gap %s",
		len(acks), renewClients*renewEach, renewClients, retries.Load(), maxLatency.Round(time.Millisecond), lost, doubled, regFailed.Load(), regStatuses, regGap.Round(time.Millisecond))
	if r, err := auditor.Do(ctx, http.MethodGet, "/v1/assets/"+first, nil); err != nil || r.Status != http.StatusOK {
		t.Errorf("the Regulator's gateway after its peer's restart: %v %s", err, body(r))
	}

	// The next transaction of examiner1 carries the new certificate; an earlier one the old.
	if got := readUserCert(t, sys, "IPOfficeMSP", "examiner1").SerialNumber.Text(16); got != user.New.Serial || user.Old.Serial != oldCert.SerialNumber.Text(16) {
		t.Errorf("examiner1's certificate on disk: serial %s; renewal said %s → %s", got, user.Old.Serial, user.New.Serial)
	}
	next := itest.Uniq("RN-next-")
	r, err = examiner.Do(ctx, http.MethodPost, "/v1/assets", itest.Patent(next), "Idempotency-Key", "renew-"+next)
	if err != nil || r.Status != http.StatusCreated {
		t.Fatalf("the next registration: %v %s", err, body(r))
	}
	if got := creatorSerial(t, sys, txIDOf(r)); got != user.New.Serial {
		t.Errorf("the next transaction's creator has serial %s, not the renewed %s", got, user.New.Serial)
	}
	if got := creatorSerial(t, sys, firstTx); got != user.Old.Serial {
		t.Errorf("the transaction before the renewal has creator serial %s, not the old %s", got, user.Old.Serial)
	}

	// The Regulator's peer presents the new TLS certificate.
	reg, err := sys.Org("RegulatorMSP")
	if err != nil {
		t.Fatal(err)
	}
	o := n.Top.Org("RegulatorMSP")
	served, err := netctl.ServedCertificate(netctl.Addr(o.Host, o.Peer.Port), reg.GatewayCACert)
	if err != nil {
		t.Fatal(err)
	}
	if got := served.SerialNumber.Text(16); got != peerTLS.New.Serial || got == peerTLS.Old.Serial {
		t.Errorf("peer0.regulator presents serial %s; renewal said %s → %s", got, peerTLS.Old.Serial, peerTLS.New.Serial)
	}
	// A renewal of a user that is not there, or of an organization without a peer, is refused clearly.
	if _, err := n.RenewUser(ctx, "IPOfficeMSP", "nobody"); err == nil {
		t.Error("renewed a user that does not exist")
	} else {
		t.Logf("an unknown user: %v", err)
	}
	if _, err := n.RenewPeerTLS(ctx, "OrdererMSP"); err == nil {
		t.Error("renewed the TLS certificate of an organization without a peer")
	}
}

func txIDOf(r *apiclient.Response) string {
	var v struct {
		TxID string `json:"txId"`
	}
	_ = json.Unmarshal(r.Body, &v)
	return v.TxID
}

// blockOf is the block an acknowledged submission committed in.
func blockOf(r *apiclient.Response) uint64 {
	var v struct {
		BlockNumber uint64 `json:"blockNumber"`
	}
	_ = json.Unmarshal(r.Body, &v)
	return v.BlockNumber
}

func body(r *apiclient.Response) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("%d %.300s", r.Status, r.Body)
}

func readUserCert(t *testing.T, sys *netctl.System, mspID, user string) *x509.Certificate {
	t.Helper()
	o, err := sys.Org(mspID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range o.Users {
		if u.Name == user {
			raw, err := os.ReadFile(u.Certificate)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := pem.Decode(raw)
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("%s has no user %s", mspID, user)
	return nil
}

// creatorSerial is the serial number (hex) of the certificate that created a committed transaction,
// read from the ledger (qscc GetTransactionByID on the IP office's peer).
func creatorSerial(t *testing.T, sys *netctl.System, txID string) string {
	t.Helper()
	gw, conn, err := sys.Dial("IPOfficeMSP", "admin")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	defer gw.Close()
	raw, err := gw.GetNetwork(sys.Channel).GetContract("qscc").Evaluate("GetTransactionByID",
		client.WithArguments(sys.Channel, txID))
	if err != nil {
		t.Fatalf("qscc GetTransactionByID %s: %v", txID, err)
	}
	var pt peer.ProcessedTransaction
	var payload common.Payload
	var sh common.SignatureHeader
	var id msp.SerializedIdentity
	if err := proto.Unmarshal(raw, &pt); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(pt.GetTransactionEnvelope().GetPayload(), &payload); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(payload.GetHeader().GetSignatureHeader(), &sh); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(sh.GetCreator(), &id); err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(id.GetIdBytes())
	if b == nil {
		t.Fatalf("tx %s: the creator has no PEM certificate", txID)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c.SerialNumber.Text(16)
}
