package contract

import (
	"bytes"
	"flag"
	"go/format"
	"os"
	"strings"
	"testing"
	"text/template"

	"github.com/ipledger/ipledger/chaincode/api"
)

var update = flag.Bool("update", false, "write contract_gen.go again from the catalogue")

var genTemplate = template.Must(template.New("gen").Funcs(template.FuncMap{
	"params": func(o api.Op) string {
		var ps []string
		if !o.ReadOnly {
			ps = append(ps, "requestID string")
		}
		for _, a := range o.Args {
			t := "string"
			if a.Int {
				t = "int32"
			}
			ps = append(ps, a.Name+" "+t)
		}
		return strings.Join(ps, ", ")
	},
	"args": func(o api.Op) string {
		var as []string
		if !o.ReadOnly {
			as = append(as, "requestID")
		}
		for _, a := range o.Args {
			as = append(as, a.Name)
		}
		return strings.Join(as, ", ")
	},
}).Parse(`// Code generated from the catalogue (chaincode/api) by TestContractIsGenerated; DO NOT EDIT.

package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/ipledger/ipledger/chaincode/rules"
)
{{range .}}
// {{.Name}} {{.Summary}}.{{if and .ReadOnly .PrivateTerms}} Answered sealed to the caller's certificate key.{{end}}{{if .Payload}} payload: [api.{{.Payload}}].{{end}}{{if and .PrivateTerms (not .ReadOnly)}} Private terms in the transient map under "terms".{{end}}
func (c *Contract) {{.Name}}(ctx contractapi.TransactionContextInterface{{with params .}}, {{.}}{{end}}) (string, error) {
{{- if .Anyone}}
	return rules.{{.Name}}()
{{- else if and .ReadOnly .PrivateTerms}}
	return sealed(ctx, func(s *rules.Service) (string, error) { return s.{{.Name}}({{args .}}) })
{{- else if .ReadOnly}}
	return call(ctx, func(s *rules.Service) (string, error) { return s.{{.Name}}({{args .}}) })
{{- else}}
	return submit(ctx, func(s *rules.Service) (string, error) { return s.{{.Name}}({{args .}}) })
{{- end}}
}
{{end}}`))

// TestContractIsGenerated keeps contract_gen.go the contract of exactly the catalogue's operations:
// adding an operation to the catalogue and its rule to chaincode/rules is all it takes, then -update.
func TestContractIsGenerated(t *testing.T) {
	var buf bytes.Buffer
	if err := genTemplate.Execute(&buf, api.Operations); err != nil {
		t.Fatal(err)
	}
	want, err := format.Source(buf.Bytes())
	if err != nil {
		t.Fatalf("generated code does not parse: %v\n%s", err, buf.Bytes())
	}
	if *update {
		if err := os.WriteFile("contract_gen.go", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile("contract_gen.go")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatal("contract_gen.go is stale: go test ./chaincode/contract -run TestContractIsGenerated -update")
	}
}
