//go:build integration

package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/network/itest"
)

// httpFixture is the state the HTTP matrix runs against. Every allowed call is made on a record in a
// state where the chaincode, having admitted the caller, refuses it under a domain rule: so an allowed
// cell answers 409 with that rule (never 403), a denied cell 403 FORBIDDEN, and no cell writes but
// its refusal (kept under its request id, I3).
type httpFixture struct {
	tm, pb, pd string // a trademark; a patent with a registered Bank1 pledge; a frozen patent
	reg, rel   string // Bank1's registered pledge on pb; Bank1's released pledge
	consented  string // a transfer of pb that Bank1 has consented to
	refusedTr  string // a transfer the IP office refused
}

func buildHTTPFixture(t *testing.T) *httpFixture {
	t.Helper()
	ipo, bank1, exch := as(t, "IPOfficeMSP", "examiner1"), as(t, "Bank1MSP", "officer1"), as(t, "ExchangeMSP", "trader1")
	f := &httpFixture{tm: itest.Uniq("TM-E2E-MX"), pb: itest.Uniq("CN-E2E-MX-PB"), pd: itest.Uniq("CN-E2E-MX-PD")}
	pc := itest.Uniq("CN-E2E-MX-PC")
	registerAll(t, itest.Trademark(f.tm, ""), itest.Patent(f.pb), itest.Patent(pc), itest.Patent(f.pd))
	begin := time.Now()
	parallel(
		func() { f.reg = bank1.write(201, "apply", "POST", "/v1/pledges", itest.Application(f.pb)).Str(t, "id") },
		func() { f.rel = bank1.write(201, "apply", "POST", "/v1/pledges", itest.Application(pc)).Str(t, "id") },
		func() {
			ipo.write(200, "freeze", "POST", "/v1/assets/"+f.pd+"/freezes", itest.Freeze(itest.Court, "(2026)E01-9"))
		},
		func() {
			f.refusedTr = exch.write(201, "request", "POST", "/v1/transfers", itest.TradeTransfer(f.tm)).Str(t, "id")
		},
		func() {
			f.consented = exch.write(201, "request", "POST", "/v1/transfers", itest.TradeTransfer(f.pb)).Str(t, "id")
		},
	)
	parallel(
		func() {
			ipo.write(200, "register", "POST", "/v1/pledges/"+f.reg+"/register", map[string]any{"registrationNumber": "Y-" + f.reg})
		},
		func() {
			ipo.write(200, "register", "POST", "/v1/pledges/"+f.rel+"/register", map[string]any{"registrationNumber": "Y-" + f.rel})
		},
		func() {
			ipo.write(200, "refuse", "POST", "/v1/transfers/"+f.refusedTr+"/refuse", map[string]any{"reasons": []string{"trade-unconfirmed"}})
		},
	)
	parallel(
		func() {
			bank1.write(200, "release", "POST", "/v1/pledges/"+f.rel+"/release", map[string]any{"reason": "repaid"})
		},
		func() {
			bank1.write(200, "consent", "POST", "/v1/transfers/"+f.consented+"/consent", map[string]any{"pledgeId": f.reg, "proceedsUse": "escrow"})
		},
	)
	t.Logf("fixture: 4 rights, 2 Bank1 pledges (one registered, one released), a frozen patent, a consented and a refused transfer: 14 writes, the last 10 in %v",
		time.Since(begin).Round(time.Millisecond))
	return f
}

// httpCell is one operation by one caller: the request, and for an allowed caller the answer expected
// (status and code) once the chaincode has admitted it.
type httpCell struct {
	method, path string
	body         any
	status       int
	code         string
}

func (f *httpFixture) cell(t *testing.T, op string, who itest.Principal) httpCell {
	t.Helper()
	pledge := func(action string, body any, code string) httpCell {
		return httpCell{"POST", "/v1/pledges/" + f.rel + "/" + action, body, 409, code}
	}
	switch op {
	case api.RegisterAsset.Name: // the id is taken: A2
		return httpCell{"POST", "/v1/assets", itest.Patent(f.pb), 409, "A2"}
	case api.UpdateAsset.Name: // fees apply to patents only: the chaincode's 422
		return httpCell{"PATCH", "/v1/assets/" + f.tm, map[string]any{"feesPaidThrough": "2031-01-15"}, 422, "INVALID_ARGUMENT"}
	case api.RecordFreeze.Name: // the same court's decision is in force: C1
		return httpCell{"POST", "/v1/assets/" + f.pd + "/freezes", itest.Freeze(itest.Court, "(2026)E01-9"), 409, "C1"}
	case api.LiftFreeze.Name: // the right has one freeze, not two
		return httpCell{"POST", "/v1/assets/" + f.pd + "/freezes/2/lift", map[string]any{"ref": "(2026)E01-9-1"}, 404, "NOT_FOUND"}
	case api.ApplyPledge.Name: // the patent has a pledge: P5
		return httpCell{"POST", "/v1/pledges", itest.Application(f.pb), 409, "P5"}
	case api.RegisterPledge.Name:
		return pledge("register", map[string]any{"registrationNumber": "Y-MX-" + f.rel}, "P3")
	case api.RefusePledge.Name:
		return pledge("refuse", map[string]any{"reasons": []string{"contract-incomplete"}}, "P3")
	case api.RevokePledge.Name:
		return pledge("revoke", map[string]any{"reason": "registered in error"}, "P6")
	case api.AmendPledge.Name:
		return pledge("amend", map[string]any{"pledgeeName": "Bank One Hubei"}, "P6")
	case api.ExtendPledge.Name:
		return pledge("extend", map[string]any{"debtTermEnd": "2029-03-01"}, "P6")
	case api.ReleasePledge.Name:
		return pledge("release", map[string]any{"reason": "loan repaid"}, "P6")
	case api.DeregisterPledge.Name: // the pledge is released already: P13
		return pledge("deregister", map[string]any{"basis": "pledgor-request", "documentHash": strings.Repeat("ab", 32)}, "P13")
	case api.DeclareDefault.Name:
		return pledge("default", map[string]any{"reason": "missed payments", "claim": map[string]any{"amount": "1000000.00", "currency": "CNY"}}, "P8")
	case api.StateClaim.Name:
		return pledge("claim", map[string]any{"amount": "1000000.00", "currency": "CNY"}, "P8")
	case api.DisposePledge.Name:
		return pledge("dispose", map[string]any{"method": "auction", "price": "6000000.00", "currency": "CNY", "saleRef": "MX",
			"buyers":   []any{map[string]any{"id": "91420100MA4K0009", "name": "Buyer Ltd.", "share": 10000}},
			"proceeds": []any{map[string]any{"pledgeId": f.rel, "amount": "6000000.00"}}, "surplus": "0"}, "P8")
	case api.RequestTransfer.Name: // the right is frozen: T2
		body := itest.TradeTransfer(f.pd)
		if who.MSP == api.MSPIPOffice { // the IP office requests for an owner, the exchange after a trade
			body["origin"], body["tradeRef"] = "owner-request", ""
		}
		return httpCell{"POST", "/v1/transfers", body, 409, "T2"}
	case api.ConsentToTransfer.Name: // already consented: P7
		return httpCell{"POST", "/v1/transfers/" + f.consented + "/consent", map[string]any{"pledgeId": f.reg, "proceedsUse": "escrow"}, 409, "P7"}
	case api.RecordTransfer.Name: // refused already: T1
		return httpCell{"POST", "/v1/transfers/" + f.refusedTr + "/record", map[string]any{}, 409, "T1"}
	case api.RefuseTransfer.Name:
		return httpCell{"POST", "/v1/transfers/" + f.refusedTr + "/refuse", map[string]any{"reasons": []string{"again"}}, 409, "T1"}
	case api.TerminateLicense.Name: // the right has no such licence: 404
		today := time.Now().In(time.FixedZone("UTC+8", 8*3600)).Format(time.DateOnly)
		return httpCell{"POST", "/v1/assets/" + f.pb + "/licenses/TR-MX-NONE/terminate",
			map[string]any{"date": today, "reason": "terminated by agreement"}, 404, "NOT_FOUND"}
	case api.GetPledgeTerms.Name: // the pledge, with privateTerms only for the entitled
		return httpCell{"GET", "/v1/pledges/" + f.reg, nil, 200, ""}
	case api.GetAsset.Name:
		return httpCell{"GET", "/v1/assets/" + f.pb, nil, 200, ""}
	case api.GetStatement.Name:
		return httpCell{"GET", "/v1/verify/" + f.pb, nil, 200, ""}
	}
	t.Fatalf("no request for %s", op)
	return httpCell{}
}

// TestE2E_AuthorizationMatrixThroughHTTP proves the table of who may do what (itest.AuthzMatrix, the one
// chaincode/chaincodetest proves at the chaincode) through the HTTP gateways: every user of every peer
// organization, through its own organization's gateway with its own API key, against every operation
// (admins excepted: no gateway acts as an admin, which chaincode/chaincodetest's matrix covers).
// Denied: 403 FORBIDDEN with a message (rule V3 for the regulator's writes); for GetPledgeTerms, which
// GET /v1/pledges/{id} calls, denied means the answer leaves the private terms out (V2). Allowed: the
// chaincode admits the caller and then refuses under the domain rule the fixture is set up for (409
// with that rule id; 422 for UpdateAsset), or the read answers 200. No cell writes anything but its
// refusal: each 409 names its committed transaction, and the ledger grows by no more blocks than that.
func TestE2E_AuthorizationMatrixThroughHTTP(t *testing.T) {
	s := itest.System(t)
	type identity struct {
		itest.Principal
		c *caller
	}
	var ids []identity
	for _, o := range s.Organizations {
		if o.Gateway == "" {
			continue
		}
		for _, u := range o.Users {
			if u.Role == string(api.RoleAdmin) {
				if u.APIKeyFile != "" {
					t.Fatalf("%s's admin %s has an API key (%s): a gateway acts for client identities only", o.MSPID, u.Name, u.APIKeyFile)
				}
				continue // an admin acts with netctl on its host; chaincode/chaincodetest proves its column
			}
			ids = append(ids, identity{itest.Principal{MSP: api.MSPID(o.MSPID), Role: api.Role(u.Role)}, as(t, o.MSPID, u.Name)})
		}
	}
	for _, p := range itest.EveryMember {
		found := false
		for _, id := range ids {
			found = found || id.Principal == p
		}
		if !found && p.Role != api.RoleAdmin {
			t.Fatalf("the network has no gateway user for %s", p)
		}
	}
	f := buildHTTPFixture(t)
	begin := time.Now()

	type result struct {
		ok  bool
		got string
	}
	results := make([][]result, len(ids))
	for i := range results {
		results[i] = make([]result, len(itest.AuthzMatrix))
	}
	type job struct{ row, col int }
	jobs := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var kept []itest.APIError
	itest.KeepsOnlyRefusals(t, "the HTTP matrix", func() []itest.APIError {
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					id, rule := ids[j.row], itest.AuthzMatrix[j.col]
					c := f.cell(t, rule.Op, id.Principal)
					allowed := rule.Allows(id.Principal)
					r := id.c.Do(c.method, c.path, c.body)
					e := r.Err()
					if r.Status == 409 {
						mu.Lock()
						kept = append(kept, e)
						mu.Unlock()
					}
					res := result{got: r.String()}
					switch {
					case rule.Op == api.GetPledgeTerms.Name:
						has := strings.Contains(string(r.Body), `"privateTerms"`)
						res.ok = r.Status == 200 && has == allowed && (!has || strings.Contains(string(r.Body), `"verified":true`))
					case allowed:
						res.ok = r.Status == c.status && e.Code == c.code
					default:
						res.ok = r.Status == 403 && e.Code == "FORBIDDEN" && e.Message != "" &&
							(id.MSP != api.MSPRegulator || e.Details["rule"] == "V3")
					}
					results[j.row][j.col] = res
				}
			}()
		}
		for row := range ids {
			for col := range itest.AuthzMatrix {
				jobs <- job{row, col}
			}
		}
		close(jobs)
		wg.Wait()
		return kept
	})

	var b strings.Builder
	fmt.Fprintf(&b, "authorization through HTTP (A allowed: admitted, then the fixture's rule refusal or 200; D denied: 403 FORBIDDEN, terms left out for Trms):\n%-30s", "identity (gateway)")
	for _, r := range itest.AuthzMatrix {
		fmt.Fprintf(&b, " %-4s", r.Short)
	}
	var cells, allowed, denied, failed int
	for row, id := range ids {
		fmt.Fprintf(&b, "\n%-30s", string(id.MSP)+" "+id.c.User)
		for col, rule := range itest.AuthzMatrix {
			r := results[row][col]
			a := rule.Allows(id.Principal)
			mark := map[bool]string{true: "A", false: "D"}[a]
			if !r.ok {
				failed++
				mark = strings.ToLower(mark) + "!"
				t.Errorf("%s by %s/%s: expected %s, got %s", rule.Op, id.MSP, id.c.User, map[bool]string{true: "allowed", false: "denied"}[a], r.got)
			}
			fmt.Fprintf(&b, " %-4s", mark)
			cells++
			if a {
				allowed++
			} else {
				denied++
			}
		}
	}
	t.Log(b.String())
	t.Logf("HTTP matrix: %d identities x %d operations = %d cells (%d allowed, %d denied, %d wrong) in %v; nothing written but the allowed cells' refusals",
		len(ids), len(itest.AuthzMatrix), cells, allowed, denied, failed, time.Since(begin).Round(time.Millisecond))
}
