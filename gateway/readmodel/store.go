// Package readmodel is a gateway's read model: a replica of the chaincode's world state as its own
// organization's peer commits it, with every key's history and every transaction of the channel,
// built only from that peer's committed blocks and the private data the peer delivers with them
// (only of the collections the organization is a member of). Queries run the chaincode's own rules
// (chaincode/rules) over it, so an answer is the one the chaincode would give at the same height; the
// chaincode stays the authority for every decision.
//
// The store is a database/sql database: SQLite (modernc.org/sqlite, pure Go; WAL, one writer, a pool
// of readers) by default, or PostgreSQL (pgx). The height (the last applied block + 1) is written in
// the same transaction as the block's writes: it is the durable checkpoint, and every read states the
// height it was read at.
package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/gateway"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// SchemaVersion is the version of the tables this code reads and writes. A store of a newer version
// is refused; an older one is migrated on open.
const SchemaVersion = 1

// Store is one read model's database.
type Store struct {
	driver string
	w      *sql.DB // the one writer
	r      *sql.DB // readers (the same pool as w for PostgreSQL)

	// txs caches committed transactions by id: a transaction's record never changes once applied (a
	// later one of the same id is not kept), so a proof reads each from the database once.
	txs *lru.Cache[string, api.Transaction]

	mu      sync.Mutex
	height  uint64
	changed chan struct{} // closed (and replaced) when height grows
}

// Open opens (creating it when absent) the store cfg names: sqlite with cfg.Path, postgres with
// cfg.DSN. A store written by a newer schema is refused.
func Open(ctx context.Context, cfg gateway.ReadModelConfig) (*Store, error) {
	txs, err := lru.New[string, api.Transaction](50000)
	if err != nil {
		return nil, err
	}
	s := &Store{driver: cfg.Driver, changed: make(chan struct{}), txs: txs}
	switch cfg.Driver {
	case gateway.ReadModelSQLite:
		if err := s.openSQLite(cfg.Path); err != nil {
			return nil, err
		}
	case gateway.ReadModelPostgres:
		// The writer has a connection of its own, so that reads under load never hold up the blocks.
		w, err := sql.Open("pgx", cfg.DSN)
		if err != nil {
			return nil, fmt.Errorf("read model: postgres: %w", err)
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("pgx", cfg.DSN)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("read model: postgres: %w", err)
		}
		r.SetMaxOpenConns(16)
		s.w, s.r = w, r
	default:
		return nil, fmt.Errorf("read model: no store for driver %q (sqlite or postgres)", cfg.Driver)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	h, err := s.readHeight(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.height = h
	return s, nil
}

func (s *Store) openSQLite(path string) error {
	if path == "" {
		return errors.New("read model: sqlite needs a file (readModel.path)")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("read model: %w", err)
	}
	// The file is the organization's data: owner only, like the gateway's keys.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("read model: %w", err)
	}
	f.Close()
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(off)&_txlock=immediate"
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("read model: sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(on)&_txlock=deferred")
	if err != nil {
		w.Close()
		return fmt.Errorf("read model: sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s.w, s.r = w, r
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Driver is the store's driver: sqlite or postgres.
func (s *Store) Driver() string { return s.driver }

func (s *Store) blobType() string {
	if s.driver == gateway.ReadModelPostgres {
		return "BYTEA"
	}
	return "BLOB"
}

// schema is the tables of SchemaVersion. Keys are bytes (composite keys hold U+0000) and sort bytewise,
// as in the peer's LevelDB. coll is "" for the public state, else the private collection.
func (s *Store) schema() []string {
	b := s.blobType()
	return []string{
		`CREATE TABLE IF NOT EXISTS rm_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS rm_state (ns TEXT NOT NULL, coll TEXT NOT NULL, key ` + b + ` NOT NULL,
			value ` + b + ` NOT NULL, block BIGINT NOT NULL, txnum INTEGER NOT NULL, PRIMARY KEY (ns, coll, key))`,
		`CREATE TABLE IF NOT EXISTS rm_history (ns TEXT NOT NULL, key ` + b + ` NOT NULL, block BIGINT NOT NULL,
			txnum INTEGER NOT NULL, txid TEXT NOT NULL, ts BIGINT NOT NULL, is_delete INTEGER NOT NULL, value ` + b + `,
			PRIMARY KEY (ns, key, block, txnum))`,
		`CREATE TABLE IF NOT EXISTS rm_tx (txid TEXT PRIMARY KEY, block BIGINT NOT NULL, txnum INTEGER NOT NULL,
			code TEXT NOT NULL, chaincode TEXT NOT NULL, creator TEXT NOT NULL, endorsers TEXT NOT NULL, ts BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS rm_collection (ns TEXT NOT NULL, coll TEXT NOT NULL, PRIMARY KEY (ns, coll))`,
		// The hashes of every private write, of every collection (the block carries them to members
		// and non-members alike): what the chaincode's GetPrivateDataHash answers.
		`CREATE TABLE IF NOT EXISTS rm_pvt_hash (ns TEXT NOT NULL, coll TEXT NOT NULL, keyhash ` + b + ` NOT NULL,
			valuehash ` + b + ` NOT NULL, PRIMARY KEY (ns, coll, keyhash))`,
		missingSchema(b), // missing.go
	}
}

// migrate creates the tables and records the schema version; a newer version is refused.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("read model: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	for _, stmt := range s.schema() {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("read model: schema: %w", err)
		}
	}
	var v int64
	err = tx.QueryRowContext(ctx, `SELECT value FROM rm_meta WHERE name = 'schema_version'`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("read model: schema version: %w", err)
	case v > SchemaVersion:
		return fmt.Errorf("read model: the store has schema version %d, newer than this gateway's %d: "+
			"run the gateway that wrote it, or move the store aside (the gateway builds a new one from the peer's blocks)", v, SchemaVersion)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rm_meta (name, value) VALUES ('schema_version', $1)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, SchemaVersion); err != nil {
		return fmt.Errorf("read model: schema version: %w", err)
	}
	return tx.Commit()
}

func (s *Store) readHeight(ctx context.Context) (uint64, error) {
	var h int64
	err := s.w.QueryRowContext(ctx, `SELECT value FROM rm_meta WHERE name = 'height'`).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read model: height: %w", err)
	}
	return uint64(h), nil
}

// RefreshHeight reads the height from the database: another process (the gateway) may have applied
// blocks since this one opened the store.
func (s *Store) RefreshHeight(ctx context.Context) (uint64, error) {
	h, err := s.readHeight(ctx)
	if err != nil {
		return 0, err
	}
	s.raise(h)
	return s.Height(), nil
}

// Height is the number of blocks applied (the next block to apply).
func (s *Store) Height() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.height
}

func (s *Store) raise(h uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h > s.height {
		s.height = h
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

// AwaitHeight returns once the store's height is at least h, with the height; when ctx ends first,
// the height reached and ctx's error. Applied blocks wake it.
func (s *Store) AwaitHeight(ctx context.Context, h uint64) (uint64, error) {
	for {
		s.mu.Lock()
		height, changed := s.height, s.changed
		s.mu.Unlock()
		if height >= h {
			return height, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return height, ctx.Err()
		}
	}
}

// Count is the number of rows of the store's public state (coll "") or of a private collection, for
// tests and checks.
func (s *Store) Count(ctx context.Context, coll string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM rm_state WHERE coll = $1`, coll).Scan(&n)
	return n, err
}

// Collections lists the private collections the store holds data of, as "namespace/collection".
func (s *Store) Collections(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT ns, coll FROM rm_collection ORDER BY ns, coll`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ns, coll string
		if err := rows.Scan(&ns, &coll); err != nil {
			return nil, err
		}
		out = append(out, ns+"/"+coll)
	}
	return out, rows.Err()
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
