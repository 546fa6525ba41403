package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// chaincodeDoc is docs/chaincode.md, the contract a stranger integrates from.
func chaincodeDoc(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "chaincode.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// docSection is the text of a markdown section from its heading to the next heading of any level.
func docSection(t *testing.T, doc, heading string) string {
	t.Helper()
	start := strings.Index(doc, "\n"+heading+"\n")
	if start < 0 {
		t.Fatalf("docs/chaincode.md has no section %q", heading)
	}
	rest := doc[start+len(heading)+2:]
	if end := strings.Index(rest, "\n#"); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

var reasonValue = regexp.MustCompile("^[a-z0-9]+(-[a-z0-9]+)*$")

// documentedReasons are the reason values the refusal reasons section lists: its back-quoted
// lower-case kebab words outside parentheses (which name the details that come with a reason).
func documentedReasons(t *testing.T) map[string]bool {
	t.Helper()
	section := docSection(t, chaincodeDoc(t), "### Refusal reasons")
	// Parentheses name the details that come with a reason, not reasons.
	section = regexp.MustCompile(`\([^)]*\)`).ReplaceAllString(section, "")
	out := map[string]bool{}
	for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(section, -1) {
		if reasonValue.MatchString(m[1]) {
			out[m[1]] = true
		}
	}
	return out
}

// codeReasons are the reason values the rules return: every string that follows a "reason" string in
// an argument list or a composite literal (the key-value details of api.Conflict), and, where that
// value is a variable, the first argument of every call of the refusal helper that passes it on (a
// function, closure or function type whose first parameter is named reason).
func codeReasons(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, file)
	}
	out := map[string][]string{}
	add := func(e ast.Expr) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			v, _ := strconv.Unquote(lit.Value)
			out[v] = append(out[v], fset.Position(lit.Pos()).String())
		}
	}
	helpers := refusalHelpers(parsed)
	for _, file := range parsed {
		ast.Inspect(file, func(n ast.Node) bool {
			var list []ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr:
				list = n.Args
				if id, ok := n.Fun.(*ast.Ident); ok && helpers[id.Name] && len(n.Args) > 0 {
					add(n.Args[0])
				}
			case *ast.CompositeLit:
				list = n.Elts
			}
			for i := 0; i+1 < len(list); i++ {
				if lit, ok := list[i].(*ast.BasicLit); ok && lit.Value == `"reason"` {
					add(list[i+1])
				}
			}
			return true
		})
	}
	return out
}

// refusalHelpers names the functions, closures, function types and parameters of those types whose
// first parameter is named reason: what they are called with is a reason.
func refusalHelpers(files []*ast.File) map[string]bool {
	firstIsReason := func(ft *ast.FuncType) bool {
		return ft != nil && ft.Params != nil && len(ft.Params.List) > 0 && len(ft.Params.List[0].Names) > 0 &&
			ft.Params.List[0].Names[0].Name == "reason"
	}
	helpers, types := map[string]bool{}, map[string]bool{}
	for _, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if firstIsReason(n.Type) {
					helpers[n.Name.Name] = true
				}
			case *ast.TypeSpec:
				if ft, ok := n.Type.(*ast.FuncType); ok && firstIsReason(ft) {
					types[n.Name.Name] = true
				}
			case *ast.AssignStmt:
				for i, rhs := range n.Rhs {
					if fl, ok := rhs.(*ast.FuncLit); ok && firstIsReason(fl.Type) && i < len(n.Lhs) {
						if id, ok := n.Lhs[i].(*ast.Ident); ok {
							helpers[id.Name] = true
						}
					}
				}
			}
			return true
		})
	}
	for _, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			if f, ok := n.(*ast.Field); ok {
				if id, ok := f.Type.(*ast.Ident); ok && types[id.Name] {
					for _, name := range f.Names {
						helpers[name.Name] = true
					}
				}
			}
			return true
		})
	}
	return helpers
}

// Every refusal reason the rules return is in docs/chaincode.md's list of refusal reasons, and every
// reason listed there is one the rules return.
func TestRefusalReasonsAreDocumented(t *testing.T) {
	documented, used := documentedReasons(t), codeReasons(t)
	if len(used) < 20 {
		t.Fatalf("found only %d reasons in the code: the scan is broken", len(used))
	}
	for _, r := range slices.Sorted(maps.Keys(used)) {
		if !documented[r] {
			t.Errorf("reason %q (%s) is not in docs/chaincode.md's refusal reasons", r, strings.Join(used[r], ", "))
		}
	}
	for _, r := range slices.Sorted(maps.Keys(documented)) {
		if used[r] == nil {
			t.Errorf("docs/chaincode.md lists reason %q, which no rule returns", r)
		}
	}
}

// V2: the worked example of the terms hash in docs/chaincode.md is what the chaincode hashes: its
// canonical JSON is the encoding of the terms it shows, and its hash is TermsHash of them.
func TestV2_TermsHashWorkedExampleInTheDocs(t *testing.T) {
	section := docSection(t, chaincodeDoc(t), "### The terms hash, worked")
	blocks := regexp.MustCompile("(?s)```(\\w*)\n(.*?)\n```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 3 {
		t.Fatalf("want 3 code blocks (terms as sent, canonical JSON, hash), found %d", len(blocks))
	}
	sent, canonical, hash := blocks[0][2], blocks[1][2], strings.TrimSpace(blocks[2][2])
	terms, err := ParseTerms([]byte(sent))
	if err != nil {
		t.Fatalf("the example's terms are refused: %v", err)
	}
	encoded := CanonicalTerms(terms)
	if !bytes.Equal(encoded, []byte(canonical)) {
		t.Fatalf("the documented canonical JSON is not what is hashed:\ndoc:  %s\ncode: %s", canonical, encoded)
	}
	sum := sha256.Sum256([]byte(canonical))
	if got := hex.EncodeToString(sum[:]); got != hash || TermsHash(terms) != hash {
		t.Fatalf("documented hash %s; SHA-256 of the documented JSON %s; TermsHash %s", hash, got, TermsHash(terms))
	}
	if terms.Valuation == nil || terms.Conditions == "" {
		t.Fatal("the worked example must show every field, valuation and conditions included")
	}
	// The field order the section states is the order of the encoding.
	stated := section[strings.Index(section, "Field order:"):]
	stated = stated[:strings.Index(stated, ";")]
	var names, want []string
	for _, m := range regexp.MustCompile("`([a-zA-Z.]+)`").FindAllStringSubmatch(stated, -1) {
		names = append(names, m[1])
	}
	prefix := ""
	for _, m := range regexp.MustCompile(`"([a-zA-Z]+)":`).FindAllStringSubmatch(string(encoded), -1) {
		want = append(want, prefix+m[1])
		if m[1] == "valuation" {
			prefix = "valuation."
		}
	}
	if !slices.Equal(names, want) {
		t.Fatalf("documented field order %v, encoded %v", names, want)
	}
}
