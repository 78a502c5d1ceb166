// Package prometheus speaks to Prometheus-compatible backends: it checks the
// PromQL that SLO indicators carry and, in time, queries and generates rules.
package prometheus

import (
	"fmt"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/accord-slo/accord/internal/slo"
)

// checkWindow stands in for {{.window}} when a template is parsed.
const checkWindow = "5m"

// CheckQuery parses q as Accord will run it and says what is wrong with
// it: templates must carry {{.window}}, counters and histograms must be
// plain series selectors (Accord applies increase() itself).
func CheckQuery(q slo.Query) error {
	p := parser.NewParser(parser.Options{})
	expr := strings.TrimSpace(q.Expr)
	if expr == "" {
		return fmt.Errorf("query is empty")
	}
	switch q.Shape {
	case slo.ShapeTemplate:
		if !strings.Contains(expr, slo.WindowPlaceholder) {
			return fmt.Errorf("template query has no %s placeholder for the window", slo.WindowPlaceholder)
		}
		expr = strings.ReplaceAll(expr, slo.WindowPlaceholder, checkWindow)
	case slo.ShapeCounter:
		parsed, err := p.ParseExpr(expr)
		if err != nil {
			return fmt.Errorf("invalid PromQL: %w", err)
		}
		if _, ok := parsed.(*parser.VectorSelector); !ok {
			return fmt.Errorf("a counter must be a series selector such as http_requests_total{code=~\"5..\"}, not %s expression %q; write a template query with %s for anything else", parsed.Type(), expr, slo.WindowPlaceholder)
		}
		return nil
	case slo.ShapeInstant:
	default:
		return fmt.Errorf("unknown query shape %q", q.Shape)
	}
	if strings.Contains(expr, "{{") {
		return fmt.Errorf("query has a template placeholder other than %s", slo.WindowPlaceholder)
	}
	if _, err := p.ParseExpr(expr); err != nil {
		return fmt.Errorf("invalid PromQL: %w", err)
	}
	return nil
}
