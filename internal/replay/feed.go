package replay

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/prometheus"
	"github.com/accord-slo/accord/internal/slo"
)

// feed hands a replay the measured counts of its SLOs as its clock moves.
type feed interface {
	// until returns the counts of the minutes before minute m that it
	// has not returned yet: at the first call, the SLOs' windows before
	// m, as serve loads them at start.
	until(ctx context.Context, m int64) ([]engine.Count, error)
}

// promFeed reads SLOs measured by Prometheus through the same Source serve
// runs: the first call backfills each window (per hour beyond three days,
// per minute after), later calls fetch the minutes since, in range
// queries of up to 10,000 steps.
type promFeed struct {
	src   *prometheus.Source
	clock *engine.ManualClock
	buf   *buffer
}

func newPromFeed(slos []slo.SLO, defaultURL string, sources []slo.DataSource, hc *http.Client) *promFeed {
	f := &promFeed{clock: engine.NewManualClock(time.Time{}), buf: &buffer{}}
	f.src = prometheus.New(prometheus.Options{Engine: f.buf, Clock: f.clock, DefaultURL: defaultURL,
		Sources: sources, HTTPClient: hc}, slos)
	return f
}

func (f *promFeed) until(ctx context.Context, m int64) ([]engine.Count, error) {
	f.clock.Set(time.Unix(m*60, 0).UTC())
	if err := f.src.Sync(ctx); err != nil {
		// A gap in the history would read as a quiet spell: stop instead.
		return nil, fmt.Errorf("read history from Prometheus: %w", err)
	}
	return f.buf.take(), nil
}

// buffer is the Recorder the Source writes to: it holds counts until the
// replay takes them.
type buffer struct {
	mu     sync.Mutex
	counts []engine.Count
}

// Record keeps counts for take.
func (b *buffer) Record(_ context.Context, counts []engine.Count) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.counts = append(b.counts, counts...)
	return nil
}

// SetSource ignores the source's health: a failure stops the replay.
func (b *buffer) SetSource(string, engine.SourceState) {}

func (b *buffer) take() []engine.Count {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.counts
	b.counts = nil
	return out
}

// CountStore is where serve keeps pushed SLOs' counts and the annotations
// people recorded: *sqlite.Store.
type CountStore interface {
	// LoadCounts calls fn with every stored count from minute since on,
	// oldest first.
	LoadCounts(ctx context.Context, since int64, fn func(engine.Count) error) error
	// Annotations returns the annotations of a service ("" for all)
	// between from and to.
	Annotations(ctx context.Context, service string, from, to time.Time) ([]slo.Annotation, error)
}

// storeFeed hands out the stored counts of pushed SLOs: per minute for the
// last three days serve kept, per hour before.
type storeFeed struct {
	counts []engine.Count // sorted by minute
	next   int
}

// loadPushed reads the store's counts once and hands each part the event
// counts of its pushed SLOs, from its longest window before the replay to
// before minute end: every part reading the whole store itself would read
// it once per part.
func loadPushed(ctx context.Context, store CountStore, parts []*part, end int64) error {
	owner := map[string]*part{}
	since := int64(math.MaxInt64)
	for _, p := range parts {
		for _, def := range p.slos {
			if def.Indicator.Pushed() {
				owner[def.ID()] = p
				since = min(since, p.since)
			}
		}
	}
	if len(owner) == 0 {
		return nil
	}
	err := store.LoadCounts(ctx, since, func(c engine.Count) error {
		if p, ok := owner[c.SLO]; ok && c.Kind == engine.KindEvents && c.Minute >= p.since && c.Minute < end {
			p.pushed = append(p.pushed, c)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read pushed SLOs' counts from the store: %w", err)
	}
	for _, p := range parts {
		p.pushed = sortByMinute(p.pushed)
	}
	return nil
}

func (f *storeFeed) until(_ context.Context, m int64) ([]engine.Count, error) {
	start := f.next
	for f.next < len(f.counts) && f.counts[f.next].Minute < m {
		f.next++
	}
	return f.counts[start:f.next], nil
}

// feeds reads several feeds as one.
type feeds []feed

func (fs feeds) until(ctx context.Context, m int64) ([]engine.Count, error) {
	var out []engine.Count
	var errs []error
	for _, f := range fs {
		cs, err := f.until(ctx, m)
		errs = append(errs, err)
		out = append(out, cs...)
	}
	return sortByMinute(out), errors.Join(errs...)
}

// sortByMinute orders counts by minute, keeping each minute's in order.
// Counts come as one run per SLO, each in order, and span a few days of
// minutes: a counting sort by minute takes one pass.
func sortByMinute(counts []engine.Count) []engine.Count {
	if len(counts) < 2 {
		return counts
	}
	lo, hi := counts[0].Minute, counts[0].Minute
	for _, c := range counts {
		lo, hi = min(lo, c.Minute), max(hi, c.Minute)
	}
	if hi-lo > 4*int64(len(counts))+1_000_000 { // sparse: sort instead
		slices.SortStableFunc(counts, func(a, b engine.Count) int { return cmp.Compare(a.Minute, b.Minute) })
		return counts
	}
	start := make([]int, hi-lo+2) // where each minute's counts start
	for _, c := range counts {
		start[c.Minute-lo+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	out := make([]engine.Count, len(counts))
	for _, c := range counts {
		i := c.Minute - lo
		out[start[i]] = c
		start[i]++
	}
	return out
}
