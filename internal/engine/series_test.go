package engine

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// naive keeps every minute, the reference the series is checked against.
type naive map[int64]Counts

func (n naive) sum(from, through int64) Counts {
	var c Counts
	for m, v := range n {
		if m > from && m <= through {
			c = c.add(v)
		}
	}
	return c
}

func TestSeriesMatchesNaiveSumsWithinMinuteResolution(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := NewSeries(30 * 24 * time.Hour)
	ref := naive{}
	const start = int64(29_000_000)
	head := start
	for i := 0; i < 5000; i++ {
		head += int64(rng.IntN(3))
		m := head - int64(rng.IntN(120)) // some data arrives late
		c := Counts{Good: float64(rng.IntN(50)), Total: 50}
		if !s.Add(m, c) {
			t.Fatalf("Add(%d) dropped data inside the window", m)
		}
		v := ref[m]
		ref[m] = v.add(c)
	}
	for _, span := range []int64{1, 5, 30, 60, 360, 1440, 4000} {
		got, want := s.Sum(head-span, head), ref.sum(head-span, head)
		if math.Abs(got.Good-want.Good) > 1e-6 || math.Abs(got.Total-want.Total) > 1e-6 {
			t.Errorf("last %d minutes: got %+v, want %+v", span, got, want)
		}
	}
}

func TestSeriesRoundsToHoursBeyondThreeDays(t *testing.T) {
	s := NewSeries(30 * 24 * time.Hour)
	const start = int64(29_000_040) // 40 minutes into an hour
	// One bad event per minute for 10 days.
	for m := start; m < start+10*1440; m++ {
		s.Add(m, Counts{Good: 0, Total: 1})
	}
	head := start + 10*1440 - 1
	for _, days := range []int64{4, 7, 9} {
		got := s.Sum(head-days*1440, head).Total
		if math.Abs(got-float64(days*1440)) > 30 {
			t.Errorf("%d days: total %v, want %d within 30 minutes of rounding", days, got, days*1440)
		}
	}
	// A window reaching before the first data counts only what there is.
	if got := s.Sum(head-20*1440, head).Total; got != 10*1440 {
		t.Errorf("20 days: total %v, want all %d events", got, 10*1440)
	}
}

func TestSeriesForgetsDataOlderThanItsSpan(t *testing.T) {
	s := NewSeries(24 * time.Hour)
	s.Add(1_000_000, Counts{Good: 1, Total: 1})
	s.Advance(1_000_000 + 3*1440)
	if s.Add(1_000_000-60, Counts{Good: 1, Total: 1}) {
		t.Error("Add accepted data older than the series keeps")
	}
	if got := s.Sum(1_000_000+2*1440, 1_000_000+3*1440); got.Total != 0 {
		t.Errorf("a window with no data sums to %+v", got)
	}
	if got := s.Window(1_000_000+3*1440, 24*time.Hour); got.Total != 0 {
		t.Errorf("last day after a 3-day gap: %+v, want nothing", got)
	}
}

func TestSeriesMemoryGrowsWithItsDataUpToTheBudget(t *testing.T) {
	s := NewSeries(30 * 24 * time.Hour)
	const start = int64(29_000_000)
	for m := start; m < start+60; m++ {
		s.Add(m, Counts{Good: 1, Total: 1})
	}
	if b := s.Bytes(); b > 2_000 {
		t.Errorf("a 30-day series with an hour of data takes %d bytes, want at most 2 KB", b)
	}
	// Every minute of 40 days, up to a thousand events a minute with a few
	// bad ones: the whole window at one-minute data.
	rng := rand.New(rand.NewPCG(3, 4))
	for m := start + 60; m < start+40*1440; m++ {
		total := float64(rng.IntN(1000))
		s.Add(m, Counts{Good: total - float64(rng.IntN(3)), Total: total})
	}
	if b := s.Bytes(); b > 25_000 {
		t.Errorf("a full 30-day series of one-minute data takes %d bytes, over the 25 KB budget", b)
	}
	// Fractional counts (from Prometheus, or a slice's share) are kept as
	// they are, at 16 bytes a checkpoint.
	s.Add(start+40*1440, Counts{Good: 0.5, Total: 0.75})
	if got := s.Window(start+40*1440, time.Minute); got != (Counts{Good: 0.5, Total: 0.75}) {
		t.Errorf("a fractional minute reads back as %+v", got)
	}
	if b := s.Bytes(); b > 100_000 {
		t.Errorf("a full 30-day series of fractional counts takes %d bytes, over 100 KB", b)
	}
}

// fullSeries is a series whose rings start at their full size, as they
// were before they grew with the data: the reference for growing ones.
func fullSeries(span time.Duration) *Series {
	s := NewSeries(span)
	s.minutes, s.hours = newPackedCounts(minuteSlots), newPackedCounts(s.maxHours)
	return s
}

// TestGrowingSeriesSumsLikeAFullOne runs the same random history — data in
// order, late, before the first minute, after long gaps, and in batches —
// through a series that grows and one allocated whole, and compares every
// sum.
func TestGrowingSeriesSumsLikeAFullOne(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		span := []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}[seed%3]
		grown, full := NewSeries(span), fullSeries(span)
		// batched takes each batch at once; fullSorted the same points one
		// by one, oldest first.
		batched, fullSorted := NewSeries(span), fullSeries(span)
		head := int64(29_000_000)
		for i := 0; i < 300; i++ {
			switch r := rng.IntN(10); {
			case r == 0:
				head += int64(rng.IntN(3 * 1440)) // a long gap
			case r == 1:
				for _, s := range []*Series{grown, full, batched, fullSorted} {
					s.Advance(head + 5)
				}
			default:
				head += int64(rng.IntN(5))
			}
			var batch []MinuteCounts
			for j := rng.IntN(20); j >= 0; j-- {
				back := int64(rng.IntN(90))
				if rng.IntN(4) == 0 {
					back = int64(rng.IntN(5 * 1440)) // far back, maybe before the first data
				}
				c := Counts{Good: float64(rng.IntN(10)), Total: 10}
				a, b := grown.Add(head-back, c), full.Add(head-back, c)
				if a != b {
					t.Fatalf("seed %d: Add(%d) kept %v, the full series %v", seed, head-back, a, b)
				}
				batch = append(batch, MinuteCounts{head - back, c})
			}
			slices.SortFunc(batch, func(a, b MinuteCounts) int { return cmp.Compare(a.Minute, b.Minute) })
			kept := 0
			for _, p := range batch {
				if fullSorted.Add(p.Minute, p.Counts) {
					kept++
				}
			}
			if n := batched.AddMany(batch); n != kept {
				t.Fatalf("seed %d: AddMany kept %d points, one by one %d", seed, n, kept)
			}
			for k := 0; k < 20; k++ {
				through := head - int64(rng.IntN(6*1440))
				from := through - int64(rng.IntN(10*1440))
				want := full.Sum(from, through)
				if got := grown.Sum(from, through); got != want {
					t.Fatalf("seed %d step %d: Sum(%d, %d) = %+v, the full series %+v", seed, i, from, through, got, want)
				}
				if got, want := batched.Sum(from, through), fullSorted.Sum(from, through); got != want {
					t.Fatalf("seed %d step %d: batched Sum(%d, %d) = %+v, one by one %+v", seed, i, from, through, got, want)
				}
			}
		}
	}
}

// TestSeriesBatchesMatchNaiveSums adds random batches, current and late
// by up to four days, and checks every sum within the minute checkpoints,
// ending at the head or before it, against the minutes themselves.
func TestSeriesBatchesMatchNaiveSums(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		span := []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}[seed%3]
		s, ref := NewSeries(span), naive{}
		head := int64(29_000_000) + int64(rng.IntN(60))
		for step := 0; step < 300; step++ {
			if rng.IntN(20) == 0 {
				head += int64(rng.IntN(2 * 1440)) // a gap
			} else {
				head += int64(rng.IntN(30))
			}
			var batch []MinuteCounts
			for j := rng.IntN(50); j >= 0; j-- {
				c := Counts{Good: float64(rng.IntN(10)), Total: 10}
				batch = append(batch, MinuteCounts{head - int64(rng.IntN(4*1440)), c})
			}
			slices.SortStableFunc(batch, func(a, b MinuteCounts) int { return cmp.Compare(a.Minute, b.Minute) })
			n := s.AddMany(batch)
			for _, p := range batch[len(batch)-n:] { // what it drops is the oldest
				ref[p.Minute] = ref[p.Minute].add(p.Counts)
			}
			for k := 0; k < 10; k++ {
				through := s.head - int64(rng.IntN(3000))
				from := max(through-int64(rng.IntN(3000)), s.head-int64(minuteSlots)+1)
				if got, want := s.Sum(from, through), ref.sum(from, through); got != want {
					t.Fatalf("seed %d step %d: Sum(%d, %d) = %+v, the minutes hold %+v", seed, step, from, through, got, want)
				}
			}
		}
	}
}

// TestSeriesThreeDayWindowIsExact: the longest default alert window reads
// minute checkpoints at both ends, not the nearest hours.
func TestSeriesThreeDayWindowIsExact(t *testing.T) {
	s := NewSeries(30 * 24 * time.Hour)
	const start = int64(29_000_020) // 20 minutes into an hour
	for m := start; m < start+5*1440; m++ {
		s.Add(m, Counts{Good: float64(m % 7), Total: 10})
	}
	head := start + 5*1440 - 1
	got := s.Window(head, MinuteResolution)
	var want Counts
	for m := head - 3*1440 + 1; m <= head; m++ {
		want = want.add(Counts{Good: float64(m % 7), Total: 10})
	}
	if got != want {
		t.Errorf("3-day window: %+v, want %+v", got, want)
	}
}
