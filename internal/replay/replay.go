// Package replay evaluates SLOs over history: the counts Prometheus (and
// Accord's own store) hold go minute by minute through the same engine
// serve runs, on a replayed clock. It reports what Accord would have done —
// budgets, alerts, policy states and freezes — and when users were hurt,
// scores Accord's alerts and a team's own against those periods, and
// shows what other objectives would have meant.
package replay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/prometheus"
	"github.com/accord-slo/accord/internal/slo"
)

// MaxSpan is the longest history one replay evaluates.
const MaxSpan = 400 * 24 * time.Hour

// GCPercent is the garbage collector's target `accord replay` runs with:
// a replay allocates fast and keeps little.
const GCPercent = 400

// MaxObjectives bounds the objectives one replay compares.
const MaxObjectives = 10

// DefaultObjectives are the objectives --suggest compares, beside the
// SLO's own.
var DefaultObjectives = []float64{99, 99.5, 99.9, 99.95}

// Options say what to replay over which history.
type Options struct {
	Catalog slo.Catalog
	// From and To bound the replay; both are rounded down to the minute.
	From, To time.Time
	// PrometheusURL is queried for SLOs whose data source has no URL, as
	// in serve.
	PrometheusURL string
	// HTTPClient makes the requests; nil means one with a 2-minute timeout.
	HTTPClient *http.Client
	// Store holds the counts of pushed SLOs and the annotations (serve's
	// data directory); nil replays pushed SLOs without data.
	Store CountStore
	// CompareAlerts reads the alerts AlertSelector picks from Prometheus'
	// ALERTS series and scores them beside Accord's.
	CompareAlerts bool
	AlertSelector string
	// Match maps SLO fields to the alert labels that name them, tried
	// before DefaultMatches: a team's alert is scored against the SLOs it
	// matches, and one that matches none is shown as unmatched.
	Match []Match
	// Objectives, when set, are replayed for every SLO beside its own
	// objective (--suggest).
	Objectives []float64
	// Lag is how long after a minute ends it is evaluated, as serve's
	// --source-lag (default 30s).
	Lag time.Duration
	// Parallel is how many parts of the catalog replay at once (default
	// twice the CPUs): each has its own engine, and one part's queries
	// overlap another's evaluation.
	Parallel int
	Logger   *slog.Logger
	// Now bounds To; zero means the wall clock.
	Now time.Time
}

// Result is what a replay found.
type Result struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// SLOs are in catalog order.
	SLOs []SLOResult `json:"slos"`
	// Hurt are the periods users of any of the SLOs were hurt.
	Hurt []Period `json:"hurt"`
	// Scores compare Accord's pages and tickets and, with CompareAlerts,
	// the team's own alerts against Hurt; ByAlertname scores the team's
	// alerts by name.
	Scores      []Score `json:"scores"`
	ByAlertname []Score `json:"byAlertname,omitempty"`
	// AlertSelector and TeamAlerts are the team's alerts read from ALERTS.
	AlertSelector string  `json:"alertSelector,omitempty"`
	TeamAlerts    []Alert `json:"teamAlerts,omitempty"`
	// Took is how long the replay ran.
	Took time.Duration `json:"-"`
}

// Run replays the catalog's SLOs from opts.From to opts.To.
func Run(ctx context.Context, opts Options) (*Result, error) {
	began := time.Now()
	if err := opts.check(); err != nil {
		return nil, err
	}
	parts := opts.partition()
	if opts.Store != nil {
		if err := loadPushed(ctx, opts.Store, parts, minuteOf(opts.To)); err != nil {
			return nil, err
		}
	}
	byID, err := runParts(ctx, parts)
	if err != nil {
		return nil, err
	}
	res := &Result{From: opts.From, To: opts.To}
	var hurt []Period
	var pages, tickets []Alert
	for _, def := range opts.Catalog.SLOs {
		r := byID[def.ID()]
		res.SLOs = append(res.SLOs, r)
		hurt = append(hurt, r.Hurt...)
		p, t := bySeverity(r.Alerts)
		pages, tickets = append(pages, p...), append(tickets, t...)
	}
	res.Hurt = nonNil(Merge(hurt, HurtGap))
	span := Period{From: opts.From, To: opts.To}
	res.Scores = append(res.Scores, ScoreAlerts("Accord pages", pages, res.Hurt, span),
		ScoreAlerts("Accord tickets", tickets, res.Hurt, span))
	if opts.CompareAlerts {
		if err := res.scoreTeamAlerts(ctx, opts); err != nil {
			return nil, err
		}
	}
	res.Took = time.Since(began)
	opts.Logger.Info("replay done", "slos", len(res.SLOs), "from", opts.From, "to", opts.To, "took", res.Took.Round(time.Millisecond))
	return res, nil
}

// runParts replays the parts at once and returns their SLOs' results by
// ID; the first part to fail stops the others.
func runParts(ctx context.Context, parts []*part) (map[string]SLOResult, error) {
	results := make([][]SLOResult, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if results[i], errs[i] = p.run(ctx); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, firstCause(errs)
	}
	byID := map[string]SLOResult{}
	for _, rs := range results {
		for _, r := range rs {
			byID[r.SLO] = r
		}
	}
	return byID, nil
}

// firstCause is the first error that is not a cancellation the others
// caused.
func firstCause(errs []error) error {
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

// check validates and completes the options.
func (o *Options) check() error {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Lag <= 0 {
		o.Lag = 30 * time.Second
	}
	if o.Parallel <= 0 {
		o.Parallel = 2 * runtime.GOMAXPROCS(0)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	o.From, o.To = o.From.UTC().Truncate(time.Minute), o.To.UTC().Truncate(time.Minute)
	switch {
	case len(o.Catalog.SLOs) == 0:
		return fmt.Errorf("no SLOs to replay")
	case !o.To.After(o.From):
		return fmt.Errorf("replay from %s to %s: the end must be after the start", o.From.Format(time.RFC3339), o.To.Format(time.RFC3339))
	case o.To.After(o.Now):
		return fmt.Errorf("replay to %s: that is in the future (now is %s)", o.To.Format(time.RFC3339), o.Now.UTC().Format(time.RFC3339))
	case o.To.Sub(o.From) > MaxSpan:
		return fmt.Errorf("replay from %s to %s: at most %d days at once", o.From.Format(time.RFC3339), o.To.Format(time.RFC3339), int(MaxSpan.Hours()/24))
	}
	if len(o.Objectives) > MaxObjectives {
		return fmt.Errorf("%d objectives to compare: at most %d, each is one more replay of every SLO", len(o.Objectives), MaxObjectives)
	}
	for _, obj := range o.Objectives {
		if obj <= 0 || obj >= 100 {
			return fmt.Errorf("objective %g: want a percentage between 0 and 100, e.g. 99.9", obj)
		}
	}
	if o.CompareAlerts {
		if _, err := prometheus.AlertsQuery(o.AlertSelector); err != nil {
			return err
		}
		if o.PrometheusURL == "" {
			return fmt.Errorf("comparing alerts reads ALERTS from Prometheus: give --prometheus-url")
		}
	}
	return nil
}

// partition splits the catalog into parts that replay on their own.
func (o *Options) partition() []*part {
	n := min(o.Parallel, len(o.Catalog.SLOs))
	parts := make([]*part, n)
	for i := range parts {
		parts[i] = &part{opts: o}
	}
	// A journey replays in the part of its components, which count in it.
	together := journeyGroups(o.Catalog)
	first := map[int]int{} // each group's part
	for i, def := range o.Catalog.SLOs {
		k := i % n
		if g, ok := together[def.ID()]; ok {
			if _, seen := first[g]; !seen {
				first[g] = k
			}
			k = first[g]
		}
		parts[k].slos = append(parts[k].slos, def)
	}
	for _, p := range parts {
		p.since = minuteOf(o.From) - longest(p.slos)
	}
	return parts
}

// scoreTeamAlerts reads the team's alerts and scores them, together and
// by alertname.
func (r *Result) scoreTeamAlerts(ctx context.Context, opts Options) error {
	fired, err := prometheus.FiredAlerts(ctx, opts.HTTPClient, opts.PrometheusURL, opts.AlertSelector, opts.From, opts.To)
	if err != nil {
		return err
	}
	r.AlertSelector = opts.AlertSelector
	m := matcher{matches: append(slices.Clone(opts.Match), DefaultMatches...), slos: r.SLOs}
	hurtOf := map[string][]Period{}
	for _, s := range r.SLOs {
		hurtOf[s.SLO] = s.Hurt
	}
	byName := map[string][]Alert{}
	for _, f := range fired {
		a := Alert{Name: f.Labels["alertname"], Severity: f.Labels["severity"], Labels: f.Labels, FiredAt: f.FiredAt}
		a.SLOs, a.Matched = m.match(f.Labels)
		if !f.ResolvedAt.IsZero() {
			a.ResolvedAt = &f.ResolvedAt
		}
		r.TeamAlerts = append(r.TeamAlerts, a)
		byName[a.Name] = append(byName[a.Name], a)
	}
	span := Period{From: opts.From, To: opts.To}
	name := "Your alerts"
	if opts.AlertSelector != "" {
		name += " " + opts.AlertSelector
	}
	r.Scores = append(r.Scores, scoreMatched(name, r.TeamAlerts, hurtOf, r.Hurt, span))
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		r.ByAlertname = append(r.ByAlertname, scoreMatched(n, byName[n], hurtOf, r.Hurt, span))
	}
	return nil
}

// minuteOf is the Unix minute of t.
func minuteOf(t time.Time) int64 { return engine.UnixMinute(t) }

// ParseTime reads a replay bound: an RFC 3339 time, a date (2026-11-01,
// midnight UTC), a duration (30d, 12h) before rel, or "now".
func ParseTime(s string, rel time.Time) (time.Time, error) {
	if s == "now" {
		return rel.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if d, err := slo.ParseDuration(s); err == nil {
		return rel.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("time %q: want an RFC 3339 time (2026-11-01T09:00:00Z), a date (2026-11-01) or a duration before it (30d)", s)
}
