package openslo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/spectest"
)

func load(t *testing.T, path string) (*spec.Result, []string) { return spectest.Load(t, path) }

func find(t *testing.T, cat slo.Catalog, name string) slo.SLO {
	t.Helper()
	for _, s := range cat.SLOs {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no SLO %q", name)
	return slo.SLO{}
}

func TestLoadReferencedDocuments(t *testing.T) {
	res, diags := load(t, "testdata/good/payments.yaml")
	for _, d := range diags {
		if !strings.Contains(d, "has 2 objectives") {
			t.Errorf("unexpected diagnostic: %s", d)
		}
	}
	cat := res.Catalog
	if len(cat.DataSources) != 1 || cat.DataSources[0].Type != "Thanos" || cat.DataSources[0].URL != "http://thanos-query.monitoring:9090" {
		t.Errorf("data sources = %+v", cat.DataSources)
	}
	svc := cat.Services[0]
	if svc.Owners.Team != "payments-team" || svc.Owners.ProductOwner != "lena.fischer" || svc.Owners.OnCall.Receiver != "payments-pager" ||
		svc.Labels["tier"] != "1" || svc.Labels["team"] != "" || svc.RunbookURL != "https://wiki.freshmart.example/runbooks/payment-gateway" {
		t.Errorf("service = %+v", svc)
	}
	avail := find(t, cat, "authorisation-availability")
	ind := avail.Indicator
	if avail.Objective != 99.9 || avail.Window.Rolling != 28*24*time.Hour || ind.Kind != slo.KindRatio ||
		ind.Good.Expr != `payment_authorisations_total{code!~"5.."}` || ind.Good.Shape != slo.ShapeCounter || ind.DataSource != "thanos-stores" {
		t.Errorf("availability = %+v", avail)
	}
	want := []slo.BurnRateAlert{
		{Name: "fast-burn", Severity: slo.SeverityPage, Factor: 14.4, LongWindow: time.Hour, ShortWindow: 5 * time.Minute, For: 2 * time.Minute},
		{Name: "slow-burn", Severity: slo.SeverityTicket, Factor: 1, LongWindow: 72 * time.Hour, ShortWindow: 6 * time.Hour},
	}
	if got := avail.Alerting.BurnRates; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("burn rates = %+v, want %+v", got, want)
	}
	if tg := avail.Alerting.Targets; len(tg) != 1 || tg[0].Name != "payments-chat" || tg[0].Target != "slack" {
		t.Errorf("targets = %+v", tg)
	}
	fast := find(t, cat, "authorisation-latency-p99-under-800ms")
	if fast.Indicator.Kind != slo.KindBoolean || fast.Indicator.GoodWhen == nil || *fast.Indicator.GoodWhen != (slo.Comparison{Op: slo.OpLTE, Value: 0.8}) ||
		fast.Objective != 99 || fast.Window != (slo.Window{Calendar: slo.CalendarMonth, TimeZone: "Europe/Berlin", StartTime: "2024-01-01 00:00:00"}) ||
		fast.Budgeting != (slo.Budgeting{Method: slo.Timeslices, SliceLength: time.Minute, SliceTarget: 95}) || fast.Owners.Team != "payments-team" {
		t.Errorf("p99 800ms = %+v", fast)
	}
	slow := find(t, cat, "authorisation-latency-p99-under-2s")
	if slow.Objective != 99.9 || slow.Budgeting.SliceLength != 5*time.Minute || slow.Budgeting.SliceTarget != 90 || slow.Indicator.GoodWhen.Op != slo.OpLT {
		t.Errorf("p99 2s = %+v", slow)
	}
}

func TestBentFilesAreReadWithWarnings(t *testing.T) {
	res, diags := load(t, "testdata/good/bent.yaml")
	f := "testdata/good/bent.yaml:"
	want := []string{
		f + `9:3: warning: spec.timeWindow: timeWindow is missing: using a rolling 28d window`,
		f + `28:11: warning: spec.objectives[0].op: op and value apply to threshold metrics; a ratio's objective is its target, so they are ignored`,
		f + `29:15: warning: spec.objectives[0].target: target 99.5 is above 1: read as 99.5% (OpenSLO's target is a fraction such as 0.999; targetPercent takes percentages)`,
		f + `54:17: warning: spec.timeWindow[0].duration: calendar duration "1m" read as one month (OpenSLO writes a month as 1M)`,
	}
	if strings.Join(diags, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(diags, "\n"), strings.Join(want, "\n"))
	}
	receipts := find(t, res.Catalog, "receipts-printed")
	if receipts.Objective != 99.5 || receipts.Window.Rolling != 28*24*time.Hour || receipts.Indicator.Bad == nil || res.Catalog.EffectiveOwners(receipts).Team != "pos-devices" {
		t.Errorf("receipts = %+v", receipts)
	}
	sync := find(t, res.Catalog, "sync-monthly")
	if sync.Indicator.Stream != "store-sync" || sync.Indicator.Good != nil || sync.Window.Calendar != slo.CalendarMonth {
		t.Errorf("sync = %+v", sync)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, got := load(t, "testdata/bad/broken.yaml")
	f := "testdata/bad/broken.yaml:"
	want := []string{
		f + `4:3: warning: metadata.labels: SLO "checkout" has no owning team: add the label team: TEAM to the SLO's or Service's metadata.labels`,
		f + `7:17: warning: spec.indicatorRef: no SLI named "checkout-sli" in the files read (did you mean "checkout-sli-v2"?); the SLO is listed but not measured`,
		f + `11:20: spec.budgetingMethod: budgetingMethod "Ocurrences" must be Occurrences, Timeslices or RatioTimeslices`,
		f + `14:22: spec.objectives[0].targetPercent: target 0.99 and targetPercent 95 disagree: give one`,
		f + `24:5: spec.ratioMetric.total: required field is missing`,
		f + `30:5: spec.ratioMetric.totl: unknown field "totl" (did you mean "total"?)`,
		f + `46:17: spec.conditions[0].spec.condition.kind: condition kind "threshold": Accord alerts on burn rates (kind: burnrate)`,
		f + `52:7: kind: unknown openslo/v1 kind "Scorecard"; openslo/v1 kinds are Service, SLO, SLI, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
