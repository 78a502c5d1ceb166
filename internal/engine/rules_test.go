package engine

import (
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

func TestRulesRescaleWorkbookFactorsToTheWindow(t *testing.T) {
	cases := []struct {
		window time.Duration
		want   map[string]float64
	}{
		{30 * 24 * time.Hour, map[string]float64{"fast": 14.4, "medium": 6, "slow": 3, "slowest": 1}},
		// 28 days: each rule still spends 2%, 5%, 10% and 10% of the budget.
		{28 * 24 * time.Hour, map[string]float64{"fast": 13.44, "medium": 5.6, "slow": 2.8, "slowest": 0.933}},
		// 2 days: the 3-day rule cannot be evaluated and is left out.
		{2 * 24 * time.Hour, map[string]float64{"fast": 0.96, "medium": 0.4, "slow": 0.2}},
	}
	for _, c := range cases {
		def := &slo.SLO{Window: slo.Window{Rolling: c.window}}
		got := map[string]float64{}
		for _, r := range Rules(def) {
			got[r.Name] = r.Factor
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: rules %v, want %v", slo.FormatDuration(c.window), got, c.want)
		}
		for name, f := range c.want {
			if got[name] != f {
				t.Errorf("%s: %s factor %v, want %v", slo.FormatDuration(c.window), name, got[name], f)
			}
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
