package readmodel

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
)

// errReadOnly is every write's error: the read model answers queries only.
var errReadOnly = errors.New("the read model answers read-only operations only: a write goes to the chaincode")

// ledger is a read-only [rules.Ledger] over one database read transaction of namespace ns: every
// read sees the same committed height.
type ledger struct {
	ctx context.Context
	tx  *sql.Tx
	ns  string
	// missing is set when a read met a private value the read model lacks: whatever the rules made of
	// the error (some count it as unavailable), the operation is answered by the chaincode.
	missing error
}

var _ rules.Ledger = (*ledger)(nil)

func (l *ledger) GetState(key string) ([]byte, error) {
	return l.get("", key)
}

func (l *ledger) get(coll, key string) ([]byte, error) {
	var v []byte
	err := l.tx.QueryRowContext(l.ctx, `SELECT value FROM rm_state WHERE ns = $1 AND coll = $2 AND key = $3`,
		l.ns, coll, []byte(key)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

func (l *ledger) PutState(string, []byte) error                { return errReadOnly }
func (l *ledger) DelState(string) error                        { return errReadOnly }
func (l *ledger) SetEndorsement(string, api.Endorsement) error { return errReadOnly }
func (l *ledger) PutPrivate(string, string, []byte) error      { return errReadOnly }
func (l *ledger) SetEvent(string, []byte) error                { return errReadOnly }
func (l *ledger) scanRange(objectType string, attrs []string) (string, string) {
	start := rules.CompositeKey(objectType, attrs...)
	// The shim's range end of a partial composite key: the prefix followed by the largest code point.
	return start, start + string(utf8.MaxRune)
}

// Scan returns every key of a partial composite key, in bytewise order (the peer's LevelDB order).
func (l *ledger) Scan(objectType string, attrs []string) ([]string, error) {
	start, end := l.scanRange(objectType, attrs)
	return l.keys(start, end, -1)
}

// ScanPage is a page of a partial composite key with the peer's LevelDB bookmark: the bookmark is the
// first key of the next page ("" when there is none), and a page starts at its bookmark. So a
// bookmark from the chaincode works here and one from here works with the chaincode.
func (l *ledger) ScanPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]string, string, error) {
	start, end := l.scanRange(objectType, attrs)
	if bookmark != "" {
		start = bookmark
	}
	if pageSize <= 0 {
		return nil, "", fmt.Errorf("page size %d: must be positive", pageSize)
	}
	keys, err := l.keys(start, end, int(pageSize)+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(keys) > int(pageSize) {
		next, keys = keys[pageSize], keys[:pageSize]
	}
	if int32(len(keys)) < pageSize {
		next = ""
	}
	return keys, next, nil
}

// keys lists the public keys in [start, end), at most limit (all when limit < 0).
func (l *ledger) keys(start, end string, limit int) ([]string, error) {
	q := `SELECT key FROM rm_state WHERE ns = $1 AND coll = '' AND key >= $2 AND key < $3 ORDER BY key`
	args := []any{l.ns, []byte(start), []byte(end)}
	if limit >= 0 {
		q += ` LIMIT $4`
		args = append(args, limit)
	}
	rows, err := l.tx.QueryContext(l.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k []byte
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, string(k))
	}
	return out, rows.Err()
}

// GetPrivate reads a private collection the read model holds; of one it does not hold (the
// organization is not a member: the peer never delivered any of its data), it fails as a non-member
// peer does. A value the read model lacks (its peer committed the block without it) is
// [gateway.ErrPrivateMissing], never an absent value: the chaincode answers that read.
func (l *ledger) GetPrivate(collection, key string) ([]byte, error) {
	v, state, err := l.private(collection, key)
	switch {
	case err != nil:
		return nil, err
	case state == privateNotMember:
		return nil, fmt.Errorf("tx creator does not have read access permission on privatedata in chaincodeName:%s collectionName: %s",
			l.ns, collection)
	case state == privateMissing:
		l.missing = fmt.Errorf("%w: collection %s", gateway.ErrPrivateMissing, collection)
		return nil, l.missing
	}
	return v, nil
}

// History is every committed version of key, oldest first (the contract reverses the peer's newest
// first).
func (l *ledger) History(key string) ([]rules.HistoryEntry, error) {
	rows, err := l.tx.QueryContext(l.ctx, `SELECT txid, ts, is_delete, value FROM rm_history WHERE ns = $1 AND key = $2
		ORDER BY block, txnum`, l.ns, []byte(key))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rules.HistoryEntry
	for rows.Next() {
		var e rules.HistoryEntry
		var ts int64
		var del int
		if err := rows.Scan(&e.TxID, &ts, &del, &e.Value); err != nil {
			return nil, err
		}
		e.Time, e.IsDelete = time.Unix(0, ts).UTC(), del != 0
		if e.IsDelete {
			e.Value = nil
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ScanValuesPage is [ledger.ScanPage] with each key's value.
func (l *ledger) ScanValuesPage(objectType string, attrs []string, pageSize int32, bookmark string) ([]rules.KV, string, error) {
	start, end := l.scanRange(objectType, attrs)
	if bookmark != "" {
		start = bookmark
	}
	return l.valuesPage(start, end, pageSize)
}

// SimpleKeysPage is a page of the keys that are not composite (Fabric's GetStateByRange("", "")),
// with the same bookmarks.
func (l *ledger) SimpleKeysPage(pageSize int32, bookmark string) ([]rules.KV, string, error) {
	start := "\x01" // a composite key starts with U+0000; a simple key never does
	if bookmark != "" {
		start = bookmark
	}
	return l.valuesPage(start, "", pageSize)
}

// valuesPage lists the public keys and values in [start, end) (end "" : no end), a page with the
// peer's bookmark: the first key of the next page, "" after the last.
func (l *ledger) valuesPage(start, end string, pageSize int32) ([]rules.KV, string, error) {
	if pageSize <= 0 {
		return nil, "", fmt.Errorf("page size %d: must be positive", pageSize)
	}
	q := `SELECT key, value FROM rm_state WHERE ns = $1 AND coll = '' AND key >= $2`
	args := []any{l.ns, []byte(start)}
	if end != "" {
		q += ` AND key < $3`
		args = append(args, []byte(end))
	}
	q += fmt.Sprintf(` ORDER BY key LIMIT %d`, int(pageSize)+1)
	rows, err := l.tx.QueryContext(l.ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []rules.KV
	for rows.Next() {
		var k, v []byte
		if err := rows.Scan(&k, &v); err != nil {
			return nil, "", err
		}
		out = append(out, rules.KV{Key: string(k), Value: v})
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > int(pageSize) {
		next, out = out[pageSize].Key, out[:pageSize]
	}
	return out, next, nil
}

// GetPrivateHash is the SHA-256 of a private value (nil when absent), of any collection, member or
// not, as the chaincode's GetPrivateDataHash answers: of a collection the read model holds, the hash
// of the value it serves (nil when it lacks the value, so the checker lists it missing); of another,
// the hash the blocks carried.
func (l *ledger) GetPrivateHash(collection, key string) ([]byte, error) {
	held, err := isHeld(l.ctx, l.tx, l.ns, collection)
	if err != nil {
		return nil, err
	}
	if held {
		v, state, err := l.private(collection, key)
		if err != nil || state != privatePresent || v == nil {
			return nil, err
		}
		sum := sha256.Sum256(v)
		return sum[:], nil
	}
	kh := sha256.Sum256([]byte(key))
	var v []byte
	err = l.tx.QueryRowContext(l.ctx, `SELECT valuehash FROM rm_pvt_hash WHERE ns = $1 AND coll = $2 AND keyhash = $3`,
		l.ns, collection, kh[:]).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, err
}
