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

func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	exc := slo.Exception{ID: 7, Service: "checkout", GrantedBy: "head-of-it", Reason: "hotfix", From: now.Add(-time.Hour), Until: now.Add(time.Hour)}
	expired := exc
	expired.Until = now.Add(-time.Minute)
	other := exc
	other.Service = "search"
	cases := []struct {
		name       string
		views      []engine.SLOView
		change     string
		exceptions []slo.Exception
		allow      bool
		reason     string
	}{
		{"healthy", []engine.SLOView{view("checkout/a", "healthy", 0.8), view("checkout/b", "at-risk", 0.2)}, "", nil,
			true, "no SLO of checkout freezes releases; least budget left: checkout/b at 20%"},
		{"frozen", []engine.SLOView{view("checkout/a", "healthy", 0.8), view("checkout/b", "exhausted", -0.1, "security")}, "", nil,
			false, "SLO checkout/b is exhausted with -10% of its error budget left; still allowed: security changes"},
		{"excepted change", []engine.SLOView{view("checkout/b", "exhausted", -0.1, "security")}, "security", nil,
			true, "security changes are allowed during the freeze"},
		{"change not excepted", []engine.SLOView{view("checkout/b", "exhausted", -0.1, "security")}, "feature", nil,
			false, "frozen"},
		{"exception", []engine.SLOView{view("checkout/b", "exhausted", -0.1)}, "", []slo.Exception{exc},
			true, "exception 7 granted by head-of-it lets them through until 2026-11-25T13:00:00Z: hotfix"},
		{"expired or another service's exception", []engine.SLOView{view("checkout/b", "exhausted", -0.1)}, "", []slo.Exception{expired, other},
			false, "frozen"},
		{"two blockers, worst named", []engine.SLOView{view("checkout/a", "exhausted", -0.05), view("checkout/b", "exhausted", -0.3)}, "", nil,
			false, "SLO checkout/b is exhausted with -30% of its error budget left (and 1 more SLOs)"},
	}
	for _, c := range cases {
		d := Decide("checkout", c.change, c.views, c.exceptions, now)
		if d.Allow != c.allow || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: allow=%v %q, want allow=%v containing %q", c.name, d.Allow, d.Reason, c.allow, c.reason)
		}
	}
}
