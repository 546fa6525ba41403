package apiclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/ipledger/ipledger/gateway/apiclient"
)

// standIn starts a stand-in for a gateway, enough for the examples: one API key ("ipl_demo"),
// POST /v1/assets and GET /v1/assets/{id}, answers and error JSON of the gateway's shapes (abridged).
// Like the gateway, it requires an Idempotency-Key on a submission, answers a repeated key with the
// first outcome and echoes the key in the answer's Idempotency-Key header.
func standIn() *httptest.Server {
	var mu sync.Mutex
	first := map[string][]byte{}           // Idempotency-Key → the first answer
	assets := map[string]json.RawMessage{} // id → record
	fail := func(w http.ResponseWriter, status int, code, message string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/assets", func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			fail(w, http.StatusUnprocessableEntity, "INVALID_ARGUMENT", "Idempotency-Key: required")
			return
		}
		w.Header().Set("Idempotency-Key", key)
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		defer mu.Unlock()
		if answer, ok := first[key]; ok {
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(answer)
			return
		}
		var rec struct {
			ID string `json:"id"`
		}
		var raw json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || json.Unmarshal(raw, &rec) != nil || rec.ID == "" {
			fail(w, http.StatusBadRequest, "MALFORMED", "the body is not an IP right")
			return
		}
		assets[rec.ID] = raw
		answer, _ := json.Marshal(map[string]any{"id": rec.ID, "txId": fmt.Sprintf("tx%d", len(first)+1),
			"blockNumber": 7 + len(first), "requestId": key, "status": "committed", "attempts": 1, "result": raw})
		first[key] = answer
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(answer)
	})
	mux.HandleFunc("GET /v1/assets/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		rec, ok := assets[r.PathValue("id")]
		mu.Unlock()
		if !ok {
			fail(w, http.StatusNotFound, "NOT_FOUND", "no IP right "+r.PathValue("id"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(rec)
	})
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ipl_demo" {
			fail(w, http.StatusUnauthorized, "UNAUTHENTICATED", "the API key is not valid")
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// demoAsset is an IP right to register, with the fields of the API reference's example (docs/api.md).
func demoAsset(id string) map[string]any {
	owner := map[string]any{"id": "91420100MA4K0001", "name": "Wuhan Optics Co.", "share": 10000}
	return map[string]any{"id": id, "kind": "patent-invention", "number": "ZL-" + id, "title": "Optical waveguide coupler",
		"owners": []map[string]any{owner}, "applicationDate": "2020-01-15", "grantDate": "2022-03-01",
		"expiryDate": "2040-01-15", "feesPaidThrough": "2030-01-15"}
}

// A submission names its Idempotency-Key. A client that lost the answer retries with the same key
// and gets the first outcome back: the same transaction, not a second one. Then a read.
func Example() {
	gw := standIn() // a plain-HTTP stand-in; in real use an organization's gateway, e.g. https://127.0.0.1:7025
	defer gw.Close()
	// The API key of one enrolled identity. Against a real gateway, trust its organization's CA:
	// apiclient.NewTLS("https://127.0.0.1:7025", key, "<data>/orgs/bank1/ca/server/ca-cert.pem").
	c := apiclient.New(gw.URL, "ipl_demo")
	ctx := context.Background()

	asset := demoAsset("CN-DEMO-1")
	for range 2 { // the second time as a retry would
		r, err := c.Do(ctx, http.MethodPost, "/v1/assets", asset, "Idempotency-Key", "demo-register-1")
		if err != nil { // no answer at all: retry with the same key
			log.Fatal(err)
		}
		var res struct {
			ID        string `json:"id"`
			TxID      string `json:"txId"`
			RequestID string `json:"requestId"`
		}
		if err := r.Decode(&res); err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Status, res.ID, res.TxID, res.RequestID)
	}

	r, err := c.Do(ctx, http.MethodGet, "/v1/assets/CN-DEMO-1", nil)
	if err != nil {
		log.Fatal(err)
	}
	var got struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := r.Decode(&got); err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Status, got.ID, got.Title)
	// Output:
	// 201 CN-DEMO-1 tx1 demo-register-1
	// 201 CN-DEMO-1 tx1 demo-register-1
	// 200 CN-DEMO-1 Optical waveguide coupler
}

// An answer that is not 2xx is not an error of Do: Err decodes the gateway's error JSON from it.
func ExampleResponse_Err() {
	gw := standIn()
	defer gw.Close()
	ctx := context.Background()
	show := func(r *apiclient.Response, err error) {
		if err != nil {
			log.Fatal(err)
		}
		if e := r.Err(); e != nil {
			fmt.Printf("%d %s: %s\n", r.Status, e.Code, e.Message)
			return
		}
		fmt.Println(r.Status, "ok")
	}

	// A wrong API key.
	show(apiclient.New(gw.URL, "ipl_wrong").Do(ctx, http.MethodGet, "/v1/assets/CN-DEMO-1", nil))
	c := apiclient.New(gw.URL, "ipl_demo")
	// A submission without an Idempotency-Key.
	show(c.Do(ctx, http.MethodPost, "/v1/assets", demoAsset("CN-DEMO-2")))
	// A record that does not exist.
	show(c.Do(ctx, http.MethodGet, "/v1/assets/CN-DEMO-2", nil))
	// The same with its key: accepted.
	show(c.Do(ctx, http.MethodPost, "/v1/assets", demoAsset("CN-DEMO-2"), "Idempotency-Key", "demo-register-2"))
	// Output:
	// 401 UNAUTHENTICATED: the API key is not valid
	// 422 INVALID_ARGUMENT: Idempotency-Key: required
	// 404 NOT_FOUND: no IP right CN-DEMO-2
	// 201 ok
}

// A client that never retries can leave the Idempotency-Key to the client: every POST and PATCH that
// names none gets a fresh one (so each call is a new request). A client that retries must not do
// this: it sends the same key again.
func ExampleClient_autoIdempotencyKey() {
	gw := standIn()
	defer gw.Close()
	c := apiclient.New(gw.URL, "ipl_demo")
	c.AutoIdempotencyKey = true
	ctx := context.Background()

	var keys []string
	for _, id := range []string{"CN-DEMO-3", "CN-DEMO-4"} {
		r, err := c.Do(ctx, http.MethodPost, "/v1/assets", demoAsset(id))
		if err != nil {
			log.Fatal(err)
		}
		keys = append(keys, r.Header.Get("Idempotency-Key")) // the gateway names the key it used
		fmt.Println(r.Status)
	}
	fmt.Println("fresh keys:", keys[0] != "" && keys[1] != "" && keys[0] != keys[1])
	// Output:
	// 201
	// 201
	// fresh keys: true
}
