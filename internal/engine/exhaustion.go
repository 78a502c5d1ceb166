package engine

import (
	"math"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// forecast sets when the budget runs out on the statuses people see: all
// groups together and the worst group. The caller holds the lock.
func (st *sloState) forecast(now time.Time) {
	for _, g := range []*group{st.all, st.worstGroup()} {
		if g != nil {
			g.status.Exhaustion = exhaustion(&st.def, st.share.f, g.budgetSeries(), now, g.status)
		}
	}
}

// exhaustion forecasts when the budget runs out if the last hour goes on:
// its traffic and its error ratio continue and, in a rolling window, the
// oldest events leave the window as new ones come, taking their share of
// the budget and their bad events with them. So a steady burn rate below
// 1 never exhausts a rolling budget, and one above 1 does within the
// window. A calendar window's budget only grows with traffic until the
// window ends. Nil when the budget is already spent, the last hour had no
// data, or the budget lasts. share is def's BudgetFraction, worked out
// once.
func exhaustion(def *slo.SLO, share float64, sr *Series, now time.Time, st Status) *time.Time {
	nowMin := UnixMinute(now)
	hour := sr.Window(nowMin, time.Hour)
	if st.Budget.Remaining <= 0 || hour.Total <= 0 {
		return nil
	}
	// gain is what each minute of the last hour's traffic adds to the
	// remaining budget: its allowance less its bad events.
	gain := (share*hour.Total - hour.Bad()) / 60
	at := func(minutes float64) *time.Time {
		t := now.Add(time.Duration(minutes * float64(time.Minute)))
		return &t
	}
	if def.Window.IsCalendar() {
		if gain >= 0 {
			return nil
		}
		t := at(st.Budget.Remaining / -gain)
		if t.Before(WindowEnd(def.Window, now)) {
			return t
		}
		return nil
	}
	// Step an hour at a time through the window's length: what leaves by
	// the end of each hour is the data from the window's start on. The
	// remaining budget is linear in between. cumAt reads the checkpoints:
	// a young series' hours ring is shorter than the window, and hours
	// before its first data hold nothing rather than a wrapped slot.
	start := UnixMinute(st.WindowStart) - 1
	base := sr.cumAt(start)
	length := float64(def.Window.Nominal() / time.Minute)
	// atHour is the remaining budget at the end of hour h, step minutes on,
	// and what has left the window by then.
	atHour := func(h int64) (step, r float64, left Counts) {
		step = min(float64(h*60+59-start), length)
		left = sr.cumAt(h*60 + 59).sub(base)
		return step, st.Budget.Remaining + gain*step - (share*left.Total - left.Bad()), left
	}
	prev, prevAt := st.Budget.Remaining, 0.0
	h, linear := floorDiv(start, 60), int64(math.MinInt64)
	for {
		// Most budgets last: a day of hours whose every remaining budget
		// is bound to be positive is passed over whole, reading two hours
		// rather than 24 (720 hours a 30-day window, 10,000 SLOs an
		// evaluation). What has left grows hour by hour, so no hour of the
		// day leaves less than the budget less the day's allowance that
		// has left by its end, plus the bad events left by its start, plus
		// the least the traffic adds. The bound must clear rounding by a
		// wide margin; otherwise the day is read hour by hour as before.
		if last := h + forecastDay - 1; h > linear && float64(last*60+59-start) < length {
			s0, _, l0 := atHour(h)
			s1, r1, l1 := atHour(last)
			bound := st.Budget.Remaining + min(gain*s0, gain*s1) - share*l1.Total + l0.Bad()
			scale := math.Abs(st.Budget.Remaining) + math.Abs(gain)*s1 + share*math.Abs(l1.Total) + math.Abs(l0.Bad())
			if bound > 1e-9*scale && r1 > 0 {
				prev, prevAt, h = r1, s1, last+1
				continue
			}
			linear = last
		}
		step, r, _ := atHour(h)
		if r <= 0 {
			return at(prevAt + (step-prevAt)*prev/(prev-r))
		}
		if step >= length {
			return nil
		}
		prev, prevAt = r, step
		h++
	}
}

// forecastDay is how many hours the forecast passes over at once.
const forecastDay = 24
