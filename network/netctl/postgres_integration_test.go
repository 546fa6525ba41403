//go:build integration

package netctl_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/network/itest"
	"github.com/ipledger/ipledger/network/netctl"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// TestPostgres_ReadModelServerRunsUnprivilegedWithLeastPrivilegedRoles checks the PostgreSQL server
// that netctl runs for an organization whose read model is in PostgreSQL (the regulator's, in the
// repository's topology): it runs as an account other than root; the gateway's role owns the
// database; the reporting role reads its tables and writes nothing; a wrong password is refused; and
// no role's password is on any process's command line.
func TestPostgres_ReadModelServerRunsUnprivilegedWithLeastPrivilegedRoles(t *testing.T) {
	sys := itest.System(t)
	var org *netctl.OrgInfo
	for i := range sys.Organizations {
		if rm := sys.Organizations[i].ReadModel; rm != nil && rm.Driver == netctl.ReadModelPostgres {
			org = &sys.Organizations[i]
		}
	}
	if org == nil {
		t.Fatal("no organization of the test network keeps its read model in PostgreSQL: the repository's topology has the regulator's there")
	}
	rm := org.ReadModel
	ctx := context.Background()

	var server *netctl.ProcessInfo
	for i, p := range sys.Processes {
		if p.Kind == "postgres" && p.Org == org.Name {
			server = &sys.Processes[i]
		}
	}
	if server == nil {
		t.Fatalf("no postgres process of %s in the description", org.Name)
	}
	pid := pidOf(t, server.PidFile)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "Uid:") && strings.Fields(line)[1] == "0" {
			t.Errorf("%s runs as root: %s", server.Name, line)
		}
	}

	secrets := map[string]string{}
	for _, role := range []string{"ipledger", "gateway", "reporting"} {
		raw, err := os.ReadFile(filepath.Join(rm.Secrets, role+".secret"))
		if err != nil {
			t.Fatal(err)
		}
		secrets[role] = strings.TrimSpace(string(raw))
	}
	open := func(role, password string) *sql.DB {
		u := url.URL{Scheme: "postgres", User: url.UserPassword(role, password), Host: rm.Address, Path: "/" + rm.Database,
			RawQuery: "sslmode=disable"}
		db, err := sql.Open("pgx", u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	gw, rep := open("gateway", secrets["gateway"]), open("reporting", secrets["reporting"])
	if _, err := gw.ExecContext(ctx, "CREATE TABLE netctl_probe (x int)"); err != nil {
		t.Fatalf("the gateway's role cannot make a table in its database: %v", err)
	}
	t.Cleanup(func() { _, _ = gw.ExecContext(ctx, "DROP TABLE IF EXISTS netctl_probe") })
	if _, err := gw.ExecContext(ctx, "INSERT INTO netctl_probe VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rep.QueryRowContext(ctx, "SELECT count(*) FROM netctl_probe").Scan(&n); err != nil || n != 1 {
		t.Errorf("the reporting role reads the gateway's table: got %d, %v; want 1, nil", n, err)
	}
	if _, err := rep.ExecContext(ctx, "INSERT INTO netctl_probe VALUES (2)"); err == nil {
		t.Error("the reporting role wrote into the gateway's table")
	}
	if _, err := rep.ExecContext(ctx, "CREATE TABLE reporting_probe (x int)"); err == nil {
		_, _ = rep.ExecContext(ctx, "DROP TABLE reporting_probe")
		t.Error("the reporting role made a table in the read model's database")
	}
	if err := open("gateway", "not-"+secrets["gateway"]).PingContext(ctx); err == nil {
		t.Error("a wrong password was accepted")
	}

	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range procs {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for role, s := range secrets {
			if strings.Contains(string(raw), s) {
				t.Errorf("the password of %s is on a command line (%s): %q", role, f, strings.ReplaceAll(string(raw), "\x00", " "))
			}
		}
	}
	t.Logf("FIGURE %s's read model server %s (pid %d) at %s: roles checked, %d command lines scanned", org.MSPID, server.Name, pid, rm.Address, len(procs))
}

// pidOf reads the pid from a pid file that netctl wrote ("<pid> <start time>").
func pidOf(t *testing.T, pidFile string) int {
	t.Helper()
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Sscan(string(raw), &pid); err != nil || pid <= 0 {
		t.Fatalf("%s: %q", pidFile, raw)
	}
	return pid
}
