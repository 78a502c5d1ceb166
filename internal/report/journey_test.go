package report_test

import (
	"context"
	"testing"
	"time"

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
