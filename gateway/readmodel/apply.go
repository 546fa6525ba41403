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
	if err := applyTx(ctx, &stmtTx{Tx: tx, multiRow: s.driver == gateway.ReadModelPostgres || multiRowEverywhere}, u); err != nil {
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

// multiRowEverywhere makes SQLite stores write multi-row statements too, for the unit tests of that
// path (PostgreSQL's) without a server.
var multiRowEverywhere = false

func applyTx(ctx context.Context, tx *stmtTx, u *Update) error {
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
	var rows blockRows
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
		rows.add(u.Number, w)
		if w.Collection != "" {
			kh := sha256.Sum256([]byte(w.Key))
			if err := recordMissing(ctx, tx, u.Number, w.Namespace, w.Collection, kh[:], false); err != nil {
				return err
			}
		}
	}
	return rows.flush(ctx, tx)
}

// blockRows gathers a block's writes of keys (public and private values) so that they can reach
// PostgreSQL as multi-row statements: one round trip for hundreds of rows (a statement a row made a
// seeding block of 6,000 writes take 12,000 round trips). A key written twice
// in the block keeps its last write, as applying them in order would; Fabric's history keeps one
// entry per key and transaction, the last write of the key in it.
type blockRows struct {
	state     map[stateKey]int // index in stateRows
	stateRows []stateRow
	hist      map[histKey]int
	histRows  []histRow
}

type stateKey struct{ ns, coll, key string }

type stateRow struct {
	ns, coll string
	key      []byte
	value    []byte // nil: a delete
	block    int64
	txnum    int
}

type histKey struct {
	ns, key      string
	block, txnum int64
}

type histRow struct {
	histKey
	txid     string
	ts       int64
	isDelete int
	value    []byte
}

func (r *blockRows) add(block uint64, w Write) {
	var value []byte
	if !w.IsDelete {
		value = w.Value
		if value == nil {
			value = []byte{}
		}
	}
	sk := stateKey{w.Namespace, w.Collection, w.Key}
	row := stateRow{ns: w.Namespace, coll: w.Collection, key: []byte(w.Key), value: value, block: int64(block), txnum: w.TxNum}
	if r.state == nil {
		r.state, r.hist = map[stateKey]int{}, map[histKey]int{}
	}
	if i, ok := r.state[sk]; ok {
		r.stateRows[i] = row
	} else {
		r.state[sk] = len(r.stateRows)
		r.stateRows = append(r.stateRows, row)
	}
	if w.Collection != "" {
		return // the rules read no history of private data
	}
	hk := histKey{ns: w.Namespace, key: w.Key, block: int64(block), txnum: int64(w.TxNum)}
	h := histRow{histKey: hk, txid: w.TxID, ts: w.Time.UnixNano(), value: value}
	if w.IsDelete {
		h.isDelete = 1
	}
	if i, ok := r.hist[hk]; ok {
		r.histRows[i] = h
	} else {
		r.hist[hk] = len(r.histRows)
		r.histRows = append(r.histRows, h)
	}
}

// rowsPerStatement bounds a multi-row statement's parameters well under SQLite's and PostgreSQL's
// limits (32,766 and 65,535).
const rowsPerStatement = 256

func (r *blockRows) flush(ctx context.Context, tx *stmtTx) error {
	var upserts []stateRow
	for _, row := range r.stateRows {
		if row.value != nil {
			upserts = append(upserts, row)
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM rm_state WHERE ns = $1 AND coll = $2 AND key = $3`, row.ns, row.coll, row.key); err != nil {
			return fmt.Errorf("key %q: %w", row.key, err)
		}
	}
	for len(upserts) > 0 {
		n := 1
		if tx.multiRow {
			n = min(len(upserts), rowsPerStatement)
		}
		args := make([]any, 0, 6*n)
		for _, row := range upserts[:n] {
			args = append(args, row.ns, row.coll, row.key, row.value, row.block, row.txnum)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rm_state (ns, coll, key, value, block, txnum) VALUES `+placeholders(n, 6)+`
			ON CONFLICT (ns, coll, key) DO UPDATE SET value = excluded.value, block = excluded.block, txnum = excluded.txnum`, args...); err != nil {
			return fmt.Errorf("keys %q and %d others: %w", upserts[0].key, n-1, err)
		}
		upserts = upserts[n:]
	}
	for hs := r.histRows; len(hs) > 0; {
		n := 1
		if tx.multiRow {
			n = min(len(hs), rowsPerStatement)
		}
		args := make([]any, 0, 8*n)
		for _, h := range hs[:n] {
			args = append(args, h.ns, []byte(h.key), h.block, h.txnum, h.txid, h.ts, h.isDelete, h.value)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rm_history (ns, key, block, txnum, txid, ts, is_delete, value) VALUES `+placeholders(n, 8)+`
			ON CONFLICT (ns, key, block, txnum) DO UPDATE SET is_delete = excluded.is_delete, value = excluded.value`, args...); err != nil {
			return fmt.Errorf("history of keys %q and %d others: %w", hs[0].key, n-1, err)
		}
		hs = hs[n:]
	}
	return nil
}

// placeholders is "($1, $2, …), (…)" for rows of cols parameters.
func placeholders(rows, cols int) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", r*cols+c+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// applyHashedWrite keeps the hashes of a private write, which every peer's block carries: the
// checker compares them with the chaincode's GetPrivateDataHash, member or not.
func applyHashedWrite(ctx context.Context, tx *stmtTx, w Write) error {
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
