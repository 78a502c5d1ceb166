package report_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/report"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

const reportSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform, productOwner: maria.jensen, onCall: {receiver: pos-pager}}
  runbook: https://runbooks.test/checkout
  slos:
    - {name: payments, displayName: Card payments succeed, objective: 99, window: 7d, indicator: {ratio: {stream: payments}}}
    - {name: receipts, displayName: Receipts print, objective: 99.5, window: 7d, indicator: {ratio: {stream: receipts}}, owners: {team: pos-devices}}
    - {name: cards, displayName: Card terminals answer, objective: 99, window: 7d, indicator: {ratio: {stream: cards}}, groupBy: [store]}
---
apiVersion: accord/v1
kind: Service
metadata: {name: store-sync}
spec:
  owners: {team: store-systems}
  slos:
    - {name: prices, displayName: Prices reach the tills, objective: 99, window: 7d, indicator: {ratio: {stream: prices}}}
`

// seed runs two weeks through an engine: healthy traffic, and in the
// report's week an incident on payments after a deploy. Card terminals
// fail 5% of the time in berlin-042 (100 an hour) and never in hamburg-007
// (2,000 an hour): all stores together meet 99%, berlin-042 spends five
// budgets, and the policy has it exhausted throughout.
func seed(t *testing.T) (engineSource, slo.Catalog, time.Time) {
	t.Helper()
	start := time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC) // a Monday
	e, clock, store, cat := runEngine(t, reportSpec, start)
	ctx := context.Background()
	incident := start.Add(7*24*time.Hour + 38*time.Hour) // Tuesday of the second week, 14:00
	for h := 0; h < 14*24; h++ {
		at := start.Add(time.Duration(h) * time.Hour)
		payBad := 5.0 // 0.5% of 1,000: half the budget
		if h%24 == 3 {
			payBad = 20
		}
		if !at.Before(incident) && at.Before(incident.Add(3*time.Hour)) {
			payBad = 400 // 40% errors for three hours exhaust the week's budget
		}
		evs := []engine.Event{
			ev("payments", at, 1000-payBad, 1000), ev("receipts", at, 998, 1000), ev("prices", at, 100, 100),
			ev("cards", at, 95, 100), ev("cards", at, 2000, 2000),
		}
		evs[3].Labels, evs[4].Labels = map[string]string{"store": "berlin-042"}, map[string]string{"store": "hamburg-007"}
		if h >= 7*24 {
			evs[1] = ev("receipts", at, 999, 1000) // receipts got better
		}
		clock.Set(at.Add(59 * time.Minute))
		if err := e.Ingest(ctx, evs); err != nil {
			t.Fatal(err)
		}
		if err := e.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []slo.Annotation{
		{Kind: slo.AnnotationDeploy, Service: "checkout", Start: incident.Add(-20 * time.Minute), Version: "2026.11.3", By: "ci"},
		{Kind: slo.AnnotationIncident, Service: "checkout", Start: incident, End: incident.Add(3 * time.Hour), Incident: "INC-4711", Link: "https://incidents.test/4711"},
	} {
		if _, err := store.AddAnnotation(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.AddException(ctx, slo.Exception{Service: "checkout", GrantedBy: "maria.jensen", Reason: "terminal firmware fix",
		From: incident.Add(3 * time.Hour), Until: incident.Add(5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// The audit trail: two changes and the tills' pushes in the week, a
	// refused grant, and a change the week before.
	write := func(at time.Time, who, route, service, summary string, status int) auth.Entry {
		return auth.Entry{At: at, LastAt: at, Who: who, Via: auth.ViaToken, Role: auth.RoleOperator, Method: "POST", Route: route,
			Service: service, Summary: summary, Status: status, Remote: "10.0.0.7", Count: 1}
	}
	for _, e := range []auth.Entry{
		write(start.Add(3*24*time.Hour), "ci", "POST /api/v1/annotations", "checkout", "recorded deploy 2026.11.1 on checkout", 201),
		write(incident.Add(-20*time.Minute), "ci", "POST /api/v1/annotations", "checkout", "recorded deploy 2026.11.3 on checkout | canary", 201),
		write(incident.Add(2*time.Hour), "pos-oncall", "POST /api/v1/exceptions", "checkout", "refused: pos-oncall may not grant exceptions for checkout", 403),
		write(incident.Add(3*time.Hour), "maria.jensen", "POST /api/v1/exceptions", "checkout", "granted exception 1: releases of checkout go through until 2026-11-17T19:00:00Z: terminal firmware fix", 201),
	} {
		if err := store.AddAudit(ctx, e, ""); err != nil {
			t.Fatal(err)
		}
	}
	for h, n := range []int{40, 2} {
		at := incident.Add(time.Duration(h) * time.Hour)
		e := auth.Entry{At: at, LastAt: at, Who: "tills", Via: auth.ViaToken, Role: auth.RoleIngest, Method: "POST", Route: "POST /api/v1/events",
			Status: 202, Remote: "10.0.0.8", Count: n, Folded: true}
		if err := store.AddAudit(ctx, e, fmt.Sprintf("tills-%d", h)); err != nil {
			t.Fatal(err)
		}
	}
	// A second exception, granted for a day and revoked after an hour.
	revoked, err := store.AddException(ctx, slo.Exception{Service: "checkout", GrantedBy: "maria.jensen", Reason: "price display fix",
		From: incident.Add(24 * time.Hour), Until: incident.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.RevokeException(ctx, revoked.ID, incident.Add(25*time.Hour), "maria.jensen"); err != nil {
		t.Fatal(err)
	}
	return store, cat, start.Add(14 * 24 * time.Hour)
}

// runEngine reads spec, starts an engine over a new store at start, and
// returns it with the source a report reads.
func runEngine(t *testing.T, yaml string, start time.Time) (*engine.Engine, *engine.ManualClock, engineSource, slo.Catalog) {
	t.Helper()
	res := spec.LoadBytes("report.yaml", []byte(yaml))
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Items())
	}
	store, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := engine.NewManualClock(start)
	e := engine.New(engine.Options{Catalog: res.Catalog, Store: store, Clock: clock})
	return e, clock, engineSource{store, e}, res.Catalog
}

// engineSource is what the server gives a report: the store, and what
// the engine counts in journeys that the store does not hold.
type engineSource struct {
	*sqlite.Store
	e *engine.Engine
}

func (s engineSource) JourneyStandIns() map[string]engine.StandIns { return s.e.JourneyStandIns() }

func ev(stream string, at time.Time, good, total float64) engine.Event {
	return engine.Event{Stream: stream, Time: at, Good: &good, Total: &total}
}

func TestReportGoldenFiles(t *testing.T) {
	store, cat, now := seed(t)
	period, err := report.ParsePeriod("last-week", now)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(context.Background(), store, cat, period, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range report.Formats {
		var buf bytes.Buffer
		if err := report.Write(&buf, r, format); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "last-week."+format)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if buf.String() != string(want) {
			t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", format, path, buf.String())
		}
	}
	// What the golden files must say, so a wrong update cannot slip in.
	var md bytes.Buffer
	_ = report.Write(&md, r, "md")
	for _, want := range []string{
		"4 SLOs: 2 met, 2 missed, 0 without data. 1 postmortem(s) due.",
		"| Card payments succeed | 99% |",
		"deploy 2026.11.3",
		"incident INC-4711",
		"Exception 1 by maria.jensen",
		"at-risk → exhausted",
		"Postmortem **due** for incident INC-4711",
		"| Receipts print | 99.5% | 99.900% | met | 20% | better (was 40%) | healthy |",
		// Judged as the policy judges: by the worst store, with both shown.
		"| Card terminals answer (worst: store=berlin-042) | 99% | 95.000% | missed; all groups 99.762%, met | 500% | same (was 500%) | exhausted 7d |",
		"Exception 2 by maria.jensen, Wed Nov 18 14:00 UTC to Wed Nov 18 15:00 UTC (revoked; granted until Thu Nov 19 14:00 UTC): price display fix.",
		"Services without a product owner: store-sync",
		// The receipts SLO's own team sees it under the service.
		"## Team pos-devices · product owner maria.jensen\n\n### checkout\n\n| SLO | Objective | SLI | Result | Budget spent | Trend | Policy |\n| --- | ---: | ---: | --- | ---: | --- | --- |\n| Receipts print |",
		"SLOs without a runbook: store-sync/prices",
		// Who changed what: the week's changes, oldest first, and not the
		// refused grant nor the week before's deploy.
		"| When | Who | What |\n| --- | --- | --- |\n" +
			"| Tue Nov 17 13:40 UTC | ci | recorded deploy 2026.11.3 on checkout \\| canary |\n" +
			"| Tue Nov 17 17:00 UTC | maria.jensen | granted exception 1: releases of checkout go through until 2026-11-17T19:00:00Z: terminal firmware fix |\n\n" +
			"Events pushed by tills (42 requests).",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}
}

func TestPostmortemRecordedClearsTheFlag(t *testing.T) {
	store, cat, now := seed(t)
	if _, err := store.AddAnnotation(context.Background(), slo.Annotation{Kind: slo.AnnotationPostmortem, Service: "checkout",
		Start: now, Incident: "INC-4711", Link: "https://wiki.test/pm/4711"}); err != nil {
		t.Fatal(err)
	}
	period, _ := report.ParsePeriod("last-week", now)
	r, err := report.Build(context.Background(), store, cat, period, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summary.PostmortemsDue != 0 {
		t.Errorf("%d postmortems due after INC-4711's was recorded", r.Summary.PostmortemsDue)
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC) // a Wednesday
	cases := map[string][2]string{
		"last-week":              {"2026-11-16", "2026-11-23"},
		"last-month":             {"2026-10-01", "2026-11-01"},
		"this-week":              {"2026-11-23", "2026-11-25"},
		"2026-11-01..2026-11-15": {"2026-11-01", "2026-11-15"},
	}
	for in, want := range cases {
		p, err := report.ParsePeriod(in, now)
		if err != nil || p.From.Format("2006-01-02") != want[0] || p.To.Format("2006-01-02") != want[1] {
			t.Errorf("%s: %v..%v %v, want %s..%s", in, p.From, p.To, err, want[0], want[1])
		}
	}
	for _, bad := range []string{"yesterday", "2026-11-15..2026-11-01", "a..b"} {
		if _, err := report.ParsePeriod(bad, now); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestPreviousPeriod checks what each period is compared with, as the docs
// say: this week with the same days and hours of the week before (on a
// Monday at 02:30, last Monday until 02:30, not Sunday 21:30 to midnight),
// a month with the month before, and a span with the span just before it.
func TestPreviousPeriod(t *testing.T) {
	monday := time.Date(2026, 11, 23, 2, 30, 0, 0, time.UTC)
	cases := []struct {
		in       string
		now      time.Time
		from, to string
	}{
		{"this-week", monday, "2026-11-16T00:00", "2026-11-16T02:30"},
		{"this-week", monday.Add(50*time.Hour + 30*time.Minute), "2026-11-16T00:00", "2026-11-18T05:00"},
		{"last-week", monday, "2026-11-09T00:00", "2026-11-16T00:00"},
		{"last-month", time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), "2026-01-01T00:00", "2026-02-01T00:00"},
		{"2026-11-01..2026-11-15", monday, "2026-10-18T00:00", "2026-11-01T00:00"},
	}
	for _, c := range cases {
		p, err := report.ParsePeriod(c.in, c.now)
		if err != nil {
			t.Fatal(err)
		}
		prev := p.Previous()
		if got := prev.From.Format("2006-01-02T15:04") + ".." + prev.To.Format("2006-01-02T15:04"); got != c.from+".."+c.to {
			t.Errorf("%s at %s is compared with %s, want %s..%s", c.in, c.now, got, c.from, c.to)
		}
	}
}
