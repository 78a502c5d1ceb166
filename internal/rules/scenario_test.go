package rules_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/sqlite"
)

// phase is a stretch of minutes with the same good and bad events in
// every minute.
type phase struct {
	minutes   int
	good, bad float64
}

// scenario is traffic minute by minute, fed both to promtool as counter
// series and to Accord's engine as per-minute counts.
type scenario struct {
	name   string
	phases []phase
}

// minutes is the scenario's length.
func (s scenario) minutes() int {
	n := 0
	for _, p := range s.phases {
		n += p.minutes
	}
	return n
}

// at returns the phase of minute m (from minute m to m+1).
func (s scenario) at(m int) phase {
	for _, p := range s.phases {
		if m < p.minutes {
			return p
		}
		m -= p.minutes
	}
	return phase{}
}

// series writes a counter that grows by perMinute(phase) in every minute
// in promtool's expanding notation: the value at minute k counts the
// minutes before k, so the minute from k to k+1 is the engine's minute k.
func (s scenario) series(perMinute func(phase) float64) string {
	parts := []string{"0"}
	var total float64
	for _, p := range s.phases {
		d := perMinute(p)
		parts = append(parts, num(total+d)+"+"+num(d)+"x"+strconv.Itoa(p.minutes-1))
		total += d * float64(p.minutes)
	}
	return strings.Join(parts, " ")
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// episode is what the engine did with one rule of one SLO in a scenario.
type episode struct {
	// first and last are the first and last minute it fired; firing is
	// how many evaluations (one a minute) found it firing.
	first, last, firing int
	labels              map[string]string
}

// runEngine feeds the scenario to Accord's engine, every SLO of cat
// getting the same counts, evaluating once a minute at the end of each
// minute (30 seconds into the next one, when serve has the minute from
// Prometheus). It returns, by SLO ID and burn window, when each alert fired.
func runEngine(t *testing.T, cat *slo.Catalog, sc scenario) map[string]map[string]*episode {
	t.Helper()
	fired, _ := runEngineOn(t, cat, sc.minutes(), func(m int) []engine.Count {
		p := sc.at(m)
		var counts []engine.Count
		for _, s := range cat.SLOs {
			counts = append(counts, engine.Count{SLO: s.ID(), Group: engine.GroupKey(nil), Kind: engine.KindEvents,
				Minute: int64(m), Counts: engine.Counts{Good: p.good, Total: p.good + p.bad}})
		}
		return counts
	})
	return fired
}

// runEngineOn feeds Accord's engine the counts of each of the minutes as
// runEngine does, and returns the engine too.
func runEngineOn(t *testing.T, cat *slo.Catalog, minutes int, counts func(m int) []engine.Count) (map[string]map[string]*episode, *engine.Engine) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := engine.NewManualClock(time.Unix(0, 0).UTC())
	e := engine.New(engine.Options{Catalog: *cat, Store: store, Clock: clock})
	if err := e.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]*episode{}
	for _, s := range cat.SLOs {
		out[s.ID()] = map[string]*episode{}
	}
	for m := range minutes {
		if err := e.Record(ctx, counts(m)); err != nil {
			t.Fatal(err)
		}
		// As serve does: 30 seconds after the minute ends, once its
		// source has recorded it (--source-lag).
		clock.Set(time.Unix(int64(m+1)*60+30, 0).UTC())
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, a := range e.Alerts(time.Time{}) {
			if a.State != engine.AlertFiring {
				continue
			}
			ep, ok := out[a.SLO][a.Windows]
			if !ok {
				ep = &episode{first: m + 1, labels: a.Labels}
				out[a.SLO][a.Windows] = ep
			}
			ep.last, ep.firing = m+1, ep.firing+1
		}
	}
	return out, e
}
