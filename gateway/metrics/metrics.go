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
	reloads  *prometheus.CounterVec
	expiry   *prometheus.GaugeVec
	// the read model (gateway/readmodel)
	rmHeight   prometheus.Gauge
	rmApplied  prometheus.Counter
	rmApply    prometheus.Histogram
	rmReopened prometheus.Counter
	rmStopped  prometheus.Gauge
	reads      *prometheus.CounterVec
	deferred   *prometheus.CounterVec
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
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ipledger_gateway",
			Name: "config_reloads_total", Help: "Configuration reloads (SIGHUP) by result: ok, or failed (the previous configuration stays).",
			ConstLabels: labels}, []string{"result"}),
		expiry: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "ipledger_gateway",
			Name: "identity_certificate_expiry_seconds", Help: "The not-after time (Unix seconds) of the certificate each identity signs with, by identity and serial number (hex).",
			ConstLabels: labels}, []string{"identity", "serial"}),
	}
	m.newReadModelMetrics(labels)
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("failed")
	r.MustRegister(m.requests, m.latency, m.submits, m.retries, m.reloads, m.expiry,
		m.rmHeight, m.rmApplied, m.rmApply, m.rmReopened, m.rmStopped, m.reads, m.deferred,
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

// Reloaded counts a configuration reload, ok or failed.
func (m *Metrics) Reloaded(ok bool) {
	result := "ok"
	if !ok {
		result = "failed"
	}
	m.reloads.WithLabelValues(result).Inc()
}

// Certificate is one identity's certificate as the metrics show it.
type Certificate struct {
	Identity, Serial string
	NotAfter         time.Time
}

// Certificates replaces the identities' certificates shown (at start and after each reload).
func (m *Metrics) Certificates(certs []Certificate) {
	m.expiry.Reset()
	for _, c := range certs {
		m.expiry.WithLabelValues(c.Identity, c.Serial).Set(float64(c.NotAfter.Unix()))
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

func (m *Metrics) newReadModelMetrics(labels prometheus.Labels) {
	ns := "ipledger_gateway"
	m.rmHeight = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "read_model_height",
		Help: "The read model's height: the blocks of the organization's peer it has applied.", ConstLabels: labels})
	m.rmApplied = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "read_model_blocks_applied_total",
		Help: "Blocks applied to the read model since the gateway started.", ConstLabels: labels})
	m.rmApply = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "read_model_apply_seconds",
		Help: "Time to read and apply one block to the read model.", ConstLabels: labels,
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}})
	m.rmReopened = prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "read_model_stream_reopened_total",
		Help: "Times the read model's block stream from the peer broke and was opened again.", ConstLabels: labels})
	m.rmStopped = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "read_model_stopped",
		Help: "1 when the read model stopped on a block it cannot read (reads go to the chaincode), else 0.", ConstLabels: labels})
	m.reads = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "reads_total",
		Help: "Read-only requests by the source that answered them: read-model or chaincode.", ConstLabels: labels},
		[]string{"source"})
	m.reads.WithLabelValues("read-model")
	m.reads.WithLabelValues("chaincode")
	m.deferred = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "read_model_deferred_total",
		Help: "Reads the read model would have answered that the chaincode answered, by reason: private-missing (a private value " +
			"its peer committed without), definition-changed (a new chaincode definition applied, the rules version not confirmed since).",
		ConstLabels: labels}, []string{"reason"})
	m.deferred.WithLabelValues("private-missing")
	m.deferred.WithLabelValues("definition-changed")
}

// BlockApplied records a block applied to the read model and its new height.
func (m *Metrics) BlockApplied(height uint64, took time.Duration) {
	m.rmHeight.Set(float64(height))
	m.rmApplied.Inc()
	m.rmApply.Observe(took.Seconds())
}

// StreamReopened counts a reopening of the read model's block stream.
func (m *Metrics) StreamReopened() { m.rmReopened.Inc() }

// FollowerStopped records that the read model stopped on a block it cannot read.
func (m *Metrics) FollowerStopped() { m.rmStopped.Set(1) }

// Read counts a read-only request answered by source (read-model or chaincode).
func (m *Metrics) Read(source string) { m.reads.WithLabelValues(source).Inc() }

// ReadDeferred counts a read the read model would have answered that went to the chaincode, by reason.
func (m *Metrics) ReadDeferred(reason string) { m.deferred.WithLabelValues(reason).Inc() }
