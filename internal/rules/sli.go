package rules

import (
	"fmt"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/accord-slo/accord/internal/slo"
)

// baseRules are the only rules that read raw series: the SLO's total and
// bad events of the last minute, each read once per evaluation. Every
// window is added up from these two recordings.
func baseRules(s *slo.SLO, t target) ([]Rule, error) {
	ind := s.Indicator
	record := func(name, expr string) Rule { return Rule{Record: name, Expr: expr, Labels: t.labels()} }
	switch ind.Kind {
	case slo.KindRatio:
		if ind.ErrorRatio != nil {
			ratio, err := t.value(ind.ErrorRatio)
			if err != nil {
				return nil, fmt.Errorf("errorRatio query: %w", err)
			}
			// An error ratio is a sample: clamp it to 0..1 and drop NaN
			// (no traffic), which >= 0 filters out.
			return sampled(t, record, "clamp_max("+ratio+", 1) >= 0"), nil
		}
		if ind.Total == nil || ind.Good == nil && ind.Bad == nil {
			return nil, fmt.Errorf("ratio indicator needs good or bad with total, or errorRatio")
		}
		total, err := t.count(ind.Total, nil)
		if err != nil {
			return nil, fmt.Errorf("total query: %w", err)
		}
		if ind.Bad != nil {
			bad, err := t.count(ind.Bad, nil)
			if err != nil {
				return nil, fmt.Errorf("bad query: %w", err)
			}
			return []Rule{record(TotalIncrease1m, total), record(ErrorIncrease1m, orZero(t, bad))}, nil
		}
		good, err := t.count(ind.Good, nil)
		if err != nil {
			return nil, fmt.Errorf("good query: %w", err)
		}
		return []Rule{record(TotalIncrease1m, total), record(ErrorIncrease1m, badFromGood(t, good))}, nil
	case slo.KindLatency:
		if ind.Histogram == nil || ind.Threshold <= 0 {
			return nil, fmt.Errorf("latency indicator needs a histogram query and a positive threshold")
		}
		total, err := t.count(ind.Histogram, infMatcher())
		if err != nil {
			return nil, fmt.Errorf("histogram query: %w", err)
		}
		good, err := t.count(ind.Histogram, bucketMatcher(ind.Threshold.Seconds()))
		if err != nil {
			return nil, fmt.Errorf("histogram query: %w", err)
		}
		return []Rule{record(TotalIncrease1m, total), record(ErrorIncrease1m, badFromGood(t, good))}, nil
	case slo.KindBoolean:
		if ind.Gauge == nil {
			return nil, fmt.Errorf("boolean indicator needs a gauge query")
		}
		gauge, err := t.value(ind.Gauge)
		if err != nil {
			return nil, fmt.Errorf("gauge query: %w", err)
		}
		test := slo.DefaultGoodWhen()
		if ind.GoodWhen != nil {
			test = *ind.GoodWhen
		}
		cmp, err := comparison(test)
		if err != nil {
			return nil, fmt.Errorf("goodWhen: %w", err)
		}
		// One sample a minute, as the engine takes them.
		return sampled(t, record, "1 - ("+gauge+" "+cmp+")"), nil
	}
	return nil, fmt.Errorf("unknown indicator kind %q", ind.Kind)
}

// count is countExpr by the SLO's group-by labels, renamed as recorded.
func (t target) count(q *slo.Query, le *labels.Matcher) (string, error) {
	e, err := countExpr(q, t.raw, le)
	return t.exported(e), err
}

// value is valueExpr by the SLO's group-by labels, renamed as recorded.
func (t target) value(q *slo.Query) (string, error) {
	e, err := valueExpr(q, t.raw)
	return t.exported(e), err
}

// sampled records a sampled indicator: the bad share as the minute's
// error and 1 as its total, so that each minute weighs the same.
func sampled(t target, record func(name, expr string) Rule, bad string) []Rule {
	return []Rule{record(ErrorIncrease1m, bad), record(TotalIncrease1m, t.sel(ErrorIncrease1m)+" * 0 + 1")}
}

// orZero is bad events, or 0 for groups that have traffic but whose bad
// series do not exist yet (a counter of errors appears with the first
// error), so that the error ratio reads 0 rather than nothing.
func orZero(t target, bad string) string {
	return bad + " or " + t.on() + " 0 * " + t.sel(TotalIncrease1m)
}

// badFromGood is total minus good events; missing good series count 0,
// and a good count above the total (a scrape between the two) is never
// negative.
func badFromGood(t target, good string) string {
	return "clamp_min(" + t.sel(TotalIncrease1m) + " - " + t.on() + " (" + good + " or " + t.on() + " 0 * " + t.sel(TotalIncrease1m) + "), 0)"
}
