package rules

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

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

// placeholder stands in for a template's {{.window}} while it is parsed,
// so that the ranges it fills can be told from ranges the query writes.
const placeholder = time.Minute + time.Millisecond

// countExpr turns an event query into PromQL for the events of the last
// minute, summed by the SLO's group-by labels. A counter, and every
// rate() or increase() a template applies to {{.window}}, becomes the
// counter's increase since the evaluation a minute ago (increments); an
// instant query is a per-second rate, times 60. A non-nil le selects one
// histogram bucket.
func countExpr(q *slo.Query, by []string, le *labels.Matcher) (string, error) {
	switch q.Shape {
	case slo.ShapeCounter:
		e, err := parse(strings.TrimSpace(q.Expr))
		if err != nil {
			return "", err
		}
		vs, ok := e.(*parser.VectorSelector)
		if !ok {
			return "", fmt.Errorf("counter %q is not a series selector", q.Expr)
		}
		if le != nil {
			vs.LabelMatchers = append(vs.LabelMatchers, le)
		}
		return aggregate("sum", by, increments(vs))
	case slo.ShapeTemplate:
		e, err := template(q.Expr, le)
		if err != nil {
			return "", err
		}
		return aggregate("sum", by, e.String())
	case slo.ShapeInstant:
		e, err := parse(strings.TrimSpace(q.Expr))
		if err != nil {
			return "", err
		}
		if le != nil {
			addMatcher(e, le)
		}
		s, err := aggregate("sum", by, e.String())
		return s + " * 60", err
	}
	return "", fmt.Errorf("unknown shape %q of %q", q.Shape, q.Expr)
}

// valueExpr turns a sampled query (a gauge or an error ratio) into PromQL
// for its value this minute, averaged by the SLO's group-by labels. A
// template's rates become increments, as in countExpr, and any other
// {{.window}} becomes 1m.
func valueExpr(q *slo.Query, by []string) (string, error) {
	switch q.Shape {
	case slo.ShapeInstant:
		e, err := parse(strings.TrimSpace(q.Expr))
		if err != nil {
			return "", err
		}
		return aggregate("avg", by, e.String())
	case slo.ShapeTemplate:
		e, err := template(q.Expr, nil)
		if err != nil {
			return "", err
		}
		return aggregate("avg", by, e.String())
	case slo.ShapeCounter:
		return "", fmt.Errorf("%q is a counter, but a sampled value needs an instant or template query", q.Expr)
	}
	return "", fmt.Errorf("unknown shape %q of %q", q.Shape, q.Expr)
}

// template parses a template query with its window placeholder, turning
// rate() and increase() over the placeholder into increments and any
// other range of it into 1m.
func template(expr string, le *labels.Matcher) (parser.Expr, error) {
	e, err := parse(strings.ReplaceAll(strings.TrimSpace(expr), slo.WindowPlaceholder, dur(placeholder)))
	if err != nil {
		return nil, err
	}
	if le != nil {
		addMatcher(e, le)
	}
	e = rewrite(e)
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.MatrixSelector:
			if n.Range == placeholder {
				n.Range = EvalStep
			}
		case *parser.SubqueryExpr:
			if n.Range == placeholder {
				n.Range = EvalStep
			}
		}
		return nil
	})
	return e, nil
}

// rewrite replaces, below e, every rate() and increase() of a range the
// placeholder fills with the selector's increments.
func rewrite(e parser.Expr) parser.Expr {
	switch n := e.(type) {
	case *parser.Call:
		if n.Func.Name == "rate" || n.Func.Name == "increase" {
			if ms, ok := n.Args[0].(*parser.MatrixSelector); ok && ms.Range == placeholder {
				inc, err := parse(increments(ms.VectorSelector.(*parser.VectorSelector)))
				if err == nil {
					return inc
				}
			}
		}
		for i, a := range n.Args {
			n.Args[i] = rewrite(a)
		}
	case *parser.AggregateExpr:
		n.Expr = rewrite(n.Expr)
	case *parser.BinaryExpr:
		n.LHS, n.RHS = rewrite(n.LHS), rewrite(n.RHS)
	case *parser.ParenExpr:
		n.Expr = rewrite(n.Expr)
	case *parser.UnaryExpr:
		n.Expr = rewrite(n.Expr)
	case *parser.SubqueryExpr:
		n.Expr = rewrite(n.Expr)
	case *parser.StepInvariantExpr:
		n.Expr = rewrite(n.Expr)
	}
	return e
}

// increments is PromQL for how much each series of a counter grew since
// the evaluation a minute before: the difference of its latest samples,
// or after a reset its value since the reset. Added up over consecutive
// evaluations the differences telescope, so a window of them counts the
// counter's growth between two samples exactly, with no extrapolation. A
// series that is new this minute counts from its next sample, as rate()
// does.
func increments(vs *parser.VectorSelector) string {
	now := vs.String()
	before := *vs
	before.OriginalOffset += EvalStep
	ago := before.String()
	return "(" + now + " - " + ago + " >= 0 or " + now + " and " + ago + ")"
}

// addMatcher adds m to every series selector in e.
func addMatcher(e parser.Expr, m *labels.Matcher) {
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			vs.LabelMatchers = append(vs.LabelMatchers, m)
		}
		return nil
	})
}

// aggregate wraps expr as `op by (labels) (expr)`, as the engine's source
// does. An expression that already yields the series wanted is left as it
// is, so Sloth's queries read as Sloth writes them: without labels, one
// that yields one series (sum(rate(x[5m])), or a ratio of two such); with
// them, one aggregated by exactly those labels.
func aggregate(op string, by []string, expr string) (string, error) {
	e, err := parse(expr)
	if err != nil {
		return "", err
	}
	if g, ok := grouping(e); ok && slices.Equal(g, slices.Sorted(slices.Values(by))) {
		return expr, nil
	}
	if len(by) == 0 {
		return op + "(" + expr + ")", nil
	}
	return op + " by (" + strings.Join(by, ", ") + ") (" + expr + ")", nil
}

// grouping returns the labels e's series are aggregated by, sorted, when
// e is an aggregation by labels (none for sum(...)), a number, or
// arithmetic on those that agree.
func grouping(e parser.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *parser.ParenExpr:
		return grouping(e.Expr)
	case *parser.AggregateExpr:
		if e.Without {
			return nil, false
		}
		return slices.Sorted(slices.Values(e.Grouping)), true
	case *parser.NumberLiteral:
		return nil, true
	case *parser.BinaryExpr:
		l, okL := grouping(e.LHS)
		r, okR := grouping(e.RHS)
		if !okL || !okR {
			return nil, false
		}
		if _, num := e.LHS.(*parser.NumberLiteral); num {
			return r, true
		}
		if _, num := e.RHS.(*parser.NumberLiteral); num {
			return l, true
		}
		return l, slices.Equal(l, r)
	}
	return nil, false
}

// queryGrouping returns the labels every query of the indicator is
// already aggregated by (Sloth's `sum(rate(…)) by (host)`), or none when
// they disagree or do not aggregate.
func queryGrouping(ind slo.Indicator) []string {
	var out []string
	seen := false
	for _, q := range ind.Queries() {
		if q.Shape == slo.ShapeCounter {
			return nil
		}
		e, err := parse(strings.ReplaceAll(q.Expr, slo.WindowPlaceholder, "1m"))
		if err != nil {
			return nil
		}
		g, ok := grouping(e)
		if !ok || seen && !slices.Equal(g, out) {
			return nil
		}
		out, seen = g, true
	}
	return out
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
