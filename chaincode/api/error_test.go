package api

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorJSONRoundTrip(t *testing.T) {
	e := Conflict("P4", "the IP right is frozen", "assetId", "P1", "reason", "frozen")
	want := `{"code":"P4","message":"the IP right is frozen","details":{"assetId":"P1","reason":"frozen"}}`
	if e.Error() != want {
		t.Fatalf("got %s", e.Error())
	}
	for _, wrapped := range []string{
		e.Error(),
		"chaincode response 500, " + e.Error(),
		"rpc error: code = Aborted desc = failed to endorse transaction, see attached details for more info: " + e.Error() + " (peer0)",
		`{"codex":1} ` + e.Error(),
	} {
		got, ok := ParseError(wrapped)
		if !ok || got.Code != "P4" || got.Details["reason"] != "frozen" {
			t.Fatalf("ParseError(%q) = %+v, %v", wrapped, got, ok)
		}
	}
	for _, bad := range []string{"", "boom", `{"code":"X"}`, `{"code":`} {
		if _, ok := ParseError(bad); ok {
			t.Fatalf("ParseError(%q) succeeded", bad)
		}
	}
	if _, ok := AsError(fmt.Errorf("wrapped: %w", NotFound("asset", "P1"))); !ok {
		t.Fatal("AsError does not unwrap")
	}
	if _, ok := AsError(errors.New("plain")); ok {
		t.Fatal("AsError accepted a plain error")
	}
	for _, e := range []*Error{Forbidden("A1", "no"), NotFound("asset", "x"), Invalid("f", "bad"), Malformed("bad")} {
		if p, ok := ParseError(e.Error()); !ok || p.Code != e.Code {
			t.Fatalf("round trip of %s", e.Error())
		}
	}
}

func TestInvalid_MessageLeadsWithTheField(t *testing.T) {
	if e := Invalid("owners[1].share", "must be basis points"); e.Message != "owners[1].share: must be basis points" ||
		e.Details["field"] != "owners[1].share" {
		t.Errorf("%+v", e)
	}
	if e := Invalid("", "at least one field must be given"); e.Message != "at least one field must be given" {
		t.Errorf("a payload-wide refusal got a field prefix: %q", e.Message)
	}
}
