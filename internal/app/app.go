// Package app builds Accord from Options and runs it, so the command line
// and end-to-end tests start the same thing.
package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/notify"
	promsource "github.com/accord-slo/accord/internal/prometheus"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/web"
)

// Options say what to run and where.
type Options struct {
	// SpecPaths are spec files or directories.
	SpecPaths []string
	// DataDir holds the database and the generated token.
	DataDir string
	// Addr is the listen address, e.g. 127.0.0.1:8080 (port 0 picks one).
	Addr string
	// Token is the bearer token for write endpoints; empty means the one
	// in DataDir/token, generated on first start.
	Token string
	// ExternalURL is where people reach Accord; default http://Addr.
	ExternalURL string
	// PrometheusURL is the default Prometheus-compatible data source.
	PrometheusURL    string
	AlertmanagerURLs []string
	WebhookURLs      []string
	// SlackURLs are Slack-compatible incoming webhooks.
	SlackURLs []string
	// EvalInterval is how often SLOs are evaluated (default 15s); sources
	// are queried each minute.
	EvalInterval time.Duration
	// SourceLag is how long after a minute ends sources are asked for it
	// (default 30s, for backends that ingest late; negative means none).
	SourceLag time.Duration
	Clock     engine.Clock
	Logger    *slog.Logger
	// Manual leaves out the background loops: the caller drives Step.
	Manual bool
	// Story is told on the overview (the demo's narration).
	Story web.Story
	// MaxBodyBytes and MaxBatch bound one ingest request (defaults 16 MiB
	// and 100,000 events).
	MaxBodyBytes int64
	MaxBatch     int
	// MaxGroups bounds the groups of one grouped SLO (default
	// engine.DefaultMaxGroups).
	MaxGroups int
	// MaxConnections bounds the HTTP connections open at once (default
	// 1024, and fewer when the process may open few files).
	MaxConnections int
	// ReadTimeout bounds reading a whole request, body included (default
	// 1m); WriteTimeout writing its answer (default 2m); IdleTimeout how
	// long a keep-alive connection waits for the next request (default
	// 2m).
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// The defaults of Options' bounds.
const (
	DefaultMaxConnections = 1024
	DefaultReadTimeout    = time.Minute
	DefaultWriteTimeout   = 2 * time.Minute
	DefaultIdleTimeout    = 2 * time.Minute
	// readHeaderTimeout bounds reading a request's headers.
	readHeaderTimeout = 10 * time.Second
)

// App is a running Accord.
type App struct {
	opts Options
	log  *slog.Logger
	// Catalog holds the SLOs as last loaded (at start or by Reload).
	Catalog  slo.Catalog
	Store    *sqlite.Store
	Engine   *engine.Engine
	Server   *web.Server
	dispatch *notify.Dispatcher
	ams      []*notify.Alertmanager
	token    string
	registry *prometheus.Registry
	evals    prometheus.Histogram
	evalErrs prometheus.Counter

	// src measures the SLOs Prometheus answers for; Reload replaces it.
	srcMu sync.Mutex
	src   *promsource.Source
	// reloadMu makes reloads take turns.
	reloadMu sync.Mutex

	listener net.Listener
	conns    *connLimiter
	http     *http.Server
	// serving is the handler once state is restored; until then starting
	// answers.
	serving  atomic.Pointer[web.Server]
	starting http.Handler
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// New loads the specs and listens; Start serves at once, then opens the
// store, restores state and evaluates.
func New(ctx context.Context, opts Options) (*App, error) {
	if opts.Clock == nil {
		opts.Clock = engine.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.EvalInterval <= 0 {
		opts.EvalInterval = 15 * time.Second
	}
	if opts.SourceLag == 0 {
		opts.SourceLag = 30 * time.Second
	}
	opts.ReadTimeout = cmp.Or(opts.ReadTimeout, DefaultReadTimeout)
	opts.WriteTimeout = cmp.Or(opts.WriteTimeout, DefaultWriteTimeout)
	opts.IdleTimeout = cmp.Or(opts.IdleTimeout, DefaultIdleTimeout)
	opts.MaxConnections = cmp.Or(opts.MaxConnections, DefaultMaxConnections)
	if limit, ok := maxConnectionsFor(opts.MaxConnections); ok {
		opts.Logger.Warn("fewer connections than asked: the process may not open more files", "max_connections", limit)
		opts.MaxConnections = limit
	}
	a := &App{opts: opts, log: opts.Logger, registry: prometheus.NewRegistry()}
	a.evals = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "accord_evaluation_duration_seconds",
		Help: "Time to evaluate every SLO once.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 8)})
	a.evalErrs = prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_evaluation_errors_total", Help: "Evaluations that failed."})
	a.registry.MustRegister(a.evals, a.evalErrs, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.starting = web.Starting(a.registry)
	cat, err := loadCatalog(opts.SpecPaths)
	if err != nil {
		return nil, err
	}
	a.Catalog = cat
	if err := a.privateDataDir(); err != nil {
		return nil, err
	}
	if a.token, err = resolveToken(opts.Token, opts.DataDir); err != nil {
		return nil, err
	}
	// Listen first: links in alerts need the address a port 0 picks.
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	a.conns = newConnLimiter(ln, opts.MaxConnections, a.registry)
	a.listener = a.conns
	return a, nil
}

// privateDataDir creates the data directory readable by its owner only
// (it holds the token, annotations and exceptions), and warns when an
// existing one is readable by others.
func (a *App) privateDataDir() error {
	dir := a.opts.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		a.log.Warn("the data directory is open to other users; its database files are not, but consider chmod 700",
			"dir", dir, "mode", fmt.Sprintf("%o", fi.Mode().Perm()))
	}
	return nil
}

// open opens the store and restores state into a new engine.
func (a *App) open(ctx context.Context) error {
	var err error
	if a.Store, err = sqlite.Open(a.opts.DataDir); err != nil {
		return err
	}
	return a.build(ctx)
}

func (a *App) build(ctx context.Context) error {
	opts := a.opts
	a.Engine = engine.New(engine.Options{Catalog: a.Catalog, Store: a.Store, Clock: opts.Clock, Logger: a.log,
		ExternalURL: a.externalURL(), MaxGroups: opts.MaxGroups})
	start := time.Now()
	if err := a.Engine.Restore(ctx); err != nil {
		return err
	}
	if err := a.applyExclusions(ctx); err != nil {
		return err
	}
	a.log.Info("state restored", "slos", len(a.Catalog.SLOs), "took", time.Since(start).Round(time.Millisecond))

	src, err := a.newSource(ctx, a.Catalog, nil)
	if err != nil {
		return err
	}
	a.setSource(src)

	var channels []notify.Channel
	for _, u := range opts.AlertmanagerURLs {
		am := &notify.Alertmanager{URL: u}
		a.ams = append(a.ams, am)
		channels = append(channels, am)
	}
	for _, u := range opts.WebhookURLs {
		channels = append(channels, &notify.Webhook{URL: u})
	}
	for _, u := range opts.SlackURLs {
		channels = append(channels, &notify.Slack{URL: u})
	}
	if a.dispatch, err = notify.NewDispatcher(ctx, notify.Options{Outbox: a.Store, Channels: channels, Logger: a.log, Registerer: a.registry}); err != nil {
		return err
	}
	a.Server = web.New(a.Engine, a.Store, web.Options{Token: a.token, Logger: a.log, Registry: a.registry, Story: opts.Story,
		MaxBodyBytes: opts.MaxBodyBytes, MaxBatch: opts.MaxBatch, Reload: a.Reload})
	return nil
}

// applyExclusions tells the engine every maintenance window excluded from
// the budget.
func (a *App) applyExclusions(ctx context.Context) error {
	annotations, err := a.Store.Annotations(ctx, "", time.Time{}, time.Unix(1<<40, 0))
	if err != nil {
		return err
	}
	a.Engine.SetExclusions(annotations)
	return nil
}

// newSource returns a Source for the catalog's queried SLOs that goes on
// where prev (nil at start) left each of them, else after the last minute
// the store holds for it.
func (a *App) newSource(ctx context.Context, cat slo.Catalog, prev *promsource.Source) (*promsource.Source, error) {
	var queried []slo.SLO
	for _, s := range cat.SLOs {
		if !s.Indicator.Pushed() {
			queried = append(queried, s)
		}
	}
	src := promsource.New(promsource.Options{Engine: a.Engine, Clock: a.opts.Clock, Logger: a.log,
		DefaultURL: a.opts.PrometheusURL, Sources: cat.DataSources, Lag: max(a.opts.SourceLag, 0)}, queried)
	last, err := a.Store.LastMinutes(ctx)
	if err != nil {
		return nil, err
	}
	for id, m := range last {
		if prev != nil {
			if p, ok := prev.Progress(id); ok {
				m = max(m, p)
			}
		}
		src.SetProgress(id, m)
	}
	return src, nil
}

func (a *App) source() *promsource.Source {
	a.srcMu.Lock()
	defer a.srcMu.Unlock()
	return a.src
}

func (a *App) setSource(s *promsource.Source) {
	a.srcMu.Lock()
	a.src = s
	a.srcMu.Unlock()
}

func (a *App) externalURL() string {
	if a.opts.ExternalURL != "" {
		return a.opts.ExternalURL
	}
	return a.URL()
}

// Token is the bearer token write requests need.
func (a *App) Token() string { return a.token }

// loadCatalog reads the specs and refuses them if any has errors.
func loadCatalog(paths []string) (slo.Catalog, error) {
	res, err := spec.Load(paths...)
	if err != nil {
		return slo.Catalog{}, fmt.Errorf("load specs: %w", err)
	}
	if res.Diags.HasErrors() {
		var lines []string
		for _, d := range res.Diags.Items() {
			lines = append(lines, d.String())
		}
		return slo.Catalog{}, fmt.Errorf("specs have errors (accord validate %s lists them):\n%s",
			strings.Join(paths, " "), strings.Join(lines, "\n"))
	}
	if len(res.Catalog.SLOs) == 0 {
		return slo.Catalog{}, fmt.Errorf("no SLOs in %s", strings.Join(paths, ", "))
	}
	return res.Catalog, nil
}

// resolveToken returns the configured token, or the one kept in dir,
// generating it on first use.
func resolveToken(token, dir string) (string, error) {
	if token != "" {
		return token, nil
	}
	path := filepath.Join(dir, "token")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	t := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(t+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write token %s: %w", path, err)
	}
	return t, nil
}

// TokenPath is where a data directory keeps its generated token.
func TokenPath(dir string) string { return filepath.Join(dir, "token") }

// Step runs one cycle by hand: query sources, evaluate, deliver.
func (a *App) Step(ctx context.Context) error {
	var errs []error
	if err := a.source().Sync(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := a.evaluate(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := a.dispatch.Deliver(ctx); err != nil {
		errs = append(errs, err)
	}
	if err := a.resend(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (a *App) evaluate(ctx context.Context) error {
	start := time.Now()
	err := a.Engine.Evaluate(ctx)
	a.evals.Observe(time.Since(start).Seconds())
	if err != nil {
		a.evalErrs.Inc()
	}
	return err
}

// resend repeats firing alerts to every Alertmanager.
func (a *App) resend(ctx context.Context) error {
	if len(a.ams) == 0 {
		return nil
	}
	firing := a.Engine.Firing()
	var errs []error
	for _, am := range a.ams {
		if err := am.Resend(ctx, firing); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
