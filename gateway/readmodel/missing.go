package readmodel

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
)

// Private values a member peer committed without.
//
// The terms collections have requiredPeerCount 0: a member peer may commit a block whose private
// data it has not received, and fetch it later by reconciliation. The peer delivers the block with
// what it had at commit, so the read model then has the value's hash (rm_pvt_hash, from the block's
// hashed write set) but not the value. Such a write, of a collection the read model holds, is
// recorded in rm_pvt_missing (by key hash: the block does not carry the key); a later write of the
// key that is delivered clears it. A read of a recorded key is answered by the chaincode
// ([gateway.ErrPrivateMissing]); a rebuild fetches the blocks again with the private data the peer
// has by then (Fabric's deliver-with-private-data reads the peer's private data store at delivery:
// core/peer/deliverevents.go), which repairs it.
//
// A collection is held once the peer delivered any of its data (rm_collection): the peer stores, and
// delivers, only the data of the collections its organization is a member of. Until then a key of it
// whose hash a block carried is answered by the chaincode too (the organization may be a member that
// has received nothing yet); when it becomes held, every key of it the blocks wrote before is recorded
// missing.

// missingSchema is the table of the missing private values.
func missingSchema(blob string) string {
	return `CREATE TABLE IF NOT EXISTS rm_pvt_missing (ns TEXT NOT NULL, coll TEXT NOT NULL, keyhash ` + blob + ` NOT NULL,
			block BIGINT NOT NULL, PRIMARY KEY (ns, coll, keyhash))`
}

// holdCollection records that the store holds collection w.Collection (the peer delivered data of
// it); the first time, every key of it written before is recorded missing.
func holdCollection(ctx context.Context, tx *stmtTx, block uint64, ns, coll string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO rm_collection (ns, coll) VALUES ($1, $2) ON CONFLICT (ns, coll) DO NOTHING`, ns, coll)
	if err != nil {
		return fmt.Errorf("collection %s: %w", coll, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rm_pvt_missing (ns, coll, keyhash, block)
		SELECT ns, coll, keyhash, $3 FROM rm_pvt_hash WHERE ns = $1 AND coll = $2 ON CONFLICT (ns, coll, keyhash) DO NOTHING`,
		ns, coll, int64(block)); err != nil {
		return fmt.Errorf("collection %s: the values its blocks carried before: %w", coll, err)
	}
	return nil
}

// recordMissing records (missing true) or clears a key's missing value.
func recordMissing(ctx context.Context, tx *stmtTx, block uint64, ns, coll string, keyHash []byte, missing bool) error {
	var err error
	if missing {
		_, err = tx.ExecContext(ctx, `INSERT INTO rm_pvt_missing (ns, coll, keyhash, block) VALUES ($1, $2, $3, $4)
			ON CONFLICT (ns, coll, keyhash) DO UPDATE SET block = excluded.block`, ns, coll, keyHash, int64(block))
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM rm_pvt_missing WHERE ns = $1 AND coll = $2 AND keyhash = $3`, ns, coll, keyHash)
	}
	if err != nil {
		return fmt.Errorf("missing private value of collection %s: %w", coll, err)
	}
	return nil
}

// isHeld says whether the store holds a collection (its peer delivered data of it).
func isHeld(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, ns, coll string) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM rm_collection WHERE ns = $1 AND coll = $2`, ns, coll).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// MissingPrivate counts the private values of the collections the store holds that its peer
// committed without (see the package's notes on missing private values).
func (s *Store) MissingPrivate(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM rm_pvt_missing`).Scan(&n)
	return n, err
}

// privateState is what the read model knows of one private key.
type privateState int

const (
	privatePresent   privateState = iota // the value (or its absence) is the ledger's
	privateMissing                       // the ledger has a value the read model lacks
	privateNotMember                     // a collection the read model does not hold, and no value of the key
)

// private reads a private key of collection coll: its value and what the read model knows of it.
func (l *ledger) private(coll, key string) ([]byte, privateState, error) {
	held, err := isHeld(l.ctx, l.tx, l.ns, coll)
	if err != nil {
		return nil, 0, err
	}
	kh := sha256.Sum256([]byte(key))
	var hash []byte
	err = l.tx.QueryRowContext(l.ctx, `SELECT valuehash FROM rm_pvt_hash WHERE ns = $1 AND coll = $2 AND keyhash = $3`,
		l.ns, coll, kh[:]).Scan(&hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, 0, err
	}
	if !held {
		if hash != nil {
			return nil, privateMissing, nil
		}
		return nil, privateNotMember, nil
	}
	var one int
	err = l.tx.QueryRowContext(l.ctx, `SELECT 1 FROM rm_pvt_missing WHERE ns = $1 AND coll = $2 AND keyhash = $3`,
		l.ns, coll, kh[:]).Scan(&one)
	switch {
	case err == nil && hash == nil:
		return nil, privatePresent, nil // deleted by a later block, whatever the read model had of it
	case err == nil:
		return nil, privateMissing, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, 0, err
	}
	v, err := l.get(coll, key)
	if err != nil {
		return nil, 0, err
	}
	// A store written before missing values were recorded: the block's hash says what the ledger has.
	if hash != nil {
		if v == nil {
			return nil, privateMissing, nil
		}
		if sum := sha256.Sum256(v); string(sum[:]) != string(hash) {
			return nil, privateMissing, nil
		}
	}
	return v, privatePresent, nil
}
