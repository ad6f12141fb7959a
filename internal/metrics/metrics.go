// Package metrics is the service's Prometheus metrics, through the
// official Go client: the one package that imports it. Others count with
// the functions here; serve publishes them at /metrics.
package metrics

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// registry holds this process's metrics, apart from the client's global
// one (which FerretDB, embedded, registers its own in).
var registry = prometheus.NewRegistry()

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exchangeeval_http_requests_total",
		Help: "HTTP requests answered, by route (Gin's pattern, so a token is never a label), method and status."},
		[]string{"route", "method", "status"})
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "exchangeeval_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by route.", Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
		[]string{"route"})
	submissions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exchangeeval_submissions_total",
		Help: "Questionnaires stored, by how they came (web form, JSON API)."}, []string{"source"})
	analyses = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exchangeeval_analyses_total",
		Help: "Analyses asked for by pages and the API, by whether the cache had it current (hit) or it was computed (miss)."}, []string{"cache"})
	mailSent = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exchangeeval_mail_total",
		Help: "E-mail attempts to delegates, by outcome: sent, retried (a temporary failure), failed (given up)."}, []string{"outcome"})
	storeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exchangeeval_store_errors_total",
		Help: "Store operations that failed, by kind: unreachable, disk full, other."}, []string{"kind"})
	buildInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "exchangeeval_build_info",
		Help: "1, labelled with the running version and Go's."}, []string{"version", "goversion"})
)

// mailQueue is how the queue's length is read at a scrape; set by serve.
var (
	mailQueueMu sync.Mutex
	mailQueue   func(context.Context) (int, error)
)

func init() {
	registry.MustRegister(requests, latency, submissions, analyses, mailSent, storeErrors, buildInfo,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "exchangeeval_mail_queue_length",
			Help: "Messages to delegates waiting in the queue (-1 when the store cannot say)."}, queueLength))
}

func queueLength() float64 {
	mailQueueMu.Lock()
	f := mailQueue
	mailQueueMu.Unlock()
	if f == nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := f(ctx)
	if err != nil {
		return -1
	}
	return float64(n)
}

// SetBuild records the running version.
func SetBuild(version string) { buildInfo.WithLabelValues(version, runtime.Version()).Set(1) }

// SetMailQueue sets how the mail queue's length is read.
func SetMailQueue(f func(context.Context) (int, error)) {
	mailQueueMu.Lock()
	mailQueue = f
	mailQueueMu.Unlock()
}

// Request counts an answered request.
func Request(route, method string, status int, took time.Duration) {
	requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	latency.WithLabelValues(route).Observe(took.Seconds())
}

// Submission counts a stored questionnaire, by source (web, api).
func Submission(source string) { submissions.WithLabelValues(source).Inc() }

// Analysis counts an analysis asked for, and whether the cache had it.
func Analysis(hit bool) {
	analyses.WithLabelValues(map[bool]string{true: "hit", false: "miss"}[hit]).Inc()
}

// Mail counts an e-mail attempt's outcome: sent, retried or failed.
func Mail(outcome string) { mailSent.WithLabelValues(outcome).Inc() }

// StoreError counts a failed store operation: unreachable, full or other.
func StoreError(kind string) { storeErrors.WithLabelValues(kind).Inc() }

// Handler serves the metrics in Prometheus' text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
}
