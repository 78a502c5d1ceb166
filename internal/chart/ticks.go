package chart

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// niceTicks returns about n round values (1, 2 or 5 × 10^k apart) within
// lo..hi.
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo || n < 1 {
		return nil
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for k := math.Ceil(lo / step); k*step <= hi+step*1e-9; k++ {
		// Round away float noise such as 0.6000000000000001.
		v, _ := strconv.ParseFloat(strconv.FormatFloat(k*step, 'g', 12, 64), 64)
		out = append(out, v)
	}
	return out
}

type timeTick struct {
	at    time.Time
	label string
}

// timeTicks returns about n ticks at round times between from and to,
// labelled with the time of day for short spans and the date for long ones.
func timeTicks(from, to time.Time, n int) []timeTick {
	span := to.Sub(from)
	if span <= 0 {
		return nil
	}
	steps := []time.Duration{
		time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour,
		6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour,
	}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= time.Duration(n) {
			step = s
			break
		}
	}
	layout := "15:04"
	if step >= 24*time.Hour {
		layout = "Jan 2"
	}
	loc := from.Location()
	start := from.Truncate(step)
	if step >= 24*time.Hour {
		y, m, d := from.Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	var out []timeTick
	for t := start; !t.After(to); t = t.Add(step) {
		if t.Before(from) {
			continue
		}
		label := t.In(loc).Format(layout)
		if layout == "15:04" && t.Hour() == 0 && t.Minute() == 0 {
			label = t.In(loc).Format("Jan 2") // midnight says which day
		}
		out = append(out, timeTick{at: t, label: label})
	}
	return out
}

// Trim writes a value with at most two decimals and no trailing zeros
// (99.5, 100, 0.25), as chart ticks and labels read best.
func Trim(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" || s == "" {
		s = "0" // a tick at zero, not below it
	}
	return s
}
