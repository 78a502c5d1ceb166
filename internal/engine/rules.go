package engine

import (
	"fmt"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// workbookWindow is the window the SRE Workbook's burn-rate factors are
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

// Rules returns the burn-rate alerts an SLO evaluates: its own, or the
// Workbook's with factors rescaled to the SLO's window so each still
// spends the same share of the budget (14.4 for 30 days is 13.44 for 28).
// Rules of a disabled severity, and rules whose long window is longer than
// the SLO's window, are left out.
func Rules(def *slo.SLO) []slo.BurnRateAlert {
	rules := def.Alerting.BurnRates
	if len(rules) == 0 {
		scale := float64(def.Window.Nominal()) / float64(workbookWindow)
		for _, r := range WorkbookRules {
			r.Factor = roundFactor(r.Factor * scale)
			rules = append(rules, r)
		}
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

func roundFactor(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}

// RuleWindows names a rule's windows as "1h/5m".
func RuleWindows(r slo.BurnRateAlert) string {
	return slo.FormatDuration(r.LongWindow) + "/" + slo.FormatDuration(r.ShortWindow)
}

// MinBadEvents is how many bad events (or bad slices) a rule's long window
// must hold before it may fire. Without it a quiet service pages on one
// failed request at night: one bad event among twenty is a 5% error ratio,
// a burn rate of 50 against a 99.9% objective. Real outages pass it within
// moments, and slow burns long before their factor.
const MinBadEvents = 3

// burning reports whether both of a rule's windows burn faster than its
// factor at minute m, with at least MinBadEvents bad events in the long
// window. Windows without data do not burn.
func burning(r slo.BurnRateAlert, sr *Series, share float64, m int64) (long, short float64, on bool) {
	rate := func(d time.Duration) (float64, bool) {
		c := sr.Window(m, d)
		if c.Total <= 0 {
			return 0, false
		}
		return (c.Bad() / c.Total) / share, true
	}
	long, okL := rate(r.LongWindow)
	short, okS := rate(r.ShortWindow)
	enough := sr.Window(m, r.LongWindow).Bad() >= MinBadEvents
	return long, short, okL && okS && enough && long > r.Factor && short > r.Factor
}
