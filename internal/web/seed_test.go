package web_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/web"
)

// seedEnd is where the clock stands once a seed is pushed: the end of the
// last simulated minute.
var seedEnd = time.Date(2026, 11, 4, 9, 30, 59, 0, time.UTC)

// flow is the traffic of one stream (and one label set of it): one
// pre-counted event per step.
type flow struct {
	stream string
	labels map[string]string
	// total is the number of events per step.
	total float64
	// bad is the share of bad events in the step that starts ago before
	// the end, 0..1.
	bad func(ago time.Duration) float64
}

// steady is a flow with the same share of bad events throughout.
func steady(stream string, total, bad float64) flow {
	return flow{stream: stream, total: total, bad: func(time.Duration) float64 { return bad }}
}

// seed describes an engine's catalog and the traffic pushed through it.
type seed struct {
	// spec is accord/v1 YAML, loaded as slos.yaml.
	spec string
	// span is how much simulated history is pushed, ending at seedEnd.
	span time.Duration
	// step is how often each flow sends its pre-counted event; default a
	// minute.
	step  time.Duration
	flows []flow
}

// seeded is a web server over an engine and SQLite store holding a seed.
type seeded struct {
	engine  *engine.Engine
	store   *sqlite.Store
	clock   *engine.ManualClock
	handler *web.Server
}

// mustSeed loads the seed's spec, pushes its traffic through
// Engine.Ingest as the clock passes and evaluates once at the end.
func mustSeed(tb testing.TB, s seed) *seeded {
	tb.Helper()
	start := seedEnd.Truncate(time.Minute).Add(-s.span)
	e, store, clock := mustEngine(tb, s.spec, start)
	ctx := context.Background()
	step := s.step
	if step == 0 {
		step = time.Minute
	}
	// Push a day at a time, the clock at the end of each day, so no event
	// is in the future or older than its window when it arrives.
	var batch []engine.Event
	flush := func(now time.Time) {
		clock.Set(now)
		if err := e.Ingest(ctx, batch); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
	for at := start; at.Before(seedEnd); at = at.Add(step) {
		for _, f := range s.flows {
			good := f.total * (1 - f.bad(seedEnd.Sub(at)))
			total := f.total
			batch = append(batch, engine.Event{Stream: f.stream, Time: at, Labels: maps.Clone(f.labels), Good: &good, Total: &total})
		}
		if at.Sub(start)%(24*time.Hour) == 24*time.Hour-step {
			flush(at.Add(step - time.Second))
		}
	}
	flush(seedEnd)
	if err := e.Evaluate(ctx); err != nil {
		tb.Fatal(err)
	}
	h := web.New(e, store, web.Options{Auth: mustAuth(tb, store, clock)})
	h.SetReady(true)
	return &seeded{engine: e, store: store, clock: clock, handler: h}
}

// get serves a GET of path and returns the status and body.
func (s *seeded) get(tb testing.TB, path string) (int, string) {
	tb.Helper()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

// mustGet serves a GET of path and fails unless it answers 200 with HTML.
func (s *seeded) mustGet(tb testing.TB, path string) string {
	tb.Helper()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		tb.Fatalf("GET %s: Content-Type %q, want text/html", path, ct)
	}
	return rec.Body.String()
}

// groceryChain is the catalog the UI tests look at: two services of two
// teams, and one SLO in each state a person must tell apart.
var groceryChain = mustRead("testdata/grocery.yaml")

// groceryTraffic is three days of traffic for groceryChain:
//   - checkout/payments: store berlin-042 fails 10% of payments over the
//     last 90 minutes (burn rate 100: its budget is spent and pages fire);
//     the other stores are clean.
//   - checkout/scan-latency: 0.1% slow (burn rate 0.1: met).
//   - loyalty/points-booked: 0.4% failed (burn rate 0.8: 20% of the budget
//     left, at risk, no alert).
//   - loyalty/coupons: no events at all.
func groceryTraffic() seed {
	berlin := flow{stream: "payments", labels: map[string]string{"store": "berlin-042"}, total: 100,
		bad: func(ago time.Duration) float64 {
			if ago <= 90*time.Minute {
				return 0.1
			}
			return 0
		}}
	hamburg, munich := steady("payments", 100, 0), steady("payments", 100, 0)
	hamburg.labels, munich.labels = map[string]string{"store": "hamburg-007"}, map[string]string{"store": "munich-013"}
	return seed{spec: groceryChain, span: 3 * 24 * time.Hour, flows: []flow{
		berlin, hamburg, munich,
		steady("scans", 1000, 0.001),
		steady("points", 1000, 0.004),
	}}
}

// mustRead returns a test file's content; a missing one is a broken
// checkout, so it panics.
func mustRead(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}
