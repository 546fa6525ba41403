package bench

import "testing"

func TestSharesSortsAProfilesRowsByWhatTheyDo(t *testing.T) {
	top := `Showing nodes accounting for 200ms, 100% of 200ms total
      flat  flat%   sum%        cum   cum%
      50ms 25.00% 25.00%       50ms 25.00%  internal/runtime/syscall/linux.Syscall6
      30ms 15.00% 40.00%       30ms 15.00%  p256MulInternal
      20ms 10.00% 50.00%       30ms 15.00%  google.golang.org/protobuf/internal/impl.(*MessageInfo).unmarshalPointerEager
      20ms 10.00% 60.00%       20ms 10.00%  runtime.(*mheap).allocNeedsZero
      20ms 10.00% 70.00%       20ms 10.00%  github.com/syndtr/goleveldb/leveldb.(*DB).Get
      20ms 10.00% 80.00%       20ms 10.00%  github.com/hyperledger/fabric/internal/pkg/gateway.(*Server).Endorse
      40ms 20.00% 100.0%       40ms 20.00%  crypto/internal/fips140/sha256.block`
	got := map[string]float64{}
	for _, s := range shares(top, profileCategories, "other (Fabric's own code, chaincode shim, validation)") {
		got[s.What] = s.Percent
	}
	want := map[string]float64{"crypto (ECDSA, SHA-256, TLS)": 35, "gRPC, HTTP/2 and syscalls": 25, "protobuf": 10, "Go runtime and GC": 10,
		"ledger (LevelDB, state, history)": 10, "other (Fabric's own code, chaincode shim, validation)": 10}
	if len(got) != len(want) {
		t.Fatalf("shares %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v %%, want %v", k, got[k], v)
		}
	}
	if s := shares(top, profileCategories, "other (Fabric's own code, chaincode shim, validation)"); s[0].Percent != 35 {
		t.Errorf("largest share first: %v", s)
	}
}
