package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// origin is when every counter of the model starts at 0: 2024-01-01 UTC,
// in unix seconds. Counting from it keeps the values small enough that a
// minute's growth keeps all its digits in a float64.
const origin = 1704067200

// day is the period of the traffic's daily cycle, in seconds.
const day = 86400.0

// rate is SLO i's mean request rate, per second.
func rate(int) float64 { return 10 }

// errorRatio is SLO i's mean share of failing requests: 0.05% to 0.15%.
func errorRatio(i int) float64 { return float64(5+i%11) / 10000 }

func phase(i int) float64 { return 2 * math.Pi * float64(i%24) / 24 }

// total is SLO i's requests up to unix time t (seconds). The traffic
// swings ±50% over the day (1 + 0.5 sin), the SLOs' peaks spread over the
// hours by phase, so that no recorded series is constant.
func total(i int, t float64) float64 {
	x, p, w := t-origin, phase(i), 2*math.Pi/day
	return rate(i) * (x + 0.5*(math.Cos(p)-math.Cos(w*x+p))/w)
}

// bad is SLO i's failing requests up to unix time t. The share failing
// rises and falls with the traffic (errorRatio × (1 + 0.5 sin)), as when a
// backend struggles at the peak, so a window's true error ratio weighs
// the busy hours more than an average of ratios does: the integral of
// rate × errorRatio × (1 + 0.5 sin)².
func bad(i int, t float64) float64 {
	x, p, w := t-origin, phase(i), 2*math.Pi/day
	sin := (math.Cos(p) - math.Cos(w*x+p)) / w              // ∫ sin
	sin2 := x/2 - (math.Sin(2*(w*x+p))-math.Sin(2*p))/(4*w) // ∫ sin²
	return rate(i) * errorRatio(i) * (x + sin + 0.25*sin2)
}

// counts are SLO i's good and bad requests up to unix time t.
func counts(i int, t float64) (good, failed float64) {
	all, failed := total(i, t), bad(i, t)
	return all - failed, failed
}

// trueRatio is SLO i's error ratio over the window [from, to], unix
// seconds: what every tool's window ratio should be.
func trueRatio(i int, from, to float64) float64 {
	return (bad(i, to) - bad(i, from)) / (total(i, to) - total(i, from))
}

// sloName names SLO i in the specs: s00042.
func sloName(i int) string { return fmt.Sprintf("s%05d", i) }

// sloIndex is the i of an SLO name made by sloName.
func sloIndex(name string) (int, error) {
	i, err := strconv.Atoi(strings.TrimPrefix(name, "s"))
	if err != nil || !strings.HasPrefix(name, "s") {
		return 0, fmt.Errorf("SLO name %q is not one of the benchmark's", name)
	}
	return i, nil
}

// float writes a sample value with every digit it has.
func float(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
