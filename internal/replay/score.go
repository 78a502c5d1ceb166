package replay

import (
	"slices"
	"sort"
	"time"
)

// Alert is one alert from firing to resolved: one Accord would have sent,
// or one a team's own rules fired.
type Alert struct {
	// Name is the alertname.
	Name string `json:"name"`
	// Rule is Accord's burn-rate rule (fast, medium, slow, slowest, or the
	// SLO's own); empty for a team's own alerts.
	Rule     string `json:"rule,omitempty"`
	Severity string `json:"severity"`
	// Windows are the rule's long and short windows, e.g. "1h/5m".
	Windows string `json:"windows,omitempty"`
	// Factor is the rule's burn rate threshold.
	Factor float64           `json:"factor,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	// SLOs are the SLOs a team's alert is about, found through its labels
	// (Options.Match); Matched says how ("service=checkout (label app)").
	// Empty for an alert that matched none, which is not scored.
	SLOs    []string `json:"slos,omitempty"`
	Matched string   `json:"matched,omitempty"`
	// FiredAt is when the alert started firing.
	FiredAt time.Time `json:"firedAt"`
	// ResolvedAt is when it stopped; nil when it still fired at the end.
	ResolvedAt *time.Time `json:"resolvedAt"`
}

// Period is a span of time from From up to To.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Duration is the period's length.
func (p Period) Duration() time.Duration { return p.To.Sub(p.From) }

// Lead is how long before users are hurt an alert may fire and still
// count as a warning of it: a disk that fills, then fails requests.
const Lead = 15 * time.Minute

// Score is how well a set of alerts followed the periods users were hurt.
type Score struct {
	// Name says which alerts were scored.
	Name string `json:"name"`
	// Alerts counts the alerts that fired in the span.
	Alerts int `json:"alerts"`
	// WhileHurt counts those that fired while users were hurt, or up to
	// Lead before.
	WhileHurt int `json:"whileHurt"`
	// Precision is WhileHurt over Alerts, 0..1; nil without alerts.
	Precision *float64 `json:"precision"`
	// HurtPeriods counts the periods users were hurt; Caught those with
	// at least one alert fired in them (or up to Lead before).
	HurtPeriods int `json:"hurtPeriods"`
	Caught      int `json:"caught"`
	// Recall is Caught over HurtPeriods, 0..1; nil without hurt periods.
	Recall *float64 `json:"recall"`
	// MedianDelay and MaxDelay are minutes from the start of a caught
	// period to its first alert; negative when the alert came first.
	// Nil when nothing was caught.
	MedianDelay *float64 `json:"medianDelayMinutes"`
	MaxDelay    *float64 `json:"maxDelayMinutes"`
	// PerWeek is Alerts per seven days of the span.
	PerWeek float64 `json:"perWeek"`
	// Unmatched counts a team's alerts whose labels named no SLO: they
	// are left out of Alerts and the scores rather than scored against
	// every SLO's hurt periods.
	Unmatched int `json:"unmatched,omitempty"`
}

// ScoreAlerts scores alerts against the periods users were hurt, over
// span: an alert counts if it fired in the span, and it fired while users
// were hurt if it fired in a hurt period or up to Lead before one. Hurt
// periods need not be sorted.
func ScoreAlerts(name string, alerts []Alert, hurt []Period, span Period) Score {
	s := Score{Name: name, HurtPeriods: len(hurt)}
	first := make([]time.Time, len(hurt)) // first alert of each hurt period
	for _, a := range alerts {
		if a.FiredAt.Before(span.From) || !a.FiredAt.Before(span.To) {
			continue
		}
		s.Alerts++
		warned := false
		for i, p := range hurt {
			if !a.FiredAt.Before(p.From.Add(-Lead)) && a.FiredAt.Before(p.To) {
				warned = true
				if first[i].IsZero() || a.FiredAt.Before(first[i]) {
					first[i] = a.FiredAt
				}
			}
		}
		if warned {
			s.WhileHurt++
		}
	}
	return s.finish(first, hurt, span)
}

// finish works out the ratios, delays and rate from the counts and the
// first alert of each hurt period.
func (s Score) finish(first []time.Time, hurt []Period, span Period) Score {
	var delays []float64
	for i, p := range hurt {
		if !first[i].IsZero() {
			s.Caught++
			delays = append(delays, first[i].Sub(p.From).Minutes())
		}
	}
	if s.Alerts > 0 {
		s.Precision = ratio(s.WhileHurt, s.Alerts)
	}
	if s.HurtPeriods > 0 {
		s.Recall = ratio(s.Caught, s.HurtPeriods)
	}
	if len(delays) > 0 {
		sort.Float64s(delays)
		med, worst := median(delays), delays[len(delays)-1]
		s.MedianDelay, s.MaxDelay = &med, &worst
	}
	if weeks := span.Duration().Hours() / (7 * 24); weeks > 0 {
		s.PerWeek = float64(s.Alerts) / weeks
	}
	return s
}

func ratio(a, b int) *float64 {
	r := float64(a) / float64(b)
	return &r
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// Merge joins periods that overlap or lie less than gap apart, sorted by
// start.
func Merge(periods []Period, gap time.Duration) []Period {
	ps := slices.Clone(periods)
	slices.SortFunc(ps, func(a, b Period) int { return a.From.Compare(b.From) })
	var out []Period
	for _, p := range ps {
		if n := len(out); n > 0 && p.From.Sub(out[n-1].To) < gap {
			if p.To.After(out[n-1].To) {
				out[n-1].To = p.To
			}
			continue
		}
		out = append(out, p)
	}
	return out
}
