package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// TestCalendarBudgetRunsOutOnlyAboveOneBeforeTheMonthEnds: half a month at
// 0.5×, then the last hour at some burn. A calendar budget grows with
// traffic and nothing leaves it, so it runs out only above 1×, after
// what is left divided by what each minute overspends, and only if that
// is before the month ends.
func TestCalendarBudgetRunsOutOnlyAboveOneBeforeTheMonthEnds(t *testing.T) {
	burns := []float64{0.5, 3, 1.01}
	spec := "apiVersion: accord/v1\nkind: Service\nmetadata: {name: m}\nspec:\n  owners: {team: t}\n  slos:\n"
	for i := range burns {
		spec += fmt.Sprintf("    - {name: s%d, objective: 99.9, window: {calendar: month}, indicator: {ratio: {stream: s%d}}}\n", i, i)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := month.Add(15*24*time.Hour + 59*time.Second) // Nov 16, 00:00:59
	clock := engine.NewManualClock(now)
	e, store := mustEngine(t, mustCatalog(t, spec), t.TempDir(), clock)
	defer store.Close()
	// 10,000 events a minute: 5 bad at 0.5×, 10×burn bad in the last hour.
	var counts []engine.Count
	nowMin := engine.UnixMinute(now)
	for i, b := range burns {
		id := fmt.Sprintf("m/s%d", i)
		for m := engine.UnixMinute(month); m < nowMin-120; m += 60 { // per hour, as a backfill
			counts = append(counts, engine.Count{SLO: id, Group: "{}", Kind: engine.KindEvents, Minute: m,
				Counts: engine.Counts{Good: 60 * (10_000 - 5), Total: 60 * 10_000}})
		}
		for m := nowMin - 120; m <= nowMin; m++ {
			bad := 5.0
			if m > nowMin-60 {
				bad = 10 * b
			}
			counts = append(counts, engine.Count{SLO: id, Group: "{}", Kind: engine.KindEvents, Minute: m,
				Counts: engine.Counts{Good: 10_000 - bad, Total: 10_000}})
		}
	}
	if err := e.Record(context.Background(), counts); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i, b := range burns {
		v, _ := e.SLO(fmt.Sprintf("m/s%d", i))
		st := v.Status
		// Each minute allows 10 bad events and brings 10×burn.
		left := time.Duration(st.Budget.Remaining / (10*b - 10) * float64(time.Minute))
		switch {
		case b <= 1 || now.Add(left).After(month.AddDate(0, 1, 0)):
			if st.Exhaustion != nil {
				t.Errorf("burn %g: the budget is forecast to run out at %s, want it to last the month (%s left at this rate)", b, st.Exhaustion, left)
			}
		case st.Exhaustion == nil || (st.Exhaustion.Sub(now)-left).Abs() > time.Second:
			t.Errorf("burn %g: exhaustion %v, want in %s", b, st.Exhaustion, left)
		}
	}
}
