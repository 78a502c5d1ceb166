package engine

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// exhaustionHourly is the forecast of a rolling window read hour by hour,
// as exhaustion read it before it passed over days: the reference the
// faster one must agree with to the nanosecond.
func exhaustionHourly(def *slo.SLO, sr *Series, now time.Time, st Status) *time.Time {
	nowMin := UnixMinute(now)
	hour := sr.Window(nowMin, time.Hour)
	if st.Budget.Remaining <= 0 || hour.Total <= 0 {
		return nil
	}
	share := def.BudgetFraction()
	gain := (share*hour.Total - hour.Bad()) / 60
	at := func(minutes float64) *time.Time {
		t := now.Add(time.Duration(minutes * float64(time.Minute)))
		return &t
	}
	start := UnixMinute(st.WindowStart) - 1
	base := sr.cumAt(start)
	length := float64(def.Window.Nominal() / time.Minute)
	prev, prevAt := st.Budget.Remaining, 0.0
	for h := floorDiv(start, 60); ; h++ {
		step := min(float64(h*60+59-start), length)
		left := sr.cumAt(h*60 + 59).sub(base)
		r := st.Budget.Remaining + gain*step - (share*left.Total - left.Bad())
		if r <= 0 {
			return at(prevAt + (step-prevAt)*prev/(prev-r))
		}
		if step >= length {
			return nil
		}
		prev, prevAt = r, step
	}
}

// TestTheForecastPassesOverDaysWithoutMovingIt checks the forecast that
// passes over days whose budget is bound to last against the one that
// reads every hour, on windows of busy and quiet days, healthy and
// burning, whole and fractional counts: the same moment, or none, every
// time.
func TestTheForecastPassesOverDaysWithoutMovingIt(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var some, late, none int
	for trial := range 100 {
		days := []int{7, 28, 30}[trial%3]
		def := slo.SLO{Objective: []float64{99.9, 99, 99.5, 95}[trial%4], Window: slo.Window{Rolling: time.Duration(days) * 24 * time.Hour}}
		share := newBudgetShare(&def)
		sr := NewSeries(span(def.Window))
		span := days + rnd.IntN(5)
		end := UnixMinute(start) + int64(span*24*60)
		fractional := trial%7 == 0
		var traffic, ratio float64
		for m := UnixMinute(start); m < end; m++ {
			if m%1440 == 0 || m%(60*(1+int64(trial%12))) == 0 {
				traffic = float64(rnd.IntN(1000))
				ratio = share.f * rnd.Float64() * []float64{0.3, 1.2, 3, 0.9}[rnd.IntN(4)]
			}
			total := traffic * (0.5 + rnd.Float64())
			if !fractional {
				total = float64(int(total))
			}
			bad := total * ratio
			if !fractional {
				bad = float64(int(bad + rnd.Float64()))
			}
			sr.Add(m, Counts{Good: total - bad, Total: total})
		}
		now := time.Unix((end-1)*60+int64(rnd.IntN(60)), 0).UTC()
		st := computeShare(&def, share, sr, now, nil)
		got, want := exhaustion(&def, def.BudgetFraction(), sr, now, st), exhaustionHourly(&def, sr, now, st)
		switch {
		case (got == nil) != (want == nil):
			t.Fatalf("trial %d: forecast %v, hour by hour %v", trial, got, want)
		case got == nil:
			none++
		case !got.Equal(*want):
			t.Fatalf("trial %d: forecast %s, hour by hour %s", trial, got, want)
		default:
			some++
			if got.Sub(now) > 24*time.Hour {
				late++ // found past a day the faster forecast may pass over
			}
		}
	}
	t.Logf("%d ran out (%d after a day), %d lasted", some, late, none)
	if some == 0 || none == 0 || late == 0 {
		t.Fatalf("trials ran out %d times (%d after a day) and lasted %d times: want some of each", some, late, none)
	}
}

// TestTheForecastFindsABudgetThatRunsOutWithinADayAndComesBack checks a
// day that starts and ends with budget left but runs out within it is
// read hour by hour: the allowance of a burst of good events leaves the
// window an hour before the burst of bad events it paid for.
func TestTheForecastFindsABudgetThatRunsOutWithinADayAndComesBack(t *testing.T) {
	def := slo.SLO{Objective: 99.9, Window: slo.Window{Rolling: 30 * 24 * time.Hour}}
	share := newBudgetShare(&def)
	sr := NewSeries(span(def.Window))
	now := time.Date(2026, 11, 30, 12, 0, 30, 0, time.UTC)
	windowStart := UnixMinute(now) - 30*24*60
	for m := windowStart - 24*60; m <= UnixMinute(now); m++ {
		c := Counts{Good: 1000, Total: 1000}
		if m%10 < 9 {
			c.Good-- // 90% of the budget spent, steadily
		}
		switch (m - windowStart) / 60 {
		case 3:
			c = Counts{Good: 1e7 / 60, Total: 1e7 / 60} // an allowance of 10,000 bad events
		case 4:
			c = Counts{Good: 0, Total: 100} // 6,000 bad events over the hour
		}
		sr.Add(m, c)
	}
	st := computeShare(&def, share, sr, now, nil)
	got, want := exhaustion(&def, def.BudgetFraction(), sr, now, st), exhaustionHourly(&def, sr, now, st)
	if want == nil || want.Sub(now) > 5*time.Hour {
		t.Fatalf("hour by hour the budget should run out within 5 hours, got %v (remaining %g)", want, st.Budget.Remaining)
	}
	if got == nil || !got.Equal(*want) {
		t.Fatalf("forecast %v, hour by hour %v", got, want)
	}
}
