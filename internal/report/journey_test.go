package report_test

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/report"
	"github.com/accord-slo/accord/internal/slo"
)

// TestReportCountsAJourneyAsItsComponentsWeightedSums reports a journey
// over payments and receipts (weight 2) from their stored counts.
func TestReportCountsAJourneyAsItsComponentsWeightedSums(t *testing.T) {
	store, cat, now := seed(t)
	j := cat.SLOs[0]
	j.Name, j.Indicator = "pays-and-gets-receipt", slo.Indicator{}
	j.Composite = &slo.Composite{Components: []slo.Component{{SLO: "checkout/payments", Weight: 1}, {SLO: "checkout/receipts", Weight: 2}}}
	cat.SLOs = append(cat.SLOs, j)
	period, err := report.ParsePeriod("last-week", now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(context.Background(), store, cat, period, now)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]report.SLO{}
	for _, team := range r.Teams {
		for _, svc := range team.Services {
			for _, s := range svc.SLOs {
				got[s.ID] = s
			}
		}
	}
	p, rc, jr := got["checkout/payments"].Outcome, got["checkout/receipts"].Outcome, got["checkout/pays-and-gets-receipt"].Outcome
	if !p.HasData || !rc.HasData || !jr.HasData {
		t.Fatalf("outcomes: payments %+v, receipts %+v, journey %+v", p, rc, jr)
	}
	if jr.Good != p.Good+2*rc.Good || jr.Total != p.Total+2*rc.Total {
		t.Fatalf("journey %v good of %v, want %v of %v", jr.Good, jr.Total, p.Good+2*rc.Good, p.Total+2*rc.Total)
	}
	if jr.Met != (*jr.SLI >= 0.99) || len(got["checkout/pays-and-gets-receipt"].Burns) == 0 {
		t.Fatalf("journey report %+v", got["checkout/pays-and-gets-receipt"])
	}
}

// TestPostmortemsDueCountsAJourney finds the incident that spent a journey's
// budget due a postmortem, from its components' stored counts, as it does
// for the component that caused it.
func TestPostmortemsDueCountsAJourney(t *testing.T) {
	store, cat, now := seed(t)
	j := cat.SLOs[0]
	j.Name, j.Indicator = "pays-and-gets-receipt", slo.Indicator{}
	j.Composite = &slo.Composite{Components: []slo.Component{{SLO: "checkout/payments", Weight: 1}, {SLO: "checkout/receipts", Weight: 2}}}
	cat.SLOs = append(cat.SLOs, j)
	period := report.Period{From: now.Add(-30 * 24 * time.Hour), To: now}
	due, err := report.PostmortemsDue(context.Background(), store, cat, []slo.SLO{j}, period)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].SLO != "checkout/pays-and-gets-receipt" || due[0].Incident != "INC-4711" || due[0].BudgetShare <= report.PostmortemShare {
		t.Fatalf("postmortems due for the journey: %+v", due)
	}
}

// journeyOf reports one SLO's outcome over period from what src stores
// and its engine counts.
func journeyOf(t *testing.T, src report.Source, cat slo.Catalog, id string, period report.Period, now time.Time) report.SLO {
	t.Helper()
	r, err := report.Build(context.Background(), src, cat, period, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, team := range r.Teams {
		for _, svc := range team.Services {
			for _, s := range svc.SLOs {
				if s.ID == id {
					return s
				}
			}
		}
	}
	t.Fatalf("the report has no SLO %s", id)
	return report.SLO{}
}

// pushMinutes ingests good of 10 events a minute for each stream, from
// minute from to minute to (exclusive) after start, and evaluates.
func pushMinutes(t *testing.T, e *engine.Engine, start time.Time, from, to int, good map[string]func(m int) float64) {
	t.Helper()
	var evs []engine.Event
	for m := from; m < to; m++ {
		for _, stream := range slices.Sorted(maps.Keys(good)) {
			if g := good[stream](m); g >= 0 {
				evs = append(evs, ev(stream, start.Add(time.Duration(m)*time.Minute), g, 10))
			}
		}
	}
	if err := e.Ingest(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if err := e.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

const lateSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - {name: scan, objective: 99, window: 1d, indicator: {ratio: {stream: scan}}}
    - {name: pay, objective: 99, window: 1d, indicator: {ratio: {stream: pay}}}
    - name: checks-out
      objective: 99
      window: 1d
      composite: {components: [scan, {slo: pay, weight: 2}], maxDelay: 15m, whenDelayed: WHEN}
`

// TestReportCountsLateComponentsAsTheEngineDoes stops pay's data for the
// last 30 minutes while scan's goes on, past the journey's maxDelay: the
// engine counts pay's missing minutes as whenDelayed says, and the
// report of the period counts what the engine does.
func TestReportCountsLateComponentsAsTheEngineDoes(t *testing.T) {
	for _, when := range []slo.WhenDelayed{slo.CountAsBad, slo.CountAsGood, slo.IgnoreDelayed} {
		t.Run(string(when), func(t *testing.T) {
			start := time.Date(2026, 11, 9, 6, 0, 0, 0, time.UTC)
			e, clock, src, cat := runEngine(t, strings.ReplaceAll(lateSpec, "WHEN", string(when)), start)
			clock.Set(start.Add(90 * time.Minute))
			pushMinutes(t, e, start, 0, 90, map[string]func(int) float64{
				"scan": func(int) float64 { return 10 },
				"pay": func(m int) float64 {
					if m >= 60 {
						return -1 // late
					}
					return 9
				},
			})
			v, ok := e.SLO("checkout/checks-out")
			if !ok || v.Status.Counts.Total == 0 || len(v.Components) != 2 || !v.Components[1].Delayed {
				t.Fatalf("the engine's journey: %+v", v)
			}
			// scan 900 of 900, pay 2·540 of 2·600, and pay's 30 missing
			// minutes: 2·10 events a minute, its average.
			want := map[slo.WhenDelayed]engine.Counts{
				slo.CountAsBad:    {Good: 900 + 1080, Total: 900 + 1200 + 600},
				slo.CountAsGood:   {Good: 900 + 1080 + 600, Total: 900 + 1200 + 600},
				slo.IgnoreDelayed: {Good: 900 + 1080, Total: 900 + 1200},
			}[when]
			if v.Status.Counts != want {
				t.Fatalf("the engine counts %+v, want %+v", v.Status.Counts, want)
			}
			period := report.Period{Name: "today", From: start.Truncate(24 * time.Hour), To: start.Truncate(24 * time.Hour).Add(24 * time.Hour)}
			s := journeyOf(t, src, cat, "checkout/checks-out", period, clock.Now())
			if s.Good != want.Good || s.Total != want.Total {
				t.Fatalf("the report counts %v good of %v, the engine %+v", s.Good, s.Total, want)
			}
			// The hour pay went late in holds half an hour of stand-ins.
			if when == slo.CountAsBad && (len(s.Burns) == 0 || !s.Burns[0].Start.Equal(start.Add(time.Hour)) || s.Burns[0].Bad != 600) {
				t.Fatalf("burns %+v, want the hour from %v first with 600 bad", s.Burns, start.Add(time.Hour))
			}
			// Pay's data arrives, half bad: it counts instead, in both.
			pushMinutes(t, e, start, 60, 90, map[string]func(int) float64{"pay": func(int) float64 { return 5 }})
			v, _ = e.SLO("checkout/checks-out")
			if want := (engine.Counts{Good: 900 + 1080 + 300, Total: 900 + 1800}); v.Status.Counts != want {
				t.Fatalf("after pay's data the engine counts %+v, want %+v", v.Status.Counts, want)
			}
			if s := journeyOf(t, src, cat, "checkout/checks-out", period, clock.Now()); s.Good != v.Status.Counts.Good || s.Total != v.Status.Counts.Total {
				t.Fatalf("after pay's data the report counts %v good of %v, the engine %+v", s.Good, s.Total, v.Status.Counts)
			}
		})
	}
}

const sliceSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: stores}
spec:
  owners: {team: store-ops}
  slos:
    - {name: a, objective: 90, window: 1d, budgeting: {method: METHOD, sliceLength: 5m TARGET}, indicator: {ratio: {stream: a}}}
    - {name: b, objective: 90, window: 1d, budgeting: {method: METHOD, sliceLength: 5m TARGET}, indicator: {ratio: {stream: b}}}
    - name: both
      objective: 90
      window: 1d
      budgeting: {method: METHOD, sliceLength: 5m}
      composite: {components: [a, {slo: b, weight: 3}], maxDelay: 15m, whenDelayed: countAsBad}
    - {name: outer, objective: 90, window: 1d, budgeting: {method: METHOD, sliceLength: 5m}, composite: {components: [both, a]}}
`

// TestReportOfATimeSliceJourneyIsWhatTheEngineJudged runs three hours of
// slices in which b has a bad slice and is late for an hour: the report
// of a time-slice journey, nested or not, counts the slices the engine
// judged, late ones included.
func TestReportOfATimeSliceJourneyIsWhatTheEngineJudged(t *testing.T) {
	for _, method := range []string{"timeslices", "ratio-timeslices"} {
		t.Run(method, func(t *testing.T) {
			target, lateShare := "", 0.75
			if method == "timeslices" {
				target, lateShare = ", sliceTarget: 95", 1
			}
			yaml := strings.NewReplacer("METHOD", method, " TARGET", target).Replace(sliceSpec)
			start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			e, clock, src, cat := runEngine(t, yaml, start)
			for m := 0; m < 180; m += 5 {
				clock.Set(start.Add(time.Duration(m+5) * time.Minute))
				pushMinutes(t, e, start, m, m+5, map[string]func(int) float64{
					"a": func(int) float64 { return 10 },
					"b": func(m int) float64 {
						switch {
						case m >= 60 && m < 120:
							return -1 // late
						case m/5 == 3:
							return 5
						}
						return 10
					},
				})
			}
			clock.Set(start.Add(200 * time.Minute))
			if err := e.Evaluate(context.Background()); err != nil {
				t.Fatal(err)
			}
			period := report.Period{Name: "the day", From: start, To: start.Add(24 * time.Hour)}
			for _, id := range []string{"stores/both", "stores/outer"} {
				v, _ := e.SLO(id)
				// 36 slices: b's bad one, and at least the 45 minutes b was
				// late past maxDelay counted bad (with ratio-timeslices, b's
				// weight of 3 in 4 bad, half of that in outer).
				share := lateShare
				if id == "stores/outer" && method == "ratio-timeslices" {
					share /= 2
				}
				if v.Status.Counts.Total != 36 || v.Status.Counts.Total-v.Status.Counts.Good < 9*share {
					t.Fatalf("the engine judged %s %+v", id, v.Status.Counts)
				}
				s := journeyOf(t, src, cat, id, period, clock.Now())
				if math.Abs(s.Good-v.Status.Counts.Good) > 1e-9 || s.Total != v.Status.Counts.Total || s.Met {
					t.Fatalf("the report of %s counts %v good of %v slices (met %v), the engine %+v", id, s.Good, s.Total, s.Met, v.Status.Counts)
				}
			}
		})
	}
}
