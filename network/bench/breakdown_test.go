package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const gatewayMetrics = `# TYPE ipledger_gateway_http_request_duration_seconds histogram
ipledger_gateway_http_request_duration_seconds_bucket{method="GET",route="/v1/verify/:assetId",le="0.005"} 950
ipledger_gateway_http_request_duration_seconds_bucket{method="GET",route="/v1/verify/:assetId",le="0.01"} 990
ipledger_gateway_http_request_duration_seconds_bucket{method="GET",route="/v1/verify/:assetId",le="+Inf"} 1000
ipledger_gateway_http_request_duration_seconds_sum{method="GET",route="/v1/verify/:assetId"} 2.5
ipledger_gateway_http_request_duration_seconds_count{method="GET",route="/v1/verify/:assetId"} 1000
ipledger_gateway_http_request_duration_seconds_bucket{method="GET",route="/v1/assets/:id/history",le="0.005"} 7
ipledger_gateway_http_request_duration_seconds_bucket{method="GET",route="/v1/assets/:id/history",le="0.01"} 7
ipledger_gateway_http_request_duration_seconds_bucket{method="GET",route="/v1/assets/:id/history",le="+Inf"} 7
ipledger_gateway_http_request_duration_seconds_sum{method="GET",route="/v1/assets/:id/history"} 0.01
ipledger_gateway_http_request_duration_seconds_count{method="GET",route="/v1/assets/:id/history"} 7
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0.5"} 0.0001
go_gc_duration_seconds_sum 0.004
go_gc_duration_seconds_count 12
`

func TestGatewayTime_TheVerificationRouteOnlyAndItsDifference(t *testing.T) {
	parse := func(text string) GatewayTime {
		t.Helper()
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		s, err := gatewayTimeOf(fams, "/v1/verify/")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := parse(gatewayMetrics)
	if before.Count != 1000 || before.Within5ms != 950 || before.Within10ms != 990 || before.GCCycles != 12 {
		t.Fatalf("before: %+v (the history route's figures must not count)", before)
	}
	after := parse(strings.NewReplacer(`"0.005"} 950`, `"0.005"} 2900`, `"0.01"} 990`, `"0.01"} 2960`,
		`"+Inf"} 1000`, `"+Inf"} 3000`, `count{method="GET",route="/v1/verify/:assetId"} 1000`,
		`count{method="GET",route="/v1/verify/:assetId"} 3000`, "go_gc_duration_seconds_count 12", "go_gc_duration_seconds_count 20").
		Replace(gatewayMetrics))
	got := after.since(before)
	if got.Count != 2000 || got.Within5ms != 1950 || got.Within10ms != 1970 || got.Over10ms() != 30 || got.GCCycles != 8 {
		t.Fatalf("since: %+v, over 10 ms %d; want 2000 answers, 1950 within 5 ms, 1970 within 10, 30 over, 8 GC cycles", got, got.Over10ms())
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, _ := parser.TextToMetricFamilies(strings.NewReader("# TYPE x counter\nx 1\n"))
	if _, err := gatewayTimeOf(fams, "/v1/verify/"); err == nil {
		t.Fatal("metrics without the request histogram: want an error, got none")
	}
}

func TestRateBreakdown_CPUPerAnswerAndTheGatewaysTail(t *testing.T) {
	p := RatePoint{Path: "http", Summary: Summary{Count: 2000, Seconds: 10},
		SendLag: Summary{P50Millis: 0.1, P99Millis: 4.2},
		Gateway: &GatewayTime{Count: 2000, Within5ms: 1950, Within10ms: 1970, GCCycles: 8, GCPauseMs: 1.5},
		CPU: &PathCPU{Path: "http", Committed: 2000, Processes: []ProcessCPU{
			{Name: "gateway.ipoffice", Kind: "gateway", Seconds: 2}, {Name: "bench", Kind: "load", Seconds: 1}}}}
	md := rateBreakdownMarkdown([]RatePoint{p, {Path: "bare"}})
	for _, want := range []string{"| http | 0.1 | 4.2 | 1950 | 1970 | 30 | 8, 1.5 |", " 1.000 | 0.000 | 0.500 | 1.500 | 15 |", "| bare | 0.0 | 0.0 | – | – | – | – |"} {
		if !strings.Contains(md, want) {
			t.Errorf("breakdown lacks %q:\n%s", want, md)
		}
	}
}

func TestBatchTimeoutChoice_MediansOfRepeatsNotTheLastPoint(t *testing.T) {
	pt := func(ms int64, seqHTTP, loadHTTP float64) BatchTimeoutPoint {
		return BatchTimeoutPoint{BatchTimeout: (time.Duration(ms) * time.Millisecond).String(), Millis: ms,
			SeqHTTP: Summary{Count: 200, P50Millis: seqHTTP}, LoadHTTP: Summary{PerSecond: loadHTTP}}
	}
	// Interleaved repeats; the reference's last point is an outlier (17.5/s against 46 and 45).
	res := &BatchTimeoutResult{Clients: 50, Points: []BatchTimeoutPoint{
		pt(10, 55, 40), pt(100, 150, 46), pt(10, 55, 38), pt(100, 150, 45), pt(10, 56, 39), pt(100, 149, 17.5)}}
	res.choose(100 * time.Millisecond)
	if res.Chosen != "" || !strings.Contains(res.Why, "40.5/s (0.9 of 100ms's 45.0/s)") || !strings.Contains(res.Why, "the median") {
		t.Fatalf("chosen %q: %s; want none: 10ms's median 39.0/s is under 0.9 of 100ms's median 45.0/s", res.Chosen, res.Why)
	}
	meds := res.Medians()
	if len(meds) != 2 || meds[0].Repeats != 3 || meds[0].LoadHTTPRate != 39 || meds[1].SeqHTTPP50 != 150 {
		t.Fatalf("medians: %+v", meds)
	}
	if md := (&Result{BatchTimeout: res}).batchTimeoutMarkdown(); !strings.Contains(md, "| 100ms | 3 | 0.0 | 150.0 | 0.0 | 45.0 | 46.0, 45.0, 17.5 |") {
		t.Fatalf("the medians table is missing or wrong:\n%s", md)
	}
	// Without repeats the figures are the points' own.
	res = &BatchTimeoutResult{Clients: 50, Points: []BatchTimeoutPoint{pt(10, 55, 42), pt(100, 150, 45)}}
	res.choose(100 * time.Millisecond)
	if res.Chosen != "10ms" || strings.Contains(res.Why, "median") {
		t.Fatalf("chosen %q: %s; want 10ms (42/s >= 40.5/s), no medians named", res.Chosen, res.Why)
	}
	if md := (&Result{BatchTimeout: res}).batchTimeoutMarkdown(); strings.Contains(md, "repeats") || !strings.Contains(md, "Chosen: **10ms**") {
		t.Fatalf("a curve without repeats shows a medians table:\n%s", md)
	}
}
