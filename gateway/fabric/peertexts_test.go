package fabric

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every text of PeerTexts names the integration test that provokes it from a real peer; that test
// must exist, or the table's promise is empty.
func TestPeerTexts_NameRealTests(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range PeerTexts {
		dir, name, ok := strings.Cut(p.Test, " ")
		if !ok || !strings.HasPrefix(name, "Test") {
			t.Errorf("%s: Test %q is not \"<package dir> <TestName>\"", p.Pattern, p.Test)
			continue
		}
		if !declares(t, filepath.Join(root, dir), name) {
			t.Errorf("%s: %s declares no %s", p.Pattern, dir, name)
		}
	}
}

func declares(t *testing.T, dir, fn string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no test files (%v)", dir, err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == fn {
				return true
			}
		}
	}
	return false
}

func TestPeerTexts_MatchWhatThePeerSays(t *testing.T) {
	for _, c := range []struct {
		text PeerText
		msg  string
	}{
		{ChaincodeUnreachable, "error in simulation: failed to execute transaction 31: could not launch chaincode ipledger_1.0:33e5"},
		{ChaincodeUnreachable, "chaincode ipledger_1.0:33e5: connection to ipledger_1.0:33e5 failed: error cannot create connection"},
		{ChaincodeUnreachable, "dial tcp 127.0.0.1:7099: connect: connection refused (chaincode ipledger)"},
		{CollectFailed, "failed to collect enough transaction endorsements, see attached details for more info"},
		{NoSuchTransaction, "no such transaction ID [0123] in index"},
		{BeforeSnapshot, "details for the TXID [ab12] not available. Ledger bootstrapped from a snapshot. First available block = [313]"},
	} {
		if !c.text.In(c.msg) {
			t.Errorf("%s does not match %q", c.text.Pattern, c.msg)
		}
	}
	if ChaincodeUnreachable.In("connection refused") || CollectFailed.In("failed to endorse transaction") {
		t.Error("a pattern matches more than its text")
	}
}
