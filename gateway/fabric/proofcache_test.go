package fabric

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/ipledger/ipledger/chaincode/api"
)

// The proof cache, full (proofCacheSize transactions as qscc answers them: a 64-hex id, two or three
// endorsing organizations), fits well within the gateway's memory limit (netctl's budget: 96 MiB,
// docs/operations.md "Memory budget"), with room for the requests it serves.
func TestProofCache_FullFitsTheGatewayBudget(t *testing.T) {
	const budget = 96 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cache, err := lru.New[string, *api.Transaction](proofCacheSize)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for i := range proofCacheSize + 1000 { // past full: the oldest are evicted
		id := fmt.Sprintf("%064x", i)
		cache.Add(id, &api.Transaction{TxID: id, ValidationCode: "VALID", Valid: true, BlockNumber: uint64(i / 10),
			Time: at.Add(time.Duration(i) * time.Millisecond), CreatorMSP: "Bank1MSP", Chaincode: "ipledger",
			EndorsingOrgs: []string{"Bank1MSP", "IPOfficeMSP", "RegulatorMSP"}})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	used := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("FIGURE proof-cache %d transactions: %.1f MiB live, %.0f B each", cache.Len(), float64(used)/(1<<20), float64(used)/float64(cache.Len()))
	if cache.Len() != proofCacheSize {
		t.Errorf("the cache holds %d transactions; want its bound %d", cache.Len(), proofCacheSize)
	}
	if used > budget/3 {
		t.Errorf("the full proof cache holds %.1f MiB live: more than a third of the gateway's %d MiB memory limit", float64(used)/(1<<20), budget>>20)
	}
	runtime.KeepAlive(cache)
}
