package rules

import (
	"strconv"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// The series the rules record. Each carries the labels service and slo
// and, for a grouped SLO, its group-by labels.
const (
	// TotalRate5m is events per second over the last 5 minutes. For
	// error-ratio and boolean indicators, whose unit is a sample, it is 1:
	// every evaluation weighs the same, as every minute does in the engine.
	TotalRate5m = "slo:sli_total:rate5m"
	// ErrorRate5m is bad events per second over the last 5 minutes (for
	// error-ratio and boolean indicators: the bad share of the samples).
	ErrorRate5m = "slo:sli_error:rate5m"
	// TotalRate1h is TotalRate5m averaged over the last hour; sampled once
	// an hour it tiles the SLO's window.
	TotalRate1h = "slo:sli_total:rate1h"
	// ErrorRate1h is ErrorRate5m averaged over the last hour.
	ErrorRate1h = "slo:sli_error:rate1h"
	// SliceError is the error of the time slice ending now, for SLOs
	// budgeted by time slices: 1 for a bad slice and 0 for a good one
	// (timeslices), or the slice's error ratio (ratio-timeslices).
	SliceError = "slo:slice_error:ratio"
	// Objective is the objective as a ratio, e.g. 0.999.
	Objective = "slo:objective:ratio"
	// Info is 1, labelled with the SLO's team, window and objective.
	Info = "slo:info"
	// BudgetRemaining is the share of the window's error budget left: 1
	// untouched, 0 exhausted, negative overspent.
	BudgetRemaining = "slo:error_budget_remaining:ratio"
)

// TotalRateOver names the recording of the average events per second over
// window w (the SLO's window): slo:sli_total:rate30d.
func TotalRateOver(w time.Duration) string {
	return "slo:sli_total:rate" + slo.FormatDuration(w)
}

// baseWindow is the range the raw series are read over.
const baseWindow = 5 * time.Minute

// ErrorRatio names the recording of the error ratio over window w, as
// Sloth names it: slo:sli_error:ratio_rate1h. Windows under 5 minutes are
// measured over 5 minutes.
func ErrorRatio(w time.Duration) string {
	return "slo:sli_error:ratio_rate" + slo.FormatDuration(max(w, baseWindow))
}

// target is the SLO a rule belongs to: its identifying labels and the
// labels its series are grouped by.
type target struct {
	service, slo string
	by           []string
}

func newTarget(s *slo.SLO) target {
	return target{service: s.Service, slo: s.Name, by: s.GroupBy}
}

// labels are the labels every recording of the SLO sets.
func (t target) labels() map[string]string {
	return map[string]string{"service": t.service, "slo": t.slo}
}

// sel selects a recorded series of the SLO: name{service="…", slo="…"}.
func (t target) sel(name string) string {
	return name + "{service=" + strconv.Quote(t.service) + ", slo=" + strconv.Quote(t.slo) + "}"
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
