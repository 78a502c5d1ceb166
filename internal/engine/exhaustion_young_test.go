package engine

import (
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// TestYoungSeriesForecastsFromItsOwnData: a 30-day SLO measured for two
// hours keeps a short hours ring. Nothing leaves its window for weeks, so
// at 2× with 40 bad events of budget left and one more overspent each
// minute, the budget runs out in 40 minutes.
func TestYoungSeriesForecastsFromItsOwnData(t *testing.T) {
	def := slo.SLO{Objective: 99, Window: slo.Window{Rolling: 30 * 24 * time.Hour}}
	now := time.Date(2026, 11, 30, 12, 0, 59, 0, time.UTC)
	nowMin := UnixMinute(now)
	sr := NewSeries(def.Window.Rolling)
	var pts []MinuteCounts
	for m := nowMin - 119; m <= nowMin; m++ {
		c := Counts{Good: 10_000.0 / 60, Total: 10_000.0 / 60} // a clean first hour
		if m > nowMin-60 {
			c = Counts{Good: 98, Total: 100} // then 2×
		}
		pts = append(pts, MinuteCounts{m, c})
	}
	sr.AddMany(pts)
	st := compute(&def, sr, now, nil)
	if !near(st.Budget.Remaining, 40, 1e-6) {
		t.Fatalf("budget left %v, want 40 bad events", st.Budget.Remaining)
	}
	if ex := exhaustion(&def, def.BudgetFraction(), sr, now, st); ex == nil || (ex.Sub(now)-40*time.Minute).Abs() > time.Second {
		t.Errorf("exhaustion %v, want in 40m", ex)
	}
}

func near(got, want, tol float64) bool { return got >= want-tol && got <= want+tol }
