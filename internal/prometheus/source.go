package prometheus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// maxPoints is the most minutes one range query asks for; Prometheus
// refuses more than 11,000 points per series.
const maxPoints = 10_000

// The retry delays of a failing SLO: doubling from minBackoff to maxBackoff.
const (
	minBackoff = time.Minute
	maxBackoff = 15 * time.Minute
)

// Recorder takes what a Source measures; *engine.Engine is one.
type Recorder interface {
	// Record stores counts durably.
	Record(ctx context.Context, counts []engine.Count) error
	// SetSource reports the health of an SLO's data source.
	SetSource(id string, s engine.SourceState)
}

// Options configure a Source.
type Options struct {
	// Engine receives the counts and the health of each SLO's source.
	Engine Recorder
	// Clock tells the time; nil means the system clock.
	Clock engine.Clock
	// Logger logs backfill progress and failures; nil discards.
	Logger *slog.Logger
	// DefaultURL is queried for SLOs that name no data source, or whose
	// data source has no URL.
	DefaultURL string
	// Sources are the named data sources SLOs may refer to.
	Sources []slo.DataSource
	// HTTPClient makes the requests; nil means a client with a 30s timeout.
	HTTPClient *http.Client
	// Lag is how long after a minute ends it is queried, so backends that
	// ingest late (remote write, scrape delay) have it complete.
	Lag time.Duration
}

// Source measures SLOs from Prometheus-compatible HTTP APIs: each Sync
// records the counts of every minute since the last one recorded. Its
// methods are safe for concurrent use.
type Source struct {
	opts  Options
	clock engine.Clock
	log   *slog.Logger
	slos  []*tracked
	byID  map[string]*tracked

	syncMu sync.Mutex // one Sync at a time
	mu     sync.Mutex // guards the progress fields of tracked
}

// tracked is one SLO the Source measures.
type tracked struct {
	id     string
	def    slo.SLO
	plan   *plan
	client *client
	// setupErr is why the SLO cannot be queried at all; it fails every Sync.
	setupErr error

	// Guarded by Source.mu.
	synced bool
	last   int64 // last minute recorded, when synced
	// start is the first minute this Source loaded, or math.MinInt64 when
	// progress was seeded from stored data.
	start    int64
	failures int
	retryAt  time.Time
	state    engine.SourceState
}

// New returns a Source for the SLOs measured by queries; SLOs measured by
// pushed events are left out.
func New(opts Options, slos []slo.SLO) *Source {
	if opts.Clock == nil {
		opts.Clock = engine.SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = defaultHTTPClient()
	}
	s := &Source{opts: opts, clock: opts.Clock, log: opts.Logger, byID: map[string]*tracked{}}
	clients := map[string]*client{}
	for _, def := range slos {
		if def.Indicator.Pushed() {
			continue
		}
		t := &tracked{id: def.ID(), def: def}
		t.plan, t.setupErr = newPlan(def)
		if t.setupErr != nil {
			t.setupErr = fmt.Errorf("indicator of SLO %s: %w", t.id, t.setupErr)
		}
		u, err := s.resolveURL(def.Indicator.DataSource)
		if err != nil && t.setupErr == nil {
			t.setupErr = fmt.Errorf("data source of SLO %s: %w", t.id, err)
		}
		if u != "" {
			if clients[u] == nil {
				clients[u] = newClient(opts.HTTPClient, u)
			}
			t.client = clients[u]
		}
		s.slos = append(s.slos, t)
		s.byID[t.id] = t
	}
	return s
}

// resolveURL is the URL of the data source named name.
func (s *Source) resolveURL(name string) (string, error) {
	u := s.opts.DefaultURL
	if name != "" {
		found := false
		for _, ds := range s.opts.Sources {
			if ds.Name == name {
				found = true
				if ds.URL != "" {
					u = ds.URL
				}
				break
			}
		}
		if !found {
			return "", fmt.Errorf("data source %q is not defined", name)
		}
	}
	if u == "" {
		return "", errNoURL
	}
	return u, nil
}

// SetProgress says minute lastMinute and those before it are recorded for
// the SLO id, so Sync goes on from the next minute instead of backfilling.
func (s *Source) SetProgress(id string, lastMinute int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.byID[id]; ok {
		t.synced, t.last, t.start = true, lastMinute, math.MinInt64
	}
}

// Progress returns the last minute recorded for the SLO id; ok is false
// before anything is recorded or seeded.
func (s *Source) Progress(id string) (lastMinute int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, found := s.byID[id]; found && t.synced {
		return t.last, true
	}
	return 0, false
}

// Queried is how many SLOs the source queries.
func (s *Source) Queried() int { return len(s.slos) }

// Sync records every SLO's counts up to the last complete minute before
// now: a whole window for an SLO never synced, else the minutes after the
// last one recorded. An SLO whose queries fail is marked stale and retried
// after a backoff, without holding up the others; Sync returns their
// failures joined.
func (s *Source) Sync(ctx context.Context) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	var errs []error
	for _, t := range s.slos {
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("sync stopped before SLO %s: %w", t.id, err))
			break
		}
		if err := s.syncOne(ctx, t); err != nil {
			errs = append(errs, fmt.Errorf("sync SLO %s: %w", t.id, err))
		}
	}
	return errors.Join(errs...)
}

// syncOne brings one SLO up to date, in chunks of at most maxPoints minutes.
func (s *Source) syncOne(ctx context.Context, t *tracked) error {
	now := s.clock.Now()
	last := engine.UnixMinute(now.Add(-s.opts.Lag)) - 1
	window := windowMinutes(t.def.Window)
	s.mu.Lock()
	if now.Before(t.retryAt) {
		s.mu.Unlock()
		return nil // backing off
	}
	first := last - window + 1
	if t.synced {
		first = max(first, t.last+1)
	} else {
		t.start = first
	}
	s.mu.Unlock()
	if first > last {
		return nil // nothing new
	}
	if t.setupErr != nil {
		return s.fail(ctx, t, t.setupErr)
	}
	total := last - first + 1
	backfill := total > 60
	if backfill {
		s.log.Info("backfilling SLO from Prometheus", "slo", t.id, "minutes", total, "from", minuteTime(first), "url", t.client.base)
	}
	for _, seg := range segments(first, last) {
		chunk := maxPoints * seg.res.minutes
		for from := seg.from; from <= seg.to; from += chunk {
			to := min(from+chunk-seg.res.minutes, seg.to)
			through := to + seg.res.minutes - 1 // the last minute the chunk covers
			counts, err := s.fetch(ctx, t, from, to, seg.res)
			if err == nil {
				if err = s.opts.Engine.Record(ctx, counts); err != nil {
					err = fmt.Errorf("record %d counts of minutes %s to %s: %w", len(counts), minuteTime(from), minuteTime(through), err)
				}
			}
			if err != nil {
				return s.fail(ctx, t, err)
			}
			s.mu.Lock()
			t.synced, t.last = true, through
			t.failures, t.retryAt = 0, time.Time{}
			t.state = engine.SourceState{LastSuccess: s.clock.Now(), Through: time.Unix(through*60, 0).UTC(), Backfill: t.loaded(last, window)}
			state := t.state
			s.mu.Unlock()
			s.opts.Engine.SetSource(t.id, state)
			if backfill {
				s.log.Info("backfill progress", "slo", t.id, "loaded", through-first+1, "of", total, "counts", len(counts))
			}
		}
	}
	return nil
}

// segment is a run of minutes fetched at one resolution; from and to are
// the first minutes of its first and last steps.
type segment struct {
	from, to int64
	res      resolution
}

// segments splits minutes first to last into the parts to fetch: whole
// hours older than the engine's minute checkpoints (three days) per hour,
// sixty times fewer points, and the rest per minute.
func segments(first, last int64) []segment {
	cut := last - int64(engine.MinuteResolution/time.Minute) // minutes up to here the engine keeps per hour
	hStart := ceilHour(first)
	hEnd := ceilHour(cut+1) - 60 // start of the last whole hour before the cut
	if hEnd < hStart {
		return []segment{{first, last, byMinute}}
	}
	var out []segment
	if first < hStart {
		out = append(out, segment{first, hStart - 1, byMinute})
	}
	out = append(out, segment{hStart, hEnd, byHour})
	if hEnd+60 <= last {
		out = append(out, segment{hEnd + 60, last, byMinute})
	}
	return out
}

// ceilHour rounds a Unix minute up to the start of an hour.
func ceilHour(m int64) int64 {
	if r := ((m % 60) + 60) % 60; r != 0 {
		return m + 60 - r
	}
	return m
}

// fetch runs an SLO's queries for the steps starting at minutes from to
// to and returns the counts.
func (s *Source) fetch(ctx context.Context, t *tracked, from, to int64, res resolution) ([]engine.Count, error) {
	results := map[string][]series{}
	for _, r := range t.plan.roles {
		ss, err := t.client.points(ctx, r.at(res), from, to, res)
		if err != nil {
			return nil, fmt.Errorf("query %s %q for minutes %s to %s: %w", r.name, r.expr, minuteTime(from), minuteTime(to), err)
		}
		results[r.name] = ss
	}
	counts, err := t.plan.countsAt(t.id, results, from, to+res.minutes-1, res)
	if err != nil {
		return nil, fmt.Errorf("count minutes %s to %s: %w", minuteTime(from), minuteTime(to), err)
	}
	return counts, nil
}

// fail marks the SLO stale and schedules its retry; it returns err. A
// cancelled ctx is not the source's fault and marks nothing.
func (s *Source) fail(ctx context.Context, t *tracked, err error) error {
	if ctx.Err() != nil {
		return err
	}
	now := s.clock.Now()
	s.mu.Lock()
	t.failures++
	delay := maxBackoff
	if t.failures <= 4 {
		delay = min(minBackoff<<(t.failures-1), maxBackoff)
	}
	t.retryAt = now.Add(delay)
	if !t.state.Stale {
		t.state.Stale, t.state.StaleSince = true, now
	}
	t.state.Error = err.Error()
	if t.synced {
		t.state.Backfill = t.loaded(engine.UnixMinute(now)-1, windowMinutes(t.def.Window))
	}
	state, failures := t.state, t.failures
	s.mu.Unlock()
	s.opts.Engine.SetSource(t.id, state)
	s.log.Warn("Prometheus query failed; SLO is stale", "slo", t.id, "failures", failures, "retry_in", delay, "err", err)
	return err
}

// loaded is the share of the window ending at minute last that is
// recorded; the caller holds Source.mu.
func (t *tracked) loaded(last, window int64) float64 {
	if !t.synced {
		return 0
	}
	from := max(t.start, last-window+1)
	return min(max(float64(t.last-from+1)/float64(window), 0), 1)
}

// windowMinutes is the number of minutes in an SLO's window, at least 1.
func windowMinutes(w slo.Window) int64 {
	return max(int64(w.Nominal()/time.Minute), 1)
}

// minuteTime is the start of a Unix minute, for messages.
func minuteTime(m int64) string {
	return time.Unix(m*60, 0).UTC().Format(time.RFC3339)
}
