package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Evaluate brings every SLO up to the clock: it judges finished time
// slices, computes statuses, and steps every burn-rate alert, saving alert
// changes and the notifications they owe.
//
// Evaluations run one at a time. SLOs are evaluated under the engine's
// lock for about evalHold at a time, so ingest and readers wait for those,
// not for all, and an evaluation does not queue for the lock behind the
// ingest batches waiting for it more often than it must.
func (e *Engine) Evaluate(ctx context.Context) error {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	upTo := e.untouchAll() // all of them are evaluated now
	defer e.touchedDone(upTo)
	return e.evaluate(ctx, e.order)
}

// evalHold is about how long an evaluation holds the engine's lock before
// it lets the ingest batches and readers waiting for it go first: each
// time it does, it waits for all of them, so 10,000 SLOs taken once each,
// or 64 at a time, waited seconds behind a backlog's batches. A batch
// waits no more than this for an evaluation.
const evalHold = 10 * time.Millisecond

// evalCheck is how many SLOs are evaluated between looks at the time held.
const evalCheck = 16

// evaluate evaluates the SLOs ids; the caller holds evalMu.
func (e *Engine) evaluate(ctx context.Context, ids []string) error {
	now := e.clock.Now()
	var slices []Count
	var changed []Alert
	var notes, policyNotes []Notification
	var policies []PolicyRecord
	e.mu.RLock()
	ids = e.journeyOrder(ids)
	e.mu.RUnlock()
	asked := time.Now()
	e.mu.Lock()
	held := time.Now()
	e.lockWait += held.Sub(asked)
	for i, id := range ids {
		if i%evalCheck == evalCheck-1 && time.Since(held) >= evalHold {
			e.mu.Unlock()
			asked := time.Now()
			e.mu.Lock()
			held = time.Now()
			e.lockWait += held.Sub(asked)
		}
		st := e.slos[id]
		if st.journey != nil {
			e.prepareJourney(st, now)
		}
		judged := len(slices)
		var buf [16]Counts
		counts := buf[:0]
		if len(st.windows) <= len(buf) {
			counts = buf[:len(st.windows)]
		}
		if st.all.key == allGroups {
			slices = append(slices, st.advance(st.all, now, nil)...)
		}
		var one [1]*group
		groups := append(one[:0], st.all)
		if len(st.def.GroupBy) > 0 {
			groups = st.sortedGroups()
		}
		for _, g := range groups {
			slices = append(slices, st.advance(g, now, counts)...)
			if st.source.Stale {
				continue // missing data must not resolve or fire anything
			}
			for _, r := range st.rules {
				a, ok := g.alerts[r.Name]
				if !ok {
					a = &Alert{SLO: id, Group: g.key, Rule: r.Name, State: AlertInactive, Since: now}
					g.alerts[r.Name] = a
				}
				st.describe(a, g, r)
				var on bool
				before := a.State
				a.LongBurn, a.ShortBurn, on = st.burning(g, r, now, counts)
				if a.step(on, r.For, now) {
					notes = append(notes, e.notification(st, g, *a, now))
				}
				if a.State != before {
					changed = append(changed, *a)
				}
			}
		}
		if e.feeds != nil && len(slices) > judged {
			e.rejudgeJourneys(id, slices[judged:])
		}
		st.forecast(now)
		if !st.source.Stale {
			if rec, note, ok := st.stepPolicy(now); ok {
				policies = append(policies, rec)
				if note != nil {
					policyNotes = append(policyNotes, *note)
				}
			}
		}
	}
	e.mu.Unlock()
	if len(slices) > 0 {
		if err := e.store.AddSlices(ctx, slices); err != nil {
			e.mu.Lock()
			e.unjudge(slices)
			e.mu.Unlock()
			return fmt.Errorf("store %d judged slices: %w", len(slices), err)
		}
	}
	if len(changed) > 0 {
		if err := e.store.SaveAlerts(ctx, changed, notes); err != nil {
			return fmt.Errorf("save %d alert changes: %w", len(changed), err)
		}
	}
	if len(policies) > 0 {
		if err := e.store.SavePolicyStates(ctx, policies, policyNotes); err != nil {
			return fmt.Errorf("save %d policy state changes: %w", len(policies), err)
		}
	}
	if len(notes)+len(policyNotes) > 0 {
		e.mu.Lock()
		close(e.changed)
		e.changed = make(chan struct{})
		e.mu.Unlock()
	}
	return nil
}

// unjudge takes back judged slices the store refused (a lease that
// lapsed, a database that failed): what is counted is what is stored, so
// a replica that lost the lease counts the new leader's judgments once it
// pulls them, and marks their slices to be judged again, should it lead
// again. The caller holds the lock.
func (e *Engine) unjudge(judged []Count) {
	for _, c := range judged {
		st := e.slos[c.SLO]
		if st == nil {
			continue
		}
		g := st.all
		if c.Group != g.key {
			g = st.groups[c.Group]
		}
		if g == nil || g.slices == nil {
			continue
		}
		g.slices.Add(c.Minute, Counts{}.sub(c.Counts))
		if g.judge != nil {
			l := st.sliceMinutes()
			g.judge.from = min(g.judge.from, floorDiv(c.Minute, l)*l)
		}
	}
}

// budgetSeries is the series the budget counts: slices or events.
func (g *group) budgetSeries() *Series {
	if g.slices != nil {
		return g.slices
	}
	return g.events
}

// burning is burning for a rule of one of the SLO's groups, with the
// counts of the SLO's windows its status was computed from (counts as
// long as st.windows; otherwise they are read again).
func (st *sloState) burning(g *group, r slo.BurnRateAlert, now time.Time, counts []Counts) (long, short float64, on bool) {
	l, s := slices.Index(st.windows, r.LongWindow), slices.Index(st.windows, r.ShortWindow)
	if len(counts) != len(st.windows) || l < 0 || s < 0 {
		return burning(r, g.budgetSeries(), st.share, st.def.Window, st.measuredAt(now))
	}
	return burningCounts(r, counts[l], counts[s], g.status.Counts.Total, st.share, st.def.Window)
}

// advance brings a group's series and status up to now, returning the
// slices it judged; it keeps the counts of the SLO's windows in counts
// when it is as long as st.windows. The caller holds the lock.
func (st *sloState) advance(g *group, now time.Time, counts []Counts) []Count {
	nowMin := UnixMinute(now)
	g.events.Advance(nowMin)
	var judged []Count
	switch {
	case g.slices != nil && st.journey != nil:
		judged = st.judgeJourney(g, now)
		g.slices.Advance(nowMin)
	case g.slices != nil:
		judged = st.judgeSlices(g, now)
		g.slices.Advance(nowMin)
	}
	g.status = computeCounts(&st.def, st.share, g.budgetSeries(), st.measuredAt(now), st.windows, counts)
	return judged
}

// describe gives an alert its rule's severity, windows, factor and
// labels, unless it has them: they are built once per run, since the
// catalog does not change (a reload clears them). The caller holds the
// lock.
func (st *sloState) describe(a *Alert, g *group, r slo.BurnRateAlert) {
	if a.Labels == nil {
		a.Severity, a.Windows, a.Factor = r.Severity, RuleWindows(r), r.Factor
		a.Labels = st.alertLabels(g, r)
	}
}

// alertLabels are the labels a rule's alert carries: the SLO's, the
// alerting and severity labels, the on-call route's and the group's.
func (st *sloState) alertLabels(g *group, r slo.BurnRateAlert) map[string]string {
	name := st.def.Alerting.Name
	if name == "" {
		name = "ErrorBudgetBurn"
	}
	l := map[string]string{}
	maps.Copy(l, st.def.Labels)
	maps.Copy(l, st.def.Alerting.Labels)
	level := st.def.Alerting.Page
	if r.Severity == slo.SeverityTicket {
		level = st.def.Alerting.Ticket
	}
	maps.Copy(l, level.Labels)
	maps.Copy(l, st.owners.OnCall.Labels)
	maps.Copy(l, g.labels)
	l["alertname"] = name
	l["slo"] = st.def.Name
	l["service"] = st.def.Service
	if _, ok := l["severity"]; !ok {
		// A severity the spec gives (Sloth's `severity: pageteam`) is
		// kept, as the generated rules keep it: alert routes match on it.
		l["severity"] = string(r.Severity)
	}
	l["burn_window"] = RuleWindows(r)
	if st.owners.Team != "" {
		l["team"] = st.owners.Team
	}
	return l
}

// notification builds the message owed for an alert's change.
func (e *Engine) notification(st *sloState, g *group, a Alert, now time.Time) Notification {
	title := st.def.DisplayName
	if title == "" {
		title = st.def.ID()
	}
	where := ""
	if len(g.labels) > 0 {
		where = " (" + LabelText(g.labels) + ")"
	}
	ann := map[string]string{}
	level := st.def.Alerting.Page
	if a.Severity == slo.SeverityTicket {
		level = st.def.Alerting.Ticket
	}
	maps.Copy(ann, st.def.Alerting.Annotations)
	maps.Copy(ann, level.Annotations)
	if _, ok := ann["summary"]; !ok || strings.Contains(ann["summary"], "{{") {
		ann["summary"] = fmt.Sprintf("%s%s is burning its error budget %.1f× too fast", title, where, a.LongBurn)
	}
	ann["description"] = fmt.Sprintf("Burn rate %.1f× over %s and %.1f× over the short window; the alert fires above %g×. Objective %g%% over %s.",
		a.LongBurn, slo.FormatDuration(st.ruleLong(a.Rule)), a.ShortBurn, a.Factor, st.def.Objective, st.def.Window)
	runbook := st.def.RunbookURL
	if runbook == "" {
		if svc, ok := e.catalog.Service(st.def.Service); ok {
			runbook = svc.RunbookURL
		}
	}
	if runbook != "" {
		ann["runbook_url"] = runbook
	}
	url := strings.TrimSuffix(e.opts.ExternalURL, "/") + "/slos/" + st.def.Service + "/" + st.def.Name
	ann["slo_url"] = url
	return Notification{Kind: NotifyAlert, At: now, Alert: a, Labels: a.Labels, Annotations: ann, URL: url}
}

// worstGroup is the group with the least budget left among those with the
// events the policy needs (among all, when none has them); nil for an SLO
// without grouping or without groups yet. The caller holds the lock.
func (st *sloState) worstGroup() *group {
	if len(st.def.GroupBy) == 0 {
		return nil
	}
	var w *group
	for _, g := range st.groups { // ties go to the first key, as sorted
		if w == nil || st.worse(g.status, w.status) || !st.worse(w.status, g.status) && g.key < w.key {
			w = g
		}
	}
	return w
}

// worstStatus is the status of the group with the least budget left; the
// caller holds the lock.
func (st *sloState) worstStatus() (Status, map[string]string) {
	if g := st.worstGroup(); g != nil {
		return g.status, g.labels
	}
	return st.all.status, nil
}

// stepPolicy moves the SLO's policy state on; it reports a change and the
// notification it owes (none for an SLO's first, healthy state).
func (st *sloState) stepPolicy(now time.Time) (PolicyRecord, *Notification, bool) {
	status, _ := st.worstStatus()
	next := nextPolicyState(st.policy, st.prec, status, st.required, now)
	if next.Name == st.prec.State && st.prec.Policy == st.policy.Name {
		return PolicyRecord{}, nil, false
	}
	last := st.policy.States[len(st.policy.States)-1].Name
	from := st.prec.State
	st.prec = PolicyRecord{SLO: st.def.ID(), Policy: st.policy.Name, State: next.Name, Since: now, Actions: next.Actions}
	if from == "" && next.Name == last {
		return st.prec, nil, true // starting healthy is no news
	}
	change := &PolicyChange{SLO: st.def.ID(), Service: st.def.Service, Policy: st.policy.Name, From: from, To: next.Name,
		Actions: next.Actions, Healthy: next.Name == last, Recipients: recipients(next.Actions, st.owners),
		BudgetRemaining: status.Budget.RemainingFraction}
	if change.From == "" {
		change.From = last
	}
	n := st.policyNote(*change, now)
	return st.prec, &n, true
}

// policyNote builds the notification of a policy change.
func (st *sloState) policyNote(change PolicyChange, at time.Time) Notification {
	labels := map[string]string{"alertname": "ErrorBudgetPolicy", "slo": st.def.Name, "service": st.def.Service,
		"policy": st.policy.Name, "policy_state": change.To, "severity": "info"}
	if st.owners.Team != "" {
		labels["team"] = st.owners.Team
	}
	for role, who := range change.Recipients {
		if who != "" {
			labels["notify_"+strings.ReplaceAll(role, "-", "_")] = who
		}
	}
	ann := map[string]string{"summary": change.Summary()}
	return Notification{Kind: NotifyPolicy, At: at, Policy: &change, Labels: labels, Annotations: ann}
}

func (st *sloState) ruleLong(name string) time.Duration {
	for _, r := range st.rules {
		if r.Name == name {
			return r.LongWindow
		}
	}
	return 0
}
