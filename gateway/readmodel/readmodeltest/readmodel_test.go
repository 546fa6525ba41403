//go:build integration

// Package readmodeltest proves the gateways' read models against the real network: a block missed
// while a gateway was down is caught up from its checkpoint, an organization's read model holds no
// private data of a collection it is not a member of, and the read model's answers equal the
// chaincode's on every read route.
package readmodeltest

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipledger/ipledger/gateway/httpapi"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// ipledger runs the project's entry point against the test network (its data directory and ports
// come from the environment the test command set).
func ipledger(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join("..", "..", "..", "scripts", "ipledger"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ipledger %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// after is the After-Block header naming block b.
func after(b uint64) []string { return []string{httpapi.HeaderAfterBlock, strconv.FormatUint(b, 10)} }

// fromReadModel reads path at c's gateway with After-Block b until the read model answers it: a
// gateway answers from the chaincode until its read model has caught up since its start and its
// readiness Ping has seen the chaincode's version. At most 100 tries, each waiting on the block.
func fromReadModel(t *testing.T, c *itest.Caller, path string, b uint64) itest.Reply {
	t.Helper()
	var r itest.Reply
	for range 100 {
		r = c.Do(http.MethodGet, path, nil, after(b)...)
		if r.Header.Get(httpapi.HeaderReadSource) == "read-model" {
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s at %s's gateway never came from its read model: %s (source %q)", path, c.Org, r, r.Header.Get(httpapi.HeaderReadSource))
	return r
}

func height(t *testing.T, r itest.Reply) uint64 {
	t.Helper()
	h, err := strconv.ParseUint(r.Header.Get(httpapi.HeaderLedgerHeight), 10, 64)
	if err != nil {
		t.Fatalf("no %s in %v", httpapi.HeaderLedgerHeight, r.Header)
	}
	return h
}

// metric is the value of a sample of mspID's gateway's metrics whose line starts with name.
func metric(t *testing.T, mspID, name string) float64 {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(itest.Metrics(t, mspID)))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+"{") || strings.HasPrefix(line, name+" ") {
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[len(f)-1], 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("%s's gateway has no metric %s", mspID, name)
	return 0
}

func register(t *testing.T, ipo *itest.Caller, id string) uint64 {
	t.Helper()
	r := ipo.Do(http.MethodPost, "/v1/assets", itest.Patent(id))
	if r.Status != http.StatusCreated {
		t.Fatalf("register %s: %s", id, r)
	}
	return r.Block()
}

// (a) A block committed while Bank2's gateway was stopped is applied from the read model's
// checkpoint when it starts again, not from the first block, and each block once.
func TestReadModel_CatchesUpBlocksMissedWhileTheGatewayWasDown(t *testing.T) {
	ipo, bank2 := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "Bank2MSP", "officer1")
	first := itest.Uniq("RM-A")
	b0 := register(t, ipo, first)
	h0 := height(t, fromReadModel(t, bank2, "/v1/assets/"+first, b0))

	ipledger(t, "stop", "gateway.bank2")
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			ipledger(t, "up")
		}
	})
	missed := itest.Uniq("RM-A")
	b1 := register(t, ipo, missed)
	ipledger(t, "up")
	restarted = true

	r := fromReadModel(t, bank2, "/v1/assets/"+missed, b1)
	if r.Status != http.StatusOK || r.Str(t, "id") != missed {
		t.Fatalf("the right registered while Bank2's gateway was down: %s", r)
	}
	if h := height(t, r); h <= b1 {
		t.Errorf("answered at height %d, which does not hold block %d", h, b1)
	}
	applied := metric(t, "Bank2MSP", "ipledger_gateway_read_model_blocks_applied_total")
	now := metric(t, "Bank2MSP", "ipledger_gateway_read_model_height")
	start := uint64(now - applied) // the height the restarted gateway's read model opened at
	t.Logf("FIGURE read model catch-up: height %d before the stop, opened again at %d, block %d missed, %v applied since, height %v",
		h0, start, b1, applied, now)
	if start < h0 || start > b1 {
		t.Errorf("the restarted read model opened at height %d: want its checkpoint, between %d and %d", start, h0, b1)
	}
}

// (b) Bank2's read model holds no row of Bank1's collection; the regulator's holds Bank1's terms, and
// its gateway answers them from the read model, Bank2's does not.
func TestReadModel_HoldsOnlyTheCollectionsOfItsOrganization(t *testing.T) {
	sys := itest.System(t)
	ipo, bank1 := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "Bank1MSP", "officer1")
	asset := itest.Uniq("RM-B")
	b := register(t, ipo, asset)
	r := bank1.Do(http.MethodPost, "/v1/pledges", itest.Application(asset), after(b)...)
	if r.Status != http.StatusCreated {
		t.Fatalf("apply: %s", r)
	}
	pledge, b := r.Str(t, "id"), r.Block()
	key := "\x00pledge\x00" + pledge + "\x00"
	rows := map[string]int{}
	for _, msp := range []string{"Bank2MSP", "RegulatorMSP"} {
		c := itest.As(t, msp, map[string]string{"Bank2MSP": "officer1", "RegulatorMSP": "auditor1"}[msp])
		r := fromReadModel(t, c, "/v1/pledges/"+pledge, b)
		_, hasTerms := r.Obj(t)["privateTerms"]
		if hasTerms != (msp == "RegulatorMSP") {
			t.Errorf("%s's gateway answers privateTerms: %v", msp, hasTerms)
		}
		o, err := sys.Org(msp)
		if err != nil {
			t.Fatal(err)
		}
		db := openReadModel(t, o)
		var all, this int
		if err := db.QueryRow(`SELECT COUNT(*) FROM rm_state WHERE coll = 'termsBank1MSP'`).Scan(&all); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM rm_state WHERE coll = 'termsBank1MSP' AND key = $1`, []byte(key)).Scan(&this); err != nil {
			t.Fatal(err)
		}
		db.Close()
		rows[msp] = all
		if msp == "Bank2MSP" && all != 0 {
			t.Errorf("Bank2's read model holds %d rows of Bank1's collection", all)
		}
		if msp == "RegulatorMSP" && this != 1 {
			t.Errorf("the regulator's read model does not hold the terms of %s", pledge)
		}
	}
	t.Logf("FIGURE rows of termsBank1MSP: Bank2's read model %d, the regulator's %d", rows["Bank2MSP"], rows["RegulatorMSP"])
}

// readTime are the fields that say when an answer was read (a statement's and an extract's asOf, the
// clock of the read) and at which height (a proof's ledgerHeight): they are all that differs between
// the two sources' answers on the same records (checked without them: only these differed).
var readTime = map[string]bool{"asOf": true, "ledgerHeight": true}

func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if readTime[k] {
				delete(x, k)
			} else {
				x[k] = strip(x[k])
			}
		}
	case []any:
		for i := range x {
			x[i] = strip(x[i])
		}
	}
	return v
}

// (c) On the same records, every read route answers the same from the read model as from the
// chaincode (asked with IPLedger-Read-Source: chaincode), but for when and where it was read.
func TestReadModel_AnswersEqualTheChaincodesOnEveryReadRoute(t *testing.T) {
	ipo, bank1 := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "Bank1MSP", "officer1")
	exchange := itest.As(t, "ExchangeMSP", "trader1")
	asset := itest.Uniq("RM-C")
	b := register(t, ipo, asset)
	r := bank1.Do(http.MethodPost, "/v1/pledges", itest.Application(asset), after(b)...)
	if r.Status != http.StatusCreated {
		t.Fatalf("apply: %s", r)
	}
	pledge, b := r.Str(t, "id"), r.Block()
	r = ipo.Do(http.MethodPost, "/v1/pledges/"+pledge+"/register", map[string]any{"registrationNumber": itest.Uniq("REG")}, after(b)...)
	if r.Status != http.StatusOK {
		t.Fatalf("register pledge: %s", r)
	}
	b = r.Block()
	other := itest.Uniq("RM-C")
	b = max(b, register(t, ipo, other))
	r = exchange.Do(http.MethodPost, "/v1/transfers", itest.TradeTransfer(other), after(b)...)
	if r.Status != http.StatusCreated {
		t.Fatalf("request a transfer: %s", r)
	}
	transfer, b := r.Str(t, "id"), r.Block()
	txID := r.Str(t, "txId")
	// A transfer of the pledged right waits for Bank1's consent (P7): the consentOf filter's.
	r = exchange.Do(http.MethodPost, "/v1/transfers", itest.TradeTransfer(asset), after(b)...)
	if r.Status != http.StatusCreated {
		t.Fatalf("request a transfer of the pledged right: %s", r)
	}
	b = r.Block()
	q := url.QueryEscape
	routes := []string{
		"/v1/assets/" + asset, "/v1/assets?number=" + q("ZL-"+asset), "/v1/assets/" + asset + "/history",
		"/v1/verify/" + asset, "/v1/pledges/" + pledge, "/v1/pledges/" + pledge + "/history",
		"/v1/pledges?assetId=" + q(asset), "/v1/pledges?pledgee=Bank1MSP&pageSize=3", "/v1/pledges?status=registered&pageSize=2",
		"/v1/pledges?overdue=true&asOf=" + url.QueryEscape(time.Now().UTC().Format(time.RFC3339)), "/v1/transfers/" + transfer, "/v1/transfers/" + transfer + "/history",
		"/v1/transfers?assetId=" + q(other), "/v1/parties?id=" + itest.OwnerID + "&pageSize=2", "/v1/parties/" + itest.OwnerID + "?pageSize=2",
		"/v1/parties/" + itest.OwnerID + "/extract", "/v1/assets/nope-" + asset,
		"/v1/transfers?consentOf=Bank1MSP&pageSize=100", "/v1/transfers?assetId=" + q(asset) + "&kind=assignment&consentOf=Bank1MSP",
		"/v1/transfers?kind=license&status=requested&pageSize=5",
		"/v1/statistics?pledgee=Bank1MSP&kind=patent-invention&interval=year", "/v1/statistics?kind=mixed&interval=quarter",
	}
	if txID != "" {
		routes = append(routes, "/v1/transactions/"+txID)
	}
	compared := 0
	for _, c := range []*itest.Caller{bank1, ipo} {
		for _, path := range routes {
			rm := fromReadModel(t, c, path, b)
			cc := c.Do(http.MethodGet, path, nil, append(after(b), httpapi.HeaderReadSource, "chaincode")...)
			if cc.Header.Get(httpapi.HeaderReadSource) != "chaincode" {
				t.Fatalf("%s: asked for the chaincode, answered by %q", path, cc.Header.Get(httpapi.HeaderReadSource))
			}
			if rm.Status != cc.Status {
				t.Errorf("%s as %s: read model %s, chaincode %s", path, c.Org, rm, cc)
				continue
			}
			var a, b any
			if err := json.Unmarshal(rm.Body, &a); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if err := json.Unmarshal(cc.Body, &b); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if !reflect.DeepEqual(strip(a), strip(b)) {
				t.Errorf("%s as %s differs:\nread model %s\nchaincode  %s", path, c.Org, rm.Body, cc.Body)
			}
			compared++
		}
	}
	t.Logf("FIGURE answers compared read model against chaincode: %d (%d routes, 2 organizations)", compared, len(routes))
	if compared == 0 {
		t.Fatal("nothing compared")
	}
}

// openReadModel opens an organization's read model as it is described, read only: an SQLite file,
// or a PostgreSQL server, as its reporting role.
func openReadModel(t *testing.T, o *netctl.OrgInfo) *sql.DB {
	t.Helper()
	rm := o.ReadModel
	if rm == nil {
		t.Fatalf("%s's gateway has no read model in the description", o.MSPID)
	}
	var db *sql.DB
	var err error
	switch rm.Driver {
	case netctl.ReadModelSQLite:
		db, err = sql.Open("sqlite", "file:"+rm.File+"?mode=ro&_pragma=busy_timeout(10000)")
	case netctl.ReadModelPostgres:
		secret, rerr := os.ReadFile(filepath.Join(rm.Secrets, "reporting.secret"))
		if rerr != nil {
			t.Fatal(rerr)
		}
		u := url.URL{Scheme: "postgres", User: url.UserPassword("reporting", strings.TrimSpace(string(secret))), Host: rm.Address,
			Path: "/" + rm.Database, RawQuery: "sslmode=disable"}
		db, err = sql.Open("pgx", u.String())
	default:
		t.Fatalf("%s's read model: driver %q", o.MSPID, rm.Driver)
	}
	if err != nil {
		t.Fatal(err)
	}
	return db
}
