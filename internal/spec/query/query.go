// Package query rewrites the PromQL that spec files carry into the shapes
// Accord measures, and reads what a query says about grouping. The format
// readers share it: counters written as an aggregation of a selector,
// window placeholders as other tools spell them, and a Sloth query's
// `sum(...) by (label)` that makes one series per label value.
package query

import (
	"regexp"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/accord-slo/accord/internal/slo"
)

// placeholder matches the window placeholder as tools write it:
// {{.window}}, {{ .window }}, {{.Window}} (OpenSLO tooling).
var placeholder = regexp.MustCompile(`\{\{-?\s*\.[Ww]indow\s*-?\}\}`)

// NormalizeWindow rewrites every spelling of the window placeholder to
// slo.WindowPlaceholder.
func NormalizeWindow(expr string) string {
	return placeholder.ReplaceAllString(expr, slo.WindowPlaceholder)
}

// HasWindow reports whether expr holds a window placeholder in any
// spelling.
func HasWindow(expr string) bool { return placeholder.MatchString(expr) }

// checkWindow stands in for the placeholder when a template is parsed.
const checkWindow = "5m"

func parse(expr string) (parser.Expr, error) {
	return parser.NewParser(parser.Options{}).ParseExpr(strings.ReplaceAll(NormalizeWindow(expr), slo.WindowPlaceholder, checkWindow))
}

// Parses reports whether expr is PromQL, with any window placeholder
// filled in.
func Parses(expr string) bool {
	_, err := parse(expr)
	return err == nil
}

// Counter reads a query of counter events. A series selector stays a
// counter, to which Accord applies increase() itself. A sum of a selector
// (sum(x), sum by (a) (x), sum(x) by (a), nested sums) is how most files
// write it: it becomes a template with the increase inside the
// aggregation, sum(increase(x[{{.window}}])). ok is false for anything
// else, which the caller reports.
func Counter(expr string) (q slo.Query, rewritten, ok bool) {
	// parsed as written, so that positions index expr
	parsed, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return slo.Query{Expr: expr, Shape: slo.ShapeCounter}, false, false
	}
	if _, isSel := parsed.(*parser.VectorSelector); isSel {
		return slo.Query{Expr: expr, Shape: slo.ShapeCounter}, false, true
	}
	sel := summedSelector(parsed)
	if sel == nil {
		return slo.Query{Expr: expr, Shape: slo.ShapeCounter}, false, false
	}
	pos := sel.PositionRange()
	start, end := int(pos.Start), int(pos.End)
	if start < 0 || end > len(expr) || start >= end {
		return slo.Query{Expr: expr, Shape: slo.ShapeCounter}, false, false
	}
	out := expr[:start] + "increase(" + expr[start:end] + "[" + slo.WindowPlaceholder + "])" + expr[end:]
	return slo.Query{Expr: out, Shape: slo.ShapeTemplate}, true, true
}

// summedSelector returns the selector inside sum aggregations (through
// parentheses), or nil when the expression is anything else.
func summedSelector(e parser.Expr) *parser.VectorSelector {
	switch n := e.(type) {
	case *parser.ParenExpr:
		return summedSelector(n.Expr)
	case *parser.AggregateExpr:
		if n.Op != parser.SUM {
			return nil
		}
		if sel, ok := unparen(n.Expr).(*parser.VectorSelector); ok {
			return sel
		}
		return summedSelector(n.Expr)
	}
	return nil
}

func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// Grouping returns the labels a query's result keeps, as its outermost
// aggregation says (`sum(...) by (host)`, `sum by (host) (...)`): nil for a
// query that aggregates everything away, and known is false when the query
// does not say (a bare selector, a `without` aggregation, an unparsable
// query).
func Grouping(expr string) (labels []string, known bool) {
	parsed, err := parse(expr)
	if err != nil {
		return nil, false
	}
	return grouping(parsed)
}

func grouping(e parser.Expr) ([]string, bool) {
	switch n := e.(type) {
	case *parser.ParenExpr:
		return grouping(n.Expr)
	case *parser.AggregateExpr:
		if n.Without {
			return nil, false
		}
		labels := slices.Clone(n.Grouping)
		slices.Sort(labels)
		return labels, true
	case *parser.BinaryExpr:
		if n.LHS.Type() == parser.ValueTypeScalar {
			return grouping(n.RHS)
		}
		if n.RHS.Type() == parser.ValueTypeScalar {
			return grouping(n.LHS)
		}
		l, lok := grouping(n.LHS)
		r, rok := grouping(n.RHS)
		if lok && rok && slices.Equal(l, r) {
			return l, true
		}
	case *parser.Call:
		// Functions such as clamp_min or abs keep their one vector
		// argument's labels.
		var vec parser.Expr
		for _, a := range n.Args {
			if a.Type() == parser.ValueTypeVector {
				if vec != nil {
					return nil, false
				}
				vec = a
			}
		}
		if vec != nil {
			labels, known := grouping(vec)
			if n.Func.Name == "histogram_quantile" {
				// the buckets' le is what the quantile folds away
				labels = slices.DeleteFunc(labels, func(l string) bool { return l == "le" })
			}
			return labels, known
		}
	}
	return nil, false
}

// GroupBy returns the labels every query of an indicator keeps alike, so
// that an SLO whose queries say `by (host)` gets one budget per host as
// the tool it came from made one series per host. mismatch names two
// queries that keep different labels; the SLO then stays ungrouped.
func GroupBy(queries map[string]*slo.Query) (labels []string, mismatch string) {
	roles := make([]string, 0, len(queries))
	for r := range queries {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	first := ""
	for _, role := range roles {
		g, known := Grouping(queries[role].Expr)
		if !known {
			g = nil
		}
		if first == "" {
			first, labels = role, g
			continue
		}
		if !slices.Equal(g, labels) {
			return nil, "the " + first + " query keeps " + describe(labels) + " but the " + role + " query keeps " + describe(g)
		}
	}
	return labels, ""
}

func describe(labels []string) string {
	if len(labels) == 0 {
		return "no labels"
	}
	return "(" + strings.Join(labels, ", ") + ")"
}
