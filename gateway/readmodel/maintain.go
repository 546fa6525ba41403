package readmodel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/ipledger/ipledger/gateway"
)

// ErrHeld is the error of a store another process follows or rebuilds (a running gateway, or a
// rebuild): one writer at a time.
var ErrHeld = errors.New("the read model is held by another process: a running gateway or a rebuild (stop the gateway first: " +
	"`scripts/ipledger readmodel rebuild` does)")

// pgLockKey is the PostgreSQL advisory lock of a read model's database ("IPL" "RM").
const pgLockKey = 0x49504c524d

// Lock takes the store's writer lock, without waiting: an flock of <file>.lock for SQLite, an advisory
// lock held by a connection of its own for PostgreSQL. The gateway holds it while it follows; a
// rebuild while it rebuilds. The returned function releases it.
func (s *Store) Lock(ctx context.Context, cfg gateway.ReadModelConfig) (func(), error) {
	switch s.driver {
	case gateway.ReadModelSQLite:
		f, err := os.OpenFile(cfg.Path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("read model: lock: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, ErrHeld
			}
			return nil, fmt.Errorf("read model: lock: %w", err)
		}
		return func() { f.Close() }, nil // closing the file releases the lock
	default:
		conn, err := s.r.Conn(ctx) // not the writer's one connection: held while the lock is
		if err != nil {
			return nil, fmt.Errorf("read model: lock: %w", err)
		}
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, int64(pgLockKey)).Scan(&got); err != nil {
			conn.Close()
			return nil, fmt.Errorf("read model: lock: %w", err)
		}
		if !got {
			conn.Close()
			return nil, ErrHeld
		}
		return func() {
			_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(pgLockKey))
			conn.Close()
		}, nil
	}
}

// Reset empties the store: no state, history, transaction, collection or missing private value, height 0. The caller holds
// the lock; a follower then builds it again from the peer's first block.
func (s *Store) Reset(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("read model: reset: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	for _, table := range []string{"rm_state", "rm_history", "rm_tx", "rm_collection", "rm_pvt_hash", "rm_pvt_missing"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return fmt.Errorf("read model: reset %s: %w", table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM rm_meta WHERE name = 'height'`); err != nil {
		return fmt.Errorf("read model: reset: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("read model: reset: %w", err)
	}
	s.mu.Lock()
	s.height = 0
	s.mu.Unlock()
	s.txs.Purge()
	return nil
}

// Rebuilt is what a rebuild did: the blocks and transactions applied from the peer's first block to
// the height the peer had when it began, and how long it took.
type Rebuilt struct {
	Blocks       uint64 `json:"blocks"`
	Transactions int64  `json:"transactions"`
	// Writes counts the public key writes applied: rows of the keys' history, one per key and
	// transaction (private values keep no history).
	Writes    int64         `json:"writes"`
	Duration  time.Duration `json:"durationNanos"`
	PerSecond float64       `json:"transactionsPerSecond"`
}

// stalled is how long a rebuild waits for the next block before it gives up (the peer unreachable, or
// joined from a snapshot: it has no block 0).
const stalled = 60 * time.Second

// awaitProgress waits until s has height target, failing when no block is applied for stall.
func awaitProgress(ctx context.Context, s *Store, target uint64, stall time.Duration) error {
	for h := s.Height(); h < target; h = s.Height() {
		sctx, cancel := context.WithTimeout(ctx, stall)
		_, err := s.AwaitHeight(sctx, h+1)
		cancel()
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("read model: no block from the peer for %s at height %d of %d (is the peer up? "+
				"a peer joined from a snapshot has no block 0: set readModel.driver off there)", stall, h, target)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Rebuild empties the store and builds it again from src's blocks, up to the height the peer has
// when it begins (the caller holds the lock). A block that cannot be read stops it with that error;
// so does a minute without a block.
func Rebuild(ctx context.Context, s *Store, src Source) (*Rebuilt, error) {
	target, err := src.ChainHeight(ctx)
	if err != nil {
		return nil, fmt.Errorf("read model: the peer's height: %w", err)
	}
	if err := s.Reset(ctx); err != nil {
		return nil, err
	}
	begin := time.Now()
	f := NewFollower(s, src, nil, nil)
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- f.Run(fctx) }()
	wait := make(chan error, 1)
	go func() { wait <- awaitProgress(fctx, s, target, stalled) }()
	select {
	case err := <-done: // stopped on a block it cannot read, or ctx ended
		if err == nil {
			err = ctx.Err()
		}
		return nil, err
	case err := <-wait:
		if err != nil {
			return nil, err
		}
	}
	stop()
	if err := <-done; err != nil {
		return nil, err
	}
	r := &Rebuilt{Blocks: s.Height(), Duration: time.Since(begin)}
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM rm_tx`).Scan(&r.Transactions); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM rm_history`).Scan(&r.Writes); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if secs := r.Duration.Seconds(); secs > 0 {
		r.PerSecond = float64(r.Transactions) / secs
	}
	return r, nil
}
