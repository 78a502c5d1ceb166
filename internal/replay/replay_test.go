package replay_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/replay"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/testenv"
)

// checkoutSpec measures the month's checkout twice: against 99.9% over 30
// days and against 99.5% over 7 days, whose alert windows are scaled.
const checkoutSpec = `apiVersion: accord/v1
kind: Service
metadata: {name: checkout}
spec:
  owners: {team: pos-platform}
  slos:
    - name: payments
      objective: 99.9
      window: 30d
      indicator:
        ratio:
          bad: {counter: 'checkout_requests_total{code="500"}'}
          total: {counter: 'checkout_requests_total'}
    - name: payments-weekly
      objective: 99.5
      window: 7d
      indicator:
        ratio:
          bad: {counter: 'checkout_requests_total{code="500"}'}
          total: {counter: 'checkout_requests_total'}
`

// The month: October 2026, replayed from Monday the 5th, so the first
// four days are the windows' history before the replay (a day of it
// loaded per hour, three per minute, as serve loads a window).
var (
	monthStart = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	replayFrom = time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	replayTo   = time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
)

// mustReplay replays the month against a real Prometheus serving it.
func mustReplay(t *testing.T) (*month, *replay.Result) {
	t.Helper()
	mo := newMonth(monthStart, 30)
	url := testenv.StartPrometheusOn(t, testenv.History{OpenMetrics: mo.openMetrics, Rules: resourceRules,
		Start: monthStart, End: replayTo})
	res, err := replay.Run(testenv.Context(t), replay.Options{Catalog: mustCatalog(t, checkoutSpec), From: replayFrom, To: replayTo,
		PrometheusURL: url, CompareAlerts: true, AlertSelector: `{severity=~"page|ticket"}`,
		Match: []replay.Match{{Field: "service", Label: "app"}}, Objectives: replay.DefaultObjectives, Now: replayTo.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return mo, res
}

// TestReplayOfAMonth replays a month of checkout traffic held by a real
// Prometheus, with four injected incidents and a team's resource alerts,
// and checks what Accord would have done against what the documented
// rules say, worked out here from the generated minutes alone.
func TestReplayOfAMonth(t *testing.T) {
	began := time.Now()
	mo, res := mustReplay(t)
	t.Logf("generated, loaded and replayed in %s (replay %s)", time.Since(began).Round(time.Millisecond), res.Took.Round(time.Millisecond))
	slos := map[string]replay.SLOResult{}
	for _, r := range res.SLOs {
		slos[r.SLO] = r
	}
	pay, weekly := slos["checkout/payments"], slos["checkout/payments-weekly"]

	t.Run("pages and tickets at the documented times", func(t *testing.T) {
		for _, c := range []struct {
			r     replay.SLOResult
			tiers []tier
			w     time.Duration
		}{{pay, tiers30d, 30 * 24 * time.Hour}, {weekly, tiers7d, 7 * 24 * time.Hour}} {
			want := mo.expect(c.r.Objective, c.w, c.tiers, replayFrom, replayTo)
			got := episodesOf(c.r.Alerts)
			if diff := diffEpisodes(got, want); diff != "" {
				t.Errorf("%s: alerts differ from the documented rules:\n%s", c.r.SLO, diff)
			}
		}
		// The incidents as designed: every outage pages both SLOs, the
		// slow burn pages the 30-day SLO only after hours, the blip pages
		// nobody.
		if n := len(pages(pay.Alerts)); n != 5 {
			t.Errorf("checkout/payments: %d pages, want 5 (two per outage, one for the slow burn)", n)
		}
		if n := len(pages(weekly.Alerts)); n != 4 {
			t.Errorf("checkout/payments-weekly: %d pages, want 4 (two per outage)", n)
		}
	})

	t.Run("users were hurt during each incident", func(t *testing.T) {
		var all []replay.Period
		for _, c := range []struct {
			r replay.SLOResult
			w time.Duration
		}{{pay, 30 * 24 * time.Hour}, {weekly, 7 * 24 * time.Hour}} {
			want := periods(mo.expect(c.r.Objective, c.w, []tier{usersHurt}, replayFrom, replayTo))
			all = append(all, want...)
			if !samePeriods(c.r.Hurt, want) {
				t.Errorf("%s: hurt %v, want %v", c.r.SLO, c.r.Hurt, want)
			}
		}
		want := replay.Merge(all, replay.HurtGap)
		if !samePeriods(res.Hurt, want) {
			t.Errorf("hurt across SLOs %v, want %v", res.Hurt, want)
		}
		if len(res.Hurt) != len(mo.incidents) {
			t.Fatalf("%d hurt periods, want one per incident (%d): %v", len(res.Hurt), len(mo.incidents), res.Hurt)
		}
		for i, in := range mo.incidents {
			if d := res.Hurt[i].From.Sub(in.from); d < 0 || d > 10*time.Minute {
				t.Errorf("%s started %s; users counted as hurt from %s", in.name, in.from, res.Hurt[i].From)
			}
		}
	})

	t.Run("Accord's pages against the hurt periods", func(t *testing.T) {
		var all []replay.Alert
		for _, r := range res.SLOs {
			all = append(all, pages(r.Alerts)...)
		}
		s := score(t, res, "Accord pages")
		delays := firstAlertDelays(all, res.Hurt)
		if s.Alerts != 9 || s.WhileHurt != 9 || s.Caught != 3 || s.HurtPeriods != 4 {
			t.Errorf("Accord pages: %d alerts, %d while users were hurt, caught %d of %d hurt periods; want 9, 9, 3 of 4 (the blip pages nobody)",
				s.Alerts, s.WhileHurt, s.Caught, s.HurtPeriods)
		}
		checkScore(t, s, 1, 0.75, delays, 9/(26.0/7))
	})

	t.Run("the team's resource alerts against the hurt periods", func(t *testing.T) {
		want := mo.resourceAlerts(replayFrom, replayTo)
		got := map[string][]time.Time{}
		for _, a := range res.TeamAlerts {
			got[a.Name] = append(got[a.Name], a.FiredAt)
		}
		n := 0
		for name, ts := range want {
			n += len(ts)
			if len(got[name]) != len(ts) {
				t.Errorf("%s fired %d times, want %d (%v)", name, len(got[name]), len(ts), ts)
				continue
			}
			for i := range ts {
				// Prometheus evaluates each rule group once a minute, at an
				// offset of its own within the minute.
				if d := got[name][i].Sub(ts[i]); d < 0 || d >= 2*time.Minute {
					t.Errorf("%s fired at %s, want within the minute after the gauge crossed at %s", name, got[name][i], ts[i])
				}
			}
		}
		// The till gateway's alerts match checkout's SLOs through their app
		// label; the search disk's match none and are not scored.
		disk := len(want["DiskAlmostFull"])
		for _, a := range res.TeamAlerts {
			wantHow := "service=checkout (label app)"
			if a.Name == "DiskAlmostFull" {
				wantHow = ""
			}
			if a.Matched != wantHow {
				t.Errorf("%s at %s matched %q, want %q", a.Name, a.FiredAt, a.Matched, wantHow)
			}
		}
		n -= disk
		// Only the receipt queue's backlog, which caused the lunch outage,
		// came while customers were hurt — two minutes before they were.
		s := score(t, res, "Your alerts "+res.AlertSelector)
		if s.Alerts != n || s.Unmatched != disk || s.WhileHurt != 1 || s.Caught != 1 {
			t.Errorf("team alerts: %d alerts (%d unmatched), %d while users were hurt, caught %d; want %d (%d), 1, 1", s.Alerts, s.Unmatched, s.WhileHurt, s.Caught, n, disk)
		}
		matched := slices.DeleteFunc(slices.Clone(res.TeamAlerts), func(a replay.Alert) bool { return len(a.SLOs) == 0 })
		checkScore(t, s, 1/float64(n), 0.25, firstAlertDelays(matched, res.Hurt), float64(n)/(26.0/7))
		if s.MedianDelay == nil || *s.MedianDelay >= 0 {
			t.Errorf("the queue alert warned before the outage, want a negative delay: %v", s.MedianDelay)
		}
		byName := map[string]replay.Score{}
		for _, b := range res.ByAlertname {
			byName[b.Name] = b
		}
		if q := byName["ReceiptQueueBacklog"]; q.WhileHurt != 1 || q.Alerts != len(want["ReceiptQueueBacklog"]) {
			t.Errorf("ReceiptQueueBacklog scored %+v", q)
		}
		if c := byName["HighCPU"]; c.Alerts != 26 || c.WhileHurt != 0 {
			t.Errorf("HighCPU: %d alerts (want 26, one a night), %d while hurt (want 0)", c.Alerts, c.WhileHurt)
		}
	})

	t.Run("suggested objectives", func(t *testing.T) {
		if len(pay.Suggestions) != 4 {
			t.Fatalf("%d suggestions, want 99, 99.5, 99.9 and 99.95: %+v", len(pay.Suggestions), pay.Suggestions)
		}
		good, total := mo.sum(replayFrom, replayTo)
		for _, s := range pay.Suggestions {
			want := mo.expect(s.Objective, 30*24*time.Hour, tiers30d, replayFrom, replayTo)
			var p, tk int
			for _, e := range want {
				if e.severity == "page" {
					p++
				} else {
					tk++
				}
			}
			if s.Pages != p || s.Tickets != tk {
				t.Errorf("objective %g: %d pages and %d tickets, want %d and %d", s.Objective, s.Pages, s.Tickets, p, tk)
			}
			if s.SLI == nil || math.Abs(*s.SLI-good/total) > 1e-9 {
				t.Errorf("objective %g: SLI %v, want %v", s.Objective, s.SLI, good/total)
			}
			lowest, end := mo.budget(s.Objective, 30*24*time.Hour, replayFrom, replayTo)
			if s.BudgetLeft == nil || math.Abs(*s.BudgetLeft-end) > 0.01 {
				t.Errorf("objective %g: budget left at the end %v, want %.3f", s.Objective, s.BudgetLeft, end)
			}
			if s.KeptBudget != (lowest > 0) || (s.Freezes > 0) == s.KeptBudget {
				t.Errorf("objective %g: kept budget %v with %d freezes; the budget's lowest was %.3f", s.Objective, s.KeptBudget, s.Freezes, lowest)
			}
			if s.Current != (s.Objective == 99.9) {
				t.Errorf("objective %g marked current: %v", s.Objective, s.Current)
			}
		}
		if pay.Suggested == nil || *pay.Suggested != 99.9 {
			t.Errorf("suggested objective %v, want 99.9: 99.95 would have exhausted the budget with the lunch outage", pay.Suggested)
		}
		if own := pay.Suggestions[2]; own.Pages != len(pages(pay.Alerts)) || own.Freezes != len(pay.Freezes) {
			t.Errorf("the current objective's row %+v disagrees with the SLO's own result", own)
		}
	})

	t.Run("json and html", func(t *testing.T) {
		var buf bytes.Buffer
		if err := replay.Write(&buf, res, mustCatalog(t, checkoutSpec), "json"); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			SLOs []struct {
				SLO    string `json:"slo"`
				Alerts []struct {
					Severity   string     `json:"severity"`
					FiredAt    time.Time  `json:"firedAt"`
					ResolvedAt *time.Time `json:"resolvedAt"`
				} `json:"alerts"`
			} `json:"slos"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.SLOs) != 2 || doc.SLOs[0].SLO != "checkout/payments" || len(doc.SLOs[0].Alerts) != len(pay.Alerts) {
			t.Fatalf("JSON SLOs: %+v", doc.SLOs)
		}
		for i, a := range doc.SLOs[0].Alerts {
			want := pay.Alerts[i]
			if a.Severity != want.Severity || !a.FiredAt.Equal(want.FiredAt) || (a.ResolvedAt == nil) != (want.ResolvedAt == nil) {
				t.Errorf("JSON alert %d: %+v, want %+v", i, a, want)
			}
		}
		buf.Reset()
		if err := replay.Write(&buf, res, mustCatalog(t, checkoutSpec), "html"); err != nil {
			t.Fatal(err)
		}
		page := buf.String()
		if n := strings.Count(page, "<svg"); n != 6 {
			t.Errorf("the HTML report has %d charts, want 3 per SLO", n)
		}
		for _, external := range []string{"<script", "<link", "src=", "url("} {
			if strings.Contains(page, external) {
				t.Errorf("the HTML report is not self-contained: it has %q", external)
			}
		}
		for _, want := range []string{"checkout/payments-weekly", "ReceiptQueueBacklog", "99.95%</th>", "(current)"} {
			if !strings.Contains(page, want) {
				t.Errorf("the HTML report lacks %q", want)
			}
		}
	})

	t.Run("SLI per day and week, budget and policy", func(t *testing.T) {
		if len(pay.Days) != 26 || len(pay.Weeks) != 4 {
			t.Fatalf("%d days and %d weeks, want 26 and 4", len(pay.Days), len(pay.Weeks))
		}
		for _, d := range pay.Days {
			good, total := mo.sum(d.From, d.To)
			if d.Total != total || d.Good != good {
				t.Errorf("day %s: %g good of %g, want %g of %g", d.From.Format("Jan 2"), d.Good, d.Total, good, total)
			}
		}
		if last := pay.Weeks[3]; !last.From.Equal(time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)) || !last.To.Equal(replayTo) {
			t.Errorf("last week %s to %s, want Monday Oct 26 to the end of the replay", last.From, last.To)
		}
		// A day or week misses 99.9% when its own requests say so.
		missed := 0
		for _, iv := range append(slices.Clone(pay.Days), pay.Weeks...) {
			good, total := mo.sum(iv.From, iv.To)
			if iv.Met != (good/total >= 0.999) {
				t.Errorf("%s to %s: met %v at %g good of %g", iv.From.Format("Jan 2"), iv.To.Format("Jan 2"), iv.Met, good, total)
			}
			if !iv.Met {
				missed++
			}
		}
		if missed != 3 {
			t.Errorf("%d days or weeks missed 99.9%%, want the days of the three big incidents", missed)
		}
		if len(pay.Budget) != 26*24 {
			t.Errorf("%d hourly budget points, want %d", len(pay.Budget), 26*24)
		}
		_, end := mo.budget(99.9, 30*24*time.Hour, replayFrom, replayTo)
		if pay.BudgetLeft == nil || math.Abs(*pay.BudgetLeft-end) > 0.005 {
			t.Errorf("budget left %v, want %.4f", pay.BudgetLeft, end)
		}
		if len(pay.Policy) != 1 || pay.Policy[0].State != "healthy" || len(pay.Freezes) != 0 {
			t.Errorf("checkout/payments policy %+v, freezes %v; want healthy throughout", pay.Policy, pay.Freezes)
		}
	})
}

func score(t *testing.T, res *replay.Result, name string) replay.Score {
	t.Helper()
	for _, s := range res.Scores {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no score %q in %+v", name, res.Scores)
	return replay.Score{}
}

// checkScore compares a score's ratios and delays with those worked out
// from the alerts and hurt periods.
func checkScore(t *testing.T, s replay.Score, precision, recall float64, delays []float64, perWeek float64) {
	t.Helper()
	near := func(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }
	if !near(s.Precision, precision) || !near(s.Recall, recall) || math.Abs(s.PerWeek-perWeek) > 1e-9 {
		t.Errorf("%s: precision %v recall %v per week %g, want %g %g %g", s.Name, deref(s.Precision), deref(s.Recall), s.PerWeek, precision, recall, perWeek)
	}
	slices.Sort(delays)
	if len(delays) == 0 {
		t.Fatalf("%s: no delays to compare", s.Name)
	}
	med := delays[len(delays)/2]
	if len(delays)%2 == 0 {
		med = (delays[len(delays)/2-1] + delays[len(delays)/2]) / 2
	}
	if !near(s.MedianDelay, med) || !near(s.MaxDelay, delays[len(delays)-1]) {
		t.Errorf("%s: delays median %v max %v, want %v %v (of %v)", s.Name, deref(s.MedianDelay), deref(s.MaxDelay), med, delays[len(delays)-1], delays)
	}
}

// firstAlertDelays are the minutes from the start of each hurt period to
// the first alert fired in it or up to 15 minutes before.
func firstAlertDelays(alerts []replay.Alert, hurt []replay.Period) []float64 {
	var out []float64
	for _, p := range hurt {
		var first time.Time
		for _, a := range alerts {
			if !a.FiredAt.Before(p.From.Add(-15*time.Minute)) && a.FiredAt.Before(p.To) && (first.IsZero() || a.FiredAt.Before(first)) {
				first = a.FiredAt
			}
		}
		if !first.IsZero() {
			out = append(out, first.Sub(p.From).Minutes())
		}
	}
	return out
}

func pages(alerts []replay.Alert) []replay.Alert {
	var out []replay.Alert
	for _, a := range alerts {
		if a.Severity == "page" {
			out = append(out, a)
		}
	}
	return out
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func mustCatalog(tb testing.TB, yaml string) slo.Catalog {
	tb.Helper()
	res := spec.LoadBytes("slos.yaml", []byte(yaml))
	if res.Diags.HasErrors() {
		var lines []string
		for _, d := range res.Diags.Items() {
			lines = append(lines, d.String())
		}
		tb.Fatalf("spec errors:\n%s", strings.Join(lines, "\n"))
	}
	return res.Catalog
}

// episode is an alert from firing to resolved; resolved is zero while it
// still fires at the end.
type episode struct {
	rule, severity  string
	fired, resolved time.Time
}

func (e episode) String() string {
	r := "still firing"
	if !e.resolved.IsZero() {
		r = "resolved " + e.resolved.Format("Jan 2 15:04:05")
	}
	return fmt.Sprintf("%s %s fired %s, %s", e.severity, e.rule, e.fired.Format("Jan 2 15:04:05"), r)
}

func episodesOf(alerts []replay.Alert) []episode {
	var out []episode
	for _, a := range alerts {
		e := episode{rule: a.Rule, severity: a.Severity, fired: a.FiredAt}
		if a.ResolvedAt != nil {
			e.resolved = *a.ResolvedAt
		}
		out = append(out, e)
	}
	sortEpisodes(out)
	return out
}

func sortEpisodes(es []episode) {
	slices.SortStableFunc(es, func(a, b episode) int {
		if c := a.fired.Compare(b.fired); c != 0 {
			return c
		}
		return strings.Compare(a.rule, b.rule)
	})
}

func diffEpisodes(got, want []episode) string {
	sortEpisodes(want)
	var b strings.Builder
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i].String()
		}
		if i < len(want) {
			w = want[i].String()
		}
		if g != w {
			fmt.Fprintf(&b, "  got  %s\n  want %s\n", g, w)
		}
	}
	return b.String()
}

func periods(es []episode) []replay.Period {
	var out []replay.Period
	for _, e := range es {
		p := replay.Period{From: e.fired, To: e.resolved}
		if e.resolved.IsZero() {
			p.To = replayTo
		}
		out = append(out, p)
	}
	return replay.Merge(out, replay.HurtGap)
}

func samePeriods(a, b []replay.Period) bool {
	return slices.EqualFunc(a, b, func(x, y replay.Period) bool { return x.From.Equal(y.From) && x.To.Equal(y.To) })
}
