package readmodel

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
)

// recorder is the rules' ledger of an endorsement over the store: reads from a read transaction,
// writes recorded as the transaction's write set.
type recorder struct {
	*ledger
	writes []kv
}

func (r *recorder) PutState(key string, value []byte) error {
	r.writes = append(r.writes, kv{key: key, value: value})
	return nil
}

func (r *recorder) DelState(key string) error {
	r.writes = append(r.writes, kv{key: key, del: true})
	return nil
}

func (r *recorder) PutPrivate(coll, key string, value []byte) error {
	r.writes = append(r.writes, kv{coll: coll, key: key, value: value})
	return nil
}

func (r *recorder) SetEndorsement(string, api.Endorsement) error { return nil }
func (r *recorder) SetEvent(string, []byte) error                { return nil }

// chain endorses submissions over the store with the rules and commits each in a block of its own.
type chain struct {
	t   *testing.T
	s   *Store
	n   int
	now time.Time
}

// submit runs fn as caller; the block it commits delivers the private data of the collections
// member says the store's organization is a member of.
func (c *chain) submit(caller rules.Caller, transient map[string][]byte, member func(string) bool,
	fn func(*rules.Service) (string, error)) string {
	c.t.Helper()
	c.n++
	id := txid(100 + c.n)
	writes, out := endorse(c.t, c.s, id, c.now, caller, transient, fn)
	apply(c.t, c.s, block(c.s.Height(), []txSpec{{id: id, creator: string(caller.MSP), endorsers: []string{"IPOfficeMSP"},
		at: c.now, writes: writes}}, member))
	c.now = c.now.Add(time.Minute)
	return out
}

// endorse runs fn as caller over s as an endorsement would (reads from one read transaction, writes
// recorded), and answers the write set and the result.
func endorse(t *testing.T, s *Store, id string, now time.Time, caller rules.Caller, transient map[string][]byte,
	fn func(*rules.Service) (string, error)) ([]kv, string) {
	t.Helper()
	var rec *recorder
	var out string
	if _, err := s.Read(context.Background(), func(v *View) error {
		rec = &recorder{ledger: &ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}}
		var err error
		out, err = fn(rules.New(rec, rules.Tx{ID: id, Time: now, Caller: caller, Transient: transient}))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rec.writes, out
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var (
	examiner = rules.Caller{MSP: api.MSPIPOffice, Role: api.RoleExaminer, Submitter: "x509::CN=examiner1::CN=ca.ipoffice"}
	officer1 = rules.Caller{MSP: api.MSPBank1, Role: api.RoleLoanOfficer, Submitter: "x509::CN=officer1::CN=ca.bank1"}
	officer2 = rules.Caller{MSP: api.MSPBank2, Role: api.RoleLoanOfficer, Submitter: "x509::CN=officer1::CN=ca.bank2"}
	auditor  = rules.Caller{MSP: api.MSPRegulator, Role: api.RoleAuditor, Submitter: "x509::CN=auditor1::CN=ca.regulator"}
)

// Queries run the chaincode's rules over the replica: the answers, the refusals (the same
// *api.Error), and the private terms only where the store holds the collection and the rules
// entitle the caller.
func TestEvaluate_TheRulesOverTheReplica(t *testing.T) {
	owner := api.Owner{ID: "91420100MA4K0001X", Name: "Acme Optics Co.", Share: 10000}
	asset := api.AssetInput{ApplicationDate: "2020-01-10", ExpiryDate: "2040-01-10", FeesPaidThrough: "2026-01-10",
		GrantDate: "2022-06-01", ID: "CN-RM-1", Kind: api.KindPatentInvention, Number: "ZLRM1", Owners: []api.Owner{owner},
		Title: "Optical lens assembly"}
	app := api.PledgeApplication{AssetIDs: []string{asset.ID}, ContractHash: strings.Repeat("a", 64), DebtKind: "loan",
		DebtTermEnd: "2027-03-01", DebtTermStart: "2025-03-01", PledgeeName: "Bank One Wuhan Branch",
		Pledgors: []api.Party{{ID: owner.ID, Name: owner.Name}}}
	terms := map[string][]byte{api.TransientTermsKey: []byte(js(api.Terms{Amount: "5000000.00", Currency: "CNY",
		InterestRate: "3.85", Salt: "705c367a1a77d424319c090b86b8a5ff", Scope: "principal"}))}
	for name, member := range map[string]func(string) bool{
		"regulator": func(string) bool { return true },
		"bank2":     func(c string) bool { return c == "termsBank2MSP" },
	} {
		t.Run(name, func(t *testing.T) {
			s := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")})
			apply(t, s, configBlock(0))
			c := &chain{t: t, s: s, now: time.Date(2025, 3, 3, 2, 0, 0, 0, time.UTC)}
			c.submit(examiner, nil, member, func(r *rules.Service) (string, error) { return r.RegisterAsset("req-1", js(asset)) })
			var p api.Pledge
			out := c.submit(officer1, terms, member, func(r *rules.Service) (string, error) { return r.ApplyPledge("req-2", js(app)) })
			if err := json.Unmarshal([]byte(out), &p); err != nil || p.ID == "" {
				t.Fatalf("apply: %s %v", out, err)
			}
			var got, refused, termsAns []byte
			var termsErr error
			h, err := s.Read(context.Background(), func(v *View) error {
				var err error
				if got, err = v.Evaluate(officer2, api.GetAsset.Name, asset.ID); err != nil {
					return err
				}
				_, refused0 := v.Evaluate(officer2, api.GetAsset.Name, "CN-NONE")
				refused, _ = json.Marshal(refused0)
				caller := auditor
				if name == "bank2" {
					caller = officer2
				}
				termsAns, termsErr = v.Evaluate(caller, api.GetPledgeTerms.Name, p.ID)
				if _, err := v.Evaluate(officer2, api.ListPledgesByStatus.Name, "applied", "10", ""); err != nil {
					t.Errorf("a list: %v", err)
				}
				if _, err := v.Evaluate(officer2, api.ListPledgesByStatus.Name, "applied", "x", ""); err == nil {
					t.Error("a page size that is not a number is accepted")
				}
				if _, err := v.Evaluate(officer2, api.PlanSubmission.Name, "RegisterAsset", "[]"); err == nil {
					t.Error("PlanSubmission is evaluated by the read model")
				}
				return nil
			})
			if err != nil || h != 3 {
				t.Fatalf("read at %d: %v", h, err)
			}
			var a api.Asset
			if err := json.Unmarshal(got, &a); err != nil || a.ID != asset.ID {
				t.Fatalf("GetAsset: %s %v", got, err)
			}
			if !strings.Contains(string(refused), `"NOT_FOUND"`) {
				t.Errorf("an unknown right: %s", refused)
			}
			switch name {
			case "regulator":
				var tv api.TermsView
				if termsErr != nil || json.Unmarshal(termsAns, &tv) != nil || tv.Terms.Amount != "5000000.00" || !tv.Verified {
					t.Errorf("the regulator's terms: %s %v", termsAns, termsErr)
				}
			case "bank2":
				if e, ok := api.AsError(termsErr); !ok || e.Code != api.CodeForbidden {
					t.Errorf("Bank2 asks for Bank1's terms: %s %v", termsAns, termsErr)
				}
				if n, _ := s.Count(context.Background(), "termsBank1MSP"); n != 0 {
					t.Errorf("Bank2's store holds %d rows of Bank1's collection", n)
				}
			}
		})
	}
}

// The caller is made from the certificate as the contract makes it: MSP id, the ipledger.role
// attribute of the Fabric CA extension, "x509::<subject>::<issuer>".
func TestCallerOf_TheCertificatesRoleAndSubmitter(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	attrs := []byte(`{"attrs":{"hf.EnrollmentID":"officer1","ipledger.role":"loan-officer"}}`)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7),
		Subject:   pkix.Name{CommonName: "officer1", OrganizationalUnit: []string{"client"}},
		Issuer:    pkix.Name{CommonName: "ca.bank1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}, Value: attrs}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := CallerOf("Bank1MSP", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	want := rules.Caller{MSP: "Bank1MSP", Role: api.RoleLoanOfficer, Submitter: "x509::CN=officer1,OU=client::CN=officer1,OU=client"}
	if c != want {
		t.Fatalf("caller %+v, want %+v", c, want)
	}
}

// The read model answers as an identity only while its certificate is valid: after its NotAfter the
// read is left to the chaincode (whose peer refuses it), not answered from the replica.
func TestModel_DoesNotAnswerAsAnExpiredIdentity(t *testing.T) {
	dir := t.TempDir()
	cert := func(name string, notAfter time.Time) string {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: name},
			NotBefore: notAfter.Add(-48 * time.Hour), NotAfter: notAfter}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name+".pem")
		if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	cfg := &gateway.Config{MSPID: "Bank1MSP", ReadModel: gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(dir, "rm.db")},
		Identities: []gateway.IdentityConfig{{Name: "valid", Certificate: cert("valid", time.Now().Add(time.Hour))},
			{Name: "expired", Certificate: cert("expired", time.Now().Add(-time.Minute))}}}
	s := openT(t, cfg.ReadModel)
	apply(t, s, configBlock(0))
	m, err := NewModel(NewFollower(s, nil, nil, nil), cfg)
	if err != nil {
		t.Fatal(err)
	}
	read := func(id string) error {
		_, err := m.Read(context.Background(), id, func(v gateway.ReadView) error { return nil })
		return err
	}
	if err := read("valid"); err != nil {
		t.Errorf("a valid identity: %v", err)
	}
	if err := read("expired"); !errors.Is(err, ErrCertificateExpired) {
		t.Errorf("an expired identity: %v, want ErrCertificateExpired", err)
	}
}
