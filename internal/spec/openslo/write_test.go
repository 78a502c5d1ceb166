package openslo_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/openslo"
)

// everyField is a catalog that uses each part of the model OpenSLO has no
// field for, so the round trip depends on the accord.dev/ annotations.
func everyField() slo.Catalog {
	day := 24 * time.Hour
	owners := slo.Owners{Team: "pos", ProductOwner: "maria", OnCall: slo.Route{Receiver: "pager", Labels: map[string]string{"team": "pos"}}, Escalation: "duty"}
	ratio := func(name string) slo.SLO {
		return slo.SLO{Name: name, Service: "checkout", Objective: 99.9, Window: slo.Window{Rolling: 30 * day}, Budgeting: slo.Budgeting{Method: slo.Occurrences}}
	}
	latency := ratio("latency")
	latency.Indicator = slo.Indicator{Kind: slo.KindLatency, Threshold: 300 * time.Millisecond, DataSource: "prom",
		Histogram: &slo.Query{Expr: `pos_checkout_seconds_bucket{step="pay"}`, Shape: slo.ShapeCounter}}
	latency.Window = slo.Window{Calendar: slo.CalendarQuarter, TimeZone: "Europe/Berlin"}
	latency.Budgeting = slo.Budgeting{Method: slo.Timeslices, SliceLength: 5 * time.Minute, SliceTarget: 95}
	latency.GroupBy = []string{"store", "region"}
	latency.Policy = "strict"
	latency.Owners = slo.Owners{ProductOwner: "omar"}
	latency.RunbookURL = "https://wiki.example.com/latency"
	latency.Labels = map[string]string{"team": "not-an-owner", "journey": "pay"}
	latency.Alerting = slo.Alerting{
		Name: "CheckoutSlow", Labels: map[string]string{"x": "y"}, Annotations: map[string]string{"summary": "slow"},
		Page: slo.AlertLevel{Disabled: true}, Ticket: slo.AlertLevel{Labels: map[string]string{"queue": "pos"}},
		BurnRates: []slo.BurnRateAlert{
			{Name: "fast", Severity: slo.SeverityPage, Factor: 14.4, LongWindow: time.Hour, ShortWindow: 5 * time.Minute, For: 2 * time.Minute},
			{Name: "odd", Severity: slo.SeverityTicket, Factor: 2, LongWindow: 6 * time.Hour, ShortWindow: 10 * time.Minute},
		},
		Targets: []slo.NotificationTarget{{Name: "chat", Target: "https://chat.example.com/hook", Description: "store ops"}},
	}
	pushedLatency := ratio("pushed-latency")
	pushedLatency.Indicator = slo.Indicator{Kind: slo.KindLatency, Stream: "scans", Threshold: 2 * time.Second}
	pushedLatency.Window = slo.Window{Calendar: slo.CalendarWeek}
	gauge := ratio("till-up")
	gauge.Indicator = slo.Indicator{Kind: slo.KindBoolean, Gauge: &slo.Query{Expr: `probe_success{job="till"}`, Shape: slo.ShapeInstant},
		GoodWhen: &slo.Comparison{Op: slo.OpGT, Value: 0.5}}
	gauge.Budgeting = slo.Budgeting{Method: slo.RatioTimeslices, SliceLength: time.Minute}
	template := ratio("template")
	template.Indicator = slo.Indicator{Kind: slo.KindRatio,
		Bad:   &slo.Query{Expr: `sum(rate(e[{{.window}}]))`, Shape: slo.ShapeTemplate},
		Total: &slo.Query{Expr: `sum(rate(t[{{.window}}]))`, Shape: slo.ShapeTemplate}}
	raw := ratio("raw")
	raw.Indicator = slo.Indicator{Kind: slo.KindRatio, ErrorRatio: &slo.Query{Expr: `job:errors:ratio`, Shape: slo.ShapeInstant}}
	pushed := ratio("pushed")
	pushed.Indicator = slo.Indicator{Kind: slo.KindRatio, Stream: "payments"}
	return slo.Catalog{
		Services: []slo.Service{{Name: "checkout", DisplayName: "Checkout", Description: "Tills", Owners: owners,
			RunbookURL: "https://wiki.example.com/checkout", Labels: map[string]string{"owner": "label-not-owner"}}},
		SLOs:        []slo.SLO{latency, pushedLatency, gauge, template, raw, pushed},
		DataSources: []slo.DataSource{{Name: "prom", Type: "prometheus", URL: "http://prometheus:9090"}},
		Policies:    []slo.Policy{{Name: "strict", States: []slo.PolicyState{{Name: "healthy"}}}},
	}
}

func TestWriteRoundTrip(t *testing.T) {
	cat := everyField()
	// spec.Write adds the policies, which OpenSLO has no kind for.
	out, err := spec.Write("openslo", cat)
	if err != nil {
		t.Fatal(err)
	}
	readsBackTheSame(t, out, cat)
}

func TestWriteLeavesPoliciesOut(t *testing.T) {
	out, err := openslo.Write(everyField(), openslo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	back := spec.LoadBytes("written.yaml", out)
	if len(back.Catalog.Policies) != 0 || len(back.Catalog.SLOs) != 6 {
		t.Errorf("policies = %d, SLOs = %d: OpenSLO documents hold SLOs only", len(back.Catalog.Policies), len(back.Catalog.SLOs))
	}
}

// TestWriteAlertPoliciesAsObjects writes SLOs of the same name in two
// services, one alerting with Accord's default burn rates, and checks the
// OpenSLO: unique SLO names, one AlertPolicy object per condition with the
// condition and target as objects of their own, the calendar start kept;
// and that reading it back gives the same model.
func TestWriteAlertPoliciesAsObjects(t *testing.T) {
	base := func(service string) slo.SLO {
		return slo.SLO{Name: "availability", Service: service, Objective: 99.9, Budgeting: slo.Budgeting{Method: slo.Occurrences},
			Window:    slo.Window{Calendar: slo.CalendarMonth, TimeZone: "UTC", StartTime: "2022-01-01 12:00:00"},
			Indicator: slo.Indicator{Kind: slo.KindRatio, Stream: service}, Owners: slo.Owners{Team: "t"}}
	}
	web := base("web")
	api := base("api")
	api.Alerting.BurnRates = []slo.BurnRateAlert{{Name: "fast", Severity: slo.SeverityPage, Factor: 10, LongWindow: time.Hour, ShortWindow: 5 * time.Minute}}
	api.Alerting.Targets = []slo.NotificationTarget{{Name: "chat", Target: "slack"}}
	cat := slo.Catalog{Services: []slo.Service{{Name: "web"}, {Name: "api"}}, SLOs: []slo.SLO{web, api}}
	out, err := spec.WriteWith("openslo", cat, spec.WriteOptions{Rules: engine.Rules})
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"name: api-availability\n", "name: web-availability\n", "accord.dev/name: availability",
		"kind: AlertPolicy", "kind: AlertCondition", "alertPolicyRef: web-availability-fast", "conditionRef: api-availability-fast",
		"startTime: \"2022-01-01 12:00:00\"", "name: accord-on-call", "targetRef: chat",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("written OpenSLO lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "kind: AlertPolicy"); n != 1+len(engine.Rules(&web)) {
		t.Errorf("%d AlertPolicy objects, want one per burn-rate alert (%d)", n, 1+len(engine.Rules(&web)))
	}
	if strings.Count(text, "conditionRef:") != strings.Count(text, "kind: AlertPolicy") {
		t.Errorf("each AlertPolicy holds exactly one condition:\n%s", text)
	}
	readsBackTheSame(t, out, cat)
}

// readsBackTheSame reads written OpenSLO back and checks it holds cat.
func readsBackTheSame(t *testing.T, out []byte, cat slo.Catalog) {
	t.Helper()
	back := spec.LoadBytes("written.yaml", out)
	for _, d := range back.Diags.Items() {
		t.Errorf("reading the written spec: %s", d)
	}
	want, _ := json.MarshalIndent(cat.Canonical(), "", "  ")
	got, _ := json.MarshalIndent(back.Catalog.Canonical(), "", "  ")
	if string(got) != string(want) {
		t.Errorf("model changed\n--- got\n%s\n--- want\n%s\n--- written\n%s", got, want, out)
	}
}
