package bench

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipledger/ipledger/chaincode/api"
	"github.com/ipledger/ipledger/chaincode/rules"
	"github.com/ipledger/ipledger/gateway"
	"github.com/ipledger/ipledger/gateway/readmodel"
)

// The scale workload's read model holds what the chaincode's rules wrote for every right, in blocks
// shaped like the seeding's, and answers the reads it times without a failure: an owner found by
// code has the rights seeded to it, and a right's statement names its owner.
func TestScale_TheReadModelBuiltInProcessAnswersAsTheChaincode(t *testing.T) {
	const n = 1234
	path := filepath.Join(t.TempDir(), "rm.db")
	p, err := buildScale(context.Background(), path, n, 20, func(*ScalePoint) error { return nil }, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	perBlock := scaleRightsPerTx * scaleTxsPerBlock
	if p.Rights != n || p.Blocks != (n+perBlock-1)/perBlock || p.Transactions != (n+scaleRightsPerTx-1)/scaleRightsPerTx {
		t.Errorf("rights %d, blocks %d, transactions %d", p.Rights, p.Blocks, p.Transactions)
	}
	if p.Writes < 10*n {
		t.Errorf("%d key writes for %d rights: the record, its number and the party index make more than 10 a right", p.Writes, n)
	}
	for what, s := range map[string]Summary{"by name": p.ByName, "by code": p.ByID, "statement": p.Statement} {
		if s.Count != 20 || s.Failures != 0 {
			t.Errorf("%s: %d reads, %d failures (%s)", what, s.Count, s.Failures, s.LastError)
		}
	}
	s, err := readmodel.Open(context.Background(), gateway.ReadModelConfig{Driver: gateway.ReadModelSQLite, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if h := s.Height(); h != uint64(p.Blocks+1) {
		t.Errorf("height %d, want %d", h, p.Blocks+1)
	}
	caller := rules.Caller{MSP: api.MSPIPOffice, Role: api.RoleExaminer}
	owner := seedOwner(7) // rights 7, 7+searchOwners, ...: one of them below n
	var found, statement []byte
	if _, err := s.Read(context.Background(), func(v *readmodel.View) error {
		if found, err = v.Evaluate(caller, api.SearchParties.Name, owner.ID, "", "0", ""); err != nil {
			return err
		}
		statement, err = v.Evaluate(caller, api.GetStatement.Name, "SC00000007")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(found), "SC00000007") || !strings.Contains(string(found), owner.Name) {
		t.Errorf("search by %s: %s", owner.ID, found)
	}
	var st struct {
		Owners []api.Owner `json:"owners"`
	}
	if err := json.Unmarshal(statement, &st); err != nil || len(st.Owners) != 1 || st.Owners[0].ID != owner.ID {
		t.Errorf("statement of SC00000007: %s (%v)", statement, err)
	}
}

// With Keep, the first run builds the read model and records its build figures beside it; the next
// times the reads of that model without building it again, and a model whose figures are of another
// size is refused rather than timed.
func TestScale_AKeptReadModelIsTimedAgainWithoutBuilding(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ipledger-scale-450.db")
	first, err := scale(context.Background(), path, 450, 5, true, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if first.Kept || first.Blocks != 2 || first.BuiltAt.IsZero() {
		t.Fatalf("first run: kept %v, %d blocks, built at %v", first.Kept, first.Blocks, first.BuiltAt)
	}
	second, err := scale(context.Background(), path, 450, 5, true, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Kept || second.Writes != first.Writes || second.BuildSeconds != first.BuildSeconds || !second.BuiltAt.Equal(first.BuiltAt) {
		t.Errorf("second run: kept %v, %d writes (first %d), build %.3f s (first %.3f)", second.Kept, second.Writes, first.Writes, second.BuildSeconds, first.BuildSeconds)
	}
	if second.ByID.Count != 5 || second.ByID.Failures != 0 || second.Statement.Failures != 0 {
		t.Errorf("second run's reads: %+v %+v", second.ByID, second.Statement)
	}
	if _, err := scale(context.Background(), filepath.Join(dir, "ipledger-scale-450.db"), 451, 5, true, t.Logf); err == nil {
		t.Error("the figures of 450 rights were taken for a read model of 451")
	}
}
