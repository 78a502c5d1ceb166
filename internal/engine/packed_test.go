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

// TestPackedCountsAddRangeAsSetWould adds random counts — whole, zero,
// fractional, and large enough to leave the range float64 holds exactly —
// to random runs of slots, wrapping at the end, and checks every slot
// against adding them one slot at a time through get and set.
func TestPackedCountsAddRangeAsSetWould(t *testing.T) {
	// Narrow values just below the largest exact one, then past it.
	p, ref := newPackedCounts(4), newPackedCounts(4)
	for i := range 4 {
		p.set(i, Counts{Good: maxExact - 2, Total: maxExact - 1})
		ref.set(i, Counts{Good: maxExact - 2, Total: maxExact - 1})
	}
	for _, c := range []Counts{{Good: 1, Total: 1}, {Good: 1, Total: 1}, {Good: 3, Total: 4}} {
		p.addRange(2, 4, c)
		for j := range 4 {
			ref.set((2+j)%4, ref.get((2+j)%4).add(c))
		}
		for k := range 4 {
			if got, want := p.get(k), ref.get(k); got != want {
				t.Fatalf("near 2^53, adding %+v: slot %d reads %+v, want %+v", c, k, got, want)
			}
		}
	}
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 3))
		n := 1 + rng.IntN(100)
		p, ref := newPackedCounts(n), newPackedCounts(n)
		for step := 0; step < 500; step++ {
			var c Counts
			switch r := rng.IntN(100); {
			case r < 50:
				c = Counts{Good: 1, Total: 1}
			case r < 70:
				g := float64(rng.IntN(1000))
				c = Counts{Good: g, Total: g + float64(rng.IntN(5))}
			case r < 80:
				c = Counts{Good: -float64(rng.IntN(5)), Total: 0}
			case r < 85:
				c = Counts{}
			case r < 90 && seed%4 == 0:
				c = Counts{Good: float64(1 << 52), Total: float64(1 << 52)}
			case seed%5 == 0:
				c = Counts{Good: 0.5, Total: 1.25}
			default:
				c = Counts{Good: 0, Total: 2}
			}
			from, count := rng.IntN(n), 1+rng.IntN(n)
			p.addRange(from, count, c)
			for j := range count {
				i := (from + j) % n
				ref.set(i, ref.get(i).add(c))
			}
			for k := range n {
				if got, want := p.get(k), ref.get(k); got != want {
					t.Fatalf("seed %d step %d: adding %+v to %d slots from %d: slot %d reads %+v, want %+v", seed, step, c, count, from, k, got, want)
				}
			}
		}
	}
}

// TestPackedCountsResizedKeepEveryValue moves rings of zeros and counts,
// of running totals far from zero, and of fractions to larger rings, and
// checks each key's value in its new slot and zero in the new slots.
func TestPackedCountsResizedKeepEveryValue(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		n := 1 + rng.IntN(100)
		p := newPackedCounts(n)
		newest := int64(rng.IntN(10_000))
		want := map[int64]Counts{}
		for k := newest - int64(n) + 1; k <= newest; k++ {
			var c Counts
			switch seed % 3 {
			case 0:
				if rng.IntN(3) > 0 {
					c = Counts{Good: float64(rng.IntN(300)), Total: 300 + float64(rng.IntN(3))}
				}
			case 1:
				c = Counts{Good: 5e9 + float64(k), Total: 5e9 + float64(2*k)}
			default:
				c = Counts{Good: rng.Float64(), Total: 1.5}
			}
			p.set(slot(k, n), c)
			want[k] = c
		}
		m := n + rng.IntN(200)
		out := p.resized(m, newest)
		for k := newest - int64(m) + 1; k <= newest; k++ {
			if got := out.get(slot(k, m)); got != want[k] {
				t.Fatalf("seed %d: key %d of a ring of %d moved to %d slots reads %+v, want %+v", seed, k, n, m, got, want[k])
			}
		}
	}
}
