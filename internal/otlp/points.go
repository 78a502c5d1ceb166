package otlp

import (
	"hash/maphash"
	"sort"
	"sync"
	"time"
)

// points keeps what counting metric points once needs: each cumulative
// series' last reading, and the keys of delta points counted.
type points struct {
	// mu is held from reading a batch's baselines to keeping its new
	// ones: two batches of one series must move its baseline in order.
	mu     sync.Mutex
	seed   maphash.Seed
	max    int
	series map[pointSeries]baseline
	deltas *seen
}

// baseline is a series' last stored reading and when it came.
type baseline struct {
	reading
	used time.Time
}

// idleSeries is how long a cumulative series unseen is kept at the cap.
const idleSeries = time.Hour

func newPoints(max int) *points {
	return &points{seed: maphash.MakeSeed(), max: max, series: map[pointSeries]baseline{}, deltas: newSeen(max)}
}

// base returns a series' last reading; the caller holds mu.
func (p *points) base(s pointSeries) (reading, bool) {
	b, ok := p.series[s]
	return b.reading, ok
}

// keep stores a counted batch's baselines; the caller holds mu. Past max
// series the ones idle longest go: such a series starts again from a
// baseline, counting nothing twice.
func (p *points) keep(pending map[pointSeries]reading, now time.Time) {
	for s, r := range pending {
		p.series[s] = baseline{r, now}
	}
	if len(p.series) <= p.max {
		return
	}
	for s, b := range p.series {
		if now.Sub(b.used) > idleSeries {
			delete(p.series, s)
		}
	}
	if len(p.series) <= p.max {
		return
	}
	all := make([]pointSeries, 0, len(p.series))
	for s := range p.series {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool { return p.series[all[i]].used.Before(p.series[all[j]].used) })
	for _, s := range all[:len(all)-p.max*3/4] {
		delete(p.series, s)
	}
}
