package engine

import (
	"sort"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// SLOView is an SLO with its status, as the API and UI show it.
type SLOView struct {
	ID          string     `json:"id"`
	Service     string     `json:"service"`
	Name        string     `json:"name"`
	DisplayName string     `json:"displayName,omitempty"`
	Description string     `json:"description,omitempty"`
	Objective   float64    `json:"objective"`
	Window      string     `json:"window"`
	Budgeting   string     `json:"budgeting"`
	Owners      slo.Owners `json:"owners"`
	RunbookURL  string     `json:"runbookURL,omitempty"`
	Stream      string     `json:"stream,omitempty"`
	Status      Status     `json:"status"`
	// Worst is the status of the group with the least budget left, the
	// one the policy and health follow; for an SLO without grouping it is
	// Status. WorstGroup names its labels.
	Worst      Status            `json:"worst"`
	WorstGroup map[string]string `json:"worstGroup,omitempty"`
	GroupCount int               `json:"groupCount"`
	Source     SourceState       `json:"source"`
	// Groups are the SLO's label sets, least budget left first; empty
	// without grouping.
	Groups []GroupView `json:"groups,omitempty"`
	Alerts []Alert     `json:"alerts"`
	Policy PolicyView  `json:"policy"`
	Origin slo.Origin  `json:"origin"`
	// State is Health, in one word: "no data" for an SLO whose window
	// holds no events, never a healthy-looking number.
	State Health `json:"state"`
	// Journey is true for a composite SLO, a journey over other SLOs.
	Journey bool `json:"journey,omitempty"`
	// Components are a journey's components with the share of its spent
	// budget each caused, in the spec's order; only when one SLO is asked
	// for.
	Components []ComponentImpact `json:"components,omitempty"`
}

// Health is an SLO's standing in one word, for people.
type Health string

// The health values, worst first.
const (
	HealthExhausted Health = "exhausted"
	HealthAtRisk    Health = "at risk"
	// HealthStale is an SLO whose source fails while its last numbers
	// looked met (or it had none): they are not current.
	HealthStale  Health = "stale"
	HealthNoData Health = "no data"
	HealthMet    Health = "met"
)

// atRiskBelow is the share of budget left under which an SLO is at risk.
const atRiskBelow = 0.25

// Health says whether the SLO's budget (its worst group's, when grouped)
// is exhausted, at risk (under a quarter left, a page firing, or the
// objective missed), stale (its source fails, and what it last showed
// would otherwise read met or no data), without data or met.
func (v SLOView) Health() Health {
	h := v.budgetHealth()
	if v.Source.Stale && (h == HealthMet || h == HealthNoData) {
		return HealthStale
	}
	return h
}

func (v SLOView) budgetHealth() Health {
	switch {
	case !v.Worst.HasData():
		return HealthNoData
	case v.Worst.Budget.RemainingFraction <= 0:
		return HealthExhausted
	case v.Worst.Budget.RemainingFraction < atRiskBelow || !v.Worst.Met:
		return HealthAtRisk
	}
	for _, a := range v.Alerts {
		if a.paging() {
			return HealthAtRisk
		}
	}
	return HealthMet
}

// GroupView is one label set of a grouped SLO.
type GroupView struct {
	Labels map[string]string `json:"labels"`
	Status Status            `json:"status"`
}

// Firing reports whether any of the SLO's alerts fires.
func (v SLOView) Firing() bool {
	for _, a := range v.Alerts {
		if a.State == AlertFiring {
			return true
		}
	}
	return false
}

// SLOs returns every SLO with its status at the last evaluation, least
// budget left first.
func (e *Engine) SLOs() []SLOView {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]SLOView, 0, len(e.order))
	for _, id := range e.order {
		out = append(out, e.view(e.slos[id], false))
	}
	sort.SliceStable(out, func(i, j int) bool { return worst(out[i].Worst, out[j].Worst) })
	return out
}

// SLO returns one SLO with its groups.
func (e *Engine) SLO(id string) (SLOView, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st, ok := e.slos[id]
	if !ok {
		return SLOView{}, false
	}
	return e.view(st, true), true
}

func (e *Engine) view(st *sloState, groups bool) SLOView {
	d := st.def
	method := string(d.Budgeting.Method)
	if method == "" {
		method = string(slo.Occurrences)
	}
	v := SLOView{
		ID: d.ID(), Service: d.Service, Name: d.Name, DisplayName: d.DisplayName, Description: d.Description,
		Objective: d.Objective, Window: d.Window.String(), Budgeting: method, Owners: st.owners,
		RunbookURL: d.RunbookURL, Stream: d.Indicator.Stream, Status: st.all.status, Source: st.source,
		Origin: d.Origin, Alerts: []Alert{},
	}
	if v.RunbookURL == "" {
		if svc, ok := e.catalog.Service(d.Service); ok {
			v.RunbookURL = svc.RunbookURL
		}
	}
	v.Worst, v.WorstGroup = st.worstStatus()
	if len(d.GroupBy) > 0 {
		v.GroupCount = len(st.groups)
	}
	v.Policy = PolicyView{Name: st.policy.Name, State: st.prec.State, Since: st.prec.Since, Actions: st.prec.Actions, MinEvents: st.required}
	if v.Policy.State == "" { // not evaluated yet
		ps := PolicyState(st.policy, v.Worst, st.required)
		v.Policy.State, v.Policy.Actions = ps.Name, ps.Actions
	}
	v.Policy.Resting = len(st.policy.States) == 0 || v.Policy.State == st.policy.States[len(st.policy.States)-1].Name
	for _, g := range st.sortedGroups() {
		if groups && len(d.GroupBy) > 0 {
			v.Groups = append(v.Groups, GroupView{Labels: g.labels, Status: g.status})
		}
		for _, k := range sortedKeys(g.alerts) {
			if a := g.alerts[k]; a.State != AlertInactive {
				v.Alerts = append(v.Alerts, *a)
			}
		}
	}
	sort.SliceStable(v.Groups, func(i, j int) bool { return worst(v.Groups[i].Status, v.Groups[j].Status) })
	v.State = v.Health()
	if st.journey != nil {
		v.Journey = true
		if groups {
			v.Components = e.components(st)
		}
	}
	v.Policy.Judged = Evident(v.Worst, st.required)
	return v
}

// Alerts returns every alert that fires or is pending, and those resolved
// since the given time, firing first and newest first.
func (e *Engine) Alerts(resolvedSince time.Time) []Alert {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Alert
	for _, id := range e.order {
		for _, g := range e.slos[id].groups {
			for _, a := range g.alerts {
				if a.State == AlertFiring || a.State == AlertPending ||
					a.State == AlertResolved && !a.ResolvedAt.Before(resolvedSince) {
					out = append(out, *a)
				}
			}
		}
	}
	rank := map[AlertState]int{AlertFiring: 0, AlertPending: 1, AlertResolved: 2}
	sev := map[slo.Severity]int{slo.SeverityPage: 0, slo.SeverityTicket: 1}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case rank[a.State] != rank[b.State]:
			return rank[a.State] < rank[b.State]
		case sev[a.Severity] != sev[b.Severity]:
			return sev[a.Severity] < sev[b.Severity]
		case !a.Since.Equal(b.Since):
			return a.Since.After(b.Since)
		}
		return a.Key() < b.Key()
	})
	return out
}

// HistoryPoint is an SLO's state at one moment of its history.
type HistoryPoint struct {
	At time.Time `json:"at"`
	// SLI is the share of good events in the step ending at At.
	SLI *float64 `json:"sli"`
	// Good and Total are the counts in the step.
	Good  float64 `json:"good"`
	Total float64 `json:"total"`
	// BudgetRemaining is the share of the budget left at At, counting the
	// window from its start to At against the whole window's budget so
	// far; nil before any data.
	BudgetRemaining *float64 `json:"budgetRemaining"`
	// BurnRate is the burn rate over the hour ending at At.
	BurnRate *float64 `json:"burnRate"`
}

// History returns the SLO's history from from to to in steps, for charts,
// and a last, shorter step ending at to when the steps do not reach it, so
// the newest data always shows. Steps shorter than a minute are raised to
// a minute; points before the data the engine keeps carry no values.
//
// group is a GroupKey for one group of a grouped SLO; empty means all
// groups together. An unknown group is not found.
func (e *Engine) History(id, group string, from, to time.Time, step time.Duration) ([]HistoryPoint, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	st, ok := e.slos[id]
	if !ok {
		return nil, false
	}
	g := st.all
	if group != "" && group != GroupKey(nil) {
		if g, ok = st.groups[group]; !ok {
			return nil, false
		}
	}
	step = max(step.Truncate(time.Minute), time.Minute)
	sr := g.budgetSeries()
	now := e.clock.Now()
	share := st.share
	windowStart := UnixMinute(WindowStart(st.def.Window, now)) - 1
	nowMin := UnixMinute(now)
	allowed := share.allowed(sr.Sum(windowStart, nowMin))
	point := func(at time.Time, from, through int64) HistoryPoint {
		p := HistoryPoint{At: at}
		c := sr.Sum(from, through)
		p.Good, p.Total = c.Good, c.Total
		if c.Total > 0 {
			sli := c.Good / c.Total
			p.SLI = &sli
		}
		if hour := sr.Window(through, time.Hour); hour.Total > 0 {
			burn := share.rate(hour)
			p.BurnRate = &burn
		}
		if through >= windowStart && allowed > 0 {
			rem := 1 - sr.Sum(windowStart, through).Bad()/allowed
			p.BudgetRemaining = &rem
		}
		return p
	}
	var out []HistoryPoint
	stepMin := int64(step / time.Minute)
	last := UnixMinute(from) - stepMin
	for t := from; !t.After(to) && len(out) < 10_000; t = t.Add(step) {
		m := UnixMinute(t)
		out = append(out, point(t, m-stepMin, m))
		last = m
	}
	// The newest data always shows: a last, shorter step up to to.
	if m := UnixMinute(to); m > last && len(out) < 10_000 {
		out = append(out, point(to, last, m))
	}
	return out, true
}

// Firing returns a notification for every firing alert, and every SLO in
// a policy state other than its resting one, as they stand now, for
// channels that want them repeated (Alertmanager).
func (e *Engine) Firing() []Notification {
	now := e.clock.Now()
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Notification
	for _, id := range e.order {
		st := e.slos[id]
		if last := st.policy.States[len(st.policy.States)-1].Name; st.prec.State != "" && st.prec.State != last {
			n := st.policyNote(PolicyChange{SLO: id, Service: st.def.Service, Policy: st.policy.Name, From: st.prec.State,
				To: st.prec.State, Actions: st.prec.Actions, Recipients: recipients(st.prec.Actions, st.owners)}, st.prec.Since)
			n.Alert.FiredAt = st.prec.Since
			out = append(out, n)
		}
		for _, g := range st.sortedGroups() {
			for _, k := range sortedKeys(g.alerts) {
				if a := g.alerts[k]; a.State == AlertFiring {
					out = append(out, e.notification(st, g, *a, now))
				}
			}
		}
	}
	return out
}

// ServicesSLOs returns the SLOs of the named services with their status,
// by service, building only theirs.
func (e *Engine) ServicesSLOs(services []string) map[string][]SLOView {
	want := make(map[string]bool, len(services))
	for _, s := range services {
		want[s] = true
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make(map[string][]SLOView, len(services))
	for _, id := range e.order {
		if st := e.slos[id]; want[st.def.Service] {
			out[st.def.Service] = append(out[st.def.Service], e.view(st, false))
		}
	}
	return out
}

// ServiceSLOs returns the SLOs of one service with their status.
func (e *Engine) ServiceSLOs(service string) []SLOView {
	return e.ServicesSLOs([]string{service})[service]
}
