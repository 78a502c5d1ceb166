package rules_test

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/rules"
)

// slothSpec is a Sloth spec of our own that Sloth v0.16 accepts.
const slothSpec = "testdata/sloth/shop.yaml"

// TestSlothSpecKeepsItsGroupingAndLabels checks that a Sloth query
// aggregated `by (request_host)` keeps one series per host, and that the
// spec's own alert labels (severity: pageteam) reach the alerts.
func TestSlothSpecKeepsItsGroupingAndLabels(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, slothSpec))
	rec := recordings(t, res)
	if got := rec[rules.TotalIncrease1m]; !strings.HasPrefix(got, "sum by (request_host) (") {
		t.Errorf("the total loses Sloth's grouping: %s", got)
	}
	if got := rec[rules.ErrorIncrease1m]; !strings.Contains(got, "or on (request_host) 0 * ") {
		t.Errorf("the bad events do not match on the host: %s", got)
	}
	want := map[string]string{"1h/5m": "pageteam", "6h/30m": "pageteam", "1d/2h": "slack", "3d/6h": "slack"}
	for w, severity := range want {
		r := findRule(t, res, w)
		if r.Alert != "ShopHighErrorRate" || r.Labels["severity"] != severity || r.Labels["category"] != "availability" {
			t.Errorf("%s: alert %s labels %v, want Sloth's name and severity %s", w, r.Alert, r.Labels, severity)
		}
		if r.Annotations["summary"] != "High error rate on {{$labels.request_host}}" {
			t.Errorf("%s: summary %q", w, r.Annotations["summary"])
		}
	}
}

// slothSeries are the series Sloth v0.16 records for a 30-day SLO, with
// the labels each carries besides the spec's (checked against Sloth's own
// output by TestSlothNamingMatchesSloth).
var slothSeries = map[string][]string{
	"slo:sli_error:ratio_rate5m":              {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"},
	"slo:sli_error:ratio_rate30m":             {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"},
	"slo:sli_error:ratio_rate1h":              {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"},
	"slo:sli_error:ratio_rate2h":              {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"},
	"slo:sli_error:ratio_rate6h":              {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"},
	"slo:sli_error:ratio_rate1d":              {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"},
	"slo:sli_error:ratio_rate3d":              {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"},
	"slo:sli_error:ratio_rate30d":             {"sloth_id", "sloth_service", "sloth_slo", "sloth_window"},
	"slo:objective:ratio":                     {"sloth_id", "sloth_service", "sloth_slo"},
	"slo:error_budget:ratio":                  {"sloth_id", "sloth_service", "sloth_slo"},
	"slo:time_period:days":                    {"sloth_id", "sloth_service", "sloth_slo"},
	"slo:current_burn_rate:ratio":             {"sloth_id", "sloth_service", "sloth_slo"},
	"slo:period_burn_rate:ratio":              {"sloth_id", "sloth_service", "sloth_slo"},
	"slo:period_error_budget_remaining:ratio": {"sloth_id", "sloth_service", "sloth_slo"},
	"sloth_slo_info":                          {"sloth_id", "sloth_service", "sloth_slo", "sloth_mode", "sloth_objective", "sloth_spec"},
}

// TestSlothNaming checks that --naming sloth records every series Sloth
// records, labelled as Sloth labels them, and that its alerts carry
// sloth_severity beside the spec's severity.
func TestSlothNaming(t *testing.T) {
	res, err := rules.Generate(mustCatalog(t, slothSpec), rules.Options{Naming: rules.NamingSloth})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{}
	for _, r := range res.Files[0].Groups[0].Rules {
		if r.Record != "" {
			got[r.Record] = r.Labels
			continue
		}
		sev := map[string]string{"pageteam": "page", "slack": "ticket"}[r.Labels["severity"]]
		if sev == "" || r.Labels["sloth_severity"] != sev || r.Labels["sloth_id"] != "shop-requests-availability" {
			t.Errorf("alert %s labels %v, want sloth_severity beside the spec's severity", r.Labels["burn_window"], r.Labels)
		}
	}
	for name, keys := range slothSeries {
		l, ok := got[name]
		if !ok {
			t.Errorf("no %s recorded", name)
			continue
		}
		for _, k := range append(keys, "owner", "tier") {
			if l[k] == "" {
				t.Errorf("%s lacks label %s: %v", name, k, l)
			}
		}
		if l["sloth_id"] != "shop-requests-availability" || l["sloth_service"] != "shop" || l["sloth_slo"] != "requests-availability" {
			t.Errorf("%s: Sloth's identity labels wrong: %v", name, l)
		}
	}
	if w := got["slo:sli_error:ratio_rate1d"]["sloth_window"]; w != "1d" {
		t.Errorf("sloth_window of the 1d ratio = %q", w)
	}
	mustWriteRules(t, t.TempDir(), res) // encodes
}

// slothBinary returns a command that runs Sloth v0.16, or skips the test
// unless ACCORD_SLOTH is set: building Sloth takes a minute, too long for
// every run. ACCORD_SLOTH may name a built sloth binary; otherwise
// `go run` builds it from the module proxy.
func slothBinary(t *testing.T) []string {
	t.Helper()
	v := os.Getenv("ACCORD_SLOTH")
	switch v {
	case "":
		t.Skip("set ACCORD_SLOTH=1 (or the path of a sloth v0.16 binary) to compare with Sloth's own rules")
	case "1", "true":
		return []string{"go", "run", "github.com/slok/sloth/cmd/sloth@v0.16.0"}
	}
	return []string{v}
}

// mustRunSloth generates Sloth's rules for spec into dir/sloth.rules.yaml.
func mustRunSloth(t *testing.T, spec, dir string) string {
	t.Helper()
	cmd := slothBinary(t)
	out := filepath.Join(dir, "sloth.rules.yaml")
	c := exec.Command(cmd[0], append(cmd[1:], "generate", "-i", spec, "-o", out)...)
	if msg, err := c.CombinedOutput(); err != nil {
		t.Fatalf("sloth generate: %v\n%s", err, msg)
	}
	return out
}

// TestSlothNamingMatchesSloth runs Sloth on the same spec and checks that
// every series Sloth records is recorded by --naming sloth with the same
// label names.
func TestSlothNamingMatchesSloth(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(mustRunSloth(t, slothSpec, dir))
	if err != nil {
		t.Fatal(err)
	}
	var sloth struct{ Groups []rules.Group }
	if err := yaml.Unmarshal(data, &sloth); err != nil {
		t.Fatal(err)
	}
	res, err := rules.Generate(mustCatalog(t, slothSpec), rules.Options{Naming: rules.NamingSloth})
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string][]string{}
	for _, r := range res.Files[0].Groups[0].Rules {
		if r.Record != "" {
			ours[r.Record] = slices.Sorted(maps.Keys(r.Labels))
		}
	}
	compared := 0
	for _, g := range sloth.Groups {
		for _, r := range g.Rules {
			if r.Record == "" {
				continue
			}
			compared++
			want := slices.DeleteFunc(slices.Sorted(maps.Keys(r.Labels)), func(k string) bool { return k == "sloth_version" })
			if got, ok := ours[r.Record]; !ok || !slices.Equal(got, want) {
				t.Errorf("%s: ours labelled %v, Sloth's %v", r.Record, got, want)
			}
		}
	}
	// Every series Sloth records is one TestSlothNaming checks by name.
	if compared != len(slothSeries) {
		t.Errorf("Sloth records %d series, want the %d of slothSeries", compared, len(slothSeries))
	}
}

// TestSlothEquivalence runs Sloth's own rules and Accord's for the same
// spec over the same traffic, per host: a day at half the budget's pace,
// then ten hours at ten times it on one host. Every window's error ratio,
// 5 minutes to a day, agrees within 2% on both hosts, and both pages and
// tickets fire on the failing host within minutes of each other. Each
// check counts what matches, so a series missing on either side fails it.
func TestSlothEquivalence(t *testing.T) {
	dir := t.TempDir()
	mustRunSloth(t, slothSpec, dir)
	mustWriteRules(t, dir, mustGenerate(t, mustCatalog(t, slothSpec)))
	// The day adds up 5-minute tiles; shorter windows, minutes.
	windows := map[string][2]string{
		"5m": {"increase1m", "4m30s"}, "30m": {"increase1m", "29m30s"}, "1h": {"increase1m", "59m30s"},
		"2h": {"increase1m", "1h59m30s"}, "6h": {"increase1m", "5h59m30s"}, "1d": {"increase5m", "23h59m30s"},
	}
	var tests []exprTest
	for _, at := range []int{1440, 1620, 1800, 2040} {
		for w, read := range windows {
			accord := fmt.Sprintf(`sum_over_time(slo:sli_error:%[1]s{slo="requests-availability"}[%[2]s]) / sum_over_time(slo:sli_total:%[1]s{slo="requests-availability"}[%[2]s])`, read[0], read[1])
			sloth := fmt.Sprintf(`slo:sli_error:ratio_rate%s{sloth_slo="requests-availability"}`, w)
			tests = append(tests, exprTest{
				Expr:       fmt.Sprintf("count(abs((%s) - on (request_host) %s) <= on (request_host) 0.02 * %s)", accord, sloth, sloth),
				EvalTime:   fmt.Sprintf("%dm", at),
				ExpSamples: []expSample{{Labels: "{}", Value: 2}}, // hosts a and b
			})
		}
	}
	// Sloth pages and tickets with one alert per severity; Accord with one
	// per rule. Both fire on host a, within 6 minutes of each other, and
	// neither on host b.
	for _, sev := range [][2]string{{"page", "pageteam"}, {"ticket", "slack"}} {
		first := func(sel string) string {
			return fmt.Sprintf(`min_over_time(timestamp(max(ALERTS{%s, alertstate="firing", request_host="a"}))[2040m:1m])`, sel)
		}
		tests = append(tests,
			exprTest{
				Expr:       fmt.Sprintf(`abs(%s - %s) <= bool 360`, first(`sloth_severity="`+sev[0]+`"`), first(`slo="requests-availability", severity="`+sev[1]+`"`)),
				EvalTime:   "2040m",
				ExpSamples: []expSample{{Labels: "{}", Value: 1}},
			},
			exprTest{Expr: fmt.Sprintf(`count(ALERTS{alertstate="firing", request_host="b", severity="%s"})`, sev[1]), EvalTime: "2040m"},
		)
	}
	type series struct{ Series, Values string }
	doc := map[string]any{
		"rule_files":          []string{"shop.rules.yaml", "sloth.rules.yaml"},
		"evaluation_interval": "1m",
		"tests": []map[string]any{{
			"interval": "1m",
			"input_series": []series{
				{`http_requests_total{job="shop", code="200", request_host="a"}`, "0 1999+1999x1439 2880540+1980x599"},
				{`http_requests_total{job="shop", code="500", request_host="a"}`, "0 1+1x1439 1460+20x599"},
				{`http_requests_total{job="shop", code="200", request_host="b"}`, "0 999+999x2039"},
				{`http_requests_total{job="shop", code="500", request_host="b"}`, "0 0+0x2039"},
			},
			"promql_expr_test": tests,
		}},
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "equivalence_test.yaml")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	promtool(t, dir, "test", "rules", file)
}

// TestSlothExamplesPage runs, with --naming sloth, a promtool test per
// spec in testdata/sloth/examples/specs, each in the shape of one of
// Sloth's own examples (events, gauge counts, a raw ratio, disabled
// alerts, several documents, SLO labels and latency, the Kubernetes
// resource, OpenSLO): under a 10% error rate the pages fire, carrying the
// spec's labels. Every spec must have its test.
func TestSlothExamplesPage(t *testing.T) {
	t.Parallel()
	const dir = "testdata/sloth/examples"
	specs, err := filepath.Glob(filepath.Join(dir, "specs", "*.yaml"))
	if err != nil || len(specs) == 0 {
		t.Fatalf("no specs in %s/specs: %v", dir, err)
	}
	res, err := rules.Generate(mustCatalog(t, filepath.Join(dir, "specs")), rules.Options{Naming: rules.NamingSloth})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	mustWriteRules(t, out, res)
	args := []string{"test", "rules"}
	for _, spec := range specs {
		test := filepath.Join(dir, strings.TrimSuffix(filepath.Base(spec), ".yaml")+"_test.yaml")
		if _, err := os.Stat(test); err != nil {
			t.Errorf("spec %s has no promtool test: %v", spec, err)
			continue
		}
		args = append(args, mustCopy(t, test, out))
	}
	promtool(t, out, args...)
}

// TestSlothNamingTitle checks that every alert carries Sloth's title
// annotation, which Alertmanager templates written for Sloth print.
func TestSlothNamingTitle(t *testing.T) {
	res, err := rules.Generate(mustCatalog(t, slothSpec), rules.Options{Naming: rules.NamingSloth})
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, r := range res.Files[0].Groups[0].Rules {
		if r.Alert == "" {
			continue
		}
		alerts++
		want := "(" + r.Labels["sloth_severity"] + ") {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast."
		if got := r.Annotations["title"]; got != want {
			t.Errorf("%s %s: title %q, want %q", r.Alert, r.Labels["burn_window"], got, want)
		}
	}
	if alerts != 4 {
		t.Errorf("%d alerts, want 4", alerts)
	}
}
