package gate

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

func view(id, state string, remaining float64, except ...string) engine.SLOView {
	sli := 0.99
	v := engine.SLOView{ID: id, Policy: engine.PolicyView{Name: "p", State: state}}
	v.Worst = engine.Status{SLI: &sli, Budget: engine.Budget{RemainingFraction: remaining}}
	if state == "exhausted" {
		v.Policy.Actions = []slo.Action{{Kind: slo.ActionFreezeReleases, Except: except}}
	}
	return v
}

type gateCase struct {
	name       string
	views      []engine.SLOView
	change     string
	exceptions []slo.Exception
	allow      bool
	reason     string
}

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	exc := slo.Exception{ID: 7, Service: "checkout", GrantedBy: "head-of-it", Reason: "hotfix", From: now.Add(-time.Hour), Until: now.Add(time.Hour)}
	expired := exc
	expired.Until = now.Add(-time.Minute)
	other := exc
	other.Service = "search"
	cases := []gateCase{
		{"healthy", []engine.SLOView{view("checkout/a", "healthy", 0.8), view("checkout/b", "at-risk", 0.2)}, "", nil,
			true, "no SLO of checkout freezes releases; least budget left: checkout/b at 20%"},
		{"frozen", []engine.SLOView{view("checkout/a", "healthy", 0.8), view("checkout/b", "exhausted", -0.1, "security")}, "", nil,
			false, "SLO checkout/b is exhausted with -10% of its error budget left; still allowed: security changes"},
		{"excepted change", []engine.SLOView{view("checkout/b", "exhausted", -0.1, "security")}, "security", nil,
			true, "security changes are allowed during the freeze"},
		{"change not excepted", []engine.SLOView{view("checkout/b", "exhausted", -0.1, "security")}, "feature", nil,
			false, "frozen"},
		{"exception", []engine.SLOView{view("checkout/b", "exhausted", -0.1)}, "", []slo.Exception{exc},
			true, "exception 7 granted by head-of-it lets them through until Wed Nov 25 13:00 UTC: hotfix"},
		{"expired or another service's exception", []engine.SLOView{view("checkout/b", "exhausted", -0.1)}, "", []slo.Exception{expired, other},
			false, "frozen"},
		{"two blockers, worst named", []engine.SLOView{view("checkout/a", "exhausted", -0.05), view("checkout/b", "exhausted", -0.3)}, "", nil,
			false, "SLO checkout/b is exhausted with -30% of its error budget left (and 1 more SLOs)"},
	}
	// Just after a maintenance window was excluded, the budget is whole
	// again but the state holds for engine.HysteresisHold.
	excluded := view("checkout/b", "exhausted", 1)
	excluded.Policy.Since = now.Add(-5 * time.Minute)
	// Two events of the 600 the policy needs: the budget reads -6567%,
	// but the SLO rests unjudged.
	young := view("checkout/c", "healthy", -65.67)
	young.Policy.Resting, young.Policy.MinEvents = true, 600
	young.Worst.Counts.Total, young.Worst.Budget.Unit = 2, "events"
	cases = append(cases,
		gateCase{"held after an exclusion", []engine.SLOView{excluded}, "", nil, false,
			"SLO checkout/b is exhausted with 100% of its error budget left since Wed Nov 25 11:55 UTC; it stays exhausted until Wed Nov 25 12:10 UTC at the earliest, as a policy state is left only after 15m in it"},
		gateCase{"too few events to judge", []engine.SLOView{view("checkout/a", "healthy", 0.8), young}, "", nil, true,
			"least budget left: checkout/c at -6567%, not judged yet: the policy waits for 600 events in the window and has 2"},
	)
	for _, c := range cases {
		d := Decide("checkout", c.change, c.views, c.exceptions, now)
		if d.Allow != c.allow || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: allow=%v %q, want allow=%v containing %q", c.name, d.Allow, d.Reason, c.allow, c.reason)
		}
	}
}
