//go:build integration

package readmodel

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/network/netctl"
)

// TestMain, in the test command's integration part, runs this package's tests on PostgreSQL too: on
// a database of their own in the test network's read model server (the regulator's, in the
// repository's topology), made for the run and dropped after it.
func TestMain(m *testing.M) {
	drop, err := postgresForTests()
	if err != nil {
		fmt.Fprintln(os.Stderr, "read model tests on PostgreSQL:", err)
		os.Exit(1)
	}
	code := m.Run()
	drop()
	os.Exit(code)
}

func postgresForTests() (func(), error) {
	if os.Getenv("IPLEDGER_TEST_POSTGRES_DSN") != "" {
		return func() {}, nil
	}
	path := os.Getenv("IPLEDGER_SYSTEM_FILE")
	if path == "" {
		return nil, fmt.Errorf("IPLEDGER_SYSTEM_FILE is not set: run these tests with scripts/ipledger test integration")
	}
	sys, err := netctl.LoadSystem(path)
	if err != nil {
		return nil, err
	}
	for _, o := range sys.Organizations {
		rm := o.ReadModel
		if rm == nil || rm.Driver != netctl.ReadModelPostgres {
			continue
		}
		secret, err := os.ReadFile(filepath.Join(rm.Secrets, "ipledger.secret"))
		if err != nil {
			return nil, err
		}
		dsn := func(db string) string {
			u := url.URL{Scheme: "postgres", User: url.UserPassword("ipledger", strings.TrimSpace(string(secret))), Host: rm.Address,
				Path: "/" + db, RawQuery: "sslmode=disable"}
			return u.String()
		}
		admin, err := sql.Open("pgx", dsn("postgres"))
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("readmodel_test_%d", os.Getpid())
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			admin.Close()
			return nil, fmt.Errorf("a database for the tests in %s's read model server: %w", o.MSPID, err)
		}
		os.Setenv("IPLEDGER_TEST_POSTGRES_DSN", dsn(name))
		return func() {
			_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			admin.Close()
		}, nil
	}
	return nil, fmt.Errorf("no organization of the test network keeps its read model in PostgreSQL (the repository's topology has the regulator's there)")
}

// TestStores_RunOnPostgreSQLToo checks that this run of the package's tests includes PostgreSQL.
func TestStores_RunOnPostgreSQLToo(t *testing.T) {
	if _, ok := stores(t)["postgres"]; !ok {
		t.Fatal("the read model's tests run on SQLite only")
	}
}
