package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// listAll reads every page of one family as c, pageSize at a time.
func (e *env) listAll(c Caller, family string, size int32) (map[string]string, int) {
	e.t.Helper()
	out, pages, bookmark := map[string]string{}, 0, ""
	for {
		var page api.StateKeyPage
		mustDecode(e.t, e.must(e.query(c, func(s *Service) (string, error) { return s.ListStateKeys(family, size, bookmark) })), &page)
		pages++
		if page.Count != len(page.Items) || page.Family != family || len(page.Items) > int(size) {
			e.t.Fatalf("page of %q: count %d, %d items, family %q", family, page.Count, len(page.Items), page.Family)
		}
		for _, k := range page.Items {
			out[k.Key] = k.SHA256
		}
		if page.Bookmark == "" {
			return out, pages
		}
		bookmark = page.Bookmark
	}
}

// TestStateKeys_EnumerationIsTheWholeState: every family of api.StateFamilies and the simple keys,
// read in pages of 3, list exactly the ledger's keys with the SHA-256 of each value, after a history
// that writes records and indexes of every kind (pledges in every state, a disposal, a transfer).
func TestStateKeys_EnumerationIsTheWholeState(t *testing.T) {
	e, _ := statsLedger(t)
	if _, err := e.requestTransfer(examiner, api.TransferRequest{AssetID: "P1", Kind: "assignment", NewOwners: []api.Owner{buyer},
		Origin: "owner-request"}); err != nil {
		t.Fatal(err)
	}
	e.l.Begin("stray", e.now) // a simple key, which the rules never write
	_ = e.l.PutState("stray-simple-key", []byte("x"))
	e.l.Commit()
	got, pages := map[string]string{}, 0
	for _, f := range append([]string{""}, api.StateFamilies...) {
		keys, n := e.listAll(auditor, f, 3)
		maps.Copy(got, keys)
		pages += n
	}
	want := map[string]string{}
	for _, k := range e.l.Keys() {
		v, _ := e.l.GetState(k)
		sum := sha256.Sum256(v)
		want[k] = hex.EncodeToString(sum[:])
	}
	if !maps.Equal(got, want) {
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("key %q: listed %q, want %q", k, got[k], want[k])
			}
		}
		t.Fatalf("listed %d keys, the ledger holds %d", len(got), len(want))
	}
	t.Logf("FIGURE state enumeration: %d keys in %d families and the simple keys, %d pages of 3", len(want), len(api.StateFamilies), pages)
	for _, c := range []Caller{bank2, trader, examiner} { // any member reads the same
		if keys, _ := e.listAll(c, "pledge", api.MaxKeyPageSize); len(keys) != 5 {
			t.Errorf("%s lists %d pledges", c.MSP, len(keys))
		}
	}
	_, err := e.query(auditor, func(s *Service) (string, error) { return s.ListStateKeys("pledges", 0, "") })
	wantCode(t, err, api.CodeInvalidArgument, "family")
	_, err = e.query(auditor, func(s *Service) (string, error) { return s.ListStateKeys("pledge", api.MaxKeyPageSize+1, "") })
	wantCode(t, err, api.CodeInvalidArgument, "pageSize")
	_, err = e.query(stranger, func(s *Service) (string, error) { return s.ListStateKeys("pledge", 0, "") })
	wantCode(t, err, api.CodeForbidden)
}

// TestStateFamiliesAreEveryFamily: every object type the rules name (the key… and idx… constants) is
// a public family of api.StateFamilies or a private one of api.PrivateFamilies, and each listed
// family is one of them: a family added to the rules and not to the list fails here, before a
// checker misses its keys.
func TestStateFamiliesAreEveryFamily(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				if i >= len(spec.Values) || !strings.HasPrefix(name.Name, "key") && !strings.HasPrefix(name.Name, "idx") {
					continue
				}
				if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					named[v] = true
				}
			}
			return true
		})
	}
	listed := map[string]bool{}
	for _, f := range append(slices.Clone(api.StateFamilies), api.PrivateFamilies...) {
		listed[f] = true
	}
	if len(named) < 15 || !maps.Equal(named, listed) {
		t.Fatalf("the rules name the families %v;\nthe lists hold %v", slices.Sorted(maps.Keys(named)), slices.Sorted(maps.Keys(listed)))
	}
}

// TestStateDigests_PublicAndPrivateHashes: the digest of a pledge's key is the hash of its public
// value and, in its bank's collection, of its terms, also on a peer that is not a member; an absent
// key or private value has none.
func TestStateDigests_PublicAndPrivateHashes(t *testing.T) {
	e, ps := statsLedger(t)
	e.l.NonMemberOf["termsBank1MSP"] = true
	key := pledgeKey(ps["A"].ID)
	var d api.KeyDigests
	mustDecode(t, e.must(e.query(bank2, func(s *Service) (string, error) {
		return s.GetStateDigests(js([]string{key, pledgeKey("PL-none")}), `["termsBank1MSP","termsBank2MSP"]`)
	})), &d)
	pub, _ := e.l.GetState(key)
	sum, priv := sha256.Sum256(pub), sha256.Sum256(e.l.Private("termsBank1MSP", key))
	want := []api.KeyDigest{
		{Key: key, Exists: true, SHA256: hex.EncodeToString(sum[:]), Private: []api.PrivateDigest{
			{Collection: "termsBank1MSP", Exists: true, SHA256: hex.EncodeToString(priv[:])},
			{Collection: "termsBank2MSP"}}},
		{Key: pledgeKey("PL-none"), Private: []api.PrivateDigest{{Collection: "termsBank1MSP"}, {Collection: "termsBank2MSP"}}},
	}
	wantEqual(t, "digests", d.Items, want)
	var plain api.KeyDigests
	mustDecode(t, e.must(e.query(trader, func(s *Service) (string, error) { return s.GetStateDigests(js([]string{key}), "") })), &plain)
	if len(plain.Items) != 1 || plain.Items[0].Private != nil || plain.Items[0].SHA256 != want[0].SHA256 {
		t.Errorf("without collections: %+v", plain.Items)
	}
	for _, bad := range []struct{ keys, colls, field string }{
		{`[]`, ``, "keys"},
		{`{"keys":1}`, ``, "keys"},
		{js(make([]string, api.MaxDigestKeys+1)), ``, "keys"},
		{js([]string{key}), `["terms/../x"]`, "collections[0]"},
		{js([]string{""}), ``, "keys"},
	} {
		_, err := e.query(auditor, func(s *Service) (string, error) { return s.GetStateDigests(bad.keys, bad.colls) })
		if e, ok := api.AsError(err); !ok || (e.Code != api.CodeInvalidArgument && e.Code != api.CodeMalformed) {
			t.Errorf("%s %s: %v", bad.keys, bad.colls, err)
		}
	}
	e.l.Undefined["termsBank9MSP"] = true
	_, err := e.query(auditor, func(s *Service) (string, error) { return s.GetStateDigests(js([]string{key}), `["termsBank9MSP"]`) })
	wantCode(t, err, api.CodeInternal)
}
