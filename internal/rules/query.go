package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/accord-slo/accord/internal/slo"
)

// parse parses PromQL, saying which expression failed.
func parse(expr string) (parser.Expr, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return nil, fmt.Errorf("parse PromQL %q: %w", expr, err)
	}
	return e, nil
}

// rangeExpr turns an event query into PromQL for events per second over
// window, summed by the SLO's group-by labels: rate() over a counter,
// the template with the window filled in, or the instant query as it is
// (a per-second rate). A non-empty le selects one histogram bucket.
func rangeExpr(q *slo.Query, window string, by []string, le *labels.Matcher) (string, error) {
	expr := strings.TrimSpace(q.Expr)
	var inner string
	switch q.Shape {
	case slo.ShapeCounter:
		e, err := parse(expr)
		if err != nil {
			return "", err
		}
		vs, ok := e.(*parser.VectorSelector)
		if !ok {
			return "", fmt.Errorf("counter %q is not a series selector", expr)
		}
		if le != nil {
			vs.LabelMatchers = append(vs.LabelMatchers, le)
			expr = vs.String()
		}
		inner = "rate(" + expr + "[" + window + "])"
	case slo.ShapeTemplate, slo.ShapeInstant:
		expr = strings.ReplaceAll(expr, slo.WindowPlaceholder, window)
		if le != nil {
			var err error
			if expr, err = withMatcher(expr, le); err != nil {
				return "", err
			}
		}
		inner = expr
	default:
		return "", fmt.Errorf("unknown shape %q of %q", q.Shape, q.Expr)
	}
	return aggregate("sum", by, inner)
}

// valueExpr turns a sampled query (a gauge or an error ratio) into PromQL
// for its value, averaged by the SLO's group-by labels; window fills a
// template's placeholder.
func valueExpr(q *slo.Query, window string, by []string) (string, error) {
	expr := strings.TrimSpace(q.Expr)
	switch q.Shape {
	case slo.ShapeInstant:
	case slo.ShapeTemplate:
		expr = strings.ReplaceAll(expr, slo.WindowPlaceholder, window)
	case slo.ShapeCounter:
		return "", fmt.Errorf("%q is a counter, but a sampled value needs an instant or template query", q.Expr)
	default:
		return "", fmt.Errorf("unknown shape %q of %q", q.Shape, q.Expr)
	}
	return aggregate("avg", by, expr)
}

// aggregate wraps expr as `op by (labels) (expr)`, as the engine's source
// does. Without labels, an expression that already yields one series
// (sum(rate(x[5m])), or a ratio of two such) is left as it is, so Sloth's
// queries read as Sloth writes them.
func aggregate(op string, by []string, expr string) (string, error) {
	e, err := parse(expr)
	if err != nil {
		return "", err
	}
	if len(by) == 0 {
		if single(e) {
			return expr, nil
		}
		return op + "(" + expr + ")", nil
	}
	return op + " by (" + strings.Join(by, ", ") + ") (" + expr + ")", nil
}

// single reports whether e yields at most one series without labels: an
// aggregation without grouping, a number, or arithmetic on those.
func single(e parser.Expr) bool {
	switch e := e.(type) {
	case *parser.ParenExpr:
		return single(e.Expr)
	case *parser.AggregateExpr:
		return len(e.Grouping) == 0 && !e.Without
	case *parser.NumberLiteral:
		return true
	case *parser.BinaryExpr:
		return single(e.LHS) && single(e.RHS)
	}
	return false
}

// withMatcher adds m to every series selector in expr.
func withMatcher(expr string, m *labels.Matcher) (string, error) {
	e, err := parse(expr)
	if err != nil {
		return "", err
	}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			vs.LabelMatchers = append(vs.LabelMatchers, m)
		}
		return nil
	})
	return e.String(), nil
}

// bucketMatcher selects the histogram bucket whose bound is seconds. A
// whole number of seconds matches both ways exporters write it (le="2"
// and le="2.0"; Prometheus 3 stores the latter).
func bucketMatcher(seconds float64) *labels.Matcher {
	le := strconv.FormatFloat(seconds, 'f', -1, 64)
	if seconds == math.Trunc(seconds) {
		return labels.MustNewMatcher(labels.MatchRegexp, "le", le+`|`+le+`\.0`)
	}
	return labels.MustNewMatcher(labels.MatchEqual, "le", le)
}

// infMatcher selects the +Inf bucket: every event.
func infMatcher() *labels.Matcher {
	return labels.MustNewMatcher(labels.MatchEqual, "le", "+Inf")
}

// comparison writes a boolean indicator's test as a PromQL bool
// comparison operator and its value: ">= bool 1".
func comparison(c slo.Comparison) (string, error) {
	ops := map[slo.Op]string{slo.OpLT: "<", slo.OpLTE: "<=", slo.OpGT: ">", slo.OpGTE: ">="}
	op, ok := ops[c.Op]
	if !ok {
		return "", fmt.Errorf("unknown comparison %q", c.Op)
	}
	return op + " bool " + num(c.Value), nil
}
