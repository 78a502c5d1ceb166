package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// minuteSpan is a half-open range of Unix minutes.
type minuteSpan struct{ from, to int64 }

func (s minuteSpan) has(m int64) bool { return m >= s.from && m < s.to }

// exclusionOf is the minutes an excluded maintenance window covers: those
// that end inside it. The minute it ends in is counted, so events pushed
// after the window ended count against the budget; the minute it starts
// in, when that is not on the minute, is excluded with the rest.
func exclusionOf(a slo.Annotation) (minuteSpan, bool) {
	if a.Kind != slo.AnnotationMaintenance || !a.ExcludeFromBudget || !a.End.After(a.Start) {
		return minuteSpan{}, false
	}
	sp := minuteSpan{UnixMinute(a.Start), UnixMinute(a.End)}
	return sp, sp.to > sp.from
}

// SetExclusions tells the engine which maintenance windows are excluded
// from the budget, as stored; their past events are already subtracted.
func (e *Engine) SetExclusions(annotations []slo.Annotation) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, st := range e.slos {
		st.exclusions = nil
		for _, a := range annotations {
			if sp, ok := exclusionOf(a); ok && a.Covers(st.def) {
				st.exclusions = append(st.exclusions, sp)
			}
		}
	}
}

// Exclude takes a maintenance window out of the budget of every SLO it
// covers: events already counted in it are subtracted, durably, and events
// that arrive for it later are dropped. Counts older than three days are
// subtracted for the window's whole hours only. The SLOs it covers are
// marked touched, so their status and alerts are evaluated again at once,
// not at the next full evaluation.
//
// Judged time slices are not subtracted here: like any change to their
// events, the subtraction marks the slices it falls in to be judged again,
// and the leader judges them from the events left and stores the
// difference under its lease (AddSlices), as it stores every judgment. A
// replica that follows, which may receive the request, writes only the
// events; the leader judges again when it pulls them. A subtraction of
// slices here, unfenced and from this replica's view of them, would
// leave a journey over the SLO judged from slices no longer stored.
func (e *Engine) Exclude(ctx context.Context, a slo.Annotation) error {
	sp, ok := exclusionOf(a)
	if !ok {
		return nil
	}
	e.recordMu.RLock()
	defer e.recordMu.RUnlock()
	e.mu.Lock()
	var negative []Count
	var covered []string
	nowMin := UnixMinute(e.clock.Now())
	for _, id := range e.order {
		st := e.slos[id]
		if !a.Covers(st.def) {
			continue
		}
		covered = append(covered, id)
		st.exclusions = append(st.exclusions, sp)
		// A journey's events and slices are its components': what they
		// leave out leaves it, and it stores no events of its own to take
		// out.
		if st.journey != nil {
			continue
		}
		for _, g := range st.sortedGroups() {
			if g.key != allGroups {
				negative = append(negative, counted(id, g.key, g.events, sp, nowMin)...)
			}
		}
	}
	e.mu.Unlock()
	if len(negative) > 0 {
		if err := e.store.AddCounts(ctx, negative); err != nil {
			return fmt.Errorf("subtract maintenance window %s..%s: %w", a.Start.Format(time.RFC3339), a.End.Format(time.RFC3339), err)
		}
	}
	e.mu.Lock()
	e.applyAll(negative)
	for _, id := range covered {
		e.touch.add(id)
		for _, f := range e.feeds[id] {
			e.touch.add(f.journey)
		}
	}
	e.mu.Unlock()
	if len(covered) > 0 {
		e.touch.wake()
	}
	return nil
}

// counted returns the negation of the events a series counted in the span: per
// minute where minutes are kept, per whole hour before that.
func counted(id, key string, sr *Series, sp minuteSpan, nowMin int64) []Count {
	var out []Count
	ringStart := nowMin - int64(MinuteResolution/time.Minute) + 1
	add := func(m int64, c Counts) {
		if c.Total != 0 || c.Good != 0 {
			out = append(out, Count{SLO: id, Group: key, Kind: KindEvents, Minute: m, Counts: Counts{-c.Good, -c.Total}})
		}
	}
	for h := floorDiv(sp.from+59, 60) * 60; h+60 <= min(sp.to, ringStart); h += 60 {
		add(h, sr.Sum(h-1, h+59))
	}
	for m := max(sp.from, ringStart); m < min(sp.to, nowMin+1); m++ {
		add(m, sr.Sum(m-1, m))
	}
	return out
}

// withoutExcluded drops counts that fall in an excluded window; the caller
// holds at least the read lock.
func (e *Engine) withoutExcluded(counts []Count) []Count {
	drop := func(c Count) bool {
		st, ok := e.slos[c.SLO]
		return ok && c.Kind == KindEvents && excluded(st.exclusions, c.Minute)
	}
	if !slices.ContainsFunc(counts, drop) {
		return counts // the usual case, without a copy
	}
	return slices.DeleteFunc(slices.Clone(counts), drop)
}

func excluded(spans []minuteSpan, m int64) bool {
	for _, s := range spans {
		if s.has(m) {
			return true
		}
	}
	return false
}
