package web

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

type metrics struct {
	log            *slog.Logger
	eventsIngested prometheus.Counter
	// batchesRepeated counts pushes answered as repeats of a batch stored
	// under the same Idempotency-Key.
	batchesRepeated prometheus.Counter
	unauthorized    prometheus.Counter
	auditErrors     prometheus.Counter
	requests        *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer, log *slog.Logger) *metrics {
	m := &metrics{
		log: log,
		eventsIngested: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "accord_events_ingested_total", Help: "Pushed events stored durably.",
		}),
		batchesRepeated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "accord_event_batches_repeated_total", Help: "Pushed batches sent again under a stored Idempotency-Key, answered and not counted again.",
		}),
		unauthorized: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "accord_http_unauthorized_total", Help: "Requests refused for a missing or wrong token.",
		}),
		auditErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "accord_audit_errors_total", Help: "Writes the audit trail could not record.",
		}),
	}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "accord_http_request_duration_seconds", Help: "HTTP requests by route and status code.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 4, 8),
	}, []string{"route", "code"})
	reg.MustRegister(m.eventsIngested, m.batchesRepeated, m.unauthorized, m.auditErrors, m.requests)
	return m
}

// statusRecorder keeps the status code a handler wrote, and an answer it
// could not encode.
type statusRecorder struct {
	http.ResponseWriter
	code int
	err  error
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// instrument times every request by the route pattern that served it.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if rec.err != nil {
			m.log.Error("answer could not be encoded", "method", r.Method, "path", r.URL.Path, "err", rec.err)
		}
		m.requests.WithLabelValues(route, strconv.Itoa(rec.code)).Observe(time.Since(start).Seconds())
	})
}

// getMetrics answers a scrape: everything by default; with ?team= or
// ?service= only that team's or service's SLO families (accord_slo_*),
// built for those SLOs alone, so a large organisation scrapes each team
// apart; with ?slos=false everything but the SLO families.
func (s *Server) getMetrics(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	team, service, slos := q.Get("team"), q.Get("service"), q.Get("slos")
	// The SLO families are built apart from the registry: see sloFamilies.
	var g prometheus.Gatherer
	switch {
	case slos != "" && slos != "true" && slos != "false":
		s.writeError(w, r, invalid("slos: %q is not true or false", slos))
		return
	case slos == "false":
		g = s.opts.Registry
	case team != "" || service != "":
		g = prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return sloFamilies(s.engine, team, service), nil })
	default:
		g = prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
			all, err := s.opts.Registry.Gather()
			return append(all, sloFamilies(s.engine, "", "")...), err
		})
	}
	promhttp.HandlerFor(g, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
