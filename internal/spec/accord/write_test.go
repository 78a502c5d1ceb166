package accord_test

import (
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/accord"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// orphanCatalog has SLOs whose service the catalog lacks, an implicit
// service, and a policy named default.
func orphanCatalog() slo.Catalog {
	return slo.Catalog{
		Services: []slo.Service{{Name: "loyalty", Implicit: true, Owners: slo.Owners{Team: "crm"}}},
		SLOs: []slo.SLO{{
			Name: "points-booked", Service: "loyalty", Objective: 99.5, Window: slo.Window{Rolling: 30 * day},
			Budgeting: slo.Budgeting{Method: slo.Occurrences},
			Indicator: slo.Indicator{Kind: slo.KindRatio,
				Good:  &slo.Query{Expr: "sum(rate(points_total{ok=\"true\"}[{{.window}}]))", Shape: slo.ShapeTemplate},
				Total: &slo.Query{Expr: "sum(rate(points_total[{{.window}}]))", Shape: slo.ShapeTemplate}},
		}, {
			Name: "scales-online", DisplayName: "Scales answer", Service: "fresh-counter", Description: "Deli scales are reachable.",
			Labels:    map[string]string{"true": "yes", "n": "1"},
			Objective: 99.0, Window: slo.Window{Calendar: slo.CalendarQuarter},
			Budgeting: slo.Budgeting{Method: slo.Timeslices, SliceLength: 90 * time.Minute, SliceTarget: 99.5},
			Indicator: slo.Indicator{Kind: slo.KindBoolean,
				Gauge: &slo.Query{Expr: "min by (store) (\n  probe_success{job=\"scales\"}\n)", Shape: slo.ShapeInstant}},
			Alerting: slo.Alerting{Ticket: slo.AlertLevel{Annotations: map[string]string{"summary": "null"}}},
			Owners: slo.Owners{Team: "deli", ProductOwner: "kim", Escalation: "store manager: 555-0100",
				OnCall: slo.Route{Labels: map[string]string{"team": "deli"}}},
			RunbookURL: "https://wiki.example.com/runbooks/scales",
		}, {
			Name: "no-service", Objective: 12.345678901234, Window: slo.Window{Rolling: 90 * time.Minute},
			Budgeting: slo.Budgeting{Method: slo.Occurrences},
			Indicator: slo.Indicator{Kind: slo.KindLatency, Threshold: 1500 * time.Millisecond, Stream: "x"},
		}},
		Policies: []slo.Policy{{Name: "default", States: []slo.PolicyState{{Name: "always", Actions: []slo.Action{{Kind: slo.ActionNotify}}}}}},
	}
}

func TestWriteRoundTrip(t *testing.T) {
	res, err := spec.Load("../../../examples")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cat  slo.Catalog
	}{
		{"every field", fullCatalog()},
		{"SLOs without their service", orphanCatalog()},
		{"examples", res.Catalog},
		{"empty", slo.Catalog{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := accord.Write(tt.cat)
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			again, err := accord.Write(tt.cat)
			if err != nil || string(again) != string(out) {
				t.Errorf("Write is not deterministic")
			}
			back, diags := load("written.yaml", out)
			if got := lines(diags); got != "" {
				t.Fatalf("reading back:\n%s\nfrom:\n%s", got, out)
			}
			// Validation comes next in every load (it names components
			// written bare by their journey's service, for one): it must
			// make the same of what was read back as of what was written,
			// whatever it finds to say of these catalogs.
			cat := tt.cat
			spec.Validate(&cat, &diag.List{})
			spec.Validate(&back, &diag.List{})
			if got, want := canonical(t, back), canonical(t, cat); got != want {
				t.Errorf("read back:\n%s\nwant:\n%s\nfrom:\n%s", got, want, out)
			}
		})
	}
}

// TestWriteRejects checks that values accord/v1 cannot express fail the
// write, each named, rather than being dropped.
func TestWriteRejects(t *testing.T) {
	base := func() slo.SLO {
		return slo.SLO{Name: "s", Service: "x", Objective: 99, Window: slo.Window{Rolling: day},
			Budgeting: slo.Budgeting{Method: slo.Occurrences},
			Indicator: slo.Indicator{Kind: slo.KindRatio, Stream: "e"}}
	}
	tests := []struct {
		name   string
		change func(s *slo.SLO)
		want   string
	}{
		{"histogram on a ratio", func(s *slo.SLO) { s.Indicator.Histogram = counter("h") },
			`SLO "x/s": a ratio indicator has no histogram query`},
		{"threshold on a boolean", func(s *slo.SLO) { s.Indicator.Kind, s.Indicator.Threshold = slo.KindBoolean, time.Second },
			`SLO "x/s": a boolean indicator has no threshold`},
		{"unknown kind", func(s *slo.SLO) { s.Indicator.Kind = "freshness" },
			`SLO "x/s": indicator kind "freshness" must be ratio, latency or boolean`},
		{"unknown shape", func(s *slo.SLO) { s.Indicator.Total = &slo.Query{Expr: "x", Shape: "raw"} },
			`SLO "x/s": total query shape "raw" must be counter, template or instant`},
		{"sub-millisecond threshold", func(s *slo.SLO) {
			s.Indicator = slo.Indicator{Kind: slo.KindLatency, Stream: "e", Threshold: 1500 * time.Microsecond}
		}, `SLO "x/s": threshold 1.5ms cannot be written: durations are whole milliseconds above zero`},
		{"slices with occurrences", func(s *slo.SLO) { s.Budgeting.SliceLength = time.Minute },
			`SLO "x/s": occurrences budgeting has no time slices`},
		{"rolling and calendar", func(s *slo.SLO) { s.Window.Calendar = slo.CalendarWeek },
			`SLO "x/s": window is both rolling (1d) and calendar (week)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(&s)
			_, err := accord.Write(slo.Catalog{SLOs: []slo.SLO{s}})
			if err == nil || err.Error() != tt.want {
				t.Errorf("Write error = %v, want %s", err, tt.want)
			}
		})
	}
	p := slo.Policy{Name: "p", States: []slo.PolicyState{{Name: "a", Actions: []slo.Action{
		{Kind: "page-ceo"}, {Kind: slo.ActionPostmortem, Roles: []slo.Role{slo.RoleTeam}},
	}}}}
	_, err := accord.Write(slo.Catalog{Policies: []slo.Policy{p}})
	want := "policy \"p\": unknown action \"page-ceo\"\npolicy \"p\": action postmortem has no roles (only notify does)"
	if err == nil || err.Error() != want {
		t.Errorf("Write error = %v, want %s", err, want)
	}
}
