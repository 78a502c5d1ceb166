package rules

import (
	"strconv"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// The series the rules record. Each carries the SLO's identifying labels
// (service and slo, or Sloth's with NamingSloth) and, for a grouped SLO,
// its group-by labels.
const (
	// TotalIncrease1m is the SLO's events in the last minute, read from
	// the raw series. For error-ratio and boolean indicators, whose unit
	// is a sample, it is 1: every minute weighs the same, as in the engine.
	TotalIncrease1m = "slo:sli_total:increase1m"
	// ErrorIncrease1m is the bad events in the last minute (for error-ratio
	// and boolean indicators: the bad share of the minute's sample).
	ErrorIncrease1m = "slo:sli_error:increase1m"
	// TotalIncrease5m and ErrorIncrease5m are tiles: the events of the
	// five minutes before an evaluation whose minute is a multiple of 5,
	// recorded only then. Consecutive tiles cover time exactly once, so a
	// long window adds up one sample per 5 minutes.
	TotalIncrease5m = "slo:sli_total:increase5m"
	ErrorIncrease5m = "slo:sli_error:increase5m"
	// TotalSinceTile and ErrorSinceTile are the events since the last
	// tile, recorded every minute: 0 at a tile's minute, then 1 to 4
	// minutes of events. A window of tiles plus them now, less them a
	// window ago, is exact to the minute.
	TotalSinceTile = "slo:sli_total:increase_since_tile"
	ErrorSinceTile = "slo:sli_error:increase_since_tile"
	// EventsIncrease1h are hourly tiles, recorded at minute 0 from the
	// 5-minute tiles, with the label events="total" or events="error";
	// the SLO's window adds up one sample per hour.
	EventsIncrease1h = "slo:sli_events:increase1h"
	// SliceError is the error of the time slice ending now, for SLOs
	// budgeted by time slices: 1 for a bad slice and 0 for a good one
	// (timeslices), or the slice's error ratio (ratio-timeslices).
	SliceError = "slo:slice_error:ratio"
	// SliceError1h is the average SliceError of the hour's slices, an
	// hourly tile recorded at minute 0.
	SliceError1h = "slo:slice_error:avg1h"
	// ComponentError1m is, for a journey budgeted by occurrences, each
	// component's bad events of the last minute times its weight,
	// labelled component="SERVICE/NAME": its share of the journey's bad
	// events over a window is its share of the budget the journey spent.
	ComponentError1m = "slo:component_error:increase1m"
	// Objective is the objective as a ratio, e.g. 0.999, labelled with the
	// SLO's team, window, budgeting and indicator.
	Objective = "slo:objective:ratio"
	// BudgetRemaining is the share of the window's error budget left: 1
	// untouched, 0 exhausted, negative overspent.
	BudgetRemaining = "slo:error_budget_remaining:ratio"
)

// TotalIncreaseOver names the recording of the events in the SLO's window
// w, which the alerts' budget condition reads: slo:sli_total:increase30d.
func TotalIncreaseOver(w time.Duration) string {
	return "slo:sli_total:increase" + slo.FormatDuration(w)
}

// EvalStep is the span each base recording counts, and the evaluation
// interval every generated group sets.
const EvalStep = time.Minute

// tileStep is the span of a 5-minute tile.
const tileStep = 5 * time.Minute

// denseLimit is the longest window read from the per-minute recordings;
// longer windows add up 5-minute tiles.
const denseLimit = 6 * time.Hour

// ErrorRatio names a recording of the error ratio over window w, as Sloth
// names it: slo:sli_error:ratio_rate1h. Windows under a minute are
// measured over a minute.
func ErrorRatio(w time.Duration) string {
	return "slo:sli_error:ratio_rate" + slo.FormatDuration(max(w, EvalStep))
}

// target is the SLO a rule belongs to: its identifying labels and the
// labels its series are grouped by.
type target struct {
	id []label // the labels every recording of the SLO sets, in order
	// raw are the group-by labels as the raw series have them; by, as the
	// recordings have them: a group-by label the recordings set themselves
	// (service, slo, events) is recorded as exported_LABEL, as Prometheus
	// renames a scraped label that clashes with a target's.
	raw, by []string
	slice   time.Duration // a time-slice SLO's slice length
}

type label struct{ name, value string }

func newTarget(s *slo.SLO, naming Naming) target {
	t := target{raw: s.GroupBy, slice: sliceLength(s)}
	if len(t.raw) == 0 {
		t.raw = queryGrouping(s.Indicator)
	}
	if naming == NamingSloth {
		name := s.Name
		if s.Origin.Format == slo.FormatOpenSLO && s.SpecName != "" {
			// Sloth names every objective of an OpenSLO SLO NAME-INDEX.
			name = s.SpecName + "-" + strconv.Itoa(s.SpecObjective)
		}
		t.id = []label{{"sloth_id", s.Service + "-" + name}, {"sloth_service", s.Service}, {"sloth_slo", name}}
	} else {
		t.id = []label{{"service", s.Service}, {"slo", s.Name}}
	}
	for _, l := range t.raw {
		if t.reserved(l) {
			l = exportedPrefix + l
		}
		t.by = append(t.by, l)
	}
	return t
}

// exportedPrefix renames a group-by label that clashes with a label the
// recordings set.
const exportedPrefix = "exported_"

// reserved reports whether the recordings set label l themselves.
func (t target) reserved(l string) bool {
	if l == "events" {
		return true
	}
	for _, id := range t.id {
		if l == id.name {
			return true
		}
	}
	return false
}

// exported renames, in expr's result, the group-by labels the recordings
// set themselves to exported_LABEL; expr is left as it is when none does.
func (t target) exported(expr string) string {
	for i, l := range t.raw {
		if t.by[i] != l {
			expr = "label_replace(" + expr + ", " + strconv.Quote(t.by[i]) + `, "$1", ` + strconv.Quote(l) + `, "(.*)")`
		}
	}
	return expr
}

// labels are the labels every recording of the SLO sets.
func (t target) labels() map[string]string {
	out := make(map[string]string, len(t.id))
	for _, l := range t.id {
		out[l.name] = l.value
	}
	return out
}

// sel selects a recorded series of the SLO: name{service="…", slo="…"}.
func (t target) sel(name string, extra ...string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, l := range t.id {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l.name + "=" + strconv.Quote(l.value))
	}
	for _, e := range extra {
		b.WriteString(", " + e)
	}
	b.WriteByte('}')
	return b.String()
}

// on is the vector matching on the SLO's group-by labels: on (store).
func (t target) on() string {
	return "on (" + strings.Join(t.by, ", ") + ")"
}

// num writes a number for PromQL, rounded to 12 significant digits so that
// 1 - 0.999 reads 0.001.
func num(f float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 12, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// dur writes a duration for PromQL: 5m, 1h, 30d.
func dur(d time.Duration) string { return slo.FormatDuration(d) }

// span is the range that holds exactly the per-minute recordings of the
// last w: w less half a minute, since Prometheus 2 includes both ends of a
// range and recordings are exactly a minute apart: [29m30s] for 30m.
func span(w time.Duration) string {
	return dur(w - EvalStep/2)
}
