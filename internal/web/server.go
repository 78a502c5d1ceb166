// Package web serves Accord's JSON API, health endpoints and metrics.
package web

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/otlp"
	"github.com/accord-slo/accord/internal/slo"
)

// History is what the server reads and records beside the engine: past
// notifications, annotations and exceptions.
type History interface {
	Notifications(ctx context.Context, afterID int64, slo string, limit int) ([]engine.Notification, error)
	Ping(ctx context.Context) error
	AddAnnotation(ctx context.Context, a slo.Annotation) (slo.Annotation, error)
	Annotations(ctx context.Context, service string, from, to time.Time) ([]slo.Annotation, error)
	AddException(ctx context.Context, e slo.Exception) (slo.Exception, error)
	RevokeException(ctx context.Context, id int64, t time.Time, by string) (slo.Exception, error)
	Exceptions(ctx context.Context) ([]slo.Exception, error)
	HourlyCounts(ctx context.Context, kind engine.Kind, from, to int64) (map[string]map[int64]engine.Counts, error)
	GroupCounts(ctx context.Context, kind engine.Kind, slo string, from, to int64) (map[string]engine.Counts, error)
}

// Options configure the server.
type Options struct {
	// Auth identifies callers and keeps the audit trail; required.
	Auth *auth.Service
	// ReadAuth makes reads (the API and the UI) need an identity too.
	ReadAuth bool
	// MaxBodyBytes bounds an ingest request's body.
	MaxBodyBytes int64
	// MaxBatch bounds the events in one ingest request.
	MaxBatch int
	// MaxInflightBytes bounds the request bodies being read at once, in
	// bytes (default DefaultMaxInflightBytes); a body there is no room for
	// is refused with 503 before it is read.
	MaxInflightBytes int64
	// InflightWait bounds how long a body waits for that room (default
	// DefaultInflightWait).
	InflightWait time.Duration
	// MaxAnswerBytes bounds the rendered answers being written at once,
	// in bytes (default DefaultMaxAnswerBytes): a slow reader holds its
	// answer until it is cut off.
	MaxAnswerBytes int64
	// MinReadRate and MinWriteRate, in bytes per second, cut off a client
	// whose body or answer moves slower (defaults DefaultMinReadRate and
	// DefaultMinWriteRate); ReadTimeout and WriteTimeout are the server's
	// totals, which they never extend.
	MinReadRate, MinWriteRate int64
	ReadTimeout, WriteTimeout time.Duration
	// Rendering bounds the answers rendered at once (default
	// DefaultRendering).
	Rendering int
	// KnownCaller, if set, is told of each request whose caller showed a
	// valid identity, so its connection keeps its place under load.
	KnownCaller func(*http.Request)
	Logger      *slog.Logger
	Registry    *prometheus.Registry
	// Story, when set, is told on the overview and at /api/v1/demo.
	Story Story
	// Reload re-reads the specs and applies them (POST /api/v1/reload);
	// nil answers 404. Spec errors are invalid errors.
	Reload func(ctx context.Context) (engine.ReloadResult, error)
	// Agreement, when set, says why this replica does not agree with the
	// others (its spec files differ from the revision they run); /readyz
	// then answers 503 with the reason. Nil error: it agrees.
	Agreement func() error
	// Warning, when set, is said in /readyz's body (e.g. that tokens
	// cross the network in clear); it does not make the server unready.
	Warning string
}

// Server answers HTTP requests.
type Server struct {
	opts    Options
	engine  *engine.Engine
	history History
	auth    *auth.Service
	log     *slog.Logger
	mux     *http.ServeMux
	handler http.Handler // mux, instrumented
	metrics *metrics
	ui      *ui
	otlp    *otlp.Receiver
	ready   atomic.Bool
}

// New returns a server over the engine.
func New(e *engine.Engine, h History, opts Options) *Server {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 16 << 20
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = 100_000
	}
	opts.MaxInflightBytes = max(cmp.Or(opts.MaxInflightBytes, DefaultMaxInflightBytes), opts.MaxBodyBytes)
	opts.InflightWait = cmp.Or(opts.InflightWait, DefaultInflightWait)
	opts.MaxAnswerBytes = cmp.Or(opts.MaxAnswerBytes, DefaultMaxAnswerBytes)
	opts.MinReadRate = cmp.Or(opts.MinReadRate, DefaultMinReadRate)
	opts.MinWriteRate = cmp.Or(opts.MinWriteRate, DefaultMinWriteRate)
	opts.ReadTimeout = cmp.Or(opts.ReadTimeout, time.Minute)
	opts.WriteTimeout = cmp.Or(opts.WriteTimeout, 2*time.Minute)
	opts.Rendering = cmp.Or(opts.Rendering, DefaultRendering())
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.Auth == nil {
		panic("web.New: Options.Auth is required") // a wiring defect, not an input
	}
	s := &Server{opts: opts, engine: e, history: h, auth: opts.Auth, log: opts.Logger, mux: http.NewServeMux()}
	s.metrics = newMetrics(opts.Registry, opts.Logger)
	u, err := newUI()
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a build defect
	}
	s.ui = u
	s.otlp = otlp.New(e, otlp.Options{MaxBodyBytes: opts.MaxBodyBytes, MaxBatch: opts.MaxBatch, Logger: opts.Logger})
	s.routes()
	o := newOverload(opts, opts.Registry)
	// Bodies are budgeted once the caller is known: one without a token
	// is refused before it could take room.
	s.handler = s.metrics.instrument(o.paceAnswers(s.guard(o.budgetBodies(s.mux))))
	return s
}

// SetReady marks the server ready once state is restored and evaluated.
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("GET /metrics", s.getMetrics)
	s.mux.HandleFunc("GET /api/v1/services", s.getServices)
	s.mux.HandleFunc("GET /api/v1/slos", s.getSLOs)
	s.mux.HandleFunc("GET /api/v1/slos/{service}/{name}", s.getSLO)
	s.mux.HandleFunc("GET /api/v1/slos/{service}/{name}/history", s.getHistory)
	s.mux.HandleFunc("GET /api/v1/slos/{service}/{name}/notifications", s.getNotifications)
	s.mux.HandleFunc("GET /api/v1/alerts", s.getAlerts)
	s.mux.HandleFunc("POST /api/v1/events", s.postEvents)
	s.mux.HandleFunc("POST /v1/traces", s.postTraces)
	s.mux.HandleFunc("POST /v1/metrics", s.postMetrics)
	s.mux.HandleFunc("GET /api/v1/gate", s.getGate)
	s.mux.HandleFunc("GET /api/v1/exceptions", s.getExceptions)
	s.mux.HandleFunc("POST /api/v1/exceptions", s.postException)
	s.mux.HandleFunc("DELETE /api/v1/exceptions/{id}", s.deleteException)
	s.mux.HandleFunc("GET /api/v1/annotations", s.getAnnotations)
	s.mux.HandleFunc("GET /api/v1/report", s.getReport)
	s.mux.HandleFunc("GET /api/v1/demo", s.getStory)
	s.mux.HandleFunc("GET /reports", s.reportPage)
	s.mux.HandleFunc("POST /api/v1/annotations", s.postAnnotation)
	s.mux.HandleFunc("GET /api/v1/audit", s.getAudit)
	s.mux.HandleFunc("GET /api/v1/tokens", s.getTokens)
	s.mux.HandleFunc("POST /api/v1/tokens", s.postToken)
	s.mux.HandleFunc("DELETE /api/v1/tokens/{name}", s.deleteToken)
	s.mux.HandleFunc("POST /api/v1/reload", s.postReload)
	s.mux.HandleFunc("GET /{$}", s.overview)
	s.mux.HandleFunc("GET /slos/{service}/{name}", s.sloPage)
	s.mux.HandleFunc("GET /teams", s.teams)
	s.mux.HandleFunc("GET /teams/{team}", s.team)
	s.mux.HandleFunc("GET /alerts", s.alertsPage)
	s.mux.HandleFunc("GET "+s.ui.css, s.serveStyle)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, slo.Errorf(slo.CodeNotFound, "no API endpoint %s %s; see docs/api.md", r.Method, r.URL.Path))
	})
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// readyz answers 200 once state is restored and evaluated, while the
// database answers and can be written; 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	writeJSON := func(w http.ResponseWriter, code int, body map[string]string) {
		if s.opts.Warning != "" {
			body["warning"] = s.opts.Warning
		}
		writeJSON(w, code, body)
	}
	if !s.ready.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	if err := s.history.Ping(r.Context()); err != nil {
		s.log.Warn("readiness: the database does not answer or cannot be written", "err", err)
		status := "database unavailable"
		if slo.ErrorCode(err) == slo.CodeUnavailable {
			status = "database cannot be written (disk full?)"
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": status})
		return
	}
	if s.opts.Agreement != nil {
		if err := s.opts.Agreement(); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "specs differ from the other replicas'", "reason": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// postReload re-reads the specs: 200 with what changed, or 400 listing the
// spec errors, in which case the running SLOs stay as they are.
func (s *Server) postReload(w http.ResponseWriter, r *http.Request) {
	if s.opts.Reload == nil {
		s.writeError(w, r, slo.Errorf(slo.CodeNotFound, "this server does not reload its specs"))
		return
	}
	res, err := s.opts.Reload(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
