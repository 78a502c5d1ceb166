package engine

import (
	"math"
	"math/rand/v2"
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

func TestSeriesMemoryPerThirtyDayWindow(t *testing.T) {
	s := NewSeries(30 * 24 * time.Hour)
	if b := s.Bytes(); b > 100_000 {
		t.Errorf("a 30-day series takes %d bytes, over the 100 KB budget", b)
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
