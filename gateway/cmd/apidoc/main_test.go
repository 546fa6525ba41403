package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/ipledger/ipledger/docs"
)

// docs/api.md is generated: it must be what the generator writes from docs/openapi.yaml now.
func TestAPIReferenceIsUpToDate(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	cur, err := os.ReadFile("../../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cur, render(doc)) {
		t.Fatal("docs/api.md is out of date: run go run ./gateway/cmd/apidoc")
	}
	for _, o := range operations(doc) {
		if _, ok := o.op.Extensions["x-example"]; !ok {
			t.Errorf("%s %s has no x-example", o.method, o.path)
		}
		if !strings.Contains(string(cur), o.example()) {
			t.Errorf("%s %s: example missing", o.method, o.path)
		}
	}
}
