package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// workbookWindow is the window the SRE Workbook's burn-rate table is
// written for.
const workbookWindow = 30 * 24 * time.Hour

// WorkbookRules are the SRE Workbook's multi-window, multi-burn-rate
// alerts for a 30-day window: each spends a fixed share of the budget
// (2%, 5%, 10%, 10%) within its long window.
var WorkbookRules = []slo.BurnRateAlert{
	{Name: "fast", Severity: slo.SeverityPage, Factor: 14.4, LongWindow: time.Hour, ShortWindow: 5 * time.Minute},
	{Name: "medium", Severity: slo.SeverityPage, Factor: 6, LongWindow: 6 * time.Hour, ShortWindow: 30 * time.Minute},
	{Name: "slow", Severity: slo.SeverityTicket, Factor: 3, LongWindow: 24 * time.Hour, ShortWindow: 2 * time.Hour},
	{Name: "slowest", Severity: slo.SeverityTicket, Factor: 1, LongWindow: 3 * 24 * time.Hour, ShortWindow: 6 * time.Hour},
}

// readableWindows are the lengths scaled rule windows snap to, so a 28-day
// SLO gets the Workbook's own 1h/5m and a 7-day one 15m/5m rather than
// 14m/1m10s. 5m is the shortest: Prometheus rates need a few scrapes.
var readableWindows = []time.Duration{
	5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 3 * 24 * time.Hour, 4 * 24 * time.Hour,
	7 * 24 * time.Hour, 9 * 24 * time.Hour, 14 * 24 * time.Hour, 21 * 24 * time.Hour,
	30 * 24 * time.Hour, 60 * 24 * time.Hour, 90 * 24 * time.Hour,
}

// Rules returns the burn-rate alerts an SLO evaluates: its own, or the
// Workbook's with their windows scaled to the SLO's window and their
// factors kept. A factor is a burn rate, and a burn rate above 1 is the
// only sign that a budget is being overspent whatever the window's
// length; scaling the windows keeps the share of the budget each rule
// stands for (2% for the fast page) within the rounding to a readable
// window. Rules of a disabled severity, and rules whose long window is
// longer than the SLO's window, are left out.
func Rules(def *slo.SLO) []slo.BurnRateAlert {
	rules := def.Alerting.BurnRates
	if len(rules) == 0 {
		rules = ScaledWorkbookRules(def.Window.Nominal())
	}
	var out []slo.BurnRateAlert
	for i, r := range rules {
		if r.Severity == slo.SeverityPage && def.Alerting.Page.Disabled ||
			r.Severity == slo.SeverityTicket && def.Alerting.Ticket.Disabled ||
			r.LongWindow > def.Window.Nominal() {
			continue
		}
		if r.Name == "" {
			r.Name = fmt.Sprintf("%s-%d", r.Severity, i+1)
		}
		out = append(out, r)
	}
	return out
}

// ScaledWorkbookRules are the Workbook's rules for an SLO window: each
// window multiplied by window/30d and snapped to the nearest readable
// length, the short window never longer than the long one.
func ScaledWorkbookRules(window time.Duration) []slo.BurnRateAlert {
	scale := float64(window) / float64(workbookWindow)
	out := make([]slo.BurnRateAlert, 0, len(WorkbookRules))
	for _, r := range WorkbookRules {
		r.LongWindow = snapWindow(time.Duration(float64(r.LongWindow) * scale))
		r.ShortWindow = min(snapWindow(time.Duration(float64(r.ShortWindow)*scale)), r.LongWindow)
		out = append(out, r)
	}
	return out
}

// snapWindow returns the readable window nearest to d on a logarithmic
// scale (a ratio off, not a difference), within the shortest and longest.
func snapWindow(d time.Duration) time.Duration {
	best := readableWindows[0]
	for _, w := range readableWindows[1:] {
		if math.Abs(math.Log(float64(d)/float64(w))) < math.Abs(math.Log(float64(d)/float64(best))) {
			best = w
		}
	}
	return best
}

// RuleWindows names a rule's windows as "1h/5m".
func RuleWindows(r slo.BurnRateAlert) string {
	return slo.FormatDuration(r.LongWindow) + "/" + slo.FormatDuration(r.ShortWindow)
}

// MinBadEvents is how many bad events (or bad slices) a rule's long window
// must hold at least before it may fire: the evidence a policy's default
// MinEvents asks of a budget too.
const MinBadEvents = slo.EvidenceBadEvents

// burning reports whether a rule fires at minute m: both of its windows
// burn faster than its factor, and the long window has spent at least the
// share of the window's budget the rule stands for (factor × long window /
// SLO window, 2% for the fast page of a 30-day SLO), counted in bad events
// against the budget the SLO's window holds, and no fewer than
// MinBadEvents.
//
// Under steady traffic the two conditions agree. When traffic is low —
// a store that just opened, a service at night — a handful of failures
// makes a high error ratio but spends almost no budget: the second
// condition keeps that from paging anyone, as the SRE Workbook advises for
// low-traffic services. Windows without data do not burn.
//
// Every comparison is exact for objectives and factors written in
// decimal: a burn equal to the factor does not fire.
func burning(r slo.BurnRateAlert, sr *Series, share budgetShare, window slo.Window, now time.Time) (long, short float64, on bool) {
	m := UnixMinute(now)
	lc, sc := sr.Window(m, r.LongWindow), sr.Window(m, r.ShortWindow)
	total := sr.Sum(UnixMinute(WindowStart(window, now))-1, m).Total
	return burningCounts(r, lc, sc, total, share, window)
}

// burningCounts is burning with the counts of the rule's long and short
// windows and the total of the SLO's window read already.
func burningCounts(r slo.BurnRateAlert, lc, sc Counts, total float64, share budgetShare, window slo.Window) (long, short float64, on bool) {
	if lc.Total > 0 {
		long = share.rate(lc)
	}
	if sc.Total > 0 {
		short = share.rate(sc)
	}
	bad := lc.Bad()
	enough := bad >= MinBadEvents && share.spentAtLeast(bad, total, r.Factor, r.LongWindow, window.Nominal())
	return long, short, enough && share.burnAbove(lc, r.Factor) && share.burnAbove(sc, r.Factor)
}
