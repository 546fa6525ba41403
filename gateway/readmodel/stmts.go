package readmodel

import (
	"context"
	"database/sql"
)

// stmtTx is a block's database transaction that prepares each statement once: a block of the
// seeding's size writes some 6,000 keys with the same two statements, and SQLite parsing them again
// for each took half of the time.
type stmtTx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
	// multiRow writes a block's rows with statements of many rows (PostgreSQL: a round trip each);
	// SQLite, in process, is faster a row at a time (it binds "$n" parameters by name).
	multiRow bool
}

// ExecContext runs query with args through its prepared statement, prepared on first use (closed
// with the transaction).
func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, ok := t.stmts[query]
	if !ok {
		var err error
		if st, err = t.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		if t.stmts == nil {
			t.stmts = map[string]*sql.Stmt{}
		}
		t.stmts[query] = st
	}
	return st.ExecContext(ctx, args...)
}
