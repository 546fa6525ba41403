package readmodel

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ipledger/ipledger/gateway"
)

// ErrGap is the error of a block that is not the next one: the store would miss the blocks between.
type ErrGap struct{ Height, Block uint64 }

func (e *ErrGap) Error() string {
	return fmt.Sprintf("block %d cannot be applied to a read model of height %d: blocks %d to %d are missing",
		e.Block, e.Height, e.Height, e.Block-1)
}

// Apply applies one block's update and raises the height to its number + 1, in one database
// transaction: exactly once. A block below the height was applied before and is skipped (applied
// false); a block above it is refused ([ErrGap]).
func (s *Store) Apply(ctx context.Context, u *Update) (applied bool, err error) {
	h := s.Height()
	if u.Number < h {
		return false, nil
	}
	if u.Number > h {
		return false, &ErrGap{Height: h, Block: u.Number}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("read model: block %d: %w", u.Number, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	// The height in the database is the authority: another writer (a second gateway on the same
	// PostgreSQL database by mistake) is caught here.
	var stored int64
	q := `SELECT value FROM rm_meta WHERE name = 'height'`
	if s.driver == gateway.ReadModelPostgres {
		q += ` FOR UPDATE` // SQLite's writer transactions are IMMEDIATE: one at a time already
	}
	switch err := tx.QueryRowContext(ctx, q).Scan(&stored); {
	case err == sql.ErrNoRows:
	case err != nil:
		return false, fmt.Errorf("read model: block %d: height: %w", u.Number, err)
	}
	if uint64(stored) != u.Number {
		return false, fmt.Errorf("read model: block %d: the store's height is %d, not %d: another process writes the same store", u.Number, stored, h)
	}
	if err := applyTx(ctx, tx, u); err != nil {
		return false, fmt.Errorf("read model: block %d: %w", u.Number, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rm_meta (name, value) VALUES ('height', $1)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, int64(u.Number+1)); err != nil {
		return false, fmt.Errorf("read model: block %d: height: %w", u.Number, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("read model: block %d: commit: %w", u.Number, err)
	}
	s.raise(u.Number + 1)
	return true, nil
}

func applyTx(ctx context.Context, tx *sql.Tx, u *Update) error {
	for _, t := range u.Txs {
		// A transaction id seen again (DUPLICATE_TXID) keeps its first record, as qscc answers it.
		if _, err := tx.ExecContext(ctx, `INSERT INTO rm_tx (txid, block, txnum, code, chaincode, creator, endorsers, ts)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (txid) DO NOTHING`,
			t.TxID, int64(u.Number), t.Num, t.ValidationCode, t.Chaincode, t.CreatorMSP,
			strings.Join(t.EndorsingOrgs, ","), t.Time.UnixNano()); err != nil {
			return fmt.Errorf("transaction %s: %w", t.TxID, err)
		}
	}
	held := map[[2]string]bool{}
	for _, w := range u.Writes {
		coll := [2]string{w.Namespace, w.Collection}
		if w.KeyHash != nil {
			if err := applyHashedWrite(ctx, tx, w); err != nil {
				return err
			}
			if w.Delivered {
				continue // its value is among the writes: it clears a missing one
			}
			// A write of a held collection that came without its value: missing (a delete too: the
			// read model cannot find the key it had, the block carries only its hash).
			if _, ok := held[coll]; !ok {
				h, err := isHeld(ctx, tx, w.Namespace, w.Collection)
				if err != nil {
					return fmt.Errorf("collection %s: %w", w.Collection, err)
				}
				held[coll] = h
			}
			if held[coll] {
				if err := recordMissing(ctx, tx, u.Number, w.Namespace, w.Collection, w.KeyHash, true); err != nil {
					return err
				}
			}
			continue
		}
		if w.Collection != "" && !held[coll] {
			if err := holdCollection(ctx, tx, u.Number, w.Namespace, w.Collection); err != nil {
				return err
			}
			held[coll] = true
		}
		if err := applyWrite(ctx, tx, u.Number, w); err != nil {
			return err
		}
		if w.Collection != "" {
			kh := sha256.Sum256([]byte(w.Key))
			if err := recordMissing(ctx, tx, u.Number, w.Namespace, w.Collection, kh[:], false); err != nil {
				return err
			}
		}
	}
	return nil
}

func applyWrite(ctx context.Context, tx *sql.Tx, block uint64, w Write) error {
	key := []byte(w.Key)
	var err error
	if w.IsDelete {
		_, err = tx.ExecContext(ctx, `DELETE FROM rm_state WHERE ns = $1 AND coll = $2 AND key = $3`, w.Namespace, w.Collection, key)
	} else {
		value := w.Value
		if value == nil {
			value = []byte{}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO rm_state (ns, coll, key, value, block, txnum) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (ns, coll, key) DO UPDATE SET value = excluded.value, block = excluded.block, txnum = excluded.txnum`,
			w.Namespace, w.Collection, key, value, int64(block), w.TxNum)
	}
	if err != nil {
		return fmt.Errorf("key %q: %w", w.Key, err)
	}
	if w.Collection != "" {
		return nil // the rules read no history of private data
	}
	isDelete := 0
	var value []byte
	if w.IsDelete {
		isDelete = 1
	} else {
		value = w.Value
		if value == nil {
			value = []byte{}
		}
	}
	// Fabric's history keeps one entry per key and transaction: the last write of the key in it.
	if _, err := tx.ExecContext(ctx, `INSERT INTO rm_history (ns, key, block, txnum, txid, ts, is_delete, value)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (ns, key, block, txnum)
		DO UPDATE SET is_delete = excluded.is_delete, value = excluded.value`,
		w.Namespace, key, int64(block), w.TxNum, w.TxID, w.Time.UnixNano(), isDelete, value); err != nil {
		return fmt.Errorf("history of key %q: %w", w.Key, err)
	}
	return nil
}

// applyHashedWrite keeps the hashes of a private write, which every peer's block carries: the
// checker compares them with the chaincode's GetPrivateDataHash, member or not.
func applyHashedWrite(ctx context.Context, tx *sql.Tx, w Write) error {
	var err error
	if w.IsDelete {
		_, err = tx.ExecContext(ctx, `DELETE FROM rm_pvt_hash WHERE ns = $1 AND coll = $2 AND keyhash = $3`, w.Namespace, w.Collection, w.KeyHash)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO rm_pvt_hash (ns, coll, keyhash, valuehash) VALUES ($1, $2, $3, $4)
			ON CONFLICT (ns, coll, keyhash) DO UPDATE SET valuehash = excluded.valuehash`, w.Namespace, w.Collection, w.KeyHash, w.ValueHash)
	}
	if err != nil {
		return fmt.Errorf("hashed private write of collection %s: %w", w.Collection, err)
	}
	return nil
}
