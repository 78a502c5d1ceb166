package web

import (
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
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

func newMetrics(reg prometheus.Registerer, e *engine.Engine, log *slog.Logger) *metrics {
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
	reg.MustRegister(m.eventsIngested, m.batchesRepeated, m.unauthorized, m.auditErrors, m.requests, &sloCollector{engine: e})
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

// sloCollector exports the status of every SLO, or of one team's or
// service's, at scrape time.
type sloCollector struct {
	engine        *engine.Engine
	team, service string
}

// getMetrics answers a scrape: everything by default; with ?team= or
// ?service= only that team's or service's SLO families (accord_slo_*),
// built for those SLOs alone, so a large organisation scrapes each team
// apart; with ?slos=false everything but the SLO families.
func (s *Server) getMetrics(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	team, service, slos := q.Get("team"), q.Get("service"), q.Get("slos")
	var g prometheus.Gatherer = s.opts.Registry
	switch {
	case slos != "" && slos != "true" && slos != "false":
		s.writeError(w, r, invalid("slos: %q is not true or false", slos))
		return
	case slos == "false":
		g = prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
			all, err := s.opts.Registry.Gather()
			return slices.DeleteFunc(all, func(f *dto.MetricFamily) bool { return strings.HasPrefix(f.GetName(), "accord_slo_") }), err
		})
	case team != "" || service != "":
		reg := prometheus.NewRegistry()
		reg.MustRegister(&sloCollector{engine: s.engine, team: team, service: service})
		g = reg
	}
	promhttp.HandlerFor(g, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

var (
	labelsSLO     = []string{"service", "slo", "team"}
	descSLI       = prometheus.NewDesc("accord_slo_sli_ratio", "Share of good events over the SLO's window (absent without data).", labelsSLO, nil)
	descObjective = prometheus.NewDesc("accord_slo_objective_ratio", "The SLO's objective as a share.", labelsSLO, nil)
	descRemaining = prometheus.NewDesc("accord_slo_error_budget_remaining_ratio", "Share of the error budget left: 1 untouched, 0 exhausted, negative overspent.", labelsSLO, nil)
	descBurn      = prometheus.NewDesc("accord_slo_burn_rate", "Burn rate over a window: 1 spends the budget exactly by the window's end.", append(labelsSLO, "window"), nil)
	descStale     = prometheus.NewDesc("accord_slo_stale", "1 while the SLO's data source fails and its numbers are not current.", labelsSLO, nil)
	descBackfill  = prometheus.NewDesc("accord_slo_backfill_ratio", "Share of the SLO's window loaded from its data source.", labelsSLO, nil)
	descAlert     = prometheus.NewDesc("accord_slo_alert_firing", "Firing burn-rate alerts (one per group of a grouped SLO).", append(labelsSLO, "severity", "windows"), nil)
	descPolicy    = prometheus.NewDesc("accord_slo_policy_state", "1 for the error budget policy state the SLO is in.", append(labelsSLO, "policy", "state"), nil)
	descGroups    = prometheus.NewDesc("accord_slo_groups", "Groups (label sets) a grouped SLO counts; events that would start one over --max-groups are refused.", labelsSLO, nil)
	descComponent = prometheus.NewDesc("accord_slo_journey_component_spent_share", "Share of a journey's spent budget over its window that one component (service/name) caused; a journey's shares add up to 1 once it spent some.", append(labelsSLO, "component"), nil)
)

func (c *sloCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSLI, descObjective, descRemaining, descBurn, descStale, descBackfill, descAlert, descPolicy, descGroups, descComponent} {
		ch <- d
	}
}

func (c *sloCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	views := c.engine.List(engine.ListQuery{Team: c.team, Service: c.service, Sort: engine.SortID, Components: true}).SLOs
	for _, v := range views {
		l := []string{v.Service, v.Name, v.Owners.Team}
		if v.Status.SLI != nil {
			gauge(descSLI, *v.Status.SLI, l...)
		}
		gauge(descObjective, v.Objective/100, l...)
		if v.Status.HasData() { // no data is no budget, not a full one
			gauge(descRemaining, v.Status.Budget.RemainingFraction, l...)
		}
		for _, b := range v.Status.BurnRates {
			if b.HasData {
				gauge(descBurn, b.Rate, append(l, slo.FormatDuration(time.Duration(b.Window)))...)
			}
		}
		gauge(descStale, b2f(v.Source.Stale), l...)
		gauge(descBackfill, v.Source.Backfill, l...)
		if v.Policy.State != "" {
			gauge(descPolicy, 1, append(l, v.Policy.Name, v.Policy.State)...)
		}
		if v.GroupCount > 0 {
			gauge(descGroups, float64(v.GroupCount), l...)
		}
		if v.Status.HasData() {
			for _, comp := range v.Components { // a journey's
				gauge(descComponent, comp.SpentShare, append(l, comp.SLO)...)
			}
		}
		firing := map[[2]string]float64{} // groups of one SLO add up
		for _, a := range v.Alerts {
			if a.State == engine.AlertFiring {
				firing[[2]string{string(a.Severity), a.Windows}]++
			}
		}
		for k, n := range firing {
			gauge(descAlert, n, append(l, k[0], k[1])...)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
