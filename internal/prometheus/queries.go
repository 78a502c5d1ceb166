package prometheus

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// resolution is the span one query point counts: a minute, or an hour for
// backfilling the part of a window the engine keeps per hour anyway.
type resolution struct {
	minutes int64
	rng     string // PromQL range, e.g. "1m"
}

var (
	byMinute = resolution{1, "1m"}
	byHour   = resolution{60, "1h"}
)

// leLabel is a histogram bucket's upper bound label.
const leLabel = "le"

// role is one query of an indicator and its PromQL as run per minute and
// per hour.
type role struct {
	name     string
	expr     string
	hourExpr string
}

// at is the role's PromQL at a resolution.
func (r role) at(res resolution) string {
	if res == byHour {
		return r.hourExpr
	}
	return r.expr
}

// plan is an SLO's indicator turned into PromQL that counts one minute,
// and the rule that turns the query results into counts.
type plan struct {
	kind    slo.IndicatorKind
	groupBy []string
	roles   []role
	// threshold is a latency indicator's good bucket bound, in seconds.
	threshold float64
	goodWhen  slo.Comparison
}

// newPlan builds the per-minute queries of an SLO's indicator.
func newPlan(s slo.SLO) (*plan, error) {
	ind := s.Indicator
	p := &plan{kind: ind.Kind, groupBy: s.GroupBy, goodWhen: slo.DefaultGoodWhen()}
	add := func(name string, q *slo.Query, build func(*slo.Query, []string, resolution) (string, error), labels []string) error {
		expr, err := build(q, labels, byMinute)
		if err != nil {
			return fmt.Errorf("%s query: %w", name, err)
		}
		hourExpr, _ := build(q, labels, byHour)
		p.roles = append(p.roles, role{name, expr, hourExpr})
		return nil
	}
	var err error
	switch ind.Kind {
	case slo.KindRatio:
		switch {
		case ind.Total != nil && (ind.Good != nil || ind.Bad != nil):
			if ind.Good != nil {
				err = add("good", ind.Good, countQuery, s.GroupBy)
			} else {
				err = add("bad", ind.Bad, countQuery, s.GroupBy)
			}
			if err == nil {
				err = add("total", ind.Total, countQuery, s.GroupBy)
			}
		case ind.ErrorRatio != nil:
			err = add("errorRatio", ind.ErrorRatio, valueQuery, s.GroupBy)
		default:
			err = fmt.Errorf("ratio indicator needs good or bad with total, or errorRatio")
		}
	case slo.KindLatency:
		if ind.Histogram == nil || ind.Threshold <= 0 {
			return nil, fmt.Errorf("latency indicator needs a histogram query and a positive threshold")
		}
		p.threshold = ind.Threshold.Seconds()
		err = add("histogram", ind.Histogram, countQuery, append(slices.Clone(s.GroupBy), leLabel))
	case slo.KindBoolean:
		if ind.Gauge == nil {
			return nil, fmt.Errorf("boolean indicator needs a gauge query")
		}
		if ind.GoodWhen != nil {
			p.goodWhen = *ind.GoodWhen
		}
		err = add("gauge", ind.Gauge, valueQuery, s.GroupBy)
	default:
		err = fmt.Errorf("unknown indicator kind %q", ind.Kind)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// aggregate wraps expr as `op by (labels) (expr)`, or `op(expr)` when
// there are no labels.
func aggregate(op string, labels []string, expr string) string {
	if len(labels) == 0 {
		return op + "(" + expr + ")"
	}
	return op + " by (" + strings.Join(labels, ", ") + ") (" + expr + ")"
}

// countQuery is PromQL for the number of events q counts in the minute
// (or hour) before its evaluation time, summed by labels.
func countQuery(q *slo.Query, labels []string, res resolution) (string, error) {
	expr := strings.TrimSpace(q.Expr)
	switch q.Shape {
	case slo.ShapeCounter:
		return aggregate("sum", labels, "increase("+expr+"["+res.rng+"])"), nil
	case slo.ShapeTemplate:
		return aggregate("sum", labels, strings.ReplaceAll(expr, slo.WindowPlaceholder, res.rng)), nil
	case slo.ShapeInstant:
		// An instant query of events is a per-second rate.
		return aggregate("sum", labels, expr) + " * " + strconv.FormatInt(60*res.minutes, 10), nil
	}
	return "", fmt.Errorf("unknown shape %q of %q", q.Shape, q.Expr)
}

// valueQuery is PromQL for a value sampled at the end of a minute (a gauge
// or an error ratio), averaged by labels.
func valueQuery(q *slo.Query, labels []string, res resolution) (string, error) {
	expr := strings.TrimSpace(q.Expr)
	switch q.Shape {
	case slo.ShapeInstant:
		return aggregate("avg", labels, expr), nil
	case slo.ShapeTemplate:
		return aggregate("avg", labels, strings.ReplaceAll(expr, slo.WindowPlaceholder, res.rng)), nil
	case slo.ShapeCounter:
		return "", fmt.Errorf("%q is a counter, but a sampled value needs an instant or template query", q.Expr)
	}
	return "", fmt.Errorf("unknown shape %q of %q", q.Shape, q.Expr)
}

// values holds a query's results by minute and group key.
type values map[valueKey]float64

// valueKey is a minute and a group key.
type valueKey struct {
	minute int64
	group  string
}

// compare orders keys by minute, then group.
func (k valueKey) compare(o valueKey) int {
	if k.minute != o.minute {
		return cmp.Compare(k.minute, o.minute)
	}
	return strings.Compare(k.group, o.group)
}

// groupKey is the engine's key of a result series' group labels.
func (p *plan) groupKey(metric map[string]string) string {
	labels := map[string]string{}
	for _, l := range p.groupBy {
		if v := metric[l]; v != "" {
			labels[l] = v
		}
	}
	return engine.GroupKey(labels)
}

// collect indexes series by the first minute each point counts and by
// group, keeping minutes first to last and dropping NaN and infinite
// samples. Counts below 0 (a counter reset seen by increase) become 0.
func (p *plan) collect(ss []series, first, last int64, count bool, res resolution) values {
	out := values{}
	for _, s := range ss {
		g := p.groupKey(s.metric)
		for _, pt := range s.points {
			m := pt.t/60 - res.minutes
			if m < first || m > last || math.IsNaN(pt.v) || math.IsInf(pt.v, 0) {
				continue
			}
			v := pt.v
			if count && v < 0 {
				v = 0
			}
			out[valueKey{m, g}] += v
		}
	}
	return out
}

// buckets splits a histogram's results into the threshold bucket and the
// +Inf bucket; it fails when the series have no bucket at the threshold.
func (p *plan) buckets(ss []series, first, last int64, res resolution) (good, total values, err error) {
	var goodSS, totalSS []series
	seen := map[string]bool{}
	for _, s := range ss {
		le := s.metric[leLabel]
		seen[le] = true
		b, err := strconv.ParseFloat(le, 64)
		switch {
		case err != nil:
			continue
		case math.IsInf(b, 1):
			totalSS = append(totalSS, s)
		case sameBound(b, p.threshold):
			goodSS = append(goodSS, s)
		}
	}
	if len(ss) > 0 && len(goodSS) == 0 {
		les := make([]string, 0, len(seen))
		for le := range seen {
			les = append(les, strconv.Quote(le))
		}
		slices.Sort(les)
		return nil, nil, fmt.Errorf("histogram has no bucket le=%q for the threshold; its buckets are le=%s",
			strconv.FormatFloat(p.threshold, 'f', -1, 64), strings.Join(les, ", "))
	}
	return p.collect(goodSS, first, last, true, res), p.collect(totalSS, first, last, true, res), nil
}

// sameBound reports whether a bucket bound equals the threshold, allowing
// for bounds written with rounding such as 0.30000000000000004.
func sameBound(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// counts turns the results of the plan's queries for minutes first to last
// into counts of the SLO id. A minute and group without a total counts
// nothing.
func (p *plan) counts(id string, results map[string][]series, first, last int64) ([]engine.Count, error) {
	return p.countsAt(id, results, first, last, byMinute)
}

// countsAt is counts at a resolution: an hour's point counts from the
// hour's first minute, and a sampled value weighs as many minutes as its
// point spans.
func (p *plan) countsAt(id string, results map[string][]series, first, last int64, res resolution) ([]engine.Count, error) {
	weight := float64(res.minutes)
	var good, total values
	var bad bool
	switch {
	case p.kind == slo.KindLatency:
		var err error
		if good, total, err = p.buckets(results["histogram"], first, last, res); err != nil {
			return nil, err
		}
	case p.kind == slo.KindBoolean:
		good, total = values{}, values{}
		for k, v := range p.collect(results["gauge"], first, last, false, res) {
			total[k] += weight
			if p.goodWhen.Holds(v) {
				good[k] += weight
			}
		}
	case p.hasRole("errorRatio"):
		good, total = values{}, values{}
		for k, r := range p.collect(results["errorRatio"], first, last, false, res) {
			total[k] += weight
			good[k] += weight * (1 - min(max(r, 0), 1))
		}
	default:
		total = p.collect(results["total"], first, last, true, res)
		if p.hasRole("bad") {
			good, bad = p.collect(results["bad"], first, last, true, res), true
		} else {
			good = p.collect(results["good"], first, last, true, res)
		}
	}
	out := make([]engine.Count, 0, len(total))
	for _, k := range slices.SortedFunc(maps.Keys(total), valueKey.compare) {
		t := total[k]
		if t <= 0 {
			continue
		}
		gv, ok := good[k]
		if p.kind == slo.KindLatency && !ok {
			continue // the threshold bucket is missing this minute
		}
		if bad {
			gv = t - gv
		}
		out = append(out, engine.Count{
			SLO: id, Group: k.group, Kind: engine.KindEvents, Minute: k.minute,
			Counts: engine.Counts{Good: min(max(gv, 0), t), Total: t}, Span: res.minutes,
		})
	}
	return out, nil
}

func (p *plan) hasRole(name string) bool {
	return slices.ContainsFunc(p.roles, func(r role) bool { return r.name == name })
}
