//go:build integration

package chaincodetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/ipledger/ipledger/network/itest"
)

// The expectation table lives in the integration harness (network/itest, matrix.go), shared with the
// HTTP matrix of network/e2e: one statement of who may do what, proven at the chaincode here and
// through the gateways there.
type principal = itest.Principal

var (
	everyMember = itest.EveryMember
	authzMatrix = itest.AuthzMatrix
)

// authzFixture is the state every cell of the matrix runs against; built once, never changed by the
// matrix, whose cells only endorse.
type authzFixture struct {
	run                string
	free               string // a valid patent with no pledge; transfer freeTransfer is requested on it
	applied, appliedOn string // a pledge applied for by Bank1, and its patent
	registered         string // a pledge of Bank1, registered; transfer pledgedTransfer is requested on its patent
	registeredOn       string
	defaulted          string // a pledge of Bank1, registered then defaulted
	freeTransfer       string
	pledgedTransfer    string
	license            string // an ordinary licence of free, recorded: the transfer that recorded it
	frozen             string // a valid patent frozen by a court (its measure 1 in effect)
}

// licenseJSON is the exchange's request for an ordinary licence of the right for all of China (L1).
func licenseJSON(t *testing.T, assetID, run string) string {
	return mustJSON(t, api.TransferRequest{AssetID: assetID, Kind: "license", Origin: "trade", TradeRef: "WHIPE-L-" + run,
		License: &api.LicenseTerms{FilingNumber: "MX-" + run, TermEnd: "2039-12-31", TermStart: "2025-01-01",
			Territory: []string{"CN"}, Type: api.LicenseOrdinary},
		NewOwners: []api.Owner{{ID: "LICENSEE-" + run, Name: "Licensee Ltd.", Share: 10000}}})
}

func buildAuthzFixture(t *testing.T, n *network) *authzFixture {
	t.Helper()
	f := &authzFixture{run: runID()}
	id := func(s string) string { return "MX-" + f.run + "-" + s }
	f.free, f.appliedOn, f.registeredOn, f.frozen = id("FREE"), id("APPLIED"), id("REGISTERED"), id("FROZEN")
	defaultedOn := id("DEFAULTED")
	office := func(fn string, args ...string) call {
		return call{MSP: string(api.MSPIPOffice), User: "examiner1", Fn: fn, Args: args, Endorsers: []string{string(api.MSPIPOffice), string(api.MSPExchange)}}
	}
	bank1 := func(fn string, args ...string) call {
		return call{MSP: string(api.MSPBank1), User: "officer1", Fn: fn, Args: args, Endorsers: []string{string(api.MSPIPOffice), string(api.MSPBank1)}}
	}
	exchange := func(fn string, args ...string) call {
		return call{MSP: string(api.MSPExchange), User: "trader1", Fn: fn, Args: args, Endorsers: []string{string(api.MSPIPOffice), string(api.MSPExchange)}}
	}
	req := func(s string) string { return "mxf-" + f.run + "-" + s }

	var assets []call
	for _, a := range []string{f.free, f.appliedOn, f.registeredOn, defaultedOn, f.frozen} {
		assets = append(assets, office(api.RegisterAsset.Name, req("asset-"+a), patentJSON(t, a)))
	}
	n.commitAll("register 5 patents", assets)
	n.commitAll("freeze 1 patent", []call{office(api.RecordFreeze.Name, req("freeze"), f.frozen, `{"court":"Wuhan Intermediate People's Court","ref":"MX-`+f.run+`"}`)})

	apply := func(asset string) call {
		c := bank1(api.ApplyPledge.Name, req("apply-"+asset), applicationJSON(t, "Bank One Wuhan", asset))
		c.Transient = termsTransient(t)
		return c
	}
	out := n.commitAll("3 applications by Bank1, 2 transfer requests, 1 licence request", []call{
		apply(f.appliedOn), apply(f.registeredOn), apply(defaultedOn),
		exchange(api.RequestTransfer.Name, req("transfer-free"), tradeJSON(t, f.free, "BUYER-"+f.run, "WHIPE-"+f.run+"-1")),
		exchange(api.RequestTransfer.Name, req("transfer-pledged"), tradeJSON(t, f.registeredOn, "BUYER-"+f.run, "WHIPE-"+f.run+"-2")),
		exchange(api.RequestTransfer.Name, req("license-free"), licenseJSON(t, f.free, f.run)),
	})
	f.applied, f.registered, f.defaulted = pledgeOf(t, out[0]).ID, pledgeOf(t, out[1]).ID, pledgeOf(t, out[2]).ID
	f.freeTransfer, f.pledgedTransfer, f.license = transferOf(t, out[3]).ID, transferOf(t, out[4]).ID, transferOf(t, out[5]).ID

	register := func(p string) call {
		c := office(api.RegisterPledge.Name, req("register-"+p), p, `{"registrationNumber":"MX`+f.run+p[3:9]+`"}`)
		c.Endorsers = []string{string(api.MSPIPOffice), string(api.MSPBank1)}
		return c
	}
	n.commitAll("register 2 pledges, record the licence", []call{register(f.registered), register(f.defaulted),
		office(api.RecordTransfer.Name, req("record-license"), f.license, "{}")})
	n.commitAll("default 1 pledge", []call{bank1(api.DeclareDefault.Name, req("default"), f.defaulted, `{"reason":"missed payments","claim":{"amount":"5000000.00","currency":"CNY"}}`)})
	return f
}

// cell is the call of one operation by one caller, with valid arguments for the fixture, so that an
// allowed caller's endorsement succeeds.
func (f *authzFixture) cell(t *testing.T, op string, who principal, user string, i int) call {
	t.Helper()
	reqID := fmt.Sprintf("mx-%s-%d", f.run, i)
	withIPOffice := func(other string) []string { return []string{string(api.MSPIPOffice), other} }
	c := call{MSP: string(who.MSP), User: user, Fn: op, Endorsers: withIPOffice(string(api.MSPExchange))}
	switch op {
	case api.RegisterAsset.Name:
		c.Args = []string{reqID, patentJSON(t, fmt.Sprintf("MX-%s-NEW-%d", f.run, i))}
	case api.UpdateAsset.Name:
		c.Args = []string{reqID, f.free, `{"title":"Renamed test patent"}`}
	case api.RecordFreeze.Name:
		c.Args = []string{reqID, f.free, `{"court":"Wuhan Intermediate People's Court","ref":"MX-` + f.run + `"}`}
	case api.LiftFreeze.Name:
		c.Args = []string{reqID, f.frozen, "1", `{"ref":"MX-` + f.run + `-1"}`}
	case api.ApplyPledge.Name:
		bank := api.MSPBank1
		if api.IsBank(who.MSP) {
			bank = who.MSP // the applying bank is the pledgee and endorses
		}
		c.Endorsers, c.Transient = withIPOffice(string(bank)), termsTransient(t)
		c.Args = []string{reqID, applicationJSON(t, "Applying bank", f.free)}
	case api.RegisterPledge.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.applied, fmt.Sprintf(`{"registrationNumber":"MXR%s%d"}`, f.run, i)}
	case api.RefusePledge.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.applied, `{"reasons":["contract-incomplete"],"note":"matrix"}`}
	case api.RevokePledge.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.registered, `{"reason":"registered in error"}`}
	case api.AmendPledge.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.registered, `{"pledgeeName":"Bank One Hubei"}`}
	case api.ExtendPledge.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.registered, `{"debtTermEnd":"2028-03-01"}`}
	case api.ReleasePledge.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.registered, `{"reason":"loan repaid"}`}
	case api.DeregisterPledge.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.registered, `{"basis":"pledgor-request","documentHash":"` + strings.Repeat("ab", 32) + `"}`}
	case api.DeclareDefault.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.registered, `{"reason":"missed payments","claim":{"amount":"1000000.00","currency":"CNY"}}`}
	case api.StateClaim.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.registered, `{"amount":"1000000.00","currency":"CNY"}`}
	case api.DisposePledge.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.defaulted, mustJSON(t, api.DisposalInput{Method: "auction", Currency: "CNY", Price: "6000000",
			Buyers:   []api.Owner{{ID: "BUYER-" + f.run, Name: "Buyer Ltd.", Share: 10000}},
			Proceeds: []api.ProceedInput{{PledgeID: f.defaulted, Amount: "5000000"}}, Surplus: "1000000", SaleRef: "WHIPE-" + f.run})}
	case api.RequestTransfer.Name:
		var in api.TransferRequest
		if err := json.Unmarshal([]byte(licenseJSON(t, f.free, f.run)), &in); err != nil {
			t.Fatal(err)
		}
		if who.MSP == api.MSPIPOffice { // the IP office requests for an owner, the exchange after a trade
			in.Origin, in.TradeRef = "owner-request", ""
		}
		c.Args = []string{reqID, mustJSON(t, in)}
	case api.ConsentToTransfer.Name:
		c.Endorsers = withIPOffice(string(api.MSPBank1))
		c.Args = []string{reqID, f.pledgedTransfer, `{"pledgeId":"` + f.registered + `","proceedsUse":"escrow"}`}
	case api.RecordTransfer.Name:
		c.Args = []string{reqID, f.freeTransfer, "{}"}
	case api.RefuseTransfer.Name:
		c.Args = []string{reqID, f.freeTransfer, `{"reasons":["trade-unconfirmed"]}`}
	case api.TerminateLicense.Name:
		today := time.Now().In(time.FixedZone("UTC+8", 8*3600)).Format(time.DateOnly)
		c.Args = []string{reqID, f.free, f.license, `{"date":"` + today + `","reason":"terminated by agreement"}`}
	case api.GetPledgeTerms.Name:
		c.Args, c.Endorsers = []string{f.registered}, nil
	case api.GetAsset.Name, api.GetStatement.Name:
		c.Args, c.Endorsers = []string{f.registeredOn}, nil
	default:
		t.Fatalf("no arguments for %s", op)
	}
	return c
}

// identity is an enrolled user of a peer organization, as it appears in the matrix's rows.
type identity struct {
	principal
	User string
}

// TestAuthorizationMatrixAtTheChaincode proves who may call what at the chaincode itself, with the
// CA-issued identities of every peer organization and no HTTP gateway: each identity proposes each
// operation with valid arguments to the endorsing organizations docs/chaincode.md names. Submissions
// are endorsed only, never sent for ordering, so one fixture serves every cell and the ledger does not
// change. Allowed: the endorsement (or the query) succeeds. Denied: the chaincode answers FORBIDDEN
// (403), with rule V3 for the regulator's submissions.
func TestAuthorizationMatrixAtTheChaincode(t *testing.T) {
	n := connect(t)
	begin := time.Now()

	var ids []identity
	for _, o := range n.sys.Organizations {
		if o.Peer == "" {
			continue
		}
		for _, u := range o.Users {
			ids = append(ids, identity{principal{MSP: api.MSPID(o.MSPID), Role: api.Role(u.Role)}, u.Name})
		}
	}
	for _, p := range everyMember { // every principal of the table has an identity to prove it with
		if !slices.ContainsFunc(ids, func(id identity) bool { return id.principal == p }) {
			t.Fatalf("the network has no user for %s", p)
		}
	}
	contracts := map[identity]*client.Contract{}
	for _, id := range ids {
		contracts[id] = n.contract(string(id.MSP), id.User)
	}

	f := buildAuthzFixture(t, n)
	ledger := n.ledger()
	before, err := ledger.Height()
	if err != nil {
		t.Fatal(err)
	}

	type result struct {
		allowed, ok bool
		txID, got   string
	}
	results := make([][]result, len(ids))
	for row := range results {
		results[row] = make([]result, len(authzMatrix))
	}
	// Every cell's call is built here, the calls run on a few goroutines.
	type job struct {
		row, col int
		c        call
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				id, rule := ids[j.row], authzMatrix[j.col]
				c := j.c
				r := result{allowed: rule.Allows(id.principal)}
				var out []byte
				var err error
				if rule.Query {
					out, err = contracts[id].Evaluate(c.Fn, c.options()...)
				} else {
					var prop *client.Proposal
					if prop, err = contracts[id].NewProposal(c.Fn, c.options()...); err == nil {
						r.txID = prop.TransactionID()
						var tx *client.Transaction
						if tx, err = prop.Endorse(); err == nil {
							out = tx.Result()
						}
					}
				}
				refusal, _ := api.ParseError(errorDetails(err))
				switch {
				case err == nil:
					r.ok = r.allowed && json.Valid(out)
					r.got = fmt.Sprintf("success %.120s", out)
				case refusal != nil:
					r.ok = !r.allowed && refusal.Code == api.CodeForbidden &&
						(rule.Query || id.MSP != api.MSPRegulator || refusal.Details["rule"] == "V3")
					r.got = refusal.Error()
				default:
					r.got = "not a chaincode error: " + errorDetails(err)
				}
				results[j.row][j.col] = r
			}
		}()
	}
	for row := range ids {
		for col := range authzMatrix {
			jobs <- job{row, col, f.cell(t, authzMatrix[col].Op, ids[row].principal, ids[row].User, row*len(authzMatrix)+col)}
		}
	}
	close(jobs)
	wg.Wait()

	// The matrix as proven: rows identities, columns operations; A allowed and succeeded, D denied with
	// FORBIDDEN; a lower-case letter marks a cell that did not behave as the table says.
	var b strings.Builder
	fmt.Fprintf(&b, "authorization at the chaincode (A allowed and endorsed, D refused FORBIDDEN):\n%-34s", "identity")
	for _, r := range authzMatrix {
		fmt.Fprintf(&b, " %-4s", r.Short)
	}
	var cells, allowed, denied, endorsed int
	var txIDs []string
	for row, id := range ids {
		fmt.Fprintf(&b, "\n%-34s", fmt.Sprintf("%s %s (%s)", id.MSP, id.User, id.Role))
		for col, rule := range authzMatrix {
			r := results[row][col]
			mark := map[bool]string{true: "A", false: "D"}[r.allowed]
			if !r.ok {
				mark = strings.ToLower(mark) + "!"
				t.Errorf("%s by %s (%s): expected %s, got %s", rule.Op, id.User, id.principal,
					map[bool]string{true: "success", false: "FORBIDDEN"}[r.allowed], r.got)
			}
			fmt.Fprintf(&b, " %-4s", mark)
			cells++
			if r.allowed {
				allowed++
			} else {
				denied++
			}
			if r.txID != "" {
				endorsed++
				txIDs = append(txIDs, r.txID)
			}
		}
	}
	t.Log(b.String())

	// Endorsing writes nothing: the ledger has not grown. Should another client have added blocks
	// meanwhile (another test package on the same network), none of them holds a matrix proposal.
	after, err := ledger.Height()
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		onLedger := n.blockTxIDs(before, after)
		for _, id := range txIDs {
			if onLedger[id] {
				t.Errorf("matrix proposal %s is on the ledger", id)
			}
		}
		t.Logf("ledger height %d before the matrix, %d after: blocks of other clients, none holding any of the %d matrix proposals", before, after, len(txIDs))
	} else {
		t.Logf("ledger height %d before and after the matrix: the %d endorsements wrote nothing", before, endorsed)
	}
	t.Logf("matrix: %d identities x %d operations = %d cells (%d allowed, %d denied; %d endorsed, %d evaluated) in %v",
		len(ids), len(authzMatrix), cells, allowed, denied, endorsed, cells-endorsed, time.Since(begin).Round(time.Millisecond))
}
