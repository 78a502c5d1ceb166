package engine

import (
	"math"
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// sliceGrace is how long after a slice ends the engine waits before it
// first judges it. Data arriving later still counts: the slice is judged
// again.
const sliceGrace = 2 * time.Minute

// sliceJudge keeps track of which time slices of a group must be judged,
// or judged again because data arrived in them after they were judged.
//
// Slices of the last three days are judged one by one from the minute
// checkpoints. Older counts are kept per hour, so late data older than
// that (a backfill, events pushed with old timestamps) is judged per
// block: the hours and slices it falls in, every slice of the block
// taking the block's SLI.
type sliceJudge struct {
	// from is the first slice start still to be (re)judged one by one;
	// every earlier slice in the minute checkpoints is judged from the
	// data it holds. math.MinInt64 sweeps all of them, as after a restart.
	from int64
	// old are the starts of blocks older than the minute checkpoints that
	// got data since they were judged.
	old map[int64]struct{}
	// fresh are old slices whose block held no data before their batch,
	// with the batch's counts in them: the leader's next evaluation judges
	// them exactly. They wait for it rather than being judged as the batch
	// arrives, because a replica that follows judges nothing: it takes the
	// leader's judgments, which the leader makes from the same batch when
	// it pulls it.
	fresh []freshSlice
}

// freshSlice is an old slice's start and the counts a batch brought it.
type freshSlice struct {
	start int64
	sum   Counts
}

// forget drops what waits to be judged: a replica that follows takes the
// leader's judgments instead.
func (j *sliceJudge) forget() {
	j.old, j.fresh = nil, nil
}

func newSliceJudge() *sliceJudge { return &sliceJudge{from: math.MinInt64} }

// sliceMinutes is the SLO's slice length in minutes.
func (st *sloState) sliceMinutes() int64 {
	return max(int64(st.def.Budgeting.SliceLength/time.Minute), 1)
}

// blockMinutes is the length of the blocks older slices are judged in:
// the shortest span of whole slices that is also whole hours.
func (st *sloState) blockMinutes() int64 {
	l := st.sliceMinutes()
	return l / gcd(l, 60) * 60
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// firstExact is the first slice start whose slice the minute checkpoints
// of series ending at head sum exactly.
func (st *sloState) firstExact(head int64) int64 {
	l := st.sliceMinutes()
	oldest := head - int64(minuteSlots) + 1 // the oldest exact checkpoint
	return floorDiv(oldest+l, l) * l        // its slice must start after it
}

// lateBatch is what a batch of counts brings to time slices: slices of
// the minute checkpoints to judge again, and older slices.
type lateBatch struct {
	// fresh are the old blocks that held no data before the batch; their
	// slices are judged exactly from the batch's own minutes.
	fresh map[groupBlock]bool
	// sums are the batch's counts per old slice.
	sums map[groupBlock]Counts
	// order are the old slices in the order the batch reached them.
	order []lateSlice
}

// lateSlice is an old slice a batch reached and the block it lies in.
type lateSlice struct{ slice, block groupBlock }

// groupBlock is a slice or block of one group, by its start minute.
type groupBlock struct {
	g     *group
	start int64
}

// lateSlices notes, before a batch of counts is applied, which slices it
// makes (re)judge; the caller holds e.mu and calls judge once the batch
// is applied.
//
// Slices of the minute checkpoints are judged again at the next
// evaluation, exactly. For older slices only hourly counts are kept, so
// the batch's own minutes are all there is to know them by: where their
// block held no data before (a backfill, a week of events pushed at once)
// the batch judges each slice exactly; where it did, the block is judged
// again at the next evaluation from its hourly counts.
func (e *Engine) lateSlices(counts []Count, nowMin int64) *lateBatch {
	lb := &lateBatch{}
	for _, c := range counts {
		st, ok := e.slos[c.SLO]
		if !ok || c.Kind != KindEvents || !st.timeslices() {
			continue
		}
		g := st.countedIn(c.Group)
		if g == nil {
			g = st.all // a group over the cap counts in the SLO's total only
		}
		lb.note(st, g, c, nowMin)
		if g != st.all {
			lb.note(st, st.all, c, nowMin)
		}
	}
	return lb
}

func (lb *lateBatch) note(st *sloState, g *group, c Count, nowMin int64) {
	l, b := st.sliceMinutes(), st.blockMinutes()
	s := floorDiv(c.Minute, l) * l
	if s >= st.firstExact(max(nowMin, g.events.head)) {
		g.judge.from = min(g.judge.from, s)
		return
	}
	if lb.fresh == nil {
		lb.fresh, lb.sums = map[groupBlock]bool{}, map[groupBlock]Counts{}
	}
	// A count over a span (an hour of a backfill) falls evenly on the
	// slices it covers, as its minutes would.
	span := max(c.Span, 1)
	for ; s < c.Minute+span; s += l {
		block := groupBlock{g, floorDiv(s, b) * b}
		if _, seen := lb.fresh[block]; !seen {
			lb.fresh[block] = g.events.Sum(block.start-1, block.start+b-1).Total == 0 &&
				g.slices.Sum(block.start-1, block.start+b-1).Total == 0
		}
		k := groupBlock{g, s}
		if _, seen := lb.sums[k]; !seen {
			lb.order = append(lb.order, lateSlice{k, block})
		}
		share := float64(min(s+l, c.Minute+span)-max(s, c.Minute)) / float64(span)
		lb.sums[k] = lb.sums[k].add(Counts{Good: c.Good * share, Total: c.Total * share})
	}
}

// judge queues the old slices of fresh blocks to be judged from the
// batch, and marks the other old blocks to be judged again, at the next
// evaluation.
func (lb *lateBatch) judge() {
	for _, x := range lb.order {
		j := x.slice.g.judge
		if !lb.fresh[x.block] {
			if j.old == nil {
				j.old = map[int64]struct{}{}
			}
			j.old[x.block.start] = struct{}{}
			continue
		}
		j.fresh = append(j.fresh, freshSlice{start: x.slice.start, sum: lb.sums[x.slice]})
	}
}

// judgeSlices judges every slice that ended at least sliceGrace ago and
// must be judged, and the old blocks late data fell in, adding what
// changed to the group's slice series. It returns the changes to store.
func (st *sloState) judgeSlices(g *group, now time.Time) []Count {
	l, b := st.sliceMinutes(), st.blockMinutes()
	ready := UnixMinute(now.Add(-sliceGrace)) // slices ending by here are judged
	exact := st.firstExact(max(g.events.head, g.slices.head))
	j := g.judge
	var out []Count
	// Fresh old slices first: a later batch in their block judges the
	// whole block again, against them.
	for _, f := range j.fresh {
		judged := st.judgment(f.sum, 1)
		if judged.Total > 0 && g.slices.Add(f.start, judged) {
			out = append(out, Count{SLO: st.def.ID(), Group: g.key, Kind: KindSlices, Minute: f.start, Counts: judged})
		}
	}
	j.fresh = nil
	judge := func(from, to int64) {
		if c, ok := st.judgeSpan(g, from, to); ok {
			out = append(out, c)
		}
	}
	// Slices that fell out of the minute checkpoints before their turn
	// are judged with the old blocks.
	if j.from != math.MinInt64 && j.from < exact {
		if j.old == nil {
			j.old = map[int64]struct{}{}
		}
		for s := floorDiv(j.from, b) * b; s < exact; s += b {
			j.old[s] = struct{}{}
		}
	}
	if len(j.old) > 0 {
		starts := make([]int64, 0, len(j.old))
		for s := range j.old {
			starts = append(starts, s)
		}
		slices.Sort(starts)
		for _, s := range starts {
			judge(s, min(s+b, exact))
		}
		j.old = nil
	}
	s := max(j.from, exact)
	if j.from == math.MinInt64 && !g.events.Empty() {
		s = max(exact, floorDiv(g.events.first, l)*l) // nothing to judge before the first data
	}
	for ; s+l <= ready; s += l {
		judge(s, s+l)
	}
	j.from = s
	return out
}

// judgeSpan judges the slices from minute from to minute to (exclusive)
// from the events they hold, every slice by the span's SLI, and records
// the difference to what they were judged before. A span without events
// is neither good nor bad.
func (st *sloState) judgeSpan(g *group, from, to int64) (Count, bool) {
	n := float64((to - from) / st.sliceMinutes())
	if n <= 0 {
		return Count{}, false
	}
	d := st.judgment(g.events.Sum(from-1, to-1), n).sub(g.slices.Sum(from-1, to-1))
	// Running totals carry rounding noise; a slice is a unit of about 1.
	if math.Abs(d.Good) < 1e-6 && math.Abs(d.Total) < 1e-6 {
		return Count{}, false
	}
	if !g.slices.Add(from, d) {
		return Count{}, false // older than the window keeps
	}
	return Count{SLO: st.def.ID(), Group: g.key, Kind: KindSlices, Minute: from, Counts: d}, true
}

// judgment is n slices judged by the SLI of the events c: good slices of
// n for timeslices, n times the SLI for ratio-timeslices; nothing without
// events.
func (st *sloState) judgment(c Counts, n float64) Counts {
	if c.Total <= 0 {
		return Counts{}
	}
	sli := c.Good / c.Total
	if st.def.Budgeting.Method == slo.RatioTimeslices {
		return Counts{Good: n * sli, Total: n}
	}
	if sli*100 >= st.def.Budgeting.SliceTarget {
		return Counts{Good: n, Total: n}
	}
	return Counts{Total: n}
}
