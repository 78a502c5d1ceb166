package engine

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// TestRulesScaleWorkbookWindowsAndKeepFactors checks the tier table of
// docs/alerting.md: factors stay the Workbook's (none below 1, so no rule
// fires while the budget is not overspent) and windows scale with the
// SLO's window, 28 and 30 days keeping the Workbook's own.
func TestRulesScaleWorkbookWindowsAndKeepFactors(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		window slo.Window
		want   []string // name windows factor
	}{
		{slo.Window{Rolling: 7 * day}, []string{"fast 15m/5m 14.4", "medium 1h/5m 6", "slow 6h/30m 3", "slowest 12h/1h 1"}},
		{slo.Window{Calendar: slo.CalendarWeek}, []string{"fast 15m/5m 14.4", "medium 1h/5m 6", "slow 6h/30m 3", "slowest 12h/1h 1"}},
		{slo.Window{Rolling: 14 * day}, []string{"fast 30m/5m 14.4", "medium 3h/15m 6", "slow 12h/1h 3", "slowest 1d/3h 1"}},
		{slo.Window{Rolling: 28 * day}, []string{"fast 1h/5m 14.4", "medium 6h/30m 6", "slow 1d/2h 3", "slowest 3d/6h 1"}},
		{slo.Window{Rolling: 30 * day}, []string{"fast 1h/5m 14.4", "medium 6h/30m 6", "slow 1d/2h 3", "slowest 3d/6h 1"}},
		{slo.Window{Calendar: slo.CalendarMonth}, []string{"fast 1h/5m 14.4", "medium 6h/30m 6", "slow 1d/2h 3", "slowest 3d/6h 1"}},
		{slo.Window{Rolling: 90 * day}, []string{"fast 3h/15m 14.4", "medium 1d/2h 6", "slow 3d/6h 3", "slowest 9d/1d 1"}},
		{slo.Window{Calendar: slo.CalendarQuarter}, []string{"fast 3h/15m 14.4", "medium 1d/2h 6", "slow 3d/6h 3", "slowest 9d/1d 1"}},
		// A day: windows stop at 5m, the shortest a Prometheus rate reads well.
		{slo.Window{Rolling: day}, []string{"fast 5m/5m 14.4", "medium 10m/5m 6", "slow 1h/5m 3", "slowest 2h/10m 1"}},
	}
	for _, c := range cases {
		var got []string
		for _, r := range Rules(&slo.SLO{Window: c.window}) {
			got = append(got, fmt.Sprintf("%s %s %v", r.Name, RuleWindows(r), r.Factor))
			if r.Factor < 1 {
				t.Errorf("%s: %s factor %v fires while the budget is not overspent", c.window, r.Name, r.Factor)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: rules\n %q\nwant\n %q", c.window, got, c.want)
		}
	}
}

func TestRulesHonourDisabledSeveritiesAndOwnRules(t *testing.T) {
	def := &slo.SLO{Window: slo.Window{Rolling: 30 * 24 * time.Hour}, Alerting: slo.Alerting{Ticket: slo.AlertLevel{Disabled: true}}}
	for _, r := range Rules(def) {
		if r.Severity == slo.SeverityTicket {
			t.Errorf("ticket rule %s kept with tickets disabled", r.Name)
		}
	}
	def.Alerting.BurnRates = []slo.BurnRateAlert{{Severity: slo.SeverityPage, Factor: 10, LongWindow: time.Hour, ShortWindow: 5 * time.Minute}}
	rules := Rules(def)
	if len(rules) != 1 || rules[0].Factor != 10 || rules[0].Name != "page-1" {
		t.Errorf("own rules: %+v, want one page rule at factor 10, unscaled, named page-1", rules)
	}
}

func TestAlertStateMachine(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a := &Alert{State: AlertInactive}
	steps := []struct {
		on      bool
		at      time.Duration
		state   AlertState
		changed bool
	}{
		{false, 0, AlertInactive, false},
		{true, time.Minute, AlertPending, false}, // must hold for 5m
		{false, 2 * time.Minute, AlertInactive, false},
		{true, 3 * time.Minute, AlertPending, false},
		{true, 7 * time.Minute, AlertPending, false},
		{true, 8 * time.Minute, AlertFiring, true},
		{true, 9 * time.Minute, AlertFiring, false},
		{false, 10 * time.Minute, AlertResolved, true},
		{false, 11 * time.Minute, AlertResolved, false},
	}
	for i, s := range steps {
		changed := a.step(s.on, 5*time.Minute, t0.Add(s.at))
		if a.State != s.state || changed != s.changed {
			t.Fatalf("step %d (on=%v at %s): state %s changed %v, want %s %v", i, s.on, s.at, a.State, changed, s.state, s.changed)
		}
	}
	if !a.FiredAt.Equal(t0.Add(8*time.Minute)) || !a.ResolvedAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("fired %s resolved %s", a.FiredAt, a.ResolvedAt)
	}
}

func TestCalendarWindowStarts(t *testing.T) {
	now := time.Date(2026, 11, 25, 3, 30, 0, 0, time.UTC) // a Wednesday
	cases := []struct {
		w    slo.Window
		want time.Time
	}{
		{slo.Window{Calendar: slo.CalendarWeek}, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		{slo.Window{Calendar: slo.CalendarMonth}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{slo.Window{Calendar: slo.CalendarQuarter}, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)},
		// 03:30 UTC is still the 24th in Los Angeles, and November there
		// began at 07:00 UTC.
		{slo.Window{Calendar: slo.CalendarMonth, TimeZone: "America/Los_Angeles"}, time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)},
		{slo.Window{Rolling: 7 * 24 * time.Hour}, now.Add(-7 * 24 * time.Hour)},
	}
	for _, c := range cases {
		if got := WindowStart(c.w, now); !got.Equal(c.want) {
			t.Errorf("%s: start %s, want %s", c.w, got.UTC(), c.want)
		}
	}
}

func TestBudgetTextSaysWhatIsLeftOrOverspent(t *testing.T) {
	cases := []struct {
		b    Budget
		want string
	}{
		{Budget{Unit: "events", Total: 20, Remaining: 12}, "error budget left (12 of 20 bad events)"},
		{Budget{Unit: "events", Total: 432, Remaining: -468}, "error budget overspent by 468 bad events (a budget of 432)"},
		{Budget{Unit: "slices", Total: 0.01, Remaining: -0.99}, "error budget overspent by 0.99 bad slices (a budget of 0.01)"},
	}
	for _, c := range cases {
		if got := c.b.Text(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.b, got, c.want)
		}
	}
}
