package sloth_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
)

func load(t *testing.T, path string) *spec.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return spec.LoadBytes(path, data)
}

func diagLines(res *spec.Result) []string {
	var out []string
	for _, d := range res.Diags.Items() {
		out = append(out, d.String())
	}
	return out
}

func TestLoadFile(t *testing.T) {
	res := load(t, "testdata/good/payments.yaml")
	if got := diagLines(res); len(got) != 0 {
		t.Fatalf("diagnostics:\n%s", strings.Join(got, "\n"))
	}
	cat := res.Catalog
	if len(cat.Services) != 1 || cat.Services[0].Name != "payment-gateway" || cat.Services[0].Owners.Team != "payments-team" || !cat.Services[0].Implicit {
		t.Errorf("services = %+v", cat.Services)
	}
	if len(cat.SLOs) != 2 {
		t.Fatalf("SLOs = %d, want 2", len(cat.SLOs))
	}
	avail := cat.SLOs[0]
	if avail.ID() != "payment-gateway/requests-availability" || avail.Objective != 99.9 ||
		avail.Window.Rolling != 30*24*time.Hour || avail.Budgeting.Method != slo.Occurrences {
		t.Errorf("availability SLO = %+v", avail)
	}
	ind := avail.Indicator
	if ind.Kind != slo.KindRatio || ind.Bad == nil || ind.Total == nil || ind.Bad.Shape != slo.ShapeTemplate ||
		!strings.Contains(ind.Bad.Expr, `code=~"(5..|429)"`) || !strings.Contains(ind.Total.Expr, "[{{.window}}]") {
		t.Errorf("indicator = %+v", ind)
	}
	al := avail.Alerting
	if al.Name != "PaymentGatewayHighErrorRate" || al.Labels["category"] != "availability" ||
		al.Page.Labels["routing_key"] != "payments-team" || al.Ticket.Labels["slack_channel"] != "#alerts-payments" || al.Page.Disabled {
		t.Errorf("alerting = %+v", al)
	}
	if avail.RunbookURL != "https://wiki.freshmart.example/runbooks/payment-gateway" {
		t.Errorf("runbook = %q", avail.RunbookURL)
	}
	if avail.Labels["repo"] != "freshmart/payment-gateway" || avail.Owners.Team != "" {
		t.Errorf("labels = %v, owners = %+v (team comes from the service)", avail.Labels, avail.Owners)
	}
	if at := avail.Origins.Get("indicator.bad", slo.Origin{}); at.Line != 15 || at.Path != "slos[0].sli.events.error_query" {
		t.Errorf("error_query origin = %+v", at)
	}
	settle := cat.SLOs[1]
	if settle.Indicator.ErrorRatio == nil || settle.Indicator.Bad != nil || !settle.Alerting.Page.Disabled ||
		settle.Owners.Team != "settlement-team" || cat.EffectiveOwners(settle).Team != "settlement-team" {
		t.Errorf("settlement SLO = %+v", settle)
	}
}

func TestLoadKubernetes(t *testing.T) {
	res := load(t, "testdata/good/k8s.yaml")
	if got := diagLines(res); len(got) != 0 {
		t.Fatalf("diagnostics:\n%s", strings.Join(got, "\n"))
	}
	cat := res.Catalog
	if len(cat.Services) != 1 || cat.Services[0].Owners.Team != "store-systems" {
		t.Errorf("one service for both documents, owned by store-systems; got %+v", cat.Services)
	}
	if len(cat.SLOs) != 2 {
		t.Fatalf("SLOs = %d", len(cat.SLOs))
	}
	price := cat.SLOs[0]
	if price.Objective != 99.95 || price.Indicator.Bad == nil || !strings.Contains(price.Indicator.Bad.Expr, `result="error"`) ||
		price.Alerting.Page.Labels["severity"] != "critical" || !price.Alerting.Ticket.Disabled || price.Alerting.Page.Disabled {
		t.Errorf("price-push = %+v", price)
	}
	if inv := cat.SLOs[1]; !inv.Alerting.Page.Disabled || !inv.Alerting.Ticket.Disabled {
		t.Errorf("inventory-feed alerting = %+v", inv.Alerting)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	res := load(t, "testdata/bad/plugin.yaml")
	f := "testdata/bad/plugin.yaml"
	want := []string{
		f + `:7:5: slos[0].objetive: unknown field "objetive" (did you mean "objective"?)`,
		f + `:6:5: slos[0].objective: required field is missing; give a percentage such as 99.9`,
		f + `:10:13: slos[0].sli.plugin.id: Accord cannot run Sloth SLI plugins (plugin "sloth-common/kubernetes/apiserver/availability"): write the SLI as events with error and total queries`,
		f + `:14:18: slos[0].alerting.page_alert.disable: must be true or false, not "maybe"`,
		f + `:15:7: slos[0].alerting.pager_alert: unknown field "pager_alert" (did you mean "page_alert"?)`,
		f + `:17:16: slos[1].objective: must be a number, not "high"`,
		f + `:20:9: slos[1].sli.events.total_query: required field is missing`,
		f + `:20:22: slos[1].sli.events.error_query: template query has no {{.window}} placeholder for the window`,
		f + `:21:5: slos[2].name: required field is missing`,
		f + `:23:7: slos[2].sli: give exactly one of events, raw or plugin`,
		f + `:27:28: slos[2].sli.raw.error_ratio_query: template query has no {{.window}} placeholder for the window`,
		f + `:13:7: slos[0].alerting.name: required field is missing: the name of the SLO's alerts, such as MyServiceHighErrorRate (or disable both page_alert and ticket_alert)`,
		f + `:16:5: slos[1].alerting: required field is missing: give alerting: {name: ALERT_NAME}, as Sloth names the SLO's alerts after it`,
		f + `:21:5: slos[2].alerting: required field is missing: give alerting: {name: ALERT_NAME}, as Sloth names the SLO's alerts after it`,
	}
	got := diagLines(res)
	if len(got) != len(want) {
		t.Errorf("got %d diagnostics, want %d", len(got), len(want))
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing diagnostic\n  %s\ngot:\n  %s", w, strings.Join(got, "\n  "))
		}
	}
}

func TestOwnerMissingIsAWarning(t *testing.T) {
	res := spec.LoadBytes("s.yaml", []byte(`version: prometheus/v1
service: checkout
slos:
  - name: ok
    objective: 99
    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))'}}
    alerting: {name: CheckoutErrors}
`))
	got := diagLines(res)
	want := `s.yaml:4:5: warning: slos[0]: SLO "ok" has no owning team: add labels: {owner: TEAM} to the spec or the SLO`
	if len(got) != 1 || got[0] != want || res.Diags.HasErrors() {
		t.Errorf("diagnostics = %q, want only %q", got, want)
	}
}

func TestTestdataFilesAreRead(t *testing.T) {
	files, _ := filepath.Glob("testdata/good/*.yaml")
	if len(files) < 2 {
		t.Fatalf("good test files = %v", files)
	}
}

// TestGroupingPluginsAndAlertLabels reads a spec whose queries keep a
// label (one series per host in Sloth), with SLO plugins and the team's
// own alert labels.
func TestGroupingPluginsAndAlertLabels(t *testing.T) {
	res := load(t, "testdata/good/grouped.yaml")
	f := "testdata/good/grouped.yaml"
	want := []string{
		f + `:9:3: warning: slo_plugins: Sloth SLO plugins are not supported (sloth.dev/core/debug/v1): Accord measures and alerts without them; the rest of the spec loads`,
		f + `:17:7: warning: slos[0].plugins: Sloth SLO plugins are not supported (sloth.dev/contrib/rule_intervals/v1): Accord measures and alerts without them; the rest of the spec loads`,
	}
	if got := diagLines(res); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s := res.Catalog.SLOs[0]
	if strings.Join(s.GroupBy, ",") != "request_host" {
		t.Errorf("group by = %v, want [request_host]", s.GroupBy)
	}
	if !strings.Contains(s.Indicator.Bad.Expr, "[{{.window}}]") {
		t.Errorf("error query = %q: the placeholder should read {{.window}}", s.Indicator.Bad.Expr)
	}
	a := s.Alerting
	if a.Name != "StorefrontErrors" || a.Labels["category"] != "availability" || a.Page.Labels["severity"] != "pageteam" ||
		a.Page.Labels["routing_key"] != "web-team" || a.Ticket.Labels["severity"] != "critical" ||
		a.Annotations["summary"] != "{{$labels.request_host}} answers with errors" {
		t.Errorf("alerting = %+v", a)
	}
}

// TestOtherShapesSpellingIsRead reads pageAlert in a prometheus/v1 file,
// which Sloth silently ignores, as page_alert, with a warning.
func TestOtherShapesSpellingIsRead(t *testing.T) {
	res := spec.LoadBytes("s.yaml", []byte(`version: prometheus/v1
service: checkout
labels: {owner: pos}
slos:
  - name: payments
    objective: 99.9
    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))'}}
    alerting:
      name: PaymentsBurn
      pageAlert: {labels: {severity: critical}}
`))
	got := diagLines(res)
	want := `s.yaml:10:18: warning: slos[0].alerting.pageAlert: page_alert is spelled page_alert in this shape of Sloth spec, which ignores pageAlert: read as page_alert`
	if len(got) != 1 || got[0] != want {
		t.Errorf("diagnostics = %q, want %q", got, want)
	}
	if l := res.Catalog.SLOs[0].Alerting.Page.Labels["severity"]; l != "critical" {
		t.Errorf("page severity = %q", l)
	}
}
