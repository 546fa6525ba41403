package readmodel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/ipledger/ipledger/gateway"
)

// seedingBlocks are n blocks shaped like the benchmark's seeding: 4 transactions of 100 rights, each
// right 15 keys (the record, its number index and the party index's name bigrams).
func seedingBlocks(n int) []*Update {
	var us []*Update
	for b := 1; b <= n; b++ {
		var txs []txSpec
		for t := range 4 {
			var ws []kv
			for r := range 100 {
				id := fmt.Sprintf("B%dT%dR%d", b, t, r)
				ws = append(ws, kv{key: "\x00asset\x00" + id + "\x00", value: make([]byte, 600)})
				for k := range 14 {
					ws = append(ws, kv{key: fmt.Sprintf("\x00idx\x00%d\x00%s\x00", k, id), value: []byte{0}})
				}
			}
			txs = append(txs, txSpec{id: txid(b*10 + t), creator: "IPOfficeMSP", at: t0, writes: ws})
		}
		u, err := Parse(block(uint64(b), txs, nil), Namespace)
		if err != nil {
			panic(err)
		}
		us = append(us, u)
	}
	return us
}

// BenchmarkApply_SeedingBlocks applies blocks of 6,000 key writes to a read model of each driver the
// tests reach (SQLite; PostgreSQL with IPLEDGER_TEST_POSTGRES_DSN); it reports key writes a second:
// go test -run XXX -bench Apply ./gateway/readmodel
func BenchmarkApply_SeedingBlocks(b *testing.B) {
	us := seedingBlocks(5)
	for name, open := range stores(b) {
		b.Run(name, func(b *testing.B) {
			writes := 0
			for range b.N {
				b.StopTimer()
				s := open(b)
				u0, _ := Parse(configBlock(0), Namespace)
				if _, err := s.Apply(context.Background(), u0); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, u := range us {
					if _, err := s.Apply(context.Background(), u); err != nil {
						b.Fatal(err)
					}
					writes += len(u.Writes)
				}
			}
			b.ReportMetric(float64(writes)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}

// Writes of one key by several transactions of one block end as applying them in order would: the
// last write wins the state (a put after a delete, a delete after a put), and the history keeps one
// entry per transaction. On PostgreSQL a block's rows go in multi-row statements, which must not
// meet the same key twice.
func TestApply_OneKeyWrittenBySeveralTransactionsOfABlock(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			apply(t, s, configBlock(0))
			apply(t, s, block(1, []txSpec{{id: txid(1), creator: "IPOfficeMSP", at: t0,
				writes: []kv{{key: "back", value: []byte("0")}, {key: "gone", value: []byte("0")}}}}, nil))
			apply(t, s, block(2, []txSpec{
				{id: txid(2), creator: "IPOfficeMSP", at: t0, writes: []kv{{key: "back", del: true}, {key: "gone", value: []byte("1")}}},
				{id: txid(3), creator: "IPOfficeMSP", at: t0, writes: []kv{{key: "back", value: []byte("2")}, {key: "gone", del: true}}},
			}, nil))
			if got := readState(t, s, "", "back"); string(got) != "2" {
				t.Errorf("back = %q, want 2 (deleted, then written again in the same block)", got)
			}
			if got := readState(t, s, "", "gone"); got != nil {
				t.Errorf("gone = %q, want none (written, then deleted in the same block)", got)
			}
			if _, err := s.Read(context.Background(), func(v *View) error {
				for key, deletes := range map[string][]bool{"back": {false, true, false}, "gone": {false, false, true}} {
					hist, err := (&ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}).History(key)
					if err != nil {
						return err
					}
					var got []bool
					for _, h := range hist {
						got = append(got, h.IsDelete)
					}
					if !slices.Equal(got, deletes) {
						t.Errorf("history of %s: deletes %v, want %v", key, got, deletes)
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// BenchmarkRead_AVerificationsReads runs, in one read transaction, reads shaped like a verification's
// (the height, three keys, a history, an index scan) on a read model of 30,000 keys; it reports
// reads a second: go test -run XXX -bench Read ./gateway/readmodel
func BenchmarkRead_AVerificationsReads(b *testing.B) {
	for name, open := range stores(b) {
		b.Run(name, func(b *testing.B) {
			s := open(b)
			u0, _ := Parse(configBlock(0), Namespace)
			if _, err := s.Apply(context.Background(), u0); err != nil {
				b.Fatal(err)
			}
			for _, u := range seedingBlocks(5) {
				if _, err := s.Apply(context.Background(), u); err != nil {
					b.Fatal(err)
				}
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				id := fmt.Sprintf("B%dT%dR%d", 1+i%5, i%4, i%100)
				if _, err := s.Read(ctx, func(v *View) error {
					l := &ledger{ctx: v.ctx, tx: v.tx, ns: v.ns}
					for _, k := range []string{"\x00asset\x00" + id + "\x00", "\x00idx\x001\x00" + id + "\x00", "\x00idx\x002\x00" + id + "\x00"} {
						if _, err := l.GetState(k); err != nil {
							return err
						}
					}
					if _, err := l.History("\x00asset\x00" + id + "\x00"); err != nil {
						return err
					}
					_, err := l.Scan("idx", []string{"3", id})
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		})
	}
}

// The multi-row path (PostgreSQL's, forced here on SQLite) ends in the same state and history as
// writing row by row, over random blocks that write, rewrite and delete keys, public and private,
// several times within a block; more rows than one statement holds.
func TestApply_MultiRowStatementsEqualRowByRow(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	var blocks []*peer.BlockAndPrivateData
	for b := uint64(1); b <= 12; b++ {
		var txs []txSpec
		for n := range 1 + rnd.IntN(5) {
			var ws []kv
			for range rnd.IntN(300) {
				w := kv{key: fmt.Sprintf("k%d", rnd.IntN(400)), value: []byte(fmt.Sprintf("v%d", rnd.IntN(1000)))}
				if rnd.IntN(10) == 0 {
					w.coll = "termsBank1MSP"
				}
				if rnd.IntN(4) == 0 {
					w.value, w.del = nil, true
				}
				ws = append(ws, w)
			}
			txs = append(txs, txSpec{id: txid(int(b)*10 + n), creator: "Bank1MSP", at: t0, writes: ws})
		}
		blocks = append(blocks, block(b, txs, func(string) bool { return true }))
	}
	dump := func(multi bool) string {
		multiRowEverywhere = multi
		defer func() { multiRowEverywhere = false }()
		s := openT(t, gateway.ReadModelConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "rm.db")})
		apply(t, s, configBlock(0))
		for _, b := range blocks {
			apply(t, s, b)
		}
		var out strings.Builder
		for _, q := range []string{`SELECT coll, key, value, block, txnum FROM rm_state ORDER BY coll, key`,
			`SELECT key, block, txnum, txid, is_delete, value FROM rm_history ORDER BY key, block, txnum`} {
			rows, err := s.r.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&out, "%q\n", vals)
			}
			rows.Close()
		}
		return out.String()
	}
	rowByRow, multiRow := dump(false), dump(true)
	if rowByRow != multiRow {
		t.Fatalf("multi-row statements end elsewhere than row by row:\n%.2000s\n---\n%.2000s", rowByRow, multiRow)
	}
	if n := strings.Count(rowByRow, "\n"); n < 500 {
		t.Fatalf("only %d rows compared", n)
	}
}
