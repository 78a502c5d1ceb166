package engine

import (
	"math"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// noData is a component's newest minute before it has any.
const noData = math.MinInt64

// standIn is what stands in for a delayed component's missing minutes in
// a journey of occurrences: per in each minute from (exclusive) to
// through (inclusive), already weighted.
type standIn struct {
	from, through int64
	per           Counts
}

// in returns the stand-in counts of the minutes from (exclusive) to
// through (inclusive).
func (s standIn) in(from, through int64) Counts {
	lo, hi := max(from, s.from), min(through, s.through)
	if hi <= lo {
		return Counts{}
	}
	n := float64(hi - lo)
	return Counts{Good: n * s.per.Good, Total: n * s.per.Total}
}

// late reports whether component i is delayed and minute m lies after its
// data.
func (js *journeyState) late(i int, m int64) bool {
	return js.delayed[i] && m > js.through[i]
}

// prepareJourney brings what a journey takes from its components up to
// now before it is evaluated: the health of their sources, how late
// each is, and, for a late one, what WhenDelayed makes of its missing
// minutes. Its components are evaluated before it. The caller holds the
// lock.
//
// A component is late once the newest minute it has data for (a queried
// component: the last minute its source recorded; a pushed one: the
// newest minute with events) is more than MaxDelay behind the newest of
// the journey's components. Then its minutes after its data count, in a
// journey of time slices, as good or bad slices (ignore: not at all);
// in one of occurrences, as the component's average events per minute
// over the journey's window up to its data, all good or all bad (ignore:
// no events, which is how missing minutes count anyway). When its data
// arrives it counts instead. Without MaxDelay a component's late data
// counts when it arrives, as late events do in any SLO.
func (e *Engine) prepareJourney(st *sloState, now time.Time) {
	js, comp := st.journey, st.def.Composite
	n := len(comp.Components)
	if len(js.comps) != n {
		js.comps, js.through, js.delayed, js.stand = make([]*sloState, n), make([]int64, n), make([]bool, n), make([]standIn, n)
	}
	st.source = e.journeySource(st)
	js.newest = noData
	for i, c := range comp.Components {
		js.comps[i] = e.slos[c.SLO]
		js.through[i] = throughOf(js.comps[i])
		js.newest = max(js.newest, js.through[i])
	}
	for i := range comp.Components {
		was := js.delayed[i]
		js.delayed[i] = comp.MaxDelay > 0 && js.newest != noData &&
			(js.through[i] == noData || js.newest-js.through[i] > int64(comp.MaxDelay/time.Minute))
		if st.timeslices() && was != js.delayed[i] && st.all.judge != nil {
			// Its missing slices are judged again, as it now counts.
			from := js.through[i]
			if from == noData {
				from = math.MinInt64
			}
			st.all.judge.from = min(st.all.judge.from, floorDiv(from, st.sliceMinutes())*st.sliceMinutes())
		}
	}
	if !st.timeslices() && (comp.WhenDelayed == slo.CountAsGood || comp.WhenDelayed == slo.CountAsBad) {
		e.standIn(st, now)
	}
}

// throughOf is the newest minute a component has data for.
func throughOf(c *sloState) int64 {
	switch {
	case c == nil:
		return noData
	case c.journey != nil:
		return c.journey.newest
	case !c.def.Indicator.Pushed() && !c.source.Through.IsZero():
		return UnixMinute(c.source.Through)
	case c.newest > 0:
		return c.newest
	}
	return noData
}

// standIn replaces what stands in for an occurrences journey's late
// components' missing minutes by what stands in for them now. The stand-
// ins are added to the journey's sums as they are read (Series.stand), not
// written minute by minute: their rate moves with the window at every
// evaluation, and a component late across a 30-day window would have
// 43,200 minutes rewritten each time.
func (e *Engine) standIn(st *sloState, now time.Time) {
	js, comp := st.journey, st.def.Composite
	end := UnixMinute(st.measuredAt(now))
	start := UnixMinute(WindowStart(st.def.Window, st.measuredAt(now)))
	sr := st.all.events
	sr.stand = sr.stand[:0]
	for i, c := range js.comps {
		var next standIn
		if js.delayed[i] && js.through[i] != noData && c != nil {
			// The component's average events per minute over the window,
			// up to its data.
			from := max(start, UnixMinute(c.all.events.First()))
			if minutes := js.through[i] - from + 1; minutes > 0 {
				rate := comp.Components[i].Weight * c.all.events.Sum(from-1, js.through[i]).Total / float64(minutes)
				next = standIn{from: max(js.through[i], start-1), through: min(js.newest, end), per: Counts{Total: rate}}
				if comp.WhenDelayed == slo.CountAsGood {
					next.per.Good = rate
				}
			}
		}
		js.stand[i] = next
		if next.through > next.from {
			sr.stand = append(sr.stand, next)
		}
	}
	if len(sr.stand) == 0 {
		sr.stand = nil
	}
}

// journeySource is the health of a journey's data: that of its queried
// components, the first failing one's error.
func (e *Engine) journeySource(st *sloState) SourceState {
	src := SourceState{Backfill: 1}
	for _, id := range st.journey.leafIDs {
		c := e.slos[id]
		if c == nil || c.def.Indicator.Pushed() || c.source.NotMeasured != "" {
			continue
		}
		if c.source.Stale && !src.Stale {
			src.Stale, src.StaleSince, src.Error = true, c.source.StaleSince, "component "+id+": "+c.source.Error
		}
		src.Backfill = min(src.Backfill, c.source.Backfill)
		if src.LastSuccess.IsZero() || c.source.LastSuccess.Before(src.LastSuccess) {
			src.LastSuccess = c.source.LastSuccess
		}
		if src.Through.IsZero() || c.source.Through.Before(src.Through) {
			src.Through = c.source.Through
		}
	}
	return src
}

// StandIns are what stands in, in one occurrences journey's events, for
// its late components' missing minutes: counts the journey holds and no
// store does, so a reader of stored counts adds them to agree with the
// engine.
type StandIns struct{ s []standIn }

// Hourly returns the stand-in counts of the minutes from from (inclusive)
// to to (exclusive) per Unix hour, weighted as in the journey, as stored
// counts are read by the hour.
func (s StandIns) Hourly(from, to int64) map[int64]Counts {
	out := map[int64]Counts{}
	for _, one := range s.s {
		lo, hi := max(from, one.from+1), min(to-1, one.through)
		for h := floorDiv(lo, 60); h*60 <= hi; h++ {
			n := one.in(max(lo, h*60)-1, min(hi, h*60+59))
			if n == (Counts{}) {
				continue
			}
			out[h] = out[h].add(n)
		}
	}
	return out
}

// JourneyStandIns returns, for each occurrences journey whose late
// components count as good or bad (WhenDelayed), what stands in for
// their missing minutes as of the last evaluation. Journeys without any
// are left out.
func (e *Engine) JourneyStandIns() map[string]StandIns {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out map[string]StandIns
	for id, st := range e.slos {
		if st.journey == nil {
			continue
		}
		var s []standIn
		for _, one := range st.journey.stand {
			if one != (standIn{}) {
				s = append(s, one)
			}
		}
		if len(s) > 0 {
			if out == nil {
				out = map[string]StandIns{}
			}
			out[id] = StandIns{s: s}
		}
	}
	return out
}
