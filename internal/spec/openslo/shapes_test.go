package openslo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// TestShapesOpenSLOToolsWrite loads a sequence of objects holding the
// shapes OpenSLO's SDK, oslo and sloctl accept, and checks what each
// becomes.
func TestShapesOpenSLOToolsWrite(t *testing.T) {
	res, diags := load(t, "testdata/good/shapes.yaml")
	f := "testdata/good/shapes.yaml:"
	want := []string{
		f + `6:13: warning: [0].metadata.labels: label team has 2 values (web, shop): Accord reads web as the owning team`,
		f + `41:29: warning: [3].spec.indicator.spec.ratioMetric.good.metricSource.spec.dimensions: dimensions are ignored: a PromQL query keeps the labels it aggregates by`,
		f + `62:49: warning: [3].spec.alertPolicies[2].spec.conditions[0].spec.condition.op: op lte fires while the burn rate stays at most 1, when the budget is safe: Accord's burn-rate alerts fire when it burns at least that fast, so this condition is not an alert; write op: gte for that`,
		f + `101:7: warning: [6].spec.indicator: SLO "basket-latency" is not measured (source kind Datadog): it is listed without a budget; measure it from a Prometheus-compatible source or pushed events`,
	}
	if strings.Join(diags, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(diags, "\n"), strings.Join(want, "\n"))
	}
	cat := res.Catalog
	if len(cat.DataSources) != 2 || cat.DataSources[0].URL != "http://prometheus.shop.example:9090" {
		t.Errorf("data sources = %+v (the URL comes from a list of connection details)", cat.DataSources)
	}
	if len(cat.Services) != 1 || cat.Services[0].Owners.Team != "web" {
		t.Errorf("services = %+v (a Service without spec)", cat.Services)
	}

	checkout := find(t, cat, "checkout-availability")
	ind := checkout.Indicator
	if ind.Good == nil || ind.Good.Shape != slo.ShapeTemplate ||
		ind.Good.Expr != `sum by (store) (increase(http_requests_total{handler="/checkout",code!~"5.."}[{{.window}}]))` ||
		ind.Total.Expr != `sum(increase(http_requests_total{handler="/checkout"}[{{.window}}])) by (store)` || ind.DataSource != "shop-prometheus" {
		t.Errorf("counters written as a sum of a selector: %+v %+v", ind.Good, ind.Total)
	}
	if strings.Join(checkout.GroupBy, ",") != "store" {
		t.Errorf("group by = %v, want the queries' store", checkout.GroupBy)
	}
	wantRates := []slo.BurnRateAlert{
		{Name: "shop-fast-burn", Severity: slo.SeverityPage, Factor: 14.4, LongWindow: time.Hour, ShortWindow: 5 * time.Minute, For: 2 * time.Minute},
		{Name: "slow-burn", Severity: slo.SeverityTicket, Factor: 2, LongWindow: 6 * time.Hour, ShortWindow: 30 * time.Minute, For: 15 * time.Minute},
	}
	if got := checkout.Alerting.BurnRates; len(got) != 2 || got[0] != wantRates[0] || got[1] != wantRates[1] {
		t.Errorf("burn rates = %+v, want %+v (op lte is no alert)", got, wantRates)
	}
	if tg := checkout.Alerting.Targets; len(tg) != 1 || tg[0].Name != "shop-pager" || tg[0].Target != "pagerduty" {
		t.Errorf("targets = %+v, want shop-pager once", tg)
	}

	search := find(t, cat, "search-satisfaction")
	if e := search.Indicator.ErrorRatio; e == nil || e.Shape != slo.ShapeTemplate ||
		e.Expr != `1 - (sum(rate(search_satisfied_total[{{.window}}])) / sum(rate(search_total[{{.window}}])))` {
		t.Errorf("rawType success = %+v", e)
	}
	if w := search.Window; w != (slo.Window{Calendar: slo.CalendarMonth, TimeZone: "America/New_York", StartTime: "2022-01-01 12:00:00"}) {
		t.Errorf("window = %+v, want the calendar start kept", w)
	}

	basket := find(t, cat, "basket-latency")
	e := basket.Indicator.External
	if e == nil || e.Kind != "Datadog" || e.DataSource != "shop-datadog" || e.Specs["good"] != `{"query":"sum:basket.requests{latency:fast}.as_count()"}` ||
		basket.Indicator.Good != nil || basket.Indicator.NotMeasured() != "source kind Datadog" {
		t.Errorf("Datadog SLO = %+v, external %+v", basket.Indicator, e)
	}
}

func TestAlphaVersions(t *testing.T) {
	res, diags := load(t, "testdata/good/v1alpha-v2alpha.yaml")
	for _, d := range diags {
		if !strings.Contains(d, "has no owning team") && !strings.Contains(d, "no slice length") {
			t.Errorf("unexpected diagnostic: %s", d)
		}
	}
	week := find(t, res.Catalog, "api-week")
	if week.Indicator.Kind != slo.KindBoolean || week.Indicator.Gauge.Expr != "max(api_queue_depth)" ||
		*week.Indicator.GoodWhen != (slo.Comparison{Op: slo.OpLTE, Value: 100}) ||
		week.Window != (slo.Window{Calendar: slo.CalendarWeek, TimeZone: "Europe/Berlin", StartTime: "2024-01-01 00:00:00"}) ||
		week.Budgeting != (slo.Budgeting{Method: slo.Timeslices, SliceLength: time.Minute, SliceTarget: 90}) || week.Objective != 99 {
		t.Errorf("v1alpha threshold SLO = %+v", week)
	}
	errs := find(t, res.Catalog, "api-errors")
	if errs.Service != "api" || errs.Indicator.Bad.Expr != `api_requests_total{code=~"5.."}` || errs.Indicator.Bad.Shape != slo.ShapeCounter ||
		errs.Indicator.DataSource != "api-thanos" || errs.Objective != 99.9 || errs.Window.Rolling != 28*24*time.Hour {
		t.Errorf("v2alpha SLO = %+v", errs)
	}

	res, _ = load(t, "testdata/good/v1alpha-sloth.yaml")
	avail := find(t, res.Catalog, "api-availability")
	if avail.Window.Rolling != 30*24*time.Hour || avail.Objective != 99.5 || avail.Indicator.Good.Shape != slo.ShapeTemplate ||
		strings.Join(avail.GroupBy, ",") != "route" {
		t.Errorf("Sloth's v1alpha SLO = %+v", avail)
	}
}
