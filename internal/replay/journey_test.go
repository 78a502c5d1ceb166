package replay_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/replay"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
)

// memStore is a store of pushed counts, without annotations.
type memStore []engine.Count

func (m memStore) LoadCounts(_ context.Context, since int64, fn func(engine.Count) error) error {
	for _, c := range m {
		if c.Minute >= since {
			if err := fn(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (memStore) Annotations(context.Context, string, time.Time, time.Time) ([]slo.Annotation, error) {
	return nil, nil
}

// TestReplayOfAJourneyCountsItsComponentsHistory replays a journey over
// two pushed SLOs, each part of a parallel replay on its own engine: the
// journey replays with its components and counts their events, and pages
// for pay's outage.
func TestReplayOfAJourneyCountsItsComponentsHistory(t *testing.T) {
	res := spec.LoadBytes("slos.yaml", []byte(`apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos}
  slos:
    - {name: other, objective: 99, window: 7d, indicator: {ratio: {stream: other}}}
    - {name: scan, objective: 99, window: 7d, indicator: {ratio: {stream: scan}}}
    - {name: pay, objective: 99, window: 7d, indicator: {ratio: {stream: pay}}}
`))
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Items())
	}
	cat := res.Catalog
	j := cat.SLOs[1]
	j.Name, j.Indicator = "checks-out", slo.Indicator{}
	j.Composite = &slo.Composite{Components: []slo.Component{{SLO: "checkout/scan", Weight: 1}, {SLO: "checkout/pay", Weight: 1}}}
	cat.SLOs = append([]slo.SLO{j}, cat.SLOs...) // first: alone in a part but for its components
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	outage := start.Add(30 * time.Hour)
	var store memStore
	for m := 0; m < 48*60; m++ {
		at := start.Add(time.Duration(m) * time.Minute)
		good := 100.0
		if !at.Before(outage) && at.Before(outage.Add(30*time.Minute)) {
			good = 0
		}
		for _, id := range []string{"checkout/scan", "checkout/pay", "checkout/other"} {
			g := 100.0
			if id == "checkout/pay" {
				g = good
			}
			store = append(store, engine.Count{SLO: id, Group: "{}", Kind: engine.KindEvents, Minute: engine.UnixMinute(at), Counts: engine.Counts{Good: g, Total: 100}})
		}
	}
	r, err := replay.Run(context.Background(), replay.Options{Catalog: cat, Store: store, From: start.Add(24 * time.Hour),
		To: start.Add(48 * time.Hour), Parallel: 4, Now: start.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]replay.SLOResult{}
	for _, s := range r.SLOs {
		by[s.SLO] = s
	}
	jr, scan, pay := by["checkout/checks-out"], by["checkout/scan"], by["checkout/pay"]
	if jr.Measured != "journey" || jr.Total == 0 || jr.Total != scan.Total+pay.Total || jr.Good != scan.Good+pay.Good {
		t.Fatalf("journey %s %v of %v; scan %v of %v, pay %v of %v", jr.Measured, jr.Good, jr.Total, scan.Good, scan.Total, pay.Good, pay.Total)
	}
	paged := false
	for _, a := range jr.Alerts {
		if a.Severity == string(slo.SeverityPage) && !a.FiredAt.Before(outage) && a.FiredAt.Before(outage.Add(30*time.Minute)) {
			paged = true
		}
	}
	if !paged {
		t.Fatalf("the journey did not page during pay's outage: %+v", jr.Alerts)
	}
}
