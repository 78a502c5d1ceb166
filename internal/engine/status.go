package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Status is where an SLO (or one group of it) stands at a moment.
type Status struct {
	// At is the moment the status was computed for.
	At          time.Time `json:"at"`
	WindowStart time.Time `json:"windowStart"`
	// Counts are the good and total events (or slices) in the window.
	Counts Counts `json:"counts"`
	// SLI is the share of good events in the window, 0..1; nil without data.
	SLI *float64 `json:"sli"`
	// Objective is the target share, 0..1.
	Objective float64 `json:"objective"`
	// Met is true when the SLI meets the objective; false without data.
	Met    bool   `json:"met"`
	Budget Budget `json:"budget"`
	// BurnRates are the burn rates over BurnWindows and the windows of the
	// SLO's alert rules, shortest first.
	BurnRates []BurnRate `json:"burnRates"`
	// Exhaustion is when the budget runs out if the last hour's traffic
	// and burn rate go on, old events leaving a rolling window as new ones
	// come; nil when the budget lasts (or is already spent). A grouped
	// SLO forecasts it for all groups together and its worst group.
	Exhaustion *time.Time `json:"exhaustion,omitempty"`
}

// Budget is an error budget over the window. The unit is events for the
// occurrences method and slices for the timeslice methods.
type Budget struct {
	Unit string `json:"unit"`
	// Total is how many bad units the window allows so far.
	Total float64 `json:"total"`
	// Consumed is how many bad units the window has had.
	Consumed float64 `json:"consumed"`
	// Remaining is Total minus Consumed; negative once overspent.
	Remaining float64 `json:"remaining"`
	// RemainingFraction is Remaining over Total: 1 untouched, 0 exhausted,
	// negative overspent.
	RemainingFraction float64 `json:"remainingFraction"`
	// RemainingTime is the remaining budget as time at the SLO's slice
	// length (timeslices) or as the window's share of bad time at an even
	// error rate (occurrences).
	RemainingTime Duration `json:"remainingTime"`
}

// BurnRate is how fast the budget burns over a window: 1 spends it exactly
// by the window's end, 14.4 spends 2% of a 30-day budget in an hour.
type BurnRate struct {
	Window Duration `json:"window"`
	// Rate is the burn rate; 0 without data.
	Rate float64 `json:"rate"`
	// HasData is false when the window held no events.
	HasData bool `json:"hasData"`
}

// HasData reports whether the window held any events.
func (s Status) HasData() bool { return s.SLI != nil }

// Burn returns the burn rate over window d, and whether it is known.
func (s Status) Burn(d time.Duration) (float64, bool) {
	for _, b := range s.BurnRates {
		if time.Duration(b.Window) == d {
			return b.Rate, b.HasData
		}
	}
	return 0, false
}

// Fastest is the highest burn rate over BurnWindows and its window; ok is
// false without data.
func (s Status) Fastest() (rate float64, window time.Duration, ok bool) {
	for _, b := range s.BurnRates {
		if b.HasData && (!ok || b.Rate > rate) {
			rate, window, ok = b.Rate, time.Duration(b.Window), true
		}
	}
	return rate, window, ok
}

// compute works out the status of one series for an SLO at now, with
// burn rates over windows.
func compute(def *slo.SLO, sr *Series, now time.Time, windows []time.Duration) Status {
	return computeShare(def, newBudgetShare(def), sr, now, windows)
}

// computeShare is compute with the SLO's budget share worked out.
func computeShare(def *slo.SLO, share budgetShare, sr *Series, now time.Time, windows []time.Duration) Status {
	return computeCounts(def, share, sr, now, windows, nil)
}

// computeCounts is computeShare that also keeps the counts of each
// window in counts, when it is as long as windows, for the alert rules,
// which read the same windows.
func computeCounts(def *slo.SLO, share budgetShare, sr *Series, now time.Time, windows []time.Duration, counts []Counts) Status {
	nowMin := UnixMinute(now)
	start := WindowStart(def.Window, now)
	st := Status{At: now, WindowStart: start, Objective: share.objective}
	st.Counts = sr.Sum(UnixMinute(start)-1, nowMin)
	unit := "events"
	if def.Budgeting.Method != "" && def.Budgeting.Method != slo.Occurrences {
		unit = "slices"
	}
	st.Budget = budget(st.Counts, share, unit)
	if st.Counts.Total > 0 {
		sli := st.Counts.Good / st.Counts.Total
		st.SLI = &sli
		st.Met = sli >= st.Objective
	}
	nominal := def.Window.Nominal()
	st.Budget.RemainingTime = Duration(max(st.Budget.RemainingFraction, 0) * share.f * float64(nominal))
	if len(windows) > 0 {
		st.BurnRates = make([]BurnRate, 0, len(windows))
	}
	for i, w := range windows {
		c := sr.Window(nowMin, w)
		if len(counts) == len(windows) {
			counts[i] = c
		}
		b := BurnRate{Window: Duration(w)}
		if c.Total > 0 {
			b.HasData = true
			b.Rate = share.rate(c)
		}
		st.BurnRates = append(st.BurnRates, b)
	}
	return st
}

func budget(c Counts, share budgetShare, unit string) Budget {
	b := Budget{Unit: unit, Total: share.allowed(c), Consumed: c.Bad(), RemainingFraction: 1}
	b.Remaining = b.Total - b.Consumed
	if b.Total > 0 {
		// remaining/total is 1 − burn: taken from the burn, rounded once,
		// so 2 bad of 10 at 99% reads −19, not −18.999999999999996.
		b.RemainingFraction = 1 - share.rate(c)
	}
	return b
}

// MarshalJSON writes a budget with no events behind it (a window without
// data) with null for the remaining fraction and time: a budget nobody
// has measured is not 100% left.
func (b Budget) MarshalJSON() ([]byte, error) {
	type plain Budget
	if b.Total != 0 || b.Consumed != 0 {
		return json.Marshal(plain(b))
	}
	return json.Marshal(struct {
		plain
		RemainingFraction *float64  `json:"remainingFraction"`
		RemainingTime     *Duration `json:"remainingTime"`
	}{plain: plain(b)})
}

// UnmarshalJSON reads what MarshalJSON writes: a budget without data
// reads back as the engine holds it, untouched.
func (b *Budget) UnmarshalJSON(data []byte) error {
	type plain Budget
	p := plain{RemainingFraction: 1}
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*b = Budget(p)
	return nil
}

// Text says how much of the budget is left, in its unit, or by how much
// it is overspent: "error budget left (12 of 20 bad events)", "error
// budget overspent by 468 bad events (a budget of 432)".
func (b Budget) Text() string {
	unit := "bad " + b.Unit
	if b.Remaining < 0 {
		return fmt.Sprintf("error budget overspent by %s %s (a budget of %s)", Amount(-b.Remaining), unit, Amount(b.Total))
	}
	return fmt.Sprintf("error budget left (%s of %s %s)", Amount(b.Remaining), Amount(b.Total), unit)
}

// Amount renders a count of events or slices as people read it: whole
// above 100, three significant digits below (a budget of 0.01 bad events,
// of 2.99).
func Amount(f float64) string {
	if math.Abs(f) >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return strconv.FormatFloat(f, 'g', 3, 64)
}
