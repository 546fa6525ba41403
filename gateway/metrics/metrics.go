// Package metrics holds the gateway's Prometheus metrics: HTTP requests by route and status, their
// latency, submission outcomes and retries.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one gateway's set of metrics, in a registry of its own.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	submits  *prometheus.CounterVec
	retries  *prometheus.CounterVec
}

// New registers the metrics, with Go runtime and process collectors, labelled with the organization.
func New(mspID string) *Metrics {
	r := prometheus.NewRegistry()
	labels := prometheus.Labels{"msp": mspID}
	m := &Metrics{
		registry: r,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ipledger_gateway",
			Name: "http_requests_total", Help: "HTTP requests by route, method and status.", ConstLabels: labels},
			[]string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "ipledger_gateway",
			Name: "http_request_duration_seconds", Help: "HTTP request latency by route and method.", ConstLabels: labels,
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
			[]string{"route", "method"}),
		submits: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ipledger_gateway",
			Name: "submissions_total", Help: "Submissions by chaincode function and outcome (committed, submitted, refused: a rule refusal committed and kept, replayed: a request decided before answered without a transaction, rejected: decided nothing, conflict, invalid, timeout, unavailable, error).",
			ConstLabels: labels}, []string{"function", "outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ipledger_gateway",
			Name: "submission_retries_total", Help: "Retries by chaincode function and reason (MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE, plan-unavailable, endorse-unavailable, endorse-mismatch, resubmit).",
			ConstLabels: labels}, []string{"function", "reason"}),
	}
	r.MustRegister(m.requests, m.latency, m.submits, m.retries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Request counts one HTTP request.
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// Retried counts a retry of a submission.
func (m *Metrics) Retried(function, reason string) { m.retries.WithLabelValues(function, reason).Inc() }

// Finished counts the outcome of a submission.
func (m *Metrics) Finished(function, outcome string) {
	m.submits.WithLabelValues(function, outcome).Inc()
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}
