package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPackedCountsReadBackWhatWasWritten writes random values of every
// kind — small, large, negative, growing running totals, fractions — and
// checks each reads back exactly, against a plain slice.
func TestPackedCountsReadBackWhatWasWritten(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		n := 1 + rng.IntN(200)
		p, ref := newPackedCounts(n), make([]Counts, n)
		run := float64(rng.IntN(1000))
		for step := 0; step < 2000; step++ {
			var c Counts
			switch r := rng.IntN(100); {
			case r < 60:
				g := float64(rng.IntN(300))
				c = Counts{Good: g, Total: g + float64(rng.IntN(3))}
			case r < 80:
				run += float64(rng.IntN(1 << 20))
				c = Counts{Good: run, Total: run + 7}
			case r < 90:
				c = Counts{Good: -float64(rng.IntN(50)), Total: float64(rng.IntN(1 << 40))}
			case r < 95:
				c = Counts{Good: float64(1 << 53), Total: -float64(1 << 53)}
			case seed%3 == 0:
				c = Counts{Good: rng.Float64() * 10, Total: 10.5}
			default:
				c = Counts{}
			}
			i := rng.IntN(n)
			p.set(i, c)
			ref[i] = c
			for k := range n {
				if got := p.get(k); got != ref[k] {
					t.Fatalf("seed %d step %d: slot %d reads %+v, want %+v", seed, step, k, got, ref[k])
				}
			}
		}
	}
}

func TestPackedCountsTakeTheWidthTheirValuesNeed(t *testing.T) {
	p := newPackedCounts(1000)
	if p.bytes() != 0 {
		t.Errorf("all zero: %d bytes, want 0", p.bytes())
	}
	for i := range 1000 {
		p.set(i, Counts{Good: float64(i % 60), Total: float64(i % 60)})
	}
	if p.bytes() != 1000 {
		t.Errorf("small counts, none bad: %d bytes, want one a value", p.bytes())
	}
	// Running totals far from zero, written as a ring is: a turn, then the
	// first slot again.
	for i := range 1001 {
		v := 5e9 + float64(i)*1000
		p.set(i%1000, Counts{Good: v, Total: v + 3})
	}
	if p.bytes() != 1000*4 {
		t.Errorf("running totals: %d bytes, want 4 for good and none for bad, 3 in each", p.bytes())
	}
	p.set(0, Counts{Good: math.Inf(1), Total: 1})
	if !math.IsInf(p.get(0).Good, 1) || p.get(999).Good != 5e9+999_000 {
		t.Errorf("after a value not a whole number: %+v, %+v", p.get(0), p.get(999))
	}
}
