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

// errorRatio is SLO i's share of failing requests, at every instant: 0.05%
// to 0.15%. It is the true error ratio over any window.
func errorRatio(i int) float64 { return float64(5+i%11) / 10000 }

// total is SLO i's requests up to unix time t (seconds). The rate swings
// ±50% over the day, the SLOs' peaks spread over the hours, so that no
// recorded series is constant; errors are always the same share of it.
func total(i int, t float64) float64 {
	x := t - origin
	phase := 2 * math.Pi * float64(i%24) / 24
	return rate(i) * (x + 0.5*day/(2*math.Pi)*(math.Cos(phase)-math.Cos(2*math.Pi*x/day+phase)))
}

// counts are SLO i's good and bad requests up to unix time t.
func counts(i int, t float64) (good, bad float64) {
	all := total(i, t)
	bad = all * errorRatio(i)
	return all - bad, bad
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
