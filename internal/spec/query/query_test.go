package query

import (
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/accord-slo/accord/internal/slo"
)

func TestCounter(t *testing.T) {
	tests := []struct {
		in, want  string
		shape     slo.QueryShape
		rewritten bool
		ok        bool
	}{
		{`http_requests_total{code="500"}`, `http_requests_total{code="500"}`, slo.ShapeCounter, false, true},
		{`sum(http_requests{k8s_cluster="prod",component="web"})`,
			`sum(increase(http_requests{k8s_cluster="prod",component="web"}[{{.window}}]))`, slo.ShapeTemplate, true, true},
		{`sum by (store) (pos_payments_total)`, `sum by (store) (increase(pos_payments_total[{{.window}}]))`, slo.ShapeTemplate, true, true},
		{`sum(pos_payments_total{code=~"5.."}) by (store, lane)`,
			`sum(increase(pos_payments_total{code=~"5.."}[{{.window}}])) by (store, lane)`, slo.ShapeTemplate, true, true},
		{"sum(\n  (requests_total)\n)", "sum(\n  (increase(requests_total[{{.window}}]))\n)", slo.ShapeTemplate, true, true},
		{`sum(sum by (a) (x))`, `sum(sum by (a) (increase(x[{{.window}}])))`, slo.ShapeTemplate, true, true},
		// an average of a counter, or a rate, is not a count of events
		{`avg(http_requests_total)`, `avg(http_requests_total)`, slo.ShapeCounter, false, false},
		{`sum(rate(x[5m]))`, `sum(rate(x[5m]))`, slo.ShapeCounter, false, false},
		{`sum(x) / sum(y)`, `sum(x) / sum(y)`, slo.ShapeCounter, false, false},
		{`sum(x{`, `sum(x{`, slo.ShapeCounter, false, false},
	}
	for _, tt := range tests {
		q, rewritten, ok := Counter(tt.in)
		if q.Expr != tt.want || q.Shape != tt.shape || rewritten != tt.rewritten || ok != tt.ok {
			t.Errorf("Counter(%q) = %q %s %v %v, want %q %s %v %v", tt.in, q.Expr, q.Shape, rewritten, ok, tt.want, tt.shape, tt.rewritten, tt.ok)
		}
		if rewritten {
			// the rewrite must be PromQL once the window is filled in
			expr := strings.ReplaceAll(q.Expr, slo.WindowPlaceholder, "1m")
			if _, err := parser.NewParser(parser.Options{}).ParseExpr(expr); err != nil {
				t.Errorf("rewrite of %q does not parse: %v", tt.in, err)
			}
		}
	}
}

func TestNormalizeWindow(t *testing.T) {
	for in, want := range map[string]string{
		`rate(x[{{.Window}}])`:     `rate(x[{{.window}}])`,
		`rate(x[{{ .window }}])`:   `rate(x[{{.window}}])`,
		`rate(x[{{- .window -}}])`: `rate(x[{{.window}}])`,
		`rate(x[{{.window}}])`:     `rate(x[{{.window}}])`,
		`rate(x[{{.other}}])`:      `rate(x[{{.other}}])`,
	} {
		if got := NormalizeWindow(in); got != want {
			t.Errorf("NormalizeWindow(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGrouping(t *testing.T) {
	tests := []struct {
		in    string
		want  string
		known bool
	}{
		{`sum(rate(http_requests_total{code=~"5.."}[{{.window}}])) by (request_host)`, "request_host", true},
		{`sum by (b, a) (rate(x[{{.window}}]))`, "a,b", true},
		{`sum(rate(x[{{.window}}]))`, "", true},
		{`(sum(rate(c[{{.window}}])) by (h) - sum(rate(b{le="0.4"}[{{.window}}])) by (h))`, "h", true},
		{`1 - (sum(rate(ok[{{.window}}])) by (h) / sum(rate(all[{{.window}}])) by (h))`, "h", true},
		{`clamp_min(sum by (h) (rate(x[{{.Window}}])), 0)`, "h", true},
		{`histogram_quantile(0.99, sum by (le, store) (rate(x_bucket[5m])))`, "store", true},
		{`sum(rate(a[{{.window}}])) by (h) / sum(rate(b[{{.window}}]))`, "", false},
		{`sum without (pod) (rate(x[5m]))`, "", false},
		{`x`, "", false},
	}
	for _, tt := range tests {
		got, known := Grouping(tt.in)
		if strings.Join(got, ",") != tt.want || known != tt.known {
			t.Errorf("Grouping(%q) = %v %v, want %q %v", tt.in, got, known, tt.want, tt.known)
		}
	}
}

func TestGroupBy(t *testing.T) {
	q := func(e string) *slo.Query { return &slo.Query{Expr: e, Shape: slo.ShapeTemplate} }
	got, mismatch := GroupBy(map[string]*slo.Query{
		"bad":   q(`sum(rate(http_requests_total{code=~"5.."}[{{.window}}])) by (request_host)`),
		"total": q(`sum(rate(http_requests_total[{{.window}}])) by (request_host)`),
	})
	if strings.Join(got, ",") != "request_host" || mismatch != "" {
		t.Errorf("GroupBy = %v %q", got, mismatch)
	}
	got, mismatch = GroupBy(map[string]*slo.Query{
		"bad":   q(`sum(rate(e[{{.window}}])) by (host)`),
		"total": q(`sum(rate(t[{{.window}}]))`),
	})
	if got != nil || mismatch != "the bad query keeps (host) but the total query keeps no labels" {
		t.Errorf("GroupBy of a mismatch = %v %q", got, mismatch)
	}
}

func FuzzCounter(f *testing.F) {
	for _, s := range []string{`sum(x)`, `sum by (a) (x{b="c"})`, `x`, "sum(\n(x))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		q, rewritten, _ := Counter(expr)
		if !rewritten {
			return
		}
		filled := strings.ReplaceAll(q.Expr, slo.WindowPlaceholder, "1m")
		if _, err := parser.NewParser(parser.Options{}).ParseExpr(filled); err != nil {
			t.Errorf("Counter(%q) = %q, which does not parse: %v", expr, q.Expr, err)
		}
	})
}
