package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/gate"
)

// TestJourneyPagesAndFreezesItsServiceWhileItsComponentsMeetTheirs burns
// a journey's budget through pay, whose own (looser) objective holds: the
// journey's page fires, naming the journey, and its service's gate
// closes on the journey.
func TestJourneyPagesAndFreezesItsServiceWhileItsComponentsMeetTheirs(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start)
	cat := mustCatalog(t, strings.ReplaceAll(checkoutSpec, "objective: 99\n", "objective: 90\n"))
	cat = withJourney(t, cat, "checkout/scan", "checks-out", components("checkout/scan", "checkout/pay"))
	cat.SLOs[len(cat.SLOs)-1].Objective = 99.9
	e, store := mustEngine(t, cat, t.TempDir(), clock)
	defer store.Close()
	// A healthy day, then pay fails 5% of the time: the journey 2.5%, a
	// burn rate of 25 against its 0.1%. Its fast page fires, and its
	// budget, forecast to run out, then does.
	var fired time.Time
	var forecast *time.Time
	for m := 0; m < 24*60+120; m++ {
		at := start.Add(time.Duration(m) * time.Minute)
		payGood := 1000.0
		if m >= 24*60 {
			payGood = 950
		}
		clock.Set(at.Add(30 * time.Second))
		if err := e.Ingest(ctx, []engine.Event{counted("scan", at, 1000, 1000), counted("pay", at, payGood, 1000)}); err != nil {
			t.Fatal(err)
		}
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		if m == 24*60+5 {
			forecast = mustView(t, e, "checkout/checks-out").Status.Exhaustion
		}
		if fired.IsZero() {
			for _, a := range e.Alerts(time.Time{}) {
				if a.SLO == "checkout/checks-out" && a.Rule == "fast" && a.State == engine.AlertFiring {
					fired = at
				}
			}
		}
	}
	if fired.IsZero() || fired.Before(start.Add(24*time.Hour)) {
		t.Fatalf("the journey's fast page fired at %v, want during pay's failures", fired)
	}
	for _, a := range e.Alerts(time.Time{}) {
		if a.SLO != "checkout/checks-out" {
			t.Errorf("alert on %s (%s): the components meet their 90%%", a.SLO, a.Rule)
		} else if a.Labels["slo"] != "checks-out" || a.Labels["service"] != "checkout" {
			t.Errorf("journey alert labels %v", a.Labels)
		}
	}
	notes, err := store.Notifications(ctx, 0, "checkout/checks-out", 100)
	if err != nil || len(notes) == 0 {
		t.Fatalf("no notification of the journey's page stored (%v)", err)
	}

	v := mustView(t, e, "checkout/checks-out")
	if v.Status.Budget.RemainingFraction > 0 || v.State != engine.HealthExhausted {
		t.Fatalf("journey budget %+v, state %s; want exhausted", v.Status.Budget, v.State)
	}
	if forecast == nil || !forecast.After(start.Add(24*time.Hour)) || forecast.After(start.Add(3*24*time.Hour)) || v.Status.Exhaustion != nil {
		t.Fatalf("exhaustion forecast five minutes in %v, now %v; want within days, then none (spent)", forecast, v.Status.Exhaustion)
	}
	d := gate.Decide("checkout", "", e.ServiceSLOs("checkout"), nil, clock.Now())
	if d.Allow || len(d.Blocking) != 1 || d.Blocking[0].SLO != "checkout/checks-out" {
		t.Fatalf("gate %+v, want releases frozen by the journey alone", d)
	}
}
