package spec

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

func at(line int, path string) slo.Origin {
	return slo.Origin{File: "s.yaml", Line: line, Column: 3, Path: path, Format: slo.FormatAccord}
}

// validCatalog is a catalog Validate accepts without a word; each test
// case breaks one thing.
func validCatalog() slo.Catalog {
	return slo.Catalog{
		Services: []slo.Service{{
			Name: "checkout", Origin: at(1, "metadata"),
			Owners:     slo.Owners{Team: "pos", ProductOwner: "Maria"},
			RunbookURL: "https://wiki.example.com/runbooks/checkout",
		}},
		SLOs: []slo.SLO{{
			Name: "payments", Service: "checkout", Objective: 99.9,
			Window:    slo.Window{Rolling: 30 * 24 * time.Hour},
			Budgeting: slo.Budgeting{Method: slo.Occurrences},
			Indicator: slo.Indicator{
				Kind:  slo.KindRatio,
				Bad:   &slo.Query{Expr: `payments_total{result="failed"}`, Shape: slo.ShapeCounter},
				Total: &slo.Query{Expr: `payments_total`, Shape: slo.ShapeCounter},
			},
			Origin: at(10, "spec.slos[0]"),
			Origins: slo.Origins{
				"objective":       at(12, "spec.slos[0].objective"),
				"window":          at(13, "spec.slos[0].window"),
				"indicator":       at(14, "spec.slos[0].indicator"),
				"indicator.bad":   at(16, "spec.slos[0].indicator.ratio.bad"),
				"indicator.total": at(17, "spec.slos[0].indicator.ratio.total"),
				"service":         at(11, "spec.slos[0].service"),
				"policy":          at(18, "spec.slos[0].policy"),
			},
		}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *slo.Catalog)
		want   []string
	}{
		{"valid", func(*slo.Catalog) {}, nil},
		{"objective out of range", func(c *slo.Catalog) { c.SLOs[0].Objective = 100 }, []string{
			"s.yaml:12:3: spec.slos[0].objective: objective 100% must be above 0 and below 100 (a percentage such as 99.9)",
		}},
		{"unknown service and policy", func(c *slo.Catalog) {
			c.SLOs[0].Service, c.SLOs[0].Policy = "chekout", "strickt"
		}, []string{
			`s.yaml:11:3: spec.slos[0].service: unknown service "chekout" (did you mean "checkout"?)`,
			`s.yaml:18:3: spec.slos[0].policy: unknown policy "strickt"`,
			// the SLO's owners come from a service that is not there
			`s.yaml:10:3: spec.slos[0]: SLO "payments" has no owning team: add owners: {team: TEAM} to the service or the SLO`,
			`s.yaml:10:3: warning: spec.slos[0]: SLO "payments" has no product owner: add owners: {productOwner: NAME} so budget decisions have someone to make them`,
			`s.yaml:10:3: warning: spec.slos[0]: SLO "payments" has no runbook: add runbook: URL to the SLO or its service so the person paged knows what to do`,
		}},
		{"bad PromQL everywhere at once", func(c *slo.Catalog) {
			c.SLOs[0].Indicator.Bad.Expr = `sum(payments_total)`
			c.SLOs[0].Indicator.Total.Expr = `payments_total{`
		}, []string{
			`s.yaml:16:3: spec.slos[0].indicator.ratio.bad: a counter must be a series selector`,
			`s.yaml:17:3: spec.slos[0].indicator.ratio.total: invalid PromQL`,
		}},
		{"window too short and ratio incomplete", func(c *slo.Catalog) {
			c.SLOs[0].Window.Rolling = 30 * time.Minute
			c.SLOs[0].Indicator.Total = nil
		}, []string{
			"s.yaml:13:3: spec.slos[0].window: window 30m must be between 1h and 366d",
			"s.yaml:14:3: spec.slos[0].indicator: a ratio indicator needs total events",
		}},
		{"calendar window with bad zone", func(c *slo.Catalog) {
			c.SLOs[0].Window = slo.Window{Calendar: slo.CalendarMonth, TimeZone: "Mars/Olympus"}
		}, []string{`s.yaml:13:3: spec.slos[0].window: time zone "Mars/Olympus" is not an IANA time zone`}},
		{"timeslices need sensible slices", func(c *slo.Catalog) {
			c.SLOs[0].Budgeting = slo.Budgeting{Method: slo.Timeslices, SliceLength: 30 * time.Second, SliceTarget: 0}
		}, []string{
			"s.yaml:10:3: spec.slos[0]: time slice 30s must be between 1m and 1d",
			"s.yaml:10:3: spec.slos[0]: timeslices budgeting needs a slice target: give sliceTarget, such as 95",
		}},
		{"timeslices without a slice length, slice target out of range", func(c *slo.Catalog) {
			c.SLOs[0].Budgeting = slo.Budgeting{Method: slo.Timeslices, SliceTarget: 120}
		}, []string{
			"s.yaml:10:3: spec.slos[0]: timeslices budgeting needs a time slice length, between 1m and 1d: give sliceLength, such as 5m",
			"s.yaml:10:3: spec.slos[0]: time slice target 120% must be above 0 and at most 100",
		}},
		{"not measured", func(c *slo.Catalog) {
			c.SLOs[0].Indicator = slo.Indicator{Kind: slo.KindRatio, External: &slo.External{Kind: "Datadog"}}
		}, []string{
			`s.yaml:14:3: warning: spec.slos[0].indicator: SLO "payments" is not measured (source kind Datadog): it is listed without a budget`,
		}},
		{"latency histogram with le", func(c *slo.Catalog) {
			c.SLOs[0].Indicator = slo.Indicator{Kind: slo.KindLatency,
				Histogram: &slo.Query{Expr: `checkout_seconds_bucket{le="0.3"}`, Shape: slo.ShapeCounter}}
		}, []string{
			"s.yaml:14:3: spec.slos[0].indicator: a latency indicator needs a threshold above zero",
			"s.yaml:14:3: spec.slos[0].indicator: give the histogram's bucket series without an le matcher",
		}},
		{"stream and queries", func(c *slo.Catalog) { c.SLOs[0].Indicator.Stream = "payments" }, []string{
			"s.yaml:14:3: spec.slos[0].indicator: an indicator is measured either from pushed events (stream) or from queries, not both",
		}},
		{"duplicates", func(c *slo.Catalog) {
			dup := c.SLOs[0]
			dup.Origin = at(30, "spec.slos[1]")
			dup.Origins = nil
			c.SLOs = append(c.SLOs, dup)
			svc := c.Services[0]
			svc.Origin = at(40, "metadata")
			c.Services = append(c.Services, svc)
		}, []string{
			`s.yaml:30:3: spec.slos[1]: SLO "checkout/payments" is defined twice (first at s.yaml:10:3)`,
			`s.yaml:40:3: metadata: service "checkout" is defined twice (first at s.yaml:1:3)`,
		}},
		{"implicit service folds into defined one", func(c *slo.Catalog) {
			c.Services = append([]slo.Service{{Name: "checkout", Implicit: true}}, c.Services...)
		}, nil},
		{"other formats warn about owners", func(c *slo.Catalog) {
			c.Services[0].Owners = slo.Owners{}
			c.SLOs[0].Origin.Format = slo.FormatSloth
		}, []string{
			`s.yaml:10:3: warning: spec.slos[0]: SLO "payments" has no owning team: add labels: {owner: TEAM} to the spec or the SLO`,
		}},
		{"burn rates", func(c *slo.Catalog) {
			c.SLOs[0].Alerting.BurnRates = []slo.BurnRateAlert{
				{Severity: "urgent", Factor: 14.4, LongWindow: time.Hour, ShortWindow: 5 * time.Minute},
				{Severity: slo.SeverityPage, Factor: 0, LongWindow: time.Hour, ShortWindow: 2 * time.Hour},
			}
		}, []string{
			`s.yaml:10:3: spec.slos[0]: burn-rate alert severity "urgent" must be page or ticket`,
			"s.yaml:10:3: spec.slos[0]: burn rate 0 must be above 0",
			"s.yaml:10:3: spec.slos[0]: short window 2h must be shorter than the long window 1h",
		}},
		{"policy problems", func(c *slo.Catalog) {
			neg := -5.0
			c.Policies = []slo.Policy{{Name: "strict", Origin: at(50, "metadata"), States: []slo.PolicyState{
				{Name: "healthy"},
				{Name: "exhausted", When: slo.Condition{BudgetRemainingAtMost: &neg},
					Actions: []slo.Action{{Kind: slo.ActionNotify}, {Kind: "panic"}}},
			}}}
		}, []string{
			`s.yaml:50:3: metadata: state "exhausted" can never apply: state "healthy" before it has no condition and always matches`,
			"s.yaml:50:3: metadata: budgetRemainingAtMost -5% must be between 0 and 100",
			"s.yaml:50:3: metadata: notify names no roles",
			`s.yaml:50:3: metadata: action "panic" must be notify`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := validCatalog()
			tt.change(&cat)
			var diags diag.List
			Validate(&cat, &diags)
			var got []string
			for _, d := range diags.Items() {
				got = append(got, d.String())
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("missing diagnostic\n  %s\ngot:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d diagnostics, want %d:\n  %s", len(got), len(tt.want), strings.Join(got, "\n  "))
			}
		})
	}
}

func TestValidateKeepsOneServicePerName(t *testing.T) {
	cat := validCatalog()
	cat.Services = append(cat.Services, slo.Service{Name: "checkout", Implicit: true, Owners: slo.Owners{Escalation: "duty-manager"}})
	var diags diag.List
	Validate(&cat, &diags)
	if len(cat.Services) != 1 {
		t.Fatalf("services = %d, want 1", len(cat.Services))
	}
	if got := cat.Services[0].Owners; got.Team != "pos" || got.Escalation != "duty-manager" {
		t.Errorf("owners = %+v, want the defined team and the implicit escalation merged", got)
	}
}
