//go:build integration

package readmodeltest

import (
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/gateway/readmodel"
	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
)

// checkReport runs `scripts/ipledger readmodel check --org msp --json` and returns its report and
// whether it exited with an error (as it does when it finds a difference).
func checkReport(t *testing.T, msp string) (readmodel.CheckReport, bool) {
	t.Helper()
	cmd := exec.Command(filepath.Join("..", "..", "..", "scripts", "ipledger"), "readmodel", "check", "--org", msp, "--json")
	out, err := cmd.Output()
	var rep readmodel.CheckReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		t.Fatalf("readmodel check: %v (%v)\n%s", jerr, err, out)
	}
	return rep, err != nil
}

// The checker finds each kind of difference planted in Bank2's read model on purpose (a value
// changed, a key deleted, a key added, a private hash changed), and nothing else; a rebuild from the
// peer's blocks repairs them all.
func TestReadModel_CheckFindsDifferencesPlantedOnPurposeAndARebuildRepairsThem(t *testing.T) {
	sys := itest.System(t)
	ipo, bank1, bank2 := itest.As(t, "IPOfficeMSP", "examiner1"), itest.As(t, "Bank1MSP", "officer1"), itest.As(t, "Bank2MSP", "officer1")
	asset := itest.Uniq("RM-CHK")
	b := register(t, ipo, asset)
	r := bank1.Do(http.MethodPost, "/v1/pledges", itest.Application(asset), after(b)...)
	if r.Status != http.StatusCreated {
		t.Fatalf("apply: %s", r)
	}
	pledge, b := r.Str(t, "id"), r.Block()
	fromReadModel(t, bank2, "/v1/pledges/"+pledge, b)

	o, err := sys.Org("Bank2MSP")
	if err != nil {
		t.Fatal(err)
	}
	if o.ReadModel == nil || o.ReadModel.Driver != netctl.ReadModelSQLite {
		t.Fatalf("Bank2's read model is not an SQLite file: %+v", o.ReadModel)
	}
	if rep, failed := checkReport(t, "Bank2MSP"); failed || len(rep.Differences) != 0 {
		t.Fatalf("before anything is planted: %d differences (%+v)", len(rep.Differences), rep.Differences)
	}

	db, err := sql.Open("sqlite", "file:"+o.ReadModel.File+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	assetKey := "\x00asset\x00" + asset + "\x00"
	extraKey := "\x00asset\x00" + itest.Uniq("RM-PLANTED") + "\x00"
	pledgeKey := "\x00pledge\x00" + pledge + "\x00"
	numberIndex := "\x00asset-by-number\x00patent-invention\x00ZL-" + asset + "\x00"
	var deleted int64
	for _, stmt := range []struct {
		q    string
		args []any
	}{
		{`UPDATE rm_state SET value = $1 WHERE coll = '' AND key = $2`, []any{[]byte(`{"planted":true}`), []byte(assetKey)}},
		// The right's index by number: its key is the family, the kind, the number, the id.
		{`DELETE FROM rm_state WHERE coll = '' AND key >= $1 AND key < $2`, []any{[]byte(numberIndex), []byte(numberIndex + "\xff")}},
		{`INSERT INTO rm_state (ns, coll, key, value, block, txnum) VALUES ('ipledger', '', $1, $2, 0, 0)`, []any{[]byte(extraKey), []byte(`{}`)}},
		{`UPDATE rm_pvt_hash SET valuehash = $1 WHERE coll = 'termsBank1MSP' AND keyhash = $2`,
			[]any{make([]byte, 32), sum(pledgeKey)}},
	} {
		res, err := db.Exec(stmt.q, stmt.args...)
		if err != nil {
			t.Fatalf("planting %q: %v", stmt.q, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("planting %q changed nothing", stmt.q)
		} else if strings.HasPrefix(stmt.q, "DELETE") {
			deleted = n
		}
	}

	rep, failed := checkReport(t, "Bank2MSP")
	if !failed {
		t.Error("the check found differences and exited 0")
	}
	kinds := map[string]int{}
	var found []string
	for _, d := range rep.Differences {
		kinds[d.Kind+" "+d.Collection]++
		found = append(found, d.Kind+" "+strings.ReplaceAll(d.Key, "\x00", "/")+" "+d.Collection)
	}
	want := map[string]int{"differs ": 1, "missing ": int(deleted), "extra ": 1, "differs termsBank1MSP": 1}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%q: %d differences, want %d", k, kinds[k], n)
		}
	}
	if len(rep.Differences) != 3+int(deleted) {
		t.Errorf("%d differences, want %d: %v", len(rep.Differences), 3+int(deleted), found)
	}
	if !slices.ContainsFunc(rep.Differences, func(d readmodel.Difference) bool { return d.Key == assetKey && d.Kind == readmodel.Differs }) ||
		!slices.ContainsFunc(rep.Differences, func(d readmodel.Difference) bool { return d.Key == extraKey && d.Kind == readmodel.Extra }) {
		t.Errorf("the planted value and key are not among the differences: %v", found)
	}
	t.Logf("FIGURE check of Bank2's read model with %d planted differences: %d keys and %d private hashes compared at height %d; found %v",
		3+deleted, rep.Keys, rep.Private, rep.Height, found)

	out := ipledger(t, "readmodel", "rebuild", "--org", "Bank2MSP")
	t.Logf("FIGURE rebuild: %s", strings.TrimSpace(out))
	if rep, failed := checkReport(t, "Bank2MSP"); failed || len(rep.Differences) != 0 {
		t.Errorf("after the rebuild: %d differences (%+v)", len(rep.Differences), rep.Differences)
	}
	if r := fromReadModel(t, bank2, "/v1/assets/"+asset, b); r.Status != http.StatusOK || r.Str(t, "id") != asset {
		t.Errorf("Bank2's gateway after the rebuild: %s", r)
	}
}

func sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
