package engine

import (
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// forecast sets when the budget runs out on the statuses people see: all
// groups together and the worst group. The caller holds the lock.
func (st *sloState) forecast(now time.Time) {
	for _, g := range []*group{st.all, st.worstGroup()} {
		if g != nil {
			g.status.Exhaustion = exhaustion(&st.def, g.budgetSeries(), now, g.status)
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
// data, or the budget lasts.
func exhaustion(def *slo.SLO, sr *Series, now time.Time, st Status) *time.Time {
	nowMin := UnixMinute(now)
	hour := sr.Window(nowMin, time.Hour)
	if st.Budget.Remaining <= 0 || hour.Total <= 0 {
		return nil
	}
	share := def.BudgetFraction()
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
