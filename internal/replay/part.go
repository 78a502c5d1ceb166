package replay

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// A part reads history in chunks of minutes before it evaluates them:
// fewer, longer range queries cost Prometheus less, and chunkCounts
// bounds the counts a part holds at once (about 70 bytes each). A chunk
// is at most three days: the source reads minutes further back than that
// from its clock per hour, which would hand the engine an hour's counts
// at its first minute.
const (
	minChunk    = 24 * 60
	maxChunk    = int(engine.MinuteResolution / time.Minute)
	chunkCounts = 250_000
)

// chunkMinutes is the chunk for the number of series (SLO groups) the
// windows before the replay held.
func chunkMinutes(series int) int64 {
	return int64(min(max(chunkCounts/max(series, 1), minChunk), maxChunk))
}

// part is a share of the catalog replayed on its own engine.
type part struct {
	opts *Options
	slos []slo.SLO
	// since is the minute its longest window reaches back to from the
	// replay's start; pushed are its pushed SLOs' stored counts from
	// then, sorted by minute.
	since  int64
	pushed []engine.Count

	clock *engine.ManualClock
	eng   *engine.Engine
	rec   *recorder
	// copies are the candidate objectives' copies of each SLO, by ID.
	copies  map[string][]candidate
	samples map[string][]sample // hourly, by SLO (and copy) ID
	last    time.Time           // the time of the last sample
}

// candidate is a copy of an SLO with another objective.
type candidate struct {
	id        string
	objective float64
}

// sample is an SLO at the end of one hour of the replay (or a shorter
// step at its edges), as the engine has it.
type sample struct {
	at          time.Time
	good, total float64 // counted in the step
	burn        *float64
	budget      *float64 // all groups together
	worst       *float64 // the group the policy follows
}

// run replays the part's SLOs and reports on them.
func (p *part) run(ctx context.Context) ([]SLOResult, error) {
	fs, err := p.build(ctx)
	if err != nil {
		return nil, err
	}
	from, to := minuteOf(p.opts.From), minuteOf(p.opts.To)
	// What the windows held before the replay starts, loaded at once as
	// serve loads it when it starts.
	warm, err := fs.until(ctx, from)
	if err != nil {
		return nil, err
	}
	if err := p.eng.Record(ctx, p.expand(warm)); err != nil {
		return nil, err
	}
	chunk := chunkMinutes(seriesIn(warm))
	for start := from; start < to; start += chunk {
		end := min(start+chunk, to)
		counts, err := fs.until(ctx, end)
		if err != nil {
			return nil, err
		}
		if err := p.evaluate(ctx, counts, start, end); err != nil {
			return nil, err
		}
		p.opts.Logger.Debug("replayed", "until", time.Unix(end*60, 0).UTC(), "slos", len(p.slos))
	}
	p.clock.Set(p.opts.To)
	p.sample(p.opts.To)
	return p.results(), nil
}

// build makes the part's engine — its SLOs with the hurt rule, and a copy
// of each per candidate objective — and the feeds of their history.
func (p *part) build(ctx context.Context) (feeds, error) {
	o := p.opts
	cat := o.Catalog
	cat.SLOs = nil
	p.copies = map[string][]candidate{}
	var queried []slo.SLO
	hasPushed := false
	for _, def := range p.slos {
		cat.SLOs = append(cat.SLOs, withHurtRule(def))
		for _, obj := range candidates(def.Objective, o.Objectives) {
			c := def
			c.Objective, c.Name = obj, def.Name+"@"+strconv.FormatFloat(obj, 'f', -1, 64)
			cat.SLOs = append(cat.SLOs, c)
			p.copies[def.ID()] = append(p.copies[def.ID()], candidate{c.ID(), obj})
		}
		switch {
		case def.Journey(): // counted from its components
		case def.Indicator.Pushed():
			hasPushed = true
		default:
			queried = append(queried, def)
		}
	}
	p.clock, p.rec, p.samples, p.last = engine.NewManualClock(o.From), &recorder{}, map[string][]sample{}, o.From
	p.eng = engine.New(engine.Options{Catalog: cat, Store: p.rec, Clock: p.clock, Logger: o.Logger, SourceLag: o.Lag})
	if err := p.eng.Restore(ctx); err != nil {
		return nil, err
	}
	var fs feeds
	if len(queried) > 0 {
		fs = append(fs, newPromFeed(queried, o.PrometheusURL, o.Catalog.DataSources, o.HTTPClient))
	}
	if o.Store == nil {
		return fs, nil
	}
	if hasPushed {
		fs = append(fs, &storeFeed{counts: p.pushed})
	}
	anns, err := o.Store.Annotations(ctx, "", time.Unix(p.since*60, 0), o.To)
	if err != nil {
		return nil, fmt.Errorf("read annotations from the store: %w", err)
	}
	p.eng.SetExclusions(anns) // maintenance windows leave the budget, as in serve
	return fs, nil
}

// evaluate steps the engine through minutes start to end: before the
// evaluation at each minute it records the counts of the minutes before,
// and it runs Lag after the minute starts, as serve's does once its
// source has read the minute before.
func (p *part) evaluate(ctx context.Context, counts []engine.Count, start, end int64) error {
	next := 0
	for m := start; m < end; m++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		i := next
		for next < len(counts) && counts[next].Minute < m {
			next++
		}
		if next > i {
			if err := p.eng.Record(ctx, p.expand(counts[i:next])); err != nil {
				return err
			}
		}
		at := time.Unix(m*60, 0).UTC()
		p.clock.Set(at.Add(p.opts.Lag))
		if err := p.eng.Evaluate(ctx); err != nil {
			return fmt.Errorf("evaluate at %s: %w", at.Format(time.RFC3339), err)
		}
		if m%60 == 0 && at.After(p.last) {
			p.sample(at) // the hour before, now that all of it is recorded
		}
	}
	return p.eng.Record(ctx, p.expand(counts[next:])) // the last minute, evaluated by the next chunk
}

// expand adds copies of counts for every candidate objective's SLO.
func (p *part) expand(counts []engine.Count) []engine.Count {
	if len(p.copies) == 0 {
		return counts
	}
	out := make([]engine.Count, 0, len(counts)*(1+len(p.opts.Objectives)))
	for _, c := range counts {
		out = append(out, c)
		for _, cp := range p.copies[c.SLO] {
			c.SLO = cp.id
			out = append(out, c)
		}
	}
	return out
}

// sample records every SLO's step ending at t: its counts, the hour's
// burn rate and the budget left, as the engine's history has them.
func (p *part) sample(t time.Time) {
	step := t.Sub(p.last).Truncate(time.Minute)
	p.last = t
	if step <= 0 {
		return
	}
	for _, def := range p.slos {
		ids := []string{def.ID()}
		for _, c := range p.copies[def.ID()] {
			ids = append(ids, c.id)
		}
		for _, id := range ids {
			// The history point at the step's last minute sums the step.
			hist, _ := p.eng.History(id, "", t.Add(-time.Minute), t.Add(-time.Minute), step)
			v, _ := p.eng.SLO(id)
			s := sample{at: t}
			if len(hist) == 1 {
				h := hist[0]
				s.good, s.total, s.burn, s.budget = h.Good, h.Total, h.BurnRate, h.BudgetRemaining
			}
			if v.Worst.HasData() {
				w := v.Worst.Budget.RemainingFraction
				s.worst = &w
			}
			p.samples[id] = append(p.samples[id], s)
		}
	}
}

// seriesIn counts the SLO groups counts are of.
func seriesIn(counts []engine.Count) int {
	seen := map[[2]string]bool{}
	for _, c := range counts {
		seen[[2]string{c.SLO, c.Group}] = true
	}
	return len(seen)
}

// longest is the longest window of slos, in minutes.
func longest(slos []slo.SLO) int64 {
	var l time.Duration
	for _, s := range slos {
		l = max(l, s.Window.Nominal())
	}
	return int64(l / time.Minute)
}
