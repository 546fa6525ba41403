package api

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The catalogue is what the contract, the gateway and the tests trust; these are its own rules.
func TestCatalogue_IsConsistent(t *testing.T) {
	seen := map[string]bool{}
	routes := map[string]string{}
	param := regexp.MustCompile(`\{(\w+)\}`)
	for _, o := range Operations {
		t.Run(o.Name, func(t *testing.T) {
			if o.Name == "" || seen[o.Name] || o.Summary == "" {
				t.Fatalf("empty, repeated or undocumented: %+v", o)
			}
			seen[o.Name] = true
			var inPath []string
			for i, a := range o.Args {
				switch a.In {
				case InBody:
					if i != len(o.Args)-1 || o.ReadOnly {
						t.Fatalf("the payload is the last argument of a submission: %+v", a)
					}
				case InPath:
					inPath = append(inPath, a.Param)
				}
			}
			var pathParams []string
			for _, m := range param.FindAllStringSubmatch(o.Path, -1) {
				pathParams = append(pathParams, m[1])
			}
			if o.Path != "" && !slices.Equal(inPath, pathParams) {
				t.Fatalf("path %s has parameters %v, arguments from the path %v", o.Path, pathParams, inPath)
			}
			switch {
			case o.ReadOnly && o.Path != "" && o.Method != "GET":
				t.Fatalf("a query is served by GET, not %s", o.Method)
			case !o.ReadOnly && o.Path != "" && o.Method != "POST" && o.Method != "PATCH":
				t.Fatalf("a submission is served by POST or PATCH, not %s", o.Method)
			case o.Anyone && (!o.ReadOnly || len(o.Args) > 0):
				t.Fatal("an operation for anyone is a query without arguments")
			case o.Creates && (o.Method != "POST" || len(pathParams) > 0):
				t.Fatal("a creating submission is a POST to a collection")
			case !o.ReadOnly && o.Payload == "" && o.Name != RecordTransfer.Name && o.Name != RecordPledgeChange.Name:
				t.Fatal("a submission names its payload type")
			}
			if !o.ReadOnly && o.Path != "" {
				key := o.Method + " " + o.Path
				if other, dup := routes[key]; dup {
					t.Fatalf("route %s serves %s too", key, other)
				}
				routes[key] = o.Name
			}
		})
	}
}

func TestCatalogue_ReadOnlyNames(t *testing.T) {
	names := ReadOnlyNames()
	for _, want := range []string{"Ping", "GetAsset", "GetPledgeTerms", "ListTransfers"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s is not read-only", want)
		}
	}
	for _, submitted := range []string{"ApplyPledge", "RecordTransfer"} {
		if slices.Contains(names, submitted) {
			t.Errorf("%s is read-only", submitted)
		}
	}
}

func TestCode_IsRule(t *testing.T) {
	for _, c := range []Code{"A1", "P5", "I3", "T12"} {
		if !c.IsRule() {
			t.Errorf("%s is a rule id", c)
		}
	}
	for _, c := range []Code{"", "P", "p5", CodeForbidden, "P5X", Code(strings.Repeat("P1", 3))} {
		if c.IsRule() {
			t.Errorf("%s is not a rule id", c)
		}
	}
}
