package rules

import (
	"encoding/json"
	"testing"

	api "github.com/ipledger/ipledger/chaincode/api"
)

// parsers are the argument parsers the fuzz target drives, selected by the first fuzz argument.
var parsers = []func(string) (any, error){
	func(s string) (any, error) { return ParseAssetInput(s) },
	func(s string) (any, error) { return ParseAssetPatch(s) },
	func(s string) (any, error) { return ParsePledgeApplication(s) },
	func(s string) (any, error) { return ParseTerms([]byte(s)) },
	func(s string) (any, error) { return ParseDisposal(s) },
	func(s string) (any, error) { return ParseTransferRequest(s) },
	func(s string) (any, error) { return parseRefusal(s) },
	func(s string) (any, error) { return parseReason(s) },
	func(s string) (any, error) { return nil, ValidateRequestID(s) },
	func(s string) (any, error) { return ParseTermination(s) },
	func(s string) (any, error) { return parseFreezeInput(s) },
}

// FuzzParsePayloads: no input makes a parser panic; every rejection is a MALFORMED (400) or
// INVALID_ARGUMENT (422) error whose JSON parses back; every accepted payload, encoded again, is
// accepted again (validation is a property of the value, not of its spelling).
// Seed corpus: testdata/fuzz/FuzzParsePayloads.
func FuzzParsePayloads(f *testing.F) {
	f.Add(uint8(0), js(patent("P1")))
	f.Add(uint8(0), js(trademark("T1", "fam", 9)))
	f.Add(uint8(1), `{"dispute":{"active":true,"ref":"court"}}`)
	f.Add(uint8(2), js(application("P1", "P2")))
	f.Add(uint8(3), js(termsA))
	f.Add(uint8(4), `{"buyers":[{"id":"B","name":"B","share":10000}],"currency":"CNY","method":"auction","price":"10","proceeds":[{"pledgeId":"PL-1","amount":"10"}],"saleRef":"S","surplus":"0"}`)
	f.Add(uint8(5), js(trade("P1")))
	f.Add(uint8(6), `{"reasons":["P4.frozen"],"note":"n"}`)
	f.Add(uint8(7), `{"reason":"repaid"}`)
	f.Add(uint8(8), "req-1")
	f.Add(uint8(5), js(api.TransferRequest{AssetID: "P1", Kind: "license", License: ordinaryLicense(), NewOwners: []api.Owner{licensee}, Origin: "owner-request"}))
	f.Add(uint8(9), `{"date":"2025-03-03","reason":"terminated early"}`)
	f.Add(uint8(10), `{"court":"Wuhan Intermediate People's Court","ref":"(2025)E01ZB1"}`)
	f.Fuzz(func(t *testing.T, which uint8, payload string) {
		parse := parsers[int(which)%len(parsers)]
		v, err := parse(payload)
		if err != nil {
			e, ok := api.AsError(err)
			if !ok || (e.Code != api.CodeMalformed && e.Code != api.CodeInvalidArgument) {
				t.Fatalf("rejection is not a MALFORMED or INVALID_ARGUMENT api.Error: %v", err)
			}
			if back, ok := api.ParseError(e.Error()); !ok || back.Code != e.Code {
				t.Fatalf("error JSON does not parse back: %s", e.Error())
			}
			return
		}
		if v == nil {
			return
		}
		again, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parse(string(again)); err != nil {
			t.Fatalf("accepted %q but not its re-encoding %s: %v", payload, again, err)
		}
	})
}
