package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// Callers of every organization and role.
var (
	examiner  = Caller{MSP: api.MSPIPOffice, Role: api.RoleExaminer, Submitter: "x509::CN=examiner1,OU=client::CN=ca.ipoffice"}
	ipAdmin   = Caller{MSP: api.MSPIPOffice, Role: api.RoleAdmin, Submitter: "x509::CN=admin,OU=admin::CN=ca.ipoffice"}
	bank1     = Caller{MSP: api.MSPBank1, Role: api.RoleLoanOfficer, Submitter: "x509::CN=officer1,OU=client::CN=ca.bank1"}
	bank1Adm  = Caller{MSP: api.MSPBank1, Role: api.RoleAdmin, Submitter: "x509::CN=admin,OU=admin::CN=ca.bank1"}
	bank2     = Caller{MSP: api.MSPBank2, Role: api.RoleLoanOfficer, Submitter: "x509::CN=officer1,OU=client::CN=ca.bank2"}
	trader    = Caller{MSP: api.MSPExchange, Role: api.RoleTrader, Submitter: "x509::CN=trader1,OU=client::CN=ca.exchange"}
	auditor   = Caller{MSP: api.MSPRegulator, Role: api.RoleAuditor, Submitter: "x509::CN=auditor1,OU=client::CN=ca.regulator"}
	regAdmin  = Caller{MSP: api.MSPRegulator, Role: api.RoleAdmin, Submitter: "x509::CN=admin,OU=admin::CN=ca.regulator"}
	stranger  = Caller{MSP: "OtherMSP", Role: api.RoleAdmin, Submitter: "x509::CN=x::CN=ca.other"}
	noRole    = Caller{MSP: api.MSPBank1, Role: "", Submitter: "x509::CN=peer0::CN=ca.bank1"}
	wrongRole = Caller{MSP: api.MSPIPOffice, Role: api.RoleTrader, Submitter: "x509::CN=odd::CN=ca.ipoffice"}
)

// env is a ledger and a clock; each submit is one committed transaction (or none, on error).
type env struct {
	t   *testing.T
	l   *MemLedger
	n   int
	now time.Time
}

// monday10 is Monday 3 March 2025, 10:00 in UTC+8.
var monday10 = time.Date(2025, 3, 3, 10, 0, 0, 0, chinaTime)

func newEnv(t *testing.T) *env {
	t.Helper()
	return &env{t: t, l: NewMemLedger(), now: monday10}
}

func (e *env) nextTx() string {
	e.n++
	sum := sha256.Sum256([]byte(fmt.Sprint("tx", e.n)))
	return hex.EncodeToString(sum[:])
}

// submit runs fn as one transaction of c; it commits what the transaction decided — a result, or a
// refusal under a rule, which is kept under the request id (I3) — and discards the rest.
func (e *env) submit(c Caller, transient map[string][]byte, fn func(*Service) (string, error)) (string, error) {
	e.t.Helper()
	id := e.nextTx()
	e.l.Begin(id, e.now)
	tx := Tx{ID: id, Time: e.now, Caller: c, Transient: transient}
	// The gateway's plan of this submission, as PlanSubmission makes it: a dry run writing nothing.
	plan := &planLedger{Ledger: e.l}
	_, _ = fn(&Service{l: plan, tx: tx})
	svc := New(e.l, tx)
	out, err := fn(svc)
	e.coveredBy(plan.endorsers())
	if err != nil {
		if len(e.l.PendingEvents()) != 0 {
			e.t.Fatalf("a refused transaction set an event")
		}
		if svc.Decided() {
			if w := e.l.Writes(); len(w) != 1 {
				e.t.Fatalf("a refusal wrote %d keys, want its request id only: %q", len(w), w)
			}
			e.l.Commit()
			e.now = e.now.Add(time.Minute)
			return "", err
		}
		e.l.Begin("", time.Time{})
		return "", err
	}
	e.l.Commit()
	e.now = e.now.Add(time.Minute)
	return out, nil
}

// coveredBy fails unless the organizations a plan named satisfy every key-level policy the pending
// transaction must meet (I1): the committed policy of each key it writes or deletes, and the policy it
// sets. A plan naming none leaves the choice to discovery, which the definition's policy guides: then
// no policy may require more than the IP office (and one other member, which RightEndorsement's AnyOf
// and the definition's policy both ask).
func (e *env) coveredBy(planned []api.MSPID) {
	e.t.Helper()
	for _, k := range e.l.Writes() {
		for _, p := range []api.Endorsement{e.l.policies[k], e.l.pols[k]} {
			for _, o := range p.All {
				if !slices.Contains(planned, o) && (len(planned) > 0 || o != api.MSPIPOffice) {
					e.t.Fatalf("the plan named %v; writing %q needs %s", planned, k, o)
				}
			}
			if len(planned) > 0 && len(p.AnyOf) > 0 &&
				!slices.ContainsFunc(p.AnyOf, func(o api.MSPID) bool { return slices.Contains(planned, o) }) {
				e.t.Fatalf("the plan named %v; writing %q needs one of %v", planned, k, p.AnyOf)
			}
		}
	}
}

// query runs fn as a read-only transaction.
func (e *env) query(c Caller, fn func(*Service) (string, error)) (string, error) {
	e.t.Helper()
	e.l.Begin(e.nextTx(), e.now)
	e.l.ReadOnly = true
	defer func() { e.l.ReadOnly = false; e.l.Begin("", time.Time{}) }()
	return fn(New(e.l, Tx{ID: "query", Time: e.now, Caller: c}))
}

// submitErr runs fn as one transaction of c without transient data and returns its error only.
func (e *env) submitErr(c Caller, fn func(*Service) (string, error)) error {
	e.t.Helper()
	_, err := e.submit(c, nil, fn)
	return err
}

func (e *env) must(out string, err error) string {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("unexpected error: %v", err)
	}
	return out
}

func (e *env) req() string { return fmt.Sprintf("req-%d", e.n+1) }

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// wantCode fails unless err is an api.Error with code (and, when given, details.reason).
func wantCode(t *testing.T, err error, code api.Code, reason ...string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("want success, got %v", err)
		}
		return
	}
	e, ok := api.AsError(err)
	if !ok {
		t.Fatalf("want error %s, got %v", code, err)
	}
	if e.Code != code {
		t.Fatalf("want code %s, got %s", code, e.Error())
	}
	if len(reason) > 0 && e.Details["reason"] != reason[0] && e.Details["rule"] != reason[0] && e.Details["field"] != reason[0] {
		t.Fatalf("want %s/%s, got %s", code, reason[0], e.Error())
	}
}

var (
	acme   = api.Owner{ID: "91420100MA4K0001X", Name: "Acme Optics Co.", Share: 10000}
	acmeP  = api.Party{ID: acme.ID, Name: acme.Name}
	beta   = api.Owner{ID: "91420100MA4K0002Y", Name: "Beta Labs Co.", Share: 5000}
	betaP  = api.Party{ID: beta.ID, Name: beta.Name}
	buyer  = api.Owner{ID: "91420100MA4K0009Z", Name: "Buyer Ltd.", Share: 10000}
	hashA  = strings.Repeat("a", 64)
	saltA  = "705c367a1a77d424319c090b86b8a5ff"
	termsA = api.Terms{Amount: "5000000.00", Currency: "CNY", InterestRate: "3.85", Salt: saltA, Scope: "principal, interest and costs"}
)

func patent(id string, owners ...api.Owner) api.AssetInput {
	if len(owners) == 0 {
		owners = []api.Owner{acme}
	}
	return api.AssetInput{ApplicationDate: "2020-01-10", ExpiryDate: "2040-01-10", FeesPaidThrough: "2026-01-10",
		GrantDate: "2022-06-01", ID: id, Kind: api.KindPatentInvention, Number: "ZL" + id, Owners: owners,
		Title: "Optical lens assembly " + id}
}

func trademark(id, family string, class int) api.AssetInput {
	return api.AssetInput{ApplicationDate: "2019-01-10", ExpiryDate: "2031-01-10", GrantDate: "2021-01-10", ID: id,
		Kind: api.KindTrademark, MarkFamily: family, NiceClass: class, Number: "TM" + id, Owners: []api.Owner{acme},
		Title: "ACME mark " + id}
}

func application(assetIDs ...string) api.PledgeApplication {
	return api.PledgeApplication{AssetIDs: assetIDs, ContractHash: hashA, DebtKind: "loan", DebtTermEnd: "2027-03-01",
		DebtTermStart: "2025-03-01", PledgeeName: "Bank One Wuhan Branch", Pledgors: []api.Party{acmeP}}
}

func withTerms(t api.Terms) map[string][]byte {
	return map[string][]byte{api.TransientTermsKey: []byte(js(t))}
}

// defaultIn is a DeclareDefault payload with a claim of amount CNY.
func defaultIn(reason, amount string) string {
	return js(api.DefaultInput{Claim: api.ClaimInput{Amount: amount, Currency: "CNY"}, Reason: reason})
}

func (e *env) register(a api.AssetInput) *api.Asset {
	e.t.Helper()
	var out api.Asset
	mustDecode(e.t, e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.RegisterAsset(e.req(), js(a)) })), &out)
	return &out
}

func (e *env) apply(bank Caller, app api.PledgeApplication) (*api.Pledge, error) {
	e.t.Helper()
	out, err := e.submit(bank, withTerms(termsA), func(s *Service) (string, error) { return s.ApplyPledge(e.req(), js(app)) })
	if err != nil {
		return nil, err
	}
	var p api.Pledge
	mustDecode(e.t, out, &p)
	return &p, nil
}

func (e *env) registerPledge(id, regNo string) (*api.Pledge, error) {
	e.t.Helper()
	out, err := e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RegisterPledge(e.req(), id, js(api.Registration{RegistrationNumber: regNo}))
	})
	if err != nil {
		return nil, err
	}
	var p api.Pledge
	mustDecode(e.t, out, &p)
	return &p, nil
}

// pledged registers a pledge of bank on the rights and returns it.
func (e *env) pledged(bank Caller, regNo string, assetIDs ...string) *api.Pledge {
	e.t.Helper()
	p, err := e.apply(bank, application(assetIDs...))
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	p, err = e.registerPledge(p.ID, regNo)
	if err != nil {
		e.t.Fatalf("register: %v", err)
	}
	return p
}

func (e *env) update(id string, patch string) {
	e.t.Helper()
	e.must(e.submit(examiner, nil, func(s *Service) (string, error) { return s.UpdateAsset(e.req(), id, patch) }))
}

// court1 and court2 are two courts that freeze rights (C1).
const (
	court1 = "Wuhan Intermediate People's Court"
	court2 = "Wuchang District People's Court"
)

// freeze records a court's freeze of a right (C1) and returns the right.
func (e *env) freeze(id, court, ref string) *api.Asset {
	e.t.Helper()
	var a api.Asset
	mustDecode(e.t, e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.RecordFreeze(e.req(), id, js(api.FreezeInput{Court: court, Ref: ref}))
	})), &a)
	return &a
}

// lift records the lifting of a right's freeze n (C2) and returns the right.
func (e *env) lift(id string, n int, ref string) *api.Asset {
	e.t.Helper()
	var a api.Asset
	mustDecode(e.t, e.must(e.submit(examiner, nil, func(s *Service) (string, error) {
		return s.LiftFreeze(e.req(), id, fmt.Sprint(n), js(api.LiftInput{Ref: ref}))
	})), &a)
	return &a
}

// freezeOrder stands, in the tables of patches, for a court's freeze recorded with RecordFreeze.
const freezeOrder = "freeze"

// updateOrFreeze applies a patch, or records a court's freeze for freezeOrder.
func (e *env) updateOrFreeze(id, patch string) {
	e.t.Helper()
	if patch == freezeOrder {
		e.freeze(id, court1, "(2025)E01ZB1")
		return
	}
	e.update(id, patch)
}

func (e *env) asset(id string) *api.Asset {
	e.t.Helper()
	var a api.Asset
	mustDecode(e.t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetAsset(id) })), &a)
	return &a
}

func (e *env) pledge(id string) *api.Pledge {
	e.t.Helper()
	var p api.Pledge
	mustDecode(e.t, e.must(e.query(auditor, func(s *Service) (string, error) { return s.GetPledge(id) })), &p)
	return &p
}

func mustDecode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
