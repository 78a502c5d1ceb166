package engine

import (
	"math"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// judgeJourney judges a time-slice journey's slices from its components'
// judged slices: every slice its components have judged and those they
// judged again since (marked in the journey's judge), and returns the
// changes to store. Slices are judged within the minute checkpoints (the
// last three days) only: a component slice judged again later than that
// leaves the journey's as it was. The caller holds the lock and has
// evaluated the components first.
func (st *sloState) judgeJourney(g *group, now time.Time) []Count {
	js, l := st.journey, st.sliceMinutes()
	exact := st.firstExact(max(UnixMinute(now), g.slices.head))
	// Judged as far as every component has judged: those that judge from
	// events judge a slice sliceGrace after it ends.
	ready := floorDiv(UnixMinute(now.Add(-sliceGrace)), l) * l
	first := int64(math.MaxInt64)
	for _, c := range js.comps {
		if c == nil || c.all.slices == nil {
			continue
		}
		if c.all.judge.from != math.MinInt64 {
			ready = min(ready, c.all.judge.from)
		}
		if !c.all.slices.Empty() {
			first = min(first, floorDiv(c.all.slices.first, l)*l)
		}
	}
	if first == math.MaxInt64 {
		return nil // no component has judged a slice yet
	}
	j := g.judge
	s := j.from
	if s == math.MinInt64 {
		s = first
	}
	s = max(s, exact)
	var out []Count
	for ; s+l <= ready; s += l {
		want := st.journeySlice(s)
		d := want.sub(g.slices.Sum(s-1, s+l-1))
		if math.Abs(d.Good) < 1e-9 && math.Abs(d.Total) < 1e-9 {
			continue
		}
		if g.slices.Add(s, d) {
			out = append(out, Count{SLO: st.def.ID(), Group: g.key, Kind: KindSlices, Minute: s, Counts: d})
		}
	}
	j.from = s
	return out
}

// journeySlice judges the journey's slice starting at minute s from its
// components' judgments of it. A component without data in it counts as
// the journey's WhenDelayed says once it is late (see delayed); otherwise
// it is left out, and a slice no component has data in is no slice.
func (st *sloState) journeySlice(s int64) Counts {
	js, l := st.journey, st.sliceMinutes()
	ratio := st.def.Budgeting.Method == slo.RatioTimeslices
	var weights, sum float64
	all := true
	for i, c := range js.comps {
		if c == nil || c.all.slices == nil {
			continue
		}
		n := c.all.slices.Sum(s-1, s+l-1)
		sli := 0.0
		switch {
		case n.Total > 1e-9:
			sli = n.Good / n.Total
		case js.late(i, s+l-1) && st.def.Composite.WhenDelayed == slo.CountAsGood:
			sli = 1
		case js.late(i, s+l-1) && st.def.Composite.WhenDelayed == slo.CountAsBad:
			sli = 0
		default:
			continue
		}
		w := st.def.Composite.Components[i].Weight
		weights += w
		sum += w * sli
		if sli < 1-1e-9 {
			all = false
		}
	}
	switch {
	case weights == 0:
		return Counts{}
	case ratio:
		return Counts{Good: sum / weights, Total: 1}
	case all:
		return Counts{Good: 1, Total: 1}
	}
	return Counts{Total: 1}
}

// rejudgeJourneys marks the slices a component (id) just judged, or
// judged again, to be judged again in the time-slice journeys it counts
// in; the caller holds the lock.
func (e *Engine) rejudgeJourneys(id string, judged []Count) {
	for _, f := range e.feeds[id] {
		j := e.slos[f.journey]
		if j == nil || j.all.judge == nil {
			continue
		}
		l := j.sliceMinutes()
		for _, c := range judged {
			if c.SLO == id {
				j.all.judge.from = min(j.all.judge.from, floorDiv(c.Minute, l)*l)
			}
		}
	}
}
