package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// store is one FreshMart store: its size scales its traffic.
type store struct {
	Name string
	Size float64
}

// stores are the chain's stores; the first four take the bad deploy.
var stores = []store{
	{"berlin-042", 1.4}, {"hamburg-007", 1.2}, {"munich-013", 1.1}, {"cologne-021", 0.9},
	{"frankfurt-003", 1.3}, {"stuttgart-011", 1.0}, {"leipzig-005", 0.7}, {"dresden-009", 0.6},
	{"hanover-017", 0.8}, {"nuremberg-002", 0.9}, {"bremen-014", 0.6}, {"essen-006", 1.0},
}

// affected is how many stores the bad deploy breaks.
const affected = 4

// busy is the share of peak traffic at a time of day: a slow morning, a
// lunch peak and an evening peak; the stores are closed from 22:00 to 7:00.
func busy(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	switch {
	case h < 7 || h >= 22:
		return 0
	case h < 9:
		return 0.2 + 0.2*(h-7)
	}
	lunch := math.Exp(-math.Pow((h-12.5)/1.1, 2))
	evening := 0.9 * math.Exp(-math.Pow((h-18)/1.2, 2))
	return 0.3 + 0.7*math.Max(lunch, evening)
}

// counts are the events of one stream in one store and minute.
type counts struct {
	stream string
	store  string
	good   float64
	total  float64
}

// minute returns every stream's events in every store for the minute at
// t; failing reports, per store, the share of card payments failing.
func minute(rng *rand.Rand, t time.Time, failing func(store string) float64) []counts {
	b := busy(t)
	var out []counts
	for _, s := range stores {
		pay := poisson(rng, 30*s.Size*b)
		payBad := binomial(rng, pay, 0.0002+failing(s.Name))
		scans := poisson(rng, 11*30*s.Size*b)
		receipts := pay
		prices := poisson(rng, 20)
		if t.Hour() == 2 && t.Minute() < 30 {
			prices = poisson(rng, 400) // the nightly price batch
		}
		out = append(out,
			counts{"payments", s.Name, pay - payBad, pay},
			counts{"scans", s.Name, scans - binomial(rng, scans, 0.001), scans},
			counts{"receipts", s.Name, receipts - binomial(rng, receipts, 0.0005), receipts},
			counts{"price-updates", s.Name, prices - binomial(rng, prices, 0.0005), prices},
		)
	}
	return out
}

// ndjson renders counts of the minute at t as the ingest API takes them.
func ndjson(buf []byte, t time.Time, cs []counts) []byte {
	ts := t.UTC().Format(time.RFC3339)
	for _, c := range cs {
		if c.total == 0 {
			continue
		}
		buf = fmt.Appendf(buf, `{"stream":%q,"time":%q,"labels":{"store":%q},"good":%g,"total":%g}`+"\n",
			c.stream, ts, c.store, c.good, c.total)
	}
	return buf
}

// poisson draws a count with mean lambda.
func poisson(rng *rand.Rand, lambda float64) float64 {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return math.Max(0, math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64()))
	}
	l, k, p := math.Exp(-lambda), 0.0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// binomial draws how many of n events fail at probability p.
func binomial(rng *rand.Rand, n, p float64) float64 {
	if n <= 0 || p <= 0 {
		return 0
	}
	mean := n * p
	if n > 50 && mean > 10 {
		return math.Min(n, math.Max(0, math.Round(mean+math.Sqrt(mean*(1-p))*rng.NormFloat64())))
	}
	k := 0.0
	for i := 0.0; i < n; i++ {
		if rng.Float64() < p {
			k++
		}
	}
	return k
}
