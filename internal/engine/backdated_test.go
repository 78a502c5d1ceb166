package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

const backdatedSpec = `
apiVersion: accord/v1
kind: Service
metadata: {name: stores}
spec:
  owners: {team: store-ops}
  slos:
    - name: sync-events
      objective: 99
      window: 14d
      indicator: {ratio: {stream: sync}}
    - name: sync-slices
      objective: 99
      window: 14d
      budgeting: {method: timeslices, sliceLength: 10m, sliceTarget: 99}
      indicator: {ratio: {stream: sync}}
`

// TestBackdatedWeekCountsForTimeslicesAndOccurrencesAlike: Accord runs for
// a week with no data on a stream, then the week's events arrive at once
// with their own timestamps (a backfill), then a few more arrive late.
// The occurrences SLO and the timeslice SLO on the stream both count all
// of them, as a hand computation does.
func TestBackdatedWeekCountsForTimeslicesAndOccurrencesAlike(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(t0)
	dir := t.TempDir()
	ctx := context.Background()
	e, store := mustEngine(t, mustCatalog(t, backdatedSpec), dir, clock)
	for h := 0; h <= 7*24; h++ { // a week of evaluations that see nothing
		clock.Set(t0.Add(time.Duration(h) * time.Hour))
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// The week, 100 events a minute. The push happens at the week's end
	// plus 5 minutes, so its first four days are older than the minute
	// checkpoints (three days) and its last three within them.
	bad := map[int]float64{} // minute of the week → bad events in it
	for _, h := range []int{10, 30, 50} {
		for m := 0; m < 60; m++ {
			bad[h*60+m] = 5 // three old hours at 5% errors: 6 bad slices each
		}
	}
	for m := 20; m < 30; m++ {
		bad[70*60+m] = 5 // one old slice at 5%: its hour is 99.2% good, the slice bad
	}
	for _, h := range []int{100, 120, 140, 160} {
		for m := 0; m < 10; m++ {
			bad[h*60+m] = 5 // four recent slices at 5%
		}
	}
	bad[150*60+30], bad[150*60+31] = 5, 5 // 10 of the slice's 1,000 fail: 99.0%, still good
	var week []engine.Event
	for m := 0; m < 7*24*60; m++ {
		week = append(week, counted("sync", t0.Add(time.Duration(m)*time.Minute), 100-bad[m], 100))
	}
	now := t0.Add(7*24*time.Hour + 5*time.Minute)
	clock.Set(now)
	if err := e.Ingest(ctx, week); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	// By hand: 10,080 minutes of 100 events; bad: 3 hours × 60 × 5 + 10 × 5
	// + 4 × 10 × 5 + 2 × 5 = 1,160. Slices: 1,008 of ten minutes, bad:
	// 3 × 6 + 1 + 4 = 23.
	check := func(label string, e *engine.Engine, total, badEvents, slices, badSlices float64) {
		t.Helper()
		ev, _ := e.SLO("stores/sync-events")
		if c := ev.Status.Counts; c.Total != total || c.Bad() != badEvents {
			t.Errorf("%s: occurrences count %+v, want %v bad of %v", label, c, badEvents, total)
		}
		sl, _ := e.SLO("stores/sync-slices")
		if c := sl.Status.Counts; !near(c.Total, slices, 1e-9) || !near(c.Bad(), badSlices, 1e-9) {
			t.Errorf("%s: timeslices count %+v, want %v bad of %v slices", label, c, badSlices, slices)
		}
	}
	check("backfilled", e, 1_008_000, 1_160, 1_008, 23)

	// Late data: 20 failures in a recent slice judged good (1,000 of
	// 1,020: bad), and 2 failures in every minute of an old good hour
	// (each slice 1,000 of 1,020: all six bad). An old block that held
	// data is judged again from its hour, which here agrees slice by slice.
	late := []engine.Event{counted("sync", t0.Add(130*time.Hour+5*time.Minute), 0, 20)}
	for m := 0; m < 60; m++ {
		late = append(late, counted("sync", t0.Add(40*time.Hour+time.Duration(m)*time.Minute), 0, 2))
	}
	clock.Set(now.Add(time.Minute))
	if err := e.Ingest(ctx, late); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	check("late", e, 1_008_140, 1_300, 1_008, 30)

	// The judgments are stored as they change: a restart reads the same.
	store.Close()
	e2, store2 := mustEngine(t, mustCatalog(t, backdatedSpec), dir, clock)
	defer store2.Close()
	if err := e2.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	check("restored", e2, 1_008_140, 1_300, 1_008, 30)
}

// TestHourlyBackfillJudgesEverySliceOfItsHours: a Prometheus backfill
// delivers counts older than three days per hour; each counts for every
// five-minute slice of its hour, the hour's SLI for each.
func TestHourlyBackfillJudgesEverySliceOfItsHours(t *testing.T) {
	spec := strings.Replace(backdatedSpec, "sliceLength: 10m", "sliceLength: 5m", 1)
	now := time.Date(2026, 11, 10, 0, 0, 30, 0, time.UTC)
	clock := engine.NewManualClock(now)
	e, store := mustEngine(t, mustCatalog(t, spec), t.TempDir(), clock)
	defer store.Close()
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Four days per hour, from eight days ago to four days ago; three of
	// the hours at 5% errors.
	var counts []engine.Count
	from := engine.UnixMinute(now.Add(-8 * 24 * time.Hour))
	for h := int64(0); h < 4*24; h++ {
		bad := 0.0
		if h == 5 || h == 50 || h == 90 {
			bad = 300
		}
		counts = append(counts, engine.Count{SLO: "stores/sync-slices", Group: "{}", Kind: engine.KindEvents,
			Minute: from + 60*h, Span: 60, Counts: engine.Counts{Good: 6000 - bad, Total: 6000}})
	}
	if err := e.Record(context.Background(), counts); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := e.SLO("stores/sync-slices")
	if c := v.Status.Counts; c.Total != 4*24*12 || c.Bad() != 3*12 {
		t.Errorf("slices %+v, want 36 bad of %d: twelve for each hour", c, 4*24*12)
	}
}
