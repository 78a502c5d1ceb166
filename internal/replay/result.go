package replay

import (
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// SLOResult is one SLO over the replay.
type SLOResult struct {
	// SLO is "service/name".
	SLO         string  `json:"slo"`
	DisplayName string  `json:"displayName,omitempty"`
	Team        string  `json:"team,omitempty"`
	Objective   float64 `json:"objective"`
	Window      string  `json:"window"`
	// Measured says where the history came from: prometheus, pushed, or
	// journey (its components' history).
	Measured string `json:"measured"`
	// Good and Total are the events (or slices) counted in the replay;
	// SLI is their ratio, nil without data.
	Good  float64  `json:"good"`
	Total float64  `json:"total"`
	SLI   *float64 `json:"sli"`
	// Days and Weeks are the SLI per UTC day and per week (Monday to
	// Monday, UTC), cut to the replay.
	Days  []Interval `json:"days"`
	Weeks []Interval `json:"weeks"`
	// Budget is the hourly history: the hour's SLI and burn rate, and the
	// budget left then.
	Budget []BudgetPoint `json:"budget"`
	// BudgetLeft is the share of the window's budget left at the end,
	// all groups together; WorstBudgetLeft is the group the policy
	// follows (the same without groups).
	BudgetLeft      *float64 `json:"budgetLeft"`
	WorstBudgetLeft *float64 `json:"worstBudgetLeft"`
	// Alerts are the burn-rate alerts Accord would have sent.
	Alerts []Alert `json:"alerts"`
	// Policy are the policy states in turn; Freezes the spans releases
	// were frozen.
	Policy  []PolicySpan `json:"policy"`
	Freezes []Period     `json:"freezes"`
	// Hurt are the periods the SLO's users were hurt (see hurtRule).
	Hurt []Period `json:"hurt"`
	// Score scores the SLO's pages against its hurt periods.
	Score Score `json:"score"`
	// Suggestions are the candidate objectives, strictest last, with
	// Suggested the strictest whose budget lasted the whole replay.
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	Suggested   *float64     `json:"suggestedObjective,omitempty"`
	// Note says what limits the result, e.g. pushed SLOs without a store.
	Note string `json:"note,omitempty"`
}

// The sources an SLO's history comes from.
const (
	measuredPrometheus = "prometheus"
	measuredPushed     = "pushed"
	measuredJourney    = "journey"
)

// Interval is the SLI over a day or a week.
type Interval struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Good  float64   `json:"good"`
	Total float64   `json:"total"`
	SLI   *float64  `json:"sli"`
	// Met is whether the SLI reached the objective.
	Met bool `json:"met"`
}

// BudgetPoint is an SLO at the end of an hour of the replay.
type BudgetPoint struct {
	At time.Time `json:"at"`
	// SLI and BurnRate are the hour's; nil without data.
	SLI      *float64 `json:"sli"`
	BurnRate *float64 `json:"burnRate"`
	// Remaining is the share of the window's budget left, all groups
	// together; Worst the policy's group. Nil without data.
	Remaining *float64 `json:"remaining"`
	Worst     *float64 `json:"worst"`
}

// PolicySpan is a policy state from its start to the next state's.
type PolicySpan struct {
	State string    `json:"state"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	// Freeze is whether the state freezes releases.
	Freeze bool `json:"freeze"`
}

// results builds the part's SLO results from what the engine recorded.
func (p *part) results() []SLOResult {
	o := p.opts
	span := Period{From: o.From, To: o.To}
	alerts, hurt := p.alerts()
	var out []SLOResult
	for _, def := range p.slos {
		id := def.ID()
		r := SLOResult{SLO: id, DisplayName: def.DisplayName, Team: o.Catalog.EffectiveOwners(def).Team,
			Objective: def.Objective, Window: def.Window.String(), Measured: measuredPrometheus,
			Alerts: nonNil(alerts[id]), Hurt: nonNil(Merge(hurt[id], HurtGap))}
		if def.Journey() {
			r.Measured = measuredJourney
		} else if def.Indicator.Pushed() {
			r.Measured = measuredPushed
			if o.Store == nil {
				r.Note = "measured from pushed events: give --data-dir to read their history from Accord's store"
			}
		}
		ss := p.samples[id]
		r.Good, r.Total, r.SLI = sum(ss)
		r.Days = intervals(ss, def.Objective, func(t time.Time) time.Time { return t.Truncate(24 * time.Hour) }, 24*time.Hour, span)
		r.Weeks = intervals(ss, def.Objective, weekStart, 7*24*time.Hour, span)
		for _, s := range ss {
			bp := BudgetPoint{At: s.at, BurnRate: s.burn, Remaining: s.budget, Worst: s.worst}
			if s.total > 0 {
				sli := s.good / s.total
				bp.SLI = &sli
			}
			r.Budget = append(r.Budget, bp)
		}
		if n := len(ss); n > 0 {
			r.BudgetLeft, r.WorstBudgetLeft = ss[n-1].budget, ss[n-1].worst
		}
		r.Policy = p.policy(id)
		r.Freezes = freezes(r.Policy)
		pages, _ := bySeverity(r.Alerts)
		r.Score = ScoreAlerts("Accord pages", pages, r.Hurt, span)
		if len(p.copies[id]) > 0 {
			r.Suggestions, r.Suggested = p.suggestions(r, alerts)
		}
		out = append(out, r)
	}
	return out
}

// alerts turns the engine's alert notifications into episodes by SLO, and
// the hurt rule's into hurt periods.
func (p *part) alerts() (map[string][]Alert, map[string][]Period) {
	to := p.opts.To
	open := map[string]int{} // alert key → index in its SLO's episodes
	out := map[string][]Alert{}
	hurt := map[string][]Period{}
	for _, n := range p.rec.notes {
		a := n.Alert
		if n.Kind != engine.NotifyAlert || !n.At.Before(to) {
			continue
		}
		switch a.State {
		case engine.AlertFiring:
			open[a.Key()] = len(out[a.SLO])
			out[a.SLO] = append(out[a.SLO], Alert{Name: a.Labels["alertname"], Rule: a.Rule, Severity: string(a.Severity),
				Windows: a.Windows, Factor: a.Factor, Labels: groupLabels(a.Group), FiredAt: n.At})
		case engine.AlertResolved:
			if i, ok := open[a.Key()]; ok {
				at := n.At
				out[a.SLO][i].ResolvedAt = &at
				delete(open, a.Key())
			}
		}
	}
	for id, as := range out {
		var kept []Alert
		for _, a := range as {
			if a.Rule != hurtRule.Name {
				kept = append(kept, a)
				continue
			}
			end := to
			if a.ResolvedAt != nil {
				end = *a.ResolvedAt
			}
			hurt[id] = append(hurt[id], Period{From: a.FiredAt, To: end})
		}
		out[id] = kept
	}
	return out, hurt
}

// policy returns an SLO's policy states as spans.
func (p *part) policy(id string) []PolicySpan {
	var out []PolicySpan
	for _, rec := range p.rec.policies {
		if rec.SLO != id {
			continue
		}
		if n := len(out); n > 0 {
			out[n-1].To = rec.Since
		}
		freeze := slices.ContainsFunc(rec.Actions, func(a slo.Action) bool { return a.Kind == slo.ActionFreezeReleases })
		out = append(out, PolicySpan{State: rec.State, From: rec.Since, To: p.opts.To, Freeze: freeze})
	}
	return nonNil(out)
}

// freezes are the spans of freezing policy states, joined.
func freezes(spans []PolicySpan) []Period {
	var out []Period
	for _, s := range spans {
		if s.Freeze {
			out = append(out, Period{From: s.From, To: s.To})
		}
	}
	return nonNil(Merge(out, time.Nanosecond))
}

// bySeverity splits alerts into pages and the rest, tickets.
func bySeverity(alerts []Alert) (pages, tickets []Alert) {
	for _, a := range alerts {
		if a.Severity == string(slo.SeverityPage) {
			pages = append(pages, a)
		} else {
			tickets = append(tickets, a)
		}
	}
	return pages, tickets
}

func groupLabels(key string) map[string]string {
	if key == engine.GroupKey(nil) {
		return nil
	}
	return engine.GroupLabels(key)
}

// sum adds up samples' counts.
func sum(ss []sample) (good, total float64, sli *float64) {
	for _, s := range ss {
		good, total = good+s.good, total+s.total
	}
	if total > 0 {
		r := good / total
		sli = &r
	}
	return good, total, sli
}

// intervals adds hourly samples up per period: start gives the period a
// sample's hour belongs to, length its length; periods are cut to span.
func intervals(ss []sample, objective float64, start func(time.Time) time.Time, length time.Duration, span Period) []Interval {
	var out []Interval
	for _, s := range ss {
		from := start(s.at.Add(-time.Nanosecond)) // a sample at midnight closes the day before
		if from.Before(span.From) {
			from = span.From
		}
		if n := len(out); n == 0 || !out[n-1].From.Equal(from) {
			to := start(from).Add(length)
			if to.After(span.To) {
				to = span.To
			}
			out = append(out, Interval{From: from, To: to})
		}
		iv := &out[len(out)-1]
		iv.Good, iv.Total = iv.Good+s.good, iv.Total+s.total
	}
	for i := range out {
		if out[i].Total > 0 {
			sli := out[i].Good / out[i].Total
			out[i].SLI, out[i].Met = &sli, sli*100 >= objective
		}
	}
	return nonNil(out)
}

// weekStart is the Monday 00:00 UTC of t's week, as a calendar week's
// window starts.
func weekStart(t time.Time) time.Time {
	return engine.WindowStart(slo.Window{Calendar: slo.CalendarWeek}, t)
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
