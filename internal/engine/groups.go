package engine

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxGroups is how many groups (label sets) one grouped SLO may
// count when Options.MaxGroups is not set. Each group keeps its own series
// (up to about 90 KB for a 30-day window) and alert states.
const DefaultMaxGroups = 1000

// finite reports whether both counts are finite numbers.
func (c Counts) finite() bool {
	return !math.IsInf(c.Good, 0) && !math.IsNaN(c.Good) && !math.IsInf(c.Total, 0) && !math.IsNaN(c.Total)
}

// finiteOnly drops counts that are not finite numbers, logging them.
func (e *Engine) finiteOnly(counts []Count) []Count {
	if !slices.ContainsFunc(counts, func(c Count) bool { return !c.Counts.finite() }) {
		return counts // the usual case, without a copy
	}
	out := counts[:0:0]
	for _, c := range counts {
		if !c.Counts.finite() {
			e.log.Warn("dropped a count that is not a finite number", "slo", c.SLO, "group", c.Group,
				"minute", c.Minute, "good", c.Good, "total", c.Total)
			continue
		}
		out = append(out, c)
	}
	return out
}

// newGroupAt is a group an ingest batch would start, with the index of
// the first event in it.
type newGroupAt struct {
	key   string
	index int
}

// reservation is what a batch being stored holds until it is counted (or
// fails): the groups it starts, and the events it adds to each SLO.
type reservation struct {
	groups map[*sloState][]string
	totals map[*sloState]float64
}

// reserve checks that the batch's new groups fit under each SLO's cap and
// that its counts keep each SLO's running total exact (see
// checkExact), and reserves both until the batch is counted (or fails), so
// concurrent batches cannot together pass a cap. It returns the
// reservation, or an *EventError for the first event that would start a
// group over a cap or pass the exact range.
func (e *Engine) reserve(news map[*sloState][]newGroupAt, totals map[*sloState]totalAt) (*reservation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := checkExact(totals); err != nil {
		return nil, err
	}
	var over *EventError
	for st, list := range news {
		room := st.maxGroups - len(st.groups) - len(st.reserved)
		n := 0
		for _, ng := range list {
			if _, ok := st.groups[ng.key]; ok || st.reserved[ng.key] > 0 {
				continue // started meanwhile by another batch
			}
			if n++; n > room && (over == nil || ng.index < over.Index) {
				over = &EventError{ng.index, fmt.Sprintf("labels: SLO %s already counts %d groups, its cap (max-groups); %s would start another",
					st.def.ID(), st.maxGroups, LabelText(GroupLabels(ng.key)))}
			}
		}
	}
	if over != nil {
		return nil, over
	}
	out := &reservation{groups: map[*sloState][]string{}, totals: make(map[*sloState]float64, len(totals))}
	for st, list := range news {
		for _, ng := range list {
			if _, ok := st.groups[ng.key]; !ok {
				st.reserved[ng.key]++
				out.groups[st] = append(out.groups[st], ng.key)
			}
		}
	}
	for st, t := range totals {
		st.inflight += t.total
		out.totals[st] = t.total
	}
	return out, nil
}

// unreserve releases a reservation; the caller holds e.mu.
func (e *Engine) unreserve(reserved *reservation) {
	if reserved == nil {
		return
	}
	for st, keys := range reserved.groups {
		for _, k := range keys {
			if st.reserved[k]--; st.reserved[k] <= 0 {
				delete(st.reserved, k)
			}
		}
	}
	for st, t := range reserved.totals {
		st.inflight -= t
	}
}

// release releases the reservation of a batch that was not counted.
func (e *Engine) release(reserved *reservation) {
	if reserved == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.unreserve(reserved)
}

// applyAll adds counts to memory, each series' share in one pass (see
// Series.AddMany), and marks the time slices late ones fall in to be
// judged again; the caller holds e.mu.
func (e *Engine) applyAll(counts []Count) {
	late := e.lateSlices(counts, UnixMinute(e.clock.Now()))
	e.applyTo(e.slos, e.feeds, counts)
	late.judge()
}

// applyTo adds counts to the given SLOs' states, and events to the
// occurrences journeys among them that feeds say they count in.
func (e *Engine) applyTo(slos map[string]*sloState, feeds map[string][]journeyFeed, counts []Count) {
	// Each series gets its points in one AddMany, in minute order. The
	// points are gathered series by series in one array: counted first,
	// then placed, which spares a slice per series growing as it goes.
	type point struct {
		series int
		MinuteCounts
	}
	index := map[*Series]int{}
	var series []*Series
	var sizes []int
	points := make([]point, 0, 2*len(counts))
	add := func(s *Series, c Count) {
		i, ok := index[s]
		if !ok {
			i = len(series)
			index[s] = i
			series = append(series, s)
			sizes = append(sizes, 0)
		}
		sizes[i]++
		points = append(points, point{i, MinuteCounts{c.Minute, c.Counts}})
	}
	for _, c := range counts {
		st, ok := slos[c.SLO]
		// One look-up of the journeys a count feeds: most SLOs feed none.
		if fs := feeds[c.SLO]; len(fs) > 0 && c.Kind == KindEvents {
			for _, f := range fs {
				if j, ok := slos[f.journey]; ok && f.weight > 0 && !j.timeslices() {
					add(j.all.events, Count{Minute: c.Minute, Counts: Counts{Good: f.weight * c.Good, Total: f.weight * c.Total}})
				}
			}
			if ok {
				st.newest = max(st.newest, c.Minute+max(c.Span, 1)-1)
			}
		}
		if !ok {
			continue
		}
		g := st.countedIn(c.Group)
		if g == nil { // over the cap: the SLO's total still counts it
			st.overCap++
			g = st.all
			if c.Kind == KindSlices {
				continue
			}
		}
		if c.Kind == KindSlices {
			if g.slices != nil {
				add(g.slices, c)
			}
			continue
		}
		add(g.events, c)
		if g != st.all {
			add(st.all.events, c)
		}
	}
	starts := make([]int, len(series)+1)
	for i, n := range sizes {
		starts[i+1] = starts[i] + n
	}
	placed := make([]MinuteCounts, len(points))
	next := slices.Clone(starts[:len(series)])
	for _, p := range points {
		placed[next[p.series]] = p.MinuteCounts
		next[p.series]++
	}
	for i, s := range series {
		run := placed[starts[i]:starts[i+1]]
		// Not stable: counts of one minute add up in any order, and a
		// backlog's arrive newest first, which insertion sort takes at its
		// slowest.
		slices.SortFunc(run, func(a, b MinuteCounts) int { return cmp.Compare(a.Minute, b.Minute) })
		s.AddMany(run)
	}
}

// countedIn returns the group a stored count of group key belongs to: the
// SLO's one series when it has no groupBy (counts stored while it had one
// included), its total when it has one and the count has no group (stored
// before it had one); nil for a new group over the cap.
func (st *sloState) countedIn(key string) *group {
	switch {
	case len(st.def.GroupBy) == 0:
		return st.all
	case key == GroupKey(nil):
		return st.all
	}
	return st.group(key)
}

// The limits on an event's labels.
const (
	MaxLabels          = 32
	MaxLabelNameBytes  = 128
	MaxLabelValueBytes = 256
)

// checkLabels refuses labels that are too many, too long or not UTF-8,
// naming the first bad one in name order.
func checkLabels(labels map[string]string) error {
	if len(labels) > MaxLabels {
		return fmt.Errorf("labels: %d labels, at most %d", len(labels), MaxLabels)
	}
	for k, v := range labels {
		if labelError(k, v) != nil {
			for _, k := range sortedKeys(labels) { // rarely: only to name the first
				if err := labelError(k, labels[k]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func labelError(k, v string) error {
	switch {
	case k == "" || len(k) > MaxLabelNameBytes:
		return fmt.Errorf("labels: a label name must have 1 to %d bytes, got %d", MaxLabelNameBytes, len(k))
	case len(v) > MaxLabelValueBytes:
		return fmt.Errorf("labels.%s: %d bytes, at most %d", k, len(v), MaxLabelValueBytes)
	case !validUTF8(k) || !validUTF8(v):
		return fmt.Errorf("labels.%s: not valid UTF-8", k)
	}
	// A control character (NUL, a newline, an escape) would name a group
	// no one can type or see, and break the logs and pages that show it.
	if i := strings.IndexFunc(k, unicode.IsControl); i >= 0 {
		return fmt.Errorf("labels: name %q has the control character %U", k, []rune(k[i:])[0])
	}
	if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
		return fmt.Errorf("labels.%s: the control character %U is not allowed in a value", k, []rune(v[i:])[0])
	}
	return nil
}

// validUTF8 also refuses U+FFFD, which JSON decoding puts in place of
// invalid bytes: distinct invalid values would count as one group.
func validUTF8(s string) bool {
	return !strings.ContainsRune(s, utf8.RuneError) && utf8.ValidString(s)
}
