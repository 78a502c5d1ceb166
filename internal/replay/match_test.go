package replay

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestTeamAlertsScoreAgainstTheirOwnSLOs scores a team's alerts over a
// day with a search incident and a checkout incident: a checkout CPU
// alert that fires during the search incident is not "while users were
// hurt", nor does it catch the search incident; alerts match through
// their service label, their team label, or a mapped label (app); an
// alert whose labels name no SLO is counted as unmatched, not scored.
func TestTeamAlertsScoreAgainstTheirOwnSLOs(t *testing.T) {
	day := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	searchHurt := Period{at(9, 0), at(10, 0)}
	checkoutHurt := Period{at(14, 0), at(15, 0)}
	slos := []SLOResult{
		{SLO: "search/queries", Team: "discovery", Hurt: []Period{searchHurt}},
		{SLO: "checkout/payments", Team: "pos", Hurt: []Period{checkoutHurt}},
		{SLO: "checkout/receipts", Team: "pos"},
	}
	m := matcher{matches: append([]Match{{Field: "service", Label: "app"}}, DefaultMatches...), slos: slos}
	alerts := []struct {
		name    string
		labels  map[string]string
		fired   time.Time
		slos    []string
		matched string
	}{
		{"CheckoutCPU", map[string]string{"service": "checkout"}, at(9, 10), []string{"checkout/payments", "checkout/receipts"}, "service=checkout"},
		{"SearchLatency", map[string]string{"app": "search"}, at(9, 5), []string{"search/queries"}, "service=search (label app)"},
		{"PosQueue", map[string]string{"team": "pos"}, at(13, 50), []string{"checkout/payments", "checkout/receipts"}, "team=pos"},
		{"DiskFull", map[string]string{"instance": "db-1"}, at(9, 20), nil, ""},
		{"Unknown", map[string]string{"service": "billing"}, at(14, 5), nil, ""},
	}
	var scored []Alert
	for _, a := range alerts {
		ids, how := m.match(a.labels)
		if !slices.Equal(ids, a.slos) || how != a.matched {
			t.Errorf("%s %v matched %v by %q, want %v by %q", a.name, a.labels, ids, how, a.slos, a.matched)
		}
		scored = append(scored, Alert{Name: a.name, Labels: a.labels, FiredAt: a.fired, SLOs: ids, Matched: how})
	}
	hurtOf := map[string][]Period{"search/queries": {searchHurt}, "checkout/payments": {checkoutHurt}}
	all := Merge([]Period{searchHurt, checkoutHurt}, HurtGap)
	s := scoreMatched("team", scored, hurtOf, all, Period{day, day.Add(24 * time.Hour)})
	// Scored: CheckoutCPU (during search's incident: not its own), the
	// search alert and the pos queue alert (10 minutes before checkout's).
	if s.Alerts != 3 || s.Unmatched != 2 || s.WhileHurt != 2 || s.Caught != 2 || s.HurtPeriods != 2 {
		t.Errorf("scored %d alerts (%d unmatched), %d while hurt, caught %d of %d; want 3 (2), 2, 2 of 2",
			s.Alerts, s.Unmatched, s.WhileHurt, s.Caught, s.HurtPeriods)
	}
	// Search's incident is caught by its own alert 5 minutes in, not by
	// checkout's CPU; checkout's 10 minutes early by the queue alert.
	if s.MedianDelay == nil || *s.MedianDelay != -2.5 || *s.MaxDelay != 5 {
		t.Errorf("delays median %v, max %v; want -2.5 and 5", deref(s.MedianDelay), deref(s.MaxDelay))
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// TestTheTableSaysHowAlertsMatched renders the team's alerts: the table
// names how each matched and lists the unmatched ones.
func TestTheTableSaysHowAlertsMatched(t *testing.T) {
	r := &Result{TeamAlerts: []Alert{
		{Name: "HighCPU", SLOs: []string{"checkout/payments"}, Matched: "service=checkout (label app)"},
		{Name: "HighCPU", SLOs: []string{"checkout/payments"}, Matched: "service=checkout (label app)"},
		{Name: "PosQueue", SLOs: []string{"checkout/payments"}, Matched: "team=pos"},
		{Name: "DiskFull"}, {Name: "DiskFull"}, {Name: "Fan"},
	}}
	var b strings.Builder
	if err := writeTable(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Scored against the SLOs of service=checkout (label app): HighCPU\n",
		"Scored against the SLOs of team=pos: PosQueue\n",
		"Unmatched alerts, not scored (no service or team label naming an SLO; --match service=LABEL maps one): DiskFull ×2, Fan\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, b.String())
		}
	}
}
