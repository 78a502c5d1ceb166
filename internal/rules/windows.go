package rules

import (
	"fmt"
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// overlapLimit is the longest window summed from every 5-minute recording;
// longer windows sum one recording per 5 minutes (or per hour), which
// tiles the window with a lag of at most that step.
const overlapLimit = 6 * time.Hour

// windows are the windows whose error ratio an SLO records, shortest
// first: every rule's long and short window, the SLO's own window, 1h
// (which the SLO's window adds up) and, for event-budgeted SLOs, 5m.
func windows(s *slo.SLO, rules []slo.BurnRateAlert) (all []time.Duration, alerting map[time.Duration]bool) {
	alerting = map[time.Duration]bool{}
	add := func(w time.Duration) {
		w = max(w, baseWindow)
		if !slices.Contains(all, w) {
			all = append(all, w)
		}
	}
	for _, r := range rules {
		for _, w := range []time.Duration{r.LongWindow, r.ShortWindow} {
			add(w)
			alerting[max(w, baseWindow)] = true
		}
	}
	add(s.Window.Nominal())
	add(time.Hour) // the SLO's window adds up hourly values
	if !timeslices(s) {
		add(baseWindow)
	}
	slices.Sort(all)
	return all, alerting
}

// timeslices reports whether the SLO's budget counts time slices.
func timeslices(s *slo.SLO) bool {
	return s.Budgeting.Method == slo.Timeslices || s.Budgeting.Method == slo.RatioTimeslices
}

// windowRules record the error ratio over each window, from the 5-minute
// recordings only.
func windowRules(s *slo.SLO, t target) []Rule {
	all, alerting := windows(s, engine.Rules(s))
	record := func(name, expr string) Rule { return Rule{Record: name, Expr: expr, Labels: t.labels()} }
	if timeslices(s) {
		return sliceRules(s, t, all, alerting, record)
	}
	out := []Rule{
		record(ErrorRatio(baseWindow), t.sel(ErrorRate5m)+" / "+t.sel(TotalRate5m)),
		record(TotalRate1h, "avg_over_time("+t.sel(TotalRate5m)+"[1h])"),
		record(ErrorRate1h, "avg_over_time("+t.sel(ErrorRate5m)+"[1h])"),
		record(ErrorRatio(time.Hour), t.sel(ErrorRate1h)+" / "+t.sel(TotalRate1h)),
	}
	for _, w := range all {
		if w == baseWindow || w == time.Hour {
			continue
		}
		out = append(out, record(ErrorRatio(w), ratioOver(t, w, alerting[w])))
	}
	// The window's average traffic, for the alerts' budget condition.
	if w := s.Window.Nominal(); w%time.Hour == 0 {
		out = append(out, record(TotalRateOver(w), "avg_over_time("+t.sel(TotalRate1h)+"["+dur(w)+":1h])"))
	}
	return out
}

// ratioOver is the error ratio of events over w: the bad over the total
// events of the 5-minute recordings in w. Up to 6 hours it sums every
// recording (they overlap, which smooths the newest minutes a little);
// longer alert windows sum one recording every 5 minutes, which tiles the
// window exactly; a longer window only the budget uses sums one hourly
// average an hour.
func ratioOver(t target, w time.Duration, alerting bool) string {
	over := func(name, rng string) string { return "sum_over_time(" + t.sel(name) + "[" + rng + "])" }
	switch {
	case w <= overlapLimit || w%baseWindow != 0:
		return over(ErrorRate5m, dur(w)) + " / " + over(TotalRate5m, dur(w))
	case !alerting && w%time.Hour == 0:
		rng := dur(w) + ":1h"
		return over(ErrorRate1h, rng) + " / " + over(TotalRate1h, rng)
	}
	rng := dur(w) + ":" + dur(baseWindow)
	return over(ErrorRate5m, rng) + " / " + over(TotalRate5m, rng)
}

// sliceRules judge each time slice as it ends and record, for each window,
// the average error of the slices in it: the share of bad slices
// (timeslices) or the average slice error ratio (ratio-timeslices). A long
// window only the budget uses averages the hourly averages instead, when
// slices tile the hour.
func sliceRules(s *slo.SLO, t target, all []time.Duration, alerting map[time.Duration]bool, record func(name, expr string) Rule) []Rule {
	length := max(s.Budgeting.SliceLength, baseWindow)
	ratio := t.sel(ErrorRate5m) + " / " + t.sel(TotalRate5m)
	if length > baseWindow {
		ratio = ratioOver(t, length, true)
	}
	slice := "(" + ratio + ") >= 0" // drops slices without events, as the engine does
	if s.Budgeting.Method == slo.Timeslices {
		// A slice is bad when its error ratio exceeds 1 - sliceTarget.
		slice = "(" + slice + ") > bool " + num(1-s.Budgeting.SliceTarget/100)
	}
	out := []Rule{record(SliceError, slice)}
	for _, w := range all {
		if w > overlapLimit && !alerting[w] && w%time.Hour == 0 && time.Hour%length == 0 {
			out = append(out, record(ErrorRatio(w), "avg_over_time("+t.sel(ErrorRatio(time.Hour))+"["+dur(w)+":1h])"))
			continue
		}
		// One sample per slice, at the slice boundaries (aligned to the
		// epoch, as the engine aligns them).
		rng := fmt.Sprintf("%s:%s", dur(max(w, length)), dur(length))
		out = append(out, record(ErrorRatio(w), "avg_over_time("+t.sel(SliceError)+"["+rng+"])"))
	}
	return out
}
