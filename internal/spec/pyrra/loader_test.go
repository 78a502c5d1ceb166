package pyrra_test

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/spectest"
)

func load(t *testing.T, path string) (*spec.Result, []string) { return spectest.Load(t, path) }

func TestLoad(t *testing.T) {
	res, diags := load(t, "testdata/good/checkout.yaml")
	if len(diags) != 0 {
		t.Fatalf("diagnostics:\n%s", strings.Join(diags, "\n"))
	}
	cat := res.Catalog
	if len(cat.Services) != 2 || cat.Services[0].Name != "checkout" || cat.Services[0].Owners.Team != "pos-platform" ||
		cat.Services[1].Name != "stores" || cat.Services[1].Owners.Team != "store-systems" {
		t.Errorf("services = %+v", cat.Services)
	}
	if len(cat.SLOs) != 3 {
		t.Fatalf("SLOs = %d", len(cat.SLOs))
	}
	ratio := cat.SLOs[0]
	if ratio.ID() != "checkout/checkout-api-errors" || ratio.Objective != 99.5 || ratio.Window.Rolling != 28*24*time.Hour ||
		ratio.Indicator.Kind != slo.KindRatio || ratio.Indicator.Bad.Expr != `http_requests_total{job="checkout-api",code=~"5.."}` ||
		ratio.Indicator.Bad.Shape != slo.ShapeCounter || ratio.Indicator.Total.Expr != `http_requests_total{job="checkout-api"}` ||
		len(ratio.GroupBy) != 1 || ratio.GroupBy[0] != "store" ||
		ratio.RunbookURL != "https://wiki.freshmart.example/runbooks/checkout-api" || ratio.Labels["role"] != "alert-rules" {
		t.Errorf("ratio SLO = %+v", ratio)
	}
	lat := cat.SLOs[1]
	if lat.Indicator.Kind != slo.KindLatency || lat.Indicator.Threshold != 500*time.Millisecond ||
		lat.Indicator.Histogram.Expr != `http_request_duration_seconds_bucket{code!~"5..", job="checkout-api"}` ||
		lat.Indicator.Total != nil || lat.Alerting.Name != "CheckoutAPILatency" || lat.Window.Rolling != 14*24*time.Hour {
		t.Errorf("latency SLO = %+v", lat)
	}
	up := cat.SLOs[2]
	if up.Indicator.Kind != slo.KindBoolean || up.Indicator.Gauge.Expr != `up{job="till-agent"}` || up.Indicator.Gauge.Shape != slo.ShapeInstant ||
		up.Objective != 99.9 || !up.Alerting.Page.Disabled || !up.Alerting.Ticket.Disabled {
		t.Errorf("boolGauge SLO = %+v", up)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, got := load(t, "testdata/bad/broken.yaml")
	f := "testdata/bad/broken.yaml:"
	want := []string{
		f + `4:3: warning: metadata.labels: SLO "checkout-api-latency" has no owning team: add the label pyrra.dev/team: TEAM to metadata.labels`,
		f + `7:3: spec.window: required field is missing; give a duration such as 4w or 30d`,
		f + `7:11: spec.target: must be a percentage such as "99.5", not "abc"`,
		f + `8:3: spec.windw: unknown field "windw" (did you mean "window"?)`,
		f + `12:17: spec.indicator.latency.success.metric: the success metric must be a histogram bucket with an le matcher, such as http_request_duration_seconds_bucket{le="0.5"}`,
		f + `19:3: warning: metadata.labels: SLO "checkout-api-slow" has no owning team: add the label pyrra.dev/team: TEAM to metadata.labels`,
		f + `28:17: warning: spec.indicator.latency.total.metric: total http_requests_total{job="checkout-api"} is not the success histogram's count http_request_duration_seconds_count{job="checkout-api"}: read as a ratio of the success bucket to this total`,
		f + `30:13: warning: spec.alerting.absent: Accord has no absent-data alert: it marks an SLO without data as stale, shown in the API, UI and metrics`,
		f + `35:3: warning: metadata.labels: SLO "native" has no owning team: add the label pyrra.dev/team: TEAM to metadata.labels`,
		f + `40:5: spec.indicator: give exactly one of ratio, latency, latencyNative or bool_gauge`,
		f + `44:24: spec.indicator.ratio.errors.metric: invalid PromQL: 1:9: parse error: unexpected identifier "x" in label matching, expected string`,
	}
	if len(got) != len(want) {
		t.Errorf("got %d diagnostics, want %d:\n  %s", len(got), len(want), strings.Join(got, "\n  "))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("missing diagnostic\n  %s\ngot:\n  %s", w, strings.Join(got, "\n  "))
		}
	}
}

// TestShapesPyrraAccepts loads what Pyrra's validation accepts beyond the
// plain shapes: a latency total from another selector, bool_gauge,
// latencyNative, apiVersion v1alpha1, pyrra.dev/ labels and annotations,
// severities and the rule generation settings.
func TestShapesPyrraAccepts(t *testing.T) {
	res, diags := load(t, "testdata/good/shapes.yaml")
	f := "testdata/good/shapes.yaml:"
	want := []string{
		f + `8:5: warning: metadata.labels: label name "app.kubernetes.io/name" is not a Prometheus label name: read as app_kubernetes_io_name`,
		f + `28:17: warning: spec.indicator.latency.total.metric: total storefront_requests_total is not the success histogram's count storefront_duration_seconds_count: read as a ratio of the success bucket to this total`,
		f + `35:1: warning: apiVersion v1alpha1 read as pyrra.dev/v1alpha1: write the group too, as Kubernetes needs it`,
	}
	if strings.Join(diags, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(diags, "\n"), strings.Join(want, "\n"))
	}
	byName := map[string]slo.SLO{}
	for _, s := range res.Catalog.SLOs {
		byName[s.Name] = s
	}
	lat := byName["storefront-latency"]
	if lat.Indicator.Kind != slo.KindRatio || lat.Indicator.Good.Expr != `storefront_duration_seconds_bucket{le="0.3"}` ||
		lat.Indicator.Total.Expr != "storefront_requests_total" || lat.Indicator.Good.Shape != slo.ShapeCounter || strings.Join(lat.GroupBy, ",") != "route" {
		t.Errorf("latency with another total = %+v", lat.Indicator)
	}
	if l := lat.Labels; l["team"] != "web-team" || l["tier"] != "1" || l["app_kubernetes_io_name"] != "storefront" || l["pyrra.dev/team"] != "" || len(l) != 4 {
		t.Errorf("labels = %v: pyrra.dev/ comes off, other names become label names", l)
	}
	a := lat.Alerting
	if lat.RunbookURL != "https://wiki.example.com/runbooks/storefront" || a.Annotations["message"] != "Storefront pages are slow" ||
		a.Annotations["dashboard"] != "https://grafana.example.com/d/storefront" || a.Annotations["runbook"] == "" ||
		a.Page.Labels["severity"] != "page-web" || a.Ticket.Labels["severity"] != "ticket-web" || a.Name != "StorefrontSlow" {
		t.Errorf("runbook %q, alerting %+v", lat.RunbookURL, a)
	}
	probe := byName["storefront-probe"]
	if probe.Indicator.Kind != slo.KindBoolean || probe.Indicator.Gauge.Expr != `probe_success{job="storefront"}` || probe.Objective != 99.5 {
		t.Errorf("bool_gauge under apiVersion v1alpha1 = %+v", probe)
	}
	native := byName["storefront-native"]
	sum := `sum by (route) (increase(storefront_request_duration_seconds{job="storefront"}[{{.window}}]))`
	if native.Indicator.Kind != slo.KindRatio || native.Indicator.Good.Shape != slo.ShapeTemplate ||
		native.Indicator.Good.Expr != "histogram_fraction(0, 0.25, "+sum+") * histogram_count("+sum+")" ||
		native.Indicator.Total.Expr != "histogram_count("+sum+")" || strings.Join(native.GroupBy, ",") != "route" {
		t.Errorf("latencyNative = %+v %+v", native.Indicator.Good, native.Indicator.Total)
	}
}

func TestBoolGaugeCamelCaseIsReadWithAWarning(t *testing.T) {
	res := spec.LoadBytes("s.yaml", []byte(`apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: up, namespace: ops, labels: {pyrra.dev/team: ops}}
spec:
  target: "99"
  window: 4w
  indicator:
    boolGauge: {metric: up}
`))
	var got []string
	for _, d := range res.Diags.Items() {
		got = append(got, d.String())
	}
	want := `s.yaml:8:16: warning: spec.indicator.boolGauge: Pyrra's key is bool_gauge; boolGauge read as it`
	if len(got) != 1 || got[0] != want || res.Catalog.SLOs[0].Indicator.Gauge == nil {
		t.Errorf("diagnostics = %q, want %q", got, want)
	}
}
