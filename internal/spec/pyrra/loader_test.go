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
		f + `28:17: spec.indicator.latency.total.metric: total http_requests_total{job="checkout-api"} must count the success histogram, http_request_duration_seconds_count{job="checkout-api"}: Accord takes the total from the histogram`,
		f + `30:13: warning: spec.alerting.absent: Accord has no absent-data alert: it marks an SLO without data as stale, shown in the API, UI and metrics`,
		f + `35:3: warning: metadata.labels: SLO "native" has no owning team: add the label pyrra.dev/team: TEAM to metadata.labels`,
		f + `40:5: spec.indicator: give exactly one of ratio, latency, latencyNative or boolGauge`,
		f + `41:7: spec.indicator.latencyNative: Accord reads classic histograms only: use indicator.latency with the _bucket series and an le matcher`,
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
