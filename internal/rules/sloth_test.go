package rules_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/accord-slo/accord/internal/rules"
)

const slothSpec = "../spec/sloth/testdata/good/payments.yaml"

// slothWindows are the windows Sloth records slo:sli_error:ratio_rate…
// for, for a 30-day SLO.
var slothWindows = []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"}

// slothAlerts are Sloth's multi-window, multi-burn-rate rules (the SRE
// Workbook's) as severity, factor, long and short window.
var slothAlerts = []string{"page 14.4 1h 5m", "page 6 6h 30m", "ticket 3 1d 2h", "ticket 1 3d 6h"}

// TestSlothFactorsWindowsAndExpressions checks that a Sloth spec gets the
// rules Sloth documents: the same recorded windows, the same alert factors
// and windows, and 5-minute error and total rates built from exactly the
// spec's queries.
func TestSlothFactorsWindowsAndExpressions(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, slothSpec))
	g := findGroup(t, res, "accord:payment-gateway:requests-availability")
	var windows, alerts []string
	exprs := map[string]string{}
	for _, r := range g.Rules {
		if w, ok := strings.CutPrefix(r.Record, "slo:sli_error:ratio_rate"); ok {
			windows = append(windows, w)
		}
		if r.Record != "" {
			exprs[r.Record] = r.Expr
			continue
		}
		long, short, factor, budget := burnCondition(t, r.Expr)
		if budget != 0.001 {
			t.Errorf("alert %s divides by a budget of %g, want 0.001", r.Labels["burn_window"], budget)
		}
		alerts = append(alerts, r.Labels["severity"]+" "+strconv.FormatFloat(factor, 'f', -1, 64)+" "+long+" "+short)
		if r.Alert != "PaymentGatewayHighErrorRate" {
			t.Errorf("alert name %q, want Sloth's alerting.name", r.Alert)
		}
	}
	slices.Sort(windows)
	want := slices.Sorted(slices.Values(slothWindows))
	if !slices.Equal(windows, want) {
		t.Errorf("recorded windows %v, want Sloth's %v", windows, want)
	}
	if !slices.Equal(alerts, slothAlerts) {
		t.Errorf("alerts %q, want Sloth's %q", alerts, slothAlerts)
	}

	// Sloth's 5m ratio is (error_query)/(total_query) with the window 5m;
	// the error rate here is the error query (or 0 while it has no series).
	const errQuery = `sum(rate(http_request_duration_seconds_count{job="payment-gateway",code=~"(5..|429)"}[5m]))`
	const totalQuery = `sum(rate(http_request_duration_seconds_count{job="payment-gateway"}[5m]))`
	errExpr := mustParse(t, exprs[rules.ErrorRate5m])
	or, ok := errExpr.(*parser.BinaryExpr)
	if !ok || or.Op != parser.LOR || or.LHS.String() != mustParse(t, errQuery).String() {
		t.Errorf("error rate %s does not start with Sloth's error query %s", exprs[rules.ErrorRate5m], errQuery)
	}
	if got := mustParse(t, exprs[rules.TotalRate5m]).String(); got != mustParse(t, totalQuery).String() {
		t.Errorf("total rate %s, want Sloth's total query %s", got, totalQuery)
	}
	if got := exprs[rules.ErrorRatio(5*time.Minute)]; !strings.HasPrefix(got, rules.ErrorRate5m+"{") || !strings.Contains(got, " / "+rules.TotalRate5m+"{") {
		t.Errorf("5m error ratio %s is not error rate / total rate", got)
	}

	// A raw error ratio query is recorded as it is, at 5m.
	raw := findGroup(t, res, "accord:payment-gateway:settlement-ratio").Rules[0]
	const ratioQuery = `sum(rate(settlement_jobs_total{outcome="failed"}[5m])) / sum(rate(settlement_jobs_total[5m]))`
	if raw.Record != rules.ErrorRate5m || !strings.Contains(mustParse(t, raw.Expr).String(), mustParse(t, ratioQuery).String()) {
		t.Errorf("settlement-ratio records %s = %s, want Sloth's error_ratio_query %s", raw.Record, raw.Expr, ratioQuery)
	}
}

// TestSlothEquivalence runs testdata/sloth/equivalence_test.yaml: Sloth's
// own rules and Accord's, over the same traffic, record the same error
// ratios and fire the same alerts.
func TestSlothEquivalence(t *testing.T) {
	dir := t.TempDir()
	mustWriteRules(t, dir, mustGenerate(t, mustCatalog(t, slothSpec)))
	mustCopy(t, "testdata/sloth/sloth.rules.yaml", dir)
	promtool(t, dir, "test", "rules", mustCopy(t, "testdata/sloth/equivalence_test.yaml", dir))
}

func findGroup(t *testing.T, res *rules.Result, name string) rules.Group {
	t.Helper()
	for _, f := range res.Files {
		for _, g := range f.Groups {
			if g.Name == name {
				return g
			}
		}
	}
	t.Fatalf("no group %s", name)
	return rules.Group{}
}

func mustParse(t *testing.T, expr string) parser.Expr {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		t.Fatalf("parse %q: %v", expr, err)
	}
	return e
}

// burnCondition reads an alert's `long / budget > factor and short /
// budget > factor` back into its windows, factor and budget. The budget
// condition Accord adds after them (which Sloth does not have) is left
// out.
func burnCondition(t *testing.T, expr string) (long, short string, factor, budget float64) {
	t.Helper()
	isBurn := func(e parser.Expr) bool {
		gt, ok := e.(*parser.BinaryExpr)
		if !ok || gt.Op != parser.GTR {
			return false
		}
		div, ok := gt.LHS.(*parser.BinaryExpr)
		return ok && div.Op == parser.DIV
	}
	and, ok := mustParse(t, expr).(*parser.BinaryExpr)
	for ok && and.Op == parser.LAND && !isBurn(and.RHS) {
		and, ok = and.LHS.(*parser.BinaryExpr)
	}
	if !ok || and.Op != parser.LAND {
		t.Fatalf("alert %q is not an and of two conditions", expr)
	}
	side := func(e parser.Expr) (string, float64, float64) {
		gt, ok := e.(*parser.BinaryExpr)
		if !ok || gt.Op != parser.GTR {
			t.Fatalf("condition %s is not a comparison", e)
		}
		div, ok := gt.LHS.(*parser.BinaryExpr)
		if !ok || div.Op != parser.DIV {
			t.Fatalf("condition %s does not divide by the budget", e)
		}
		name := div.LHS.(*parser.VectorSelector).Name
		return strings.TrimPrefix(name, "slo:sli_error:ratio_rate"), gt.RHS.(*parser.NumberLiteral).Val, div.RHS.(*parser.NumberLiteral).Val
	}
	long, factor, budget = side(and.LHS)
	short, f2, b2 := side(and.RHS)
	if f2 != factor || b2 != budget {
		t.Errorf("alert %q compares its windows differently", expr)
	}
	return long, short, factor, budget
}
