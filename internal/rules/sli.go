package rules

import (
	"fmt"

	"github.com/accord-slo/accord/internal/slo"
)

// minuteRange fills a gauge template's window: the engine samples gauges
// once a minute, and so do the rules.
const minuteRange = "1m"

// baseRules are the only rules that read raw series: the SLO's total and
// bad events per second over the last 5 minutes, each read once per
// evaluation. Every window is derived from these two recordings.
func baseRules(s *slo.SLO, t target) ([]Rule, error) {
	ind := s.Indicator
	w := dur(baseWindow)
	record := func(name, expr string) Rule { return Rule{Record: name, Expr: expr, Labels: t.labels()} }
	switch ind.Kind {
	case slo.KindRatio:
		if ind.ErrorRatio != nil {
			ratio, err := valueExpr(ind.ErrorRatio, w, t.by)
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
		total, err := rangeExpr(ind.Total, w, t.by, nil)
		if err != nil {
			return nil, fmt.Errorf("total query: %w", err)
		}
		if ind.Bad != nil {
			bad, err := rangeExpr(ind.Bad, w, t.by, nil)
			if err != nil {
				return nil, fmt.Errorf("bad query: %w", err)
			}
			return []Rule{record(TotalRate5m, total), record(ErrorRate5m, orZero(t, bad))}, nil
		}
		good, err := rangeExpr(ind.Good, w, t.by, nil)
		if err != nil {
			return nil, fmt.Errorf("good query: %w", err)
		}
		return []Rule{record(TotalRate5m, total), record(ErrorRate5m, badFromGood(t, good))}, nil
	case slo.KindLatency:
		if ind.Histogram == nil || ind.Threshold <= 0 {
			return nil, fmt.Errorf("latency indicator needs a histogram query and a positive threshold")
		}
		total, err := rangeExpr(ind.Histogram, w, t.by, infMatcher())
		if err != nil {
			return nil, fmt.Errorf("histogram query: %w", err)
		}
		good, err := rangeExpr(ind.Histogram, w, t.by, bucketMatcher(ind.Threshold.Seconds()))
		if err != nil {
			return nil, fmt.Errorf("histogram query: %w", err)
		}
		return []Rule{record(TotalRate5m, total), record(ErrorRate5m, badFromGood(t, good))}, nil
	case slo.KindBoolean:
		if ind.Gauge == nil {
			return nil, fmt.Errorf("boolean indicator needs a gauge query")
		}
		gauge, err := valueExpr(ind.Gauge, minuteRange, t.by)
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
		// One sample a minute, as the engine takes them: the bad share of
		// the last five.
		bad := "1 - avg_over_time((" + gauge + " " + cmp + ")[" + w + ":" + minuteRange + "])"
		return sampled(t, record, bad), nil
	}
	return nil, fmt.Errorf("unknown indicator kind %q", ind.Kind)
}

// sampled records a sampled indicator: the bad share as the error rate and
// 1 as the total, so that each evaluation weighs the same.
func sampled(t target, record func(name, expr string) Rule, bad string) []Rule {
	return []Rule{record(ErrorRate5m, bad), record(TotalRate5m, t.sel(ErrorRate5m)+" * 0 + 1")}
}

// orZero is bad events, or 0 for groups that have traffic but whose bad
// series do not exist yet (a counter of errors appears with the first
// error), so that the error ratio reads 0 rather than nothing.
func orZero(t target, bad string) string {
	return bad + " or " + t.on() + " 0 * " + t.sel(TotalRate5m)
}

// badFromGood is total minus good events; missing good series count 0,
// and rate extrapolation never makes the result negative.
func badFromGood(t target, good string) string {
	return "clamp_min(" + t.sel(TotalRate5m) + " - " + t.on() + " (" + good + " or " + t.on() + " 0 * " + t.sel(TotalRate5m) + "), 0)"
}
