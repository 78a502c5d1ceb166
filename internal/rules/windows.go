package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// timeslices reports whether the SLO's budget counts time slices.
func timeslices(s *slo.SLO) bool {
	return s.Budgeting.Method == slo.Timeslices || s.Budgeting.Method == slo.RatioTimeslices
}

// The events a window counts: total or bad.
const (
	totalEvents = "total"
	errorEvents = "error"
)

// events is PromQL for the SLO's total or bad events in the last w. Up to
// 6 hours, and for windows that 5 minutes do not divide, it adds up the
// per-minute recordings (exact, one sample a minute). Longer windows add
// up 5-minute tiles (one sample per 5 minutes) and are made exact to the
// minute with the events since the last tile: the last w/5m tiles reach
// from the tile boundary before the window's start to the last tile, so
// the events since the last tile are added and those since the tile
// boundary before the start, recorded a window ago, taken away. Before
// the rules have run for a window, nothing is taken away, and before the
// first tile the events since the rules started are the window's.
func (t target) events(kind string, w time.Duration) string {
	w = max(w, EvalStep)
	name := map[string][3]string{totalEvents: {TotalIncrease1m, TotalIncrease5m, TotalSinceTile}, errorEvents: {ErrorIncrease1m, ErrorIncrease5m, ErrorSinceTile}}[kind]
	if w <= denseLimit || w%tileStep != 0 {
		return "sum_over_time(" + t.sel(name[0]) + "[" + span(w) + "])"
	}
	since := t.sel(name[2])
	return "((sum_over_time(" + t.sel(name[1]) + "[" + span(w) + "]) or " + since + " * 0) + " + since + " - (" + since + " offset " + dur(w) + " or " + since + " * 0))"
}

// ratio is PromQL for the SLO's error ratio over w.
func (t target) ratio(w time.Duration) string {
	return t.ratioOf(w, func(events string) string { return events })
}

// ratioOf is ratio with each side passed through of first (t.sum: the
// error ratio of all the SLO's groups together).
func (t target) ratioOf(w time.Duration, of func(events string) string) string {
	return of(t.events(errorEvents, w)) + " / " + of(t.events(totalEvents, w))
}

// windowEvents is PromQL for the SLO's total or bad events over its own
// window w, from hourly tiles (one sample an hour, up to 59 minutes
// behind) when the hour divides w. Until the first hourly tile is
// recorded, it is the last hour's events, so the budget is there within a
// minute of the first samples.
func (t target) windowEvents(kind string, w time.Duration) string {
	if w <= denseLimit || w%time.Hour != 0 {
		return t.events(kind, w)
	}
	tiles := "sum without (events) (sum_over_time(" + t.sel(EventsIncrease1h, `events="`+kind+`"`) + "[" + span(w) + "]))"
	return tiles + " or " + t.events(kind, time.Hour)
}

// usesHourlyTiles reports whether the SLO's window is added up from hourly
// tiles.
func usesHourlyTiles(s *slo.SLO) bool {
	w := s.Window.Nominal()
	return w > denseLimit && w%time.Hour == 0
}

// tileRules record the 5-minute tiles and, when the SLO's window adds
// them up, the hourly tiles. A tile is recorded only at an evaluation
// whose minute is a multiple of its length, and holds the recordings of
// exactly the minutes since the tile before it.
func tileRules(s *slo.SLO, t target) []Rule {
	record := func(name, expr string) Rule { return Rule{Record: name, Expr: expr, Labels: t.labels()} }
	every5m := " and on () minute() % 5 == 0"
	// The events since the last tile: the last k minutes at a minute k
	// past a multiple of 5, 0 at the multiple.
	since := func(name string) string {
		parts := []string{t.sel(name) + " * 0 and on () minute() % 5 == 0"}
		for k := 1; k < int(tileStep/EvalStep); k++ {
			parts = append(parts, fmt.Sprintf("sum_over_time(%s[%s]) and on () minute() %% 5 == %d", t.sel(name), span(time.Duration(k)*EvalStep), k))
		}
		return strings.Join(parts, "\nor\n")
	}
	out := []Rule{
		record(TotalIncrease5m, "sum_over_time("+t.sel(TotalIncrease1m)+"["+span(tileStep)+"])"+every5m),
		record(ErrorIncrease5m, "sum_over_time("+t.sel(ErrorIncrease1m)+"["+span(tileStep)+"])"+every5m),
		record(TotalSinceTile, since(TotalIncrease1m)),
		record(ErrorSinceTile, since(ErrorIncrease1m)),
	}
	if usesHourlyTiles(s) {
		hour := func(kind, name string) string {
			return `label_replace(sum_over_time(` + t.sel(name) + "[" + span(time.Hour) + `]), "events", "` + kind + `", "", "") and on () minute() == 0`
		}
		out = append(out, record(EventsIncrease1h, hour(totalEvents, TotalIncrease5m)+"\nor\n"+hour(errorEvents, ErrorIncrease5m)))
	}
	return out
}

// needsTiles reports whether any window of the SLO adds up tiles.
func needsTiles(s *slo.SLO) bool {
	if timeslices(s) {
		return false
	}
	if usesHourlyTiles(s) {
		return true
	}
	for _, r := range engine.Rules(s) {
		if r.LongWindow > denseLimit && r.LongWindow%tileStep == 0 {
			return true
		}
	}
	return false
}

// sliceLength is the length of the SLO's time slices, at least a minute.
func sliceLength(s *slo.SLO) time.Duration { return max(s.Budgeting.SliceLength, EvalStep) }

// sliceRules record slice, the error of the time slice ending now (see
// judged), every minute: the share of bad slices (timeslices) or the
// average slice error ratio (ratio-timeslices) over a window is the
// average of the slices' errors at the slice boundaries (aligned to the
// epoch, as the engine aligns them). When slices tile the hour, hourly
// averages are recorded at minute 0 for the SLO's window.
func sliceRules(s *slo.SLO, t target, slice string) []Rule {
	record := func(name, expr string) Rule { return Rule{Record: name, Expr: expr, Labels: t.labels()} }
	out := []Rule{record(SliceError, slice)}
	if hourlySlices(s) {
		out = append(out, record(SliceError1h, t.sliceAverage(time.Hour)+" and on () minute() == 0"))
	}
	return out
}

// judged is PromQL for the error of a time-slice SLO's slice whose error
// ratio is ratio: the ratio (ratio-timeslices), or 1 when it exceeds
// 1 - sliceTarget and 0 when not (timeslices). A slice without events is
// no slice, as in the engine.
func judged(s *slo.SLO, ratio string) string {
	slice := "(" + ratio + ") >= 0"
	if s.Budgeting.Method == slo.Timeslices {
		slice = "(" + slice + ") > bool " + num(1-s.Budgeting.SliceTarget/100)
	}
	return slice
}

// hourlySlices reports whether a time-slice SLO's window averages hourly
// averages.
func hourlySlices(s *slo.SLO) bool {
	return usesHourlyTiles(s) && time.Hour%sliceLength(s) == 0
}

// sliceAverage is PromQL for the average error of the slices that ended
// in the last w.
func (t target) sliceAverage(w time.Duration) string {
	return "avg_over_time(" + t.sel(SliceError) + "[" + span(max(w, t.slice)) + ":" + dur(t.slice) + "])"
}
