package netctl

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// An organization whose topology says `gateway.readModel: {driver: postgres, port: P}` keeps its
// gateway's read model in a PostgreSQL server of its own, which netctl initializes, starts and stops
// with the organization's other components (docs/operations.md, "The read model"). The server listens
// on 127.0.0.1:P only (never the organization's host address: the read model is the host's own) and
// has three roles: ipledger (the superuser, used only by netctl), gateway (owns the database
// readmodel; the gateway's only role) and reporting (reads every table: the organization's own
// reporting and SQL access). Their passwords are random, in the organization's directory, 0600.
const (
	pgDatabase  = "readmodel"
	pgSuperuser = "ipledger"
	pgGateway   = "gateway"
	pgReporting = "reporting"
)

// PostgresName is the component name of an organization's PostgreSQL server, e.g. "postgres.regulator".
func PostgresName(o *Organization) string { return "postgres." + o.Name }

// pgRoot is where the network's PostgreSQL servers keep their data: in the network's directory, or,
// when netctl runs as root and the server as the postgres account (which must reach its directory
// through every parent, and a test's or an operator's directory may be private), in that account's
// home: <home>/ipledger/<the first 16 hex digits of the SHA-256 of the network's directory>. Down
// --purge removes it with the network's directory.
func (n *Network) pgRoot() string { return PostgresRoot(n.Dir) }

// PostgresRoot is where the PostgreSQL servers of the network in dataDir keep their data.
func PostgresRoot(dataDir string) string {
	if os.Geteuid() == 0 {
		if u, err := user.Lookup("postgres"); err == nil && u.HomeDir != "" {
			abs, _ := filepath.Abs(dataDir)
			sum := sha256.Sum256([]byte(abs))
			return filepath.Join(u.HomeDir, "ipledger", hex.EncodeToString(sum[:8]))
		}
	}
	return filepath.Join(dataDir, "postgres")
}

func (n *Network) pgDir(o *Organization) string     { return filepath.Join(n.pgRoot(), o.Name) }
func (n *Network) pgData(o *Organization) string    { return filepath.Join(n.pgDir(o), "data") }
func (n *Network) pgSecrets(o *Organization) string { return filepath.Join(n.orgDir(o), "readmodel") }

// pgSecret returns the password of one of the server's roles, made (once) when the server is initialized.
func (n *Network) pgSecret(o *Organization, role string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(n.pgSecrets(o), role+".secret"))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(raw)), nil
}

// PostgresDSN is the connection string of one role of an organization's read model server.
func (n *Network) PostgresDSN(o *Organization, role string) (string, error) {
	if !o.Postgres() {
		return "", fmt.Errorf("%s keeps its read model in SQLite, not PostgreSQL (topology: gateway.readModel)", o.MSPID)
	}
	secret, err := n.pgSecret(o, role)
	if err != nil {
		return "", fmt.Errorf("%s's PostgreSQL role %s has no password yet (`scripts/ipledger up` makes it): %w", o.MSPID, role, err)
	}
	database := pgDatabase
	if role == pgSuperuser {
		database = "postgres"
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(role, secret), Host: Addr("127.0.0.1", o.Gateway.ReadModel.Port),
		Path: "/" + database, RawQuery: "sslmode=disable"}
	return u.String(), nil
}

// PostgresBin finds the directory of PostgreSQL's server programs: IPLEDGER_POSTGRES_BIN, or the
// newest of Debian's /usr/lib/postgresql/<major>/bin (`scripts/ipledger up` installs the package
// postgresql when the topology asks for it).
func PostgresBin() (string, error) {
	if d := os.Getenv("IPLEDGER_POSTGRES_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	if len(dirs) == 0 {
		return "", errors.New("no PostgreSQL server found (/usr/lib/postgresql/*/bin/postgres): install Debian's package postgresql " +
			"(`scripts/ipledger up` installs it when the topology asks for it), or set IPLEDGER_POSTGRES_BIN to the directory of its programs")
	}
	return filepath.Dir(dirs[0]), nil
}

func pgMajor(path string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return v
}

// pgUser is the account the server runs as: PostgreSQL refuses to run as root, so a root netctl runs
// it as Debian's postgres account; any other netctl runs it as itself (nil).
func pgUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL does not run as root, and there is no account postgres to run it as (Debian's package postgresql makes it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (n *Network) postgresProcess(o *Organization) *Process {
	bin, _ := PostgresBin() // both checked by preparePostgres before anything starts it
	cred, _ := pgUser()
	return &Process{
		Name: PostgresName(o), Kind: "postgres", Org: o.Name,
		Bin: filepath.Join(bin, "postgres"),
		Args: []string{"-D", n.pgData(o), "-p", strconv.Itoa(o.Gateway.ReadModel.Port),
			"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
			// A read model's working set: the server's own cache beside the gateway's; see
			// docs/operations.md for the budget.
			"-c", "shared_buffers=128MB", "-c", "max_connections=50"},
		Dir:           n.pgDir(o),
		Host:          "127.0.0.1",
		LoopbackPorts: []int{o.Gateway.ReadModel.Port},
		Credential:    cred,
	}
}

// preparePostgres initializes, once, the data directory of each organization here whose read model
// is in PostgreSQL: initdb as the server's account with a random superuser password.
func (n *Network) preparePostgres() error {
	for _, o := range n.Top.PeerOrgs() {
		if !o.Postgres() {
			continue
		}
		bin, err := PostgresBin()
		if err != nil {
			return fmt.Errorf("%s keeps its read model in PostgreSQL: %w", o.MSPID, err)
		}
		if _, err := os.Stat(filepath.Join(n.pgData(o), "PG_VERSION")); err == nil {
			continue
		}
		cred, err := pgUser()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(n.pgSecrets(o), 0o700); err != nil {
			return err
		}
		for _, role := range []string{pgSuperuser, pgGateway, pgReporting} {
			f := filepath.Join(n.pgSecrets(o), role+".secret")
			if _, err := os.Stat(f); err == nil {
				continue
			}
			if err := os.WriteFile(f, []byte(randomSecret()+"\n"), 0o600); err != nil {
				return err
			}
		}
		if err := n.initdb(o, bin, cred); err != nil {
			return err
		}
	}
	return nil
}

// initdb makes the data directory of o's server as its account, with the superuser's password.
func (n *Network) initdb(o *Organization, bin string, cred *syscall.Credential) error {
	if err := os.MkdirAll(n.pgRoot(), 0o700); err != nil {
		return err
	}
	if cred != nil {
		for d := n.pgRoot(); d != filepath.Dir(filepath.Dir(n.pgRoot())); d = filepath.Dir(d) {
			if err := os.Chown(d, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	if err := os.RemoveAll(n.pgDir(o)); err != nil { // an initdb that failed half way
		return err
	}
	if err := os.MkdirAll(n.pgDir(o), 0o700); err != nil {
		return err
	}
	secret, err := n.pgSecret(o, pgSuperuser)
	if err != nil {
		return err
	}
	pwfile := filepath.Join(n.pgDir(o), "pwfile")
	if err := os.WriteFile(pwfile, []byte(secret+"\n"), 0o600); err != nil {
		return err
	}
	if cred != nil {
		for _, f := range []string{n.pgDir(o), pwfile} {
			if err := os.Chown(f, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", n.pgData(o), "-U", pgSuperuser, "--pwfile", pwfile,
		"--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8")
	cmd.Dir = n.pgDir(o)
	cmd.Env = append(baseEnv(), "LC_ALL=C.UTF-8")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, err := cmd.CombinedOutput()
	_ = os.Remove(pwfile)
	if err != nil {
		return fmt.Errorf("initdb for %s's read model: %w\n%s", o.MSPID, err, lastLines(string(out), 8))
	}
	return nil
}

// startPostgres starts each organization's PostgreSQL server here that is not running, and makes its
// roles and database (once; a later up finds them).
func (n *Network) startPostgres(ctx context.Context) error {
	var ps []*Process
	for _, o := range n.Top.PeerOrgs() {
		if o.Postgres() {
			ps = append(ps, n.postgresProcess(o))
		}
	}
	if len(ps) == 0 {
		return nil
	}
	if err := n.preparePostgres(); err != nil {
		return err
	}
	if err := n.startAll(ctx, ps, 60*time.Second); err != nil {
		return err
	}
	for _, o := range n.Top.PeerOrgs() {
		if o.Postgres() {
			if err := n.pgRoles(ctx, o); err != nil {
				return fmt.Errorf("%s's read model server (%s): %w", o.MSPID, PostgresName(o), err)
			}
		}
	}
	return nil
}

// pgRoles makes the gateway's and the reporting role and the database, when missing.
func (n *Network) pgRoles(ctx context.Context, o *Organization) error {
	open := func(role string, database string) (*sql.DB, error) {
		dsn, err := n.PostgresDSN(o, role)
		if err != nil {
			return nil, err
		}
		u, err := url.Parse(dsn)
		if err != nil {
			return nil, err
		}
		u.Path = "/" + database
		return sql.Open("pgx", u.String())
	}
	db, err := open(pgSuperuser, "postgres")
	if err != nil {
		return err
	}
	defer db.Close()
	// The server accepts connections a moment after it listens (recovery after a crash may take longer).
	if err := waitFor(ctx, 60*time.Second, 100*time.Millisecond, func() error { return db.PingContext(ctx) }); err != nil {
		return err
	}
	for _, role := range []string{pgGateway, pgReporting} {
		secret, err := n.pgSecret(o, role)
		if err != nil {
			return err
		}
		var exists bool
		if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			// Role names are constants; the password is hex, quoted as a literal (DDL takes no
			// parameters). A statement that fails is logged with its text by default: not this one.
			conn, err := db.Conn(ctx)
			if err != nil {
				return err
			}
			_, err = conn.ExecContext(ctx, "SET log_min_error_statement = panic")
			if err == nil {
				_, err = conn.ExecContext(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", role, secret))
			}
			conn.Close()
			if err != nil {
				return fmt.Errorf("making the role %s: %w", role, err)
			}
		}
	}
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", pgDatabase).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER %s", pgDatabase, pgGateway)); err != nil {
			return err
		}
	}
	rdb, err := open(pgSuperuser, pgDatabase)
	if err != nil {
		return err
	}
	defer rdb.Close()
	return pgGrants(ctx, rdb)
}

// pgGrants lets the reporting role read every table the gateway's role makes, and nothing more.
func pgGrants(ctx context.Context, rdb *sql.DB) error {
	for _, stmt := range []string{
		fmt.Sprintf("REVOKE ALL ON DATABASE %s FROM PUBLIC", pgDatabase),
		fmt.Sprintf("GRANT CONNECT ON DATABASE %s TO %s", pgDatabase, pgReporting),
		fmt.Sprintf("GRANT USAGE ON SCHEMA public TO %s", pgReporting),
		fmt.Sprintf("GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s", pgReporting),
		fmt.Sprintf("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA public GRANT SELECT ON TABLES TO %s", pgGateway, pgReporting),
	} {
		if _, err := rdb.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

func (n *Network) readModelInfo(o *Organization) *ReadModelInfo {
	if o.Postgres() {
		return &ReadModelInfo{Driver: ReadModelPostgres, Address: Addr("127.0.0.1", o.Gateway.ReadModel.Port),
			Database: pgDatabase, Secrets: n.pgSecrets(o)}
	}
	return &ReadModelInfo{Driver: ReadModelSQLite, File: n.readModelFile(o)}
}

// readModelFile is the SQLite file of a gateway's read model, in the gateway's own directory.
func (n *Network) readModelFile(o *Organization) string {
	return filepath.Join(n.gatewayDir(o), "readmodel.db")
}

// ReadModelCommand runs the gateway program's read model maintenance for an organization here
// (`ipledger-gateway readmodel rebuild|check`, with the gateway's configuration and environment), and
// returns its output. A rebuild stops the gateway first (it holds its read model while it runs) and
// starts it again after, also when the rebuild failed. A check leaves the gateway running; its exit
// status 3 (differences found) is returned as an error with the output.
func (n *Network) ReadModelCommand(ctx context.Context, o *Organization, action string, args ...string) (string, error) {
	if o.Gateway == nil {
		return "", fmt.Errorf("%s runs no gateway, so it has no read model", o.MSPID)
	}
	p := n.gatewayProcess(o)
	if action == "rebuild" {
		if err := n.Stop(p, 10*time.Second); err != nil {
			return "", fmt.Errorf("stopping %s before the rebuild: %w", p.Name, err)
		}
		defer func() { _ = n.startAll(context.WithoutCancel(ctx), []*Process{p}, 30*time.Second) }()
	}
	cmd := exec.CommandContext(ctx, p.Bin, append([]string{"readmodel", action, "--config", n.gatewayConfigFile(o)}, args...)...)
	cmd.Dir = p.Dir
	cmd.Env = append(baseEnv(), p.Env...)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), fmt.Errorf("ipledger-gateway readmodel %s for %s: %w\n%s", action, o.MSPID, err, lastLines(string(ee.Stderr), 8))
		}
		return string(out), err
	}
	if action == "rebuild" {
		if err := n.startAll(ctx, []*Process{p}, 30*time.Second); err != nil {
			return string(out), err
		}
	}
	return string(out), nil
}
