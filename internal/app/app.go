// Package app builds Accord from Options and runs it, so the command line
// and end-to-end tests start the same thing.
package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/notify"
	promsource "github.com/accord-slo/accord/internal/prometheus"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/diag"
	"github.com/accord-slo/accord/internal/store"
	"github.com/accord-slo/accord/internal/web"
)

// Options say what to run and where.
type Options struct {
	// SpecPaths are spec files or directories.
	SpecPaths []string
	// SpecExclude are globs of files and directories under SpecPaths to
	// leave out (spec.Options.Exclude).
	SpecExclude []string
	// DataDir holds the SQLite database and the generated token.
	DataDir string
	// Database is a PostgreSQL URL (postgres://…) for several replicas on
	// one database; empty means SQLite in DataDir.
	Database string
	// LeaderLease is how long a replica's leadership lasts without renewal
	// (default 15s): after a leader dies, another leads within about this
	// long. It is renewed every third of it.
	LeaderLease time.Duration
	// Addr is the listen address, e.g. 127.0.0.1:8080 (port 0 picks one).
	Addr string
	// DebugAddr, when set, serves Go's profiles (net/http/pprof) on a
	// listener of its own at this address; one without a host (":6060")
	// listens on loopback only. Empty (the default) serves none.
	DebugAddr string
	// TLSCertFile and TLSKeyFile, both or neither, make the listener serve
	// HTTPS only (TLS 1.2 or newer). The files are read again on SIGHUP
	// (ReloadTLS) and when they change, looked at every TLSWatchInterval
	// (default DefaultTLSWatchInterval).
	TLSCertFile, TLSKeyFile string
	TLSWatchInterval        time.Duration
	// TLSClientCAFile, with TLS, verifies the client certificates ingest
	// clients may present instead of a token; it is read with the pair.
	TLSClientCAFile string
	// Token is the bootstrap admin token; empty means the one in
	// TokenFile, else the one in DataDir/token, generated on first start.
	Token string
	// TokenFile holds the bootstrap admin token (instead of Token, which
	// ps shows); read at start and on every reload.
	TokenFile string
	// AuthHeader names the header a trusted reverse proxy puts a person's
	// identity in (e.g. X-Forwarded-Email); it needs TrustedProxies.
	AuthHeader string
	// TrustedProxies are the proxies' addresses or networks: only their
	// identity header and X-Forwarded-For count.
	TrustedProxies []string
	// ProxyRole is the role of the people the proxy names (default read).
	ProxyRole string
	// ReadAuth makes API reads and the UI need an identity too.
	ReadAuth bool
	// AuditRetention is how long the audit trail keeps entries (default
	// 400 days); AuditMaxEntries bounds it (default 200,000).
	AuditRetention  time.Duration
	AuditMaxEntries int
	// ExternalURL is where people reach Accord; default http://Addr.
	ExternalURL string
	// PrometheusURL is the default Prometheus-compatible data source.
	PrometheusURL    string
	AlertmanagerURLs []string
	WebhookURLs      []string
	// SlackURLs are Slack-compatible incoming webhooks; SlackURLFile
	// holds more, one a line, read at start and on every reload.
	SlackURLs    []string
	SlackURLFile string
	// WebhookSecrets sign the requests to WebhookURLs: each is SECRET,
	// for every webhook without its own, or URL=SECRET for one.
	// WebhookSecretFile holds more, one a line, read at start and on
	// every reload.
	WebhookSecrets    []string
	WebhookSecretFile string
	// EvalInterval is how often every SLO is evaluated (default 15s);
	// sources are queried each minute, and the SLOs pushed events count
	// for are evaluated at once.
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
	// MaxInflightBytes bounds the request bodies being read at once
	// (default web.DefaultMaxInflightBytes, at least MaxBodyBytes);
	// MaxAnswerBytes the rendered answers being written at once (default
	// web.DefaultMaxAnswerBytes). Past them requests are answered 503.
	MaxInflightBytes, MaxAnswerBytes int64
	// InflightWait bounds how long a body waits, in turn, for room in
	// MaxInflightBytes before it is refused (default
	// web.DefaultInflightWait).
	InflightWait time.Duration
	// MinReadRate and MinWriteRate, in bytes per second, cut off a client
	// whose body or answer moves slower: each 16 KiB must move within
	// 16 KiB ÷ the rate (defaults web.DefaultMinReadRate and
	// web.DefaultMinWriteRate).
	MinReadRate, MinWriteRate int64
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
	Catalog slo.Catalog
	Store   store.Store
	Auth    *auth.Service
	Engine  *engine.Engine
	// proxies and proxyRole are the trusted proxies and the role of the
	// people they name, parsed in New and used once the store is open.
	proxies   []netip.Prefix
	proxyRole auth.Role
	Server    *web.Server
	dispatch  *notify.Dispatcher
	ams       []*notify.Alertmanager
	token     atomic.Pointer[string] // the bootstrap admin token
	secrets   secrets                // as read at start
	registry  *prometheus.Registry
	evals     prometheus.Histogram
	evalErrs  prometheus.Counter
	leader    prometheus.Gauge

	// cycleMu keeps a cycle (pull, evaluate or follow) and taking the
	// leadership over from running at once.
	cycleMu   sync.Mutex
	leading   atomic.Bool
	renewedAt time.Time // when the last successful campaign started; campaign loop only
	// leaseUntil is when this replica's lease may run out, by its own
	// monotonic clock: past it,
	// another replica may lead, so this one has no side effect — no
	// notification, no judged slice, no saved state — until it wins
	// the lease again.
	leaseUntil atomic.Pointer[time.Time]
	// statesChanged says the leader saved alert or policy states that this
	// follower has not taken yet; under cycleMu.
	statesChanged atomic.Bool

	sourcesMu    sync.Mutex
	savedSources map[string]engine.SourceState // as last saved by this leader
	// promptEvals counts evaluations of the SLOs pushed events touched.
	promptEvals prometheus.Counter

	// src measures the SLOs Prometheus answers for; Reload replaces it.
	srcMu sync.Mutex
	src   *promsource.Source
	// reloadMu makes reloads take turns.
	reloadMu sync.Mutex
	// leadMu makes a campaign and a step-down for differing specs take
	// turns, so a campaign that began before the specs were found to
	// differ cannot take the lead after the step-down.
	leadMu sync.Mutex
	// specs is what this replica knows of the spec revisions (specsync.go).
	specsMu       sync.Mutex
	specs         specSync
	specsAgree    prometheus.Gauge
	specsRevision prometheus.Gauge

	listener net.Listener
	// debugLn and debug serve the profiling endpoint; nil when it is off.
	debugLn net.Listener
	debug   *http.Server
	conns   *connLimiter
	tls     *tlsFiles // nil: plain HTTP
	// plainWarning says why serving plain HTTP here is unsafe; "" when it
	// is not (loopback, TLS, or a trusted proxy in front).
	plainWarning string
	http         *http.Server
	probes       *http.Server // serves the connection limiter's reserved slots
	// serving is the handler once state is restored; until then starting
	// answers.
	serving  atomic.Pointer[web.Server]
	handler  http.Handler // the server with fresh reads, set before serving
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
	if opts.LeaderLease <= 0 {
		opts.LeaderLease = 15 * time.Second
	}
	if opts.LeaderLease < time.Second {
		return nil, fmt.Errorf("--leader-lease %s: want at least 1s (it is renewed every third of it)", opts.LeaderLease)
	}
	// cmp.Or below takes only 0 for the default: a negative timeout would
	// turn it off, a negative limit refuse everything.
	for _, f := range []struct {
		name string
		neg  bool
		val  any
	}{
		{"--read-timeout", opts.ReadTimeout < 0, opts.ReadTimeout}, {"--write-timeout", opts.WriteTimeout < 0, opts.WriteTimeout},
		{"--idle-timeout", opts.IdleTimeout < 0, opts.IdleTimeout}, {"--max-connections", opts.MaxConnections < 0, opts.MaxConnections},
		{"--max-groups", opts.MaxGroups < 0, opts.MaxGroups}, {"--max-batch", opts.MaxBatch < 0, opts.MaxBatch},
		{"--max-body-bytes", opts.MaxBodyBytes < 0, opts.MaxBodyBytes},
		{"--max-inflight-bytes", opts.MaxInflightBytes < 0, opts.MaxInflightBytes}, {"--max-answer-bytes", opts.MaxAnswerBytes < 0, opts.MaxAnswerBytes},
		{"--min-read-rate", opts.MinReadRate < 0, opts.MinReadRate}, {"--min-write-rate", opts.MinWriteRate < 0, opts.MinWriteRate},
	} {
		if f.neg {
			return nil, fmt.Errorf("%s %v: want a positive value (0 takes the default)", f.name, f.val)
		}
	}
	if body := cmp.Or(opts.MaxBodyBytes, 16<<20); opts.MaxInflightBytes != 0 && opts.MaxInflightBytes < body {
		return nil, fmt.Errorf("--max-inflight-bytes %d is less than --max-body-bytes %d: no body of the largest size could be read", opts.MaxInflightBytes, body)
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
	a.leader = prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_leader",
		Help: "1 on the replica that leads (evaluates alerts and policy states, delivers notifications), 0 on the others."})
	a.specsAgree = prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_specs_agree",
		Help: "1 while this replica runs the spec revision the replicas on its database run; 0 while its spec files differ (see /readyz)."})
	a.specsAgree.Set(1)
	a.specsRevision = prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_specs_revision",
		Help: "The spec revision (one per reload on any replica) this replica last agreed with or refused; 0 on SQLite."})
	a.promptEvals = prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_prompt_evaluations_total",
		Help: "Evaluations of just the SLOs that pushed events touched, between full evaluations."})
	a.registry.MustRegister(a.evals, a.evalErrs, a.leader, a.promptEvals, a.specsAgree, a.specsRevision, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.starting = web.Starting(a.registry)
	cat, err := loadCatalog(opts.SpecPaths, opts.SpecExclude, opts.Logger)
	if err != nil {
		return nil, err
	}
	a.Catalog = cat
	if a.secrets, err = readSecrets(opts); err != nil {
		return nil, err
	}
	if opts.Database != "" && a.secrets.token == "" {
		// A token generated into one replica's data directory would not be
		// the others'.
		return nil, fmt.Errorf("with --database every replica needs the same bearer token: set --token-file (or --token, ACCORD_TOKEN)")
	}
	if opts.Database == "" {
		if err := a.privateDataDir(); err != nil {
			return nil, err
		}
	}
	token, err := resolveToken(a.secrets.token, opts.DataDir, a.log)
	if err != nil {
		return nil, err
	}
	a.token.Store(&token)
	if a.proxies, err = auth.ParseProxies(opts.TrustedProxies); err != nil {
		return nil, err
	}
	a.proxyRole = auth.Role(opts.ProxyRole)
	// Check refuses an unknown proxy role, among the rest, before the
	// store opens.
	if err := (auth.Options{ProxyHeader: opts.AuthHeader, TrustedProxies: a.proxies, ProxyRole: a.proxyRole}).Check(); err != nil {
		return nil, err
	}
	if a.tls, err = newTLSFiles(opts.TLSCertFile, opts.TLSKeyFile, opts.TLSClientCAFile, a.log); err != nil {
		return nil, err
	}
	if a.opts.TLSWatchInterval <= 0 {
		a.opts.TLSWatchInterval = DefaultTLSWatchInterval
	}
	// Listen first: links in alerts need the address a port 0 picks.
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	if opts.DebugAddr != "" {
		if a.debugLn, err = listenDebug(opts.DebugAddr, a.log); err != nil {
			ln.Close()
			return nil, err
		}
	}
	a.conns = newConnLimiter(ln, opts.MaxConnections, a.registry)
	a.listener = a.conns
	if a.tls == nil && len(a.proxies) == 0 && listensBroadly(ln) {
		a.plainWarning = "serving plain HTTP on a network address: bearer tokens, approvals and the audit trail cross the network unencrypted; " +
			"give Accord --tls-cert-file and --tls-key-file, or put a TLS proxy in front and name it with --trusted-proxy (docs/deploy.md)"
	}
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

// open opens the store, the identities kept in it, and restores state
// into a new engine.
func (a *App) open(ctx context.Context) error {
	var err error
	if a.Store, err = a.openAndJoin(ctx); err != nil {
		return err
	}
	if a.Auth, err = auth.New(auth.Options{Store: a.Store, Clock: a.opts.Clock, Bootstrap: a.Token(), ProxyHeader: a.opts.AuthHeader,
		TrustedProxies: a.proxies, ProxyRole: a.proxyRole, Retention: a.opts.AuditRetention, MaxEntries: a.opts.AuditMaxEntries, Logger: a.log}); err != nil {
		return err
	}
	if err := a.build(ctx); err != nil {
		return err
	}
	if a.opts.Database == "" {
		return nil
	}
	return a.joinSpecs(ctx)
}

func (a *App) build(ctx context.Context) error {
	opts := a.opts
	a.Engine = engine.New(engine.Options{Catalog: a.Catalog, Store: a.Store, Clock: opts.Clock, Logger: a.log,
		ExternalURL: a.externalURL(), MaxGroups: opts.MaxGroups, SourceLag: opts.SourceLag})
	start := time.Now()
	if err := a.Engine.Restore(ctx); err != nil {
		return err
	}
	if err := a.loadExclusions(ctx); err != nil {
		return err
	}
	if err := a.loadSources(ctx); err != nil {
		return err
	}
	a.log.Info("state restored", "slos", len(a.Catalog.SLOs), "took", time.Since(start).Round(time.Millisecond))

	src, err := a.newSource(ctx, a.Catalog, nil)
	if err != nil {
		return err
	}
	a.setSource(src)

	a.ams = nil
	for _, u := range opts.AlertmanagerURLs {
		a.ams = append(a.ams, &notify.Alertmanager{URL: u})
	}
	if a.dispatch, err = notify.NewDispatcher(ctx, notify.Options{Outbox: a.Store, Channels: a.channels(a.secrets), Logger: a.log,
		Registerer: a.registry, Leads: a.leaseHeld}); err != nil {
		return err
	}
	a.Server = web.New(a.Engine, a.Store, web.Options{Auth: a.Auth, ReadAuth: opts.ReadAuth, Logger: a.log, Registry: a.registry, Story: opts.Story,
		MaxBodyBytes: opts.MaxBodyBytes, MaxBatch: opts.MaxBatch, Reload: a.Reload, Agreement: a.specMismatch, Warning: a.plainWarning,
		MaxInflightBytes: opts.MaxInflightBytes, InflightWait: opts.InflightWait, MaxAnswerBytes: opts.MaxAnswerBytes, MinReadRate: opts.MinReadRate, MinWriteRate: opts.MinWriteRate,
		ReadTimeout: opts.ReadTimeout, WriteTimeout: opts.WriteTimeout, KnownCaller: a.conns.known})
	return nil
}

// startTimeout bounds opening the database at start and joining the
// other replicas: a database that does not answer, or a replica whose
// token differs, ends the start with an error well within 30 s rather
// than a wait without end.
const startTimeout = 25 * time.Second

// openAndJoin opens the store and, on a shared database, joins the other
// replicas, refusing to run beside one with another bootstrap token.
func (a *App) openAndJoin(ctx context.Context) (store.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	s, err := openStore(ctx, a.opts, a.registry)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(a.Token()))
	// A replica renews its row every third of the lease: one not seen for
	// a whole lease is not running.
	if err := s.Join(ctx, hex.EncodeToString(sum[:]), max(a.opts.LeaderLease, 5*time.Second)); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// newSource returns a Source for the catalog's queried SLOs that goes on
// where prev (nil at start) left each of them, else after the last minute
// the store holds for it.
func (a *App) newSource(ctx context.Context, cat slo.Catalog, prev *promsource.Source) (*promsource.Source, error) {
	var queried []slo.SLO
	for _, s := range cat.SLOs {
		if !s.Journey() && !s.Indicator.Pushed() && s.Indicator.NotMeasured() == "" {
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

// Token is the bootstrap admin token.
func (a *App) Token() string { return *a.token.Load() }

// loadCatalog reads the specs and refuses them if any has errors. Their
// warnings and notes are logged, so that serve says at start what
// validate would (an implausible objective, an SLO that is not measured).
func loadCatalog(paths, exclude []string, log *slog.Logger) (slo.Catalog, error) {
	res, err := spec.LoadWith(spec.Options{Exclude: exclude}, paths...)
	if err != nil {
		return slo.Catalog{}, fmt.Errorf("load specs: %w", err)
	}
	for _, d := range res.Diags.Items() {
		at := fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Column)
		switch d.Severity {
		case diag.Warning:
			log.Warn("spec: "+d.Message, "at", at, "field", d.Path)
		case diag.Note:
			log.Info("spec: "+d.Message, "at", at)
		}
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
// generating it on first use. A kept token others may read is made its
// owner's only, with a warning: anyone who read it could be admin.
func resolveToken(token, dir string, log *slog.Logger) (string, error) {
	if token != "" {
		return token, nil
	}
	path := filepath.Join(dir, "token")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		if err := privateFile(path, log); err != nil {
			return "", err
		}
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

// privateFile makes a file its owner's only if others may read or write
// it, and says so.
func privateFile(path string, log *slog.Logger) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("token %s: %w", path, err)
	}
	mode := fi.Mode().Perm()
	if mode&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, mode&^0o077); err != nil {
		log.Warn("the token file is open to other users and could not be made private: anyone who read it may act as admin; chmod 600 it and consider a new token",
			"path", path, "mode", fmt.Sprintf("%o", mode), "err", err)
		return nil
	}
	log.Warn("the token file was open to other users and is now readable by its owner only; if others may have read it, replace the token",
		"path", path, "was", fmt.Sprintf("%o", mode), "now", fmt.Sprintf("%o", mode&^0o077))
	return nil
}

// TokenPath is where a data directory keeps its generated token.
func TokenPath(dir string) string { return filepath.Join(dir, "token") }

// Step runs one cycle by hand: campaign, then as the leader query
// sources, evaluate and deliver; as a follower, follow.
func (a *App) Step(ctx context.Context) error {
	var errs []error
	if a.opts.Database != "" {
		if err := a.followSpecs(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := a.campaign(ctx); err != nil {
		errs = append(errs, err)
	}
	if a.leaseHeld() {
		queryErr, err := a.querySources(ctx)
		errs = append(errs, queryErr, err)
	}
	if err := a.cycle(ctx); err != nil {
		errs = append(errs, err)
	}
	if a.leaseHeld() {
		if err := a.dispatch.Deliver(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := a.resend(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// resend repeats firing alerts to every Alertmanager, while the lease
// holds: a replica that lost it may hold alerts the new leader resolved.
func (a *App) resend(ctx context.Context) error {
	if len(a.ams) == 0 {
		return nil
	}
	firing := a.Engine.Firing()
	var errs []error
	for _, am := range a.ams {
		if !a.leaseHeld() {
			return errors.Join(append(errs, fmt.Errorf("resend firing alerts: %w", store.ErrNotLeader))...)
		}
		if err := am.Resend(ctx, firing); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
