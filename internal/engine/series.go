package engine

import (
	"math"
	"time"
)

// MinuteResolution is how long a series keeps one-minute buckets: the
// longest default alert window (3 days). Older data is kept per hour.
const MinuteResolution = 3 * 24 * time.Hour

// minuteSlots is one more than the minutes in MinuteResolution: a window's
// sum reads the checkpoint at the minute before it starts, so a 3-day
// window needs 4,321 of them to stay exact.
const minuteSlots = int(MinuteResolution/time.Minute) + 1

// Counts are good and total events (or slices) in some span of time.
type Counts struct {
	Good  float64 `json:"good"`
	Total float64 `json:"total"`
}

// Bad is the number of events that were not good.
func (c Counts) Bad() float64 { return c.Total - c.Good }

func (c Counts) add(o Counts) Counts { return Counts{c.Good + o.Good, c.Total + o.Total} }
func (c Counts) sub(o Counts) Counts { return Counts{c.Good - o.Good, c.Total - o.Total} }

// Series holds the counts of one SLO (or one group of it) over its window.
//
// Rather than the counts of each bucket it keeps running totals: at the
// end of each hour of the window, and at the end of each minute of the
// last three days since the start of the minute's hour. The running total
// at a minute is its hour's predecessor's plus its own, and any window's
// sum the difference of two of them, O(1) whatever its length. Memory
// grows with the data held, up to 16 bytes per minute for 3 days plus 16
// bytes per hour of the window: a series with an hour of data takes about
// a kilobyte. Data arriving in order costs O(1); late data costs an
// addition per minute left in its hour and per hour after it (AddMany
// shares that cost among a batch), not one per minute up to now.
type Series struct {
	minutes packedCounts // total from the start of minute m's hour to its end, in slot m % len
	hours   packedCounts // running total at the end of hour h, in slot h % len
	// maxHours is the number of hourly checkpoints the window needs; the
	// hours ring grows up to it, and further to reach the hour before the
	// oldest minute checkpoint.
	maxHours int
	head     int64 // newest minute (Unix minutes) the checkpoints reach
	first    int64 // oldest minute holding data
	started  bool
	// stand are counts standing in for minutes without data (a journey's
	// late components, see Engine.standIn), added to every sum read.
	// Apart from the checkpoints, they are replaced whole at no cost per
	// minute.
	stand []standIn
}

// The rings start this small and double as the data they hold spans more.
const (
	initialMinuteSlots = 64
	initialHourSlots   = 4
)

// NewSeries returns an empty series that keeps hourly checkpoints for at
// least span (the SLO's longest window).
func NewSeries(span time.Duration) *Series {
	return &Series{maxHours: int(span/time.Hour) + 2}
}

// UnixMinute is the number of whole minutes from the Unix epoch to t.
func UnixMinute(t time.Time) int64 { return floorDiv(t.Unix(), 60) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Empty reports whether the series has never held data.
func (s *Series) Empty() bool { return !s.started }

// First returns the start of the oldest minute holding data.
func (s *Series) First() time.Time { return time.Unix(s.first*60, 0).UTC() }

// oldestHour is the oldest hour the series keeps.
func (s *Series) oldestHour() int64 { return floorDiv(s.head, 60) - int64(s.maxHours) + 1 }

// hourSlots is the most hourly checkpoints the series keeps: those of
// its window, and at least those before every minute checkpoint, which a
// minute's running total starts from.
func (s *Series) hourSlots() int { return max(s.maxHours, minuteSlots/60+2) }

// Add counts c in minute m (Unix minutes). Data older than everything the
// series keeps is dropped and Add returns false.
func (s *Series) Add(m int64, c Counts) bool {
	return s.AddMany([]MinuteCounts{{Minute: m, Counts: c}}) == 1
}

// MinuteCounts are counts in one minute (Unix minutes).
type MinuteCounts struct {
	Minute int64
	Counts Counts
}

// AddMany counts every point, which must be in ascending minute order, and
// returns how many it kept (data older than the series keeps is dropped).
// A batch costs one pass over the minutes left in each hour it touches
// and one over the hours after its oldest point, not one per point, so a
// backlog of late data costs little more than current data.
func (s *Series) AddMany(points []MinuteCounts) int {
	if len(points) == 0 {
		return 0
	}
	if !s.started {
		s.started, s.head, s.first = true, points[0].Minute, points[0].Minute
		s.grow(s.head)
	}
	// Points are kept or dropped as if added one by one, oldest first:
	// against the head before the batch moves it.
	oldest := s.oldestHour()
	for len(points) > 0 && floorDiv(points[0].Minute, 60) < oldest {
		points = points[1:]
	}
	if len(points) == 0 {
		return 0
	}
	s.Advance(points[len(points)-1].Minute)
	if m := points[0].Minute; m < s.first {
		s.first = m
		s.grow(s.head)
	}
	// Each minute checkpoint from a point to the end of its hour gains the
	// points of the hour up to it: the same sum from one point to the
	// next, added to that run of checkpoints at once.
	lowest := s.head - int64(s.minutes.len()) + 1
	for next := 0; next < len(points); {
		h := floorDiv(points[next].Minute, 60)
		end := min(h*60+59, s.head)
		var run Counts
		for k := max(points[next].Minute, lowest); k <= end; {
			for next < len(points) && points[next].Minute <= k {
				run = run.add(points[next].Counts)
				next++
			}
			stop := end
			if next < len(points) && points[next].Minute <= end {
				stop = points[next].Minute - 1
			}
			s.minutes.addRange(slot(k, s.minutes.len()), int(stop-k+1), run)
			k = stop + 1
		}
		for next < len(points) && floorDiv(points[next].Minute, 60) == h {
			next++ // before the minute checkpoints: in the hours only
		}
	}
	// Each hourly checkpoint from the oldest point's on gains every point
	// up to it.
	var run Counts
	next := 0
	headHour := floorDiv(s.head, 60)
	for h := max(floorDiv(points[0].Minute, 60), headHour-int64(s.hours.len())+1); h <= headHour; {
		for next < len(points) && floorDiv(points[next].Minute, 60) <= h {
			run = run.add(points[next].Counts)
			next++
		}
		stop := headHour
		if next < len(points) {
			stop = floorDiv(points[next].Minute, 60) - 1
		}
		s.hours.addRange(slot(h, s.hours.len()), int(stop-h+1), run)
		h = stop + 1
	}
	return len(points)
}

// Advance moves the newest checkpoint forward to minute m, carrying the
// running total, so windows ending at m see no data after the last Add.
func (s *Series) Advance(m int64) {
	if !s.started || m <= s.head {
		return
	}
	oldHead := s.head
	oldHour, newHour := floorDiv(oldHead, 60), floorDiv(m, 60)
	// The head's hourly checkpoint holds the running total so far.
	cum := s.hours.get(slot(oldHour, s.hours.len()))
	inHour := s.minutes.get(slot(oldHead, s.minutes.len()))
	s.head = m
	s.grow(oldHead)
	for k := max(oldHead+1, m-int64(s.minutes.len())+1); k <= m; k++ {
		if floorDiv(k, 60) == oldHour {
			s.minutes.set(slot(k, s.minutes.len()), inHour)
		} else {
			s.minutes.set(slot(k, s.minutes.len()), Counts{})
		}
	}
	for h := max(oldHour+1, newHour-int64(s.hours.len())+1); h <= newHour; h++ {
		s.hours.set(slot(h, s.hours.len()), cum)
	}
}

// grow enlarges the rings to cover every checkpoint a sum may read, from
// the minute before the first data to the head, up to their full size.
// written is the newest minute the rings hold checkpoints for: the head
// before an Advance writes the ones after it.
func (s *Series) grow(written int64) {
	needMinutes := int(min(s.head-s.first+2, int64(minuteSlots)))
	s.minutes = regrow(s.minutes, needMinutes, initialMinuteSlots, minuteSlots, written)
	// A sum may round to the hour before the first data's.
	needHours := int(min(floorDiv(s.head, 60)-floorDiv(s.first-1, 60)+2, int64(s.hourSlots())))
	s.hours = regrow(s.hours, needHours, initialHourSlots, s.hourSlots(), floorDiv(written, 60))
}

// regrow returns a ring of at least need slots (doubling, at most limit),
// moving the checkpoints up to key newest to their places in it. Slots
// before the ring's old reach start at zero: they lie before the first
// data.
func regrow(ring packedCounts, need, initial, limit int, newest int64) packedCounts {
	if ring.len() >= need {
		return ring
	}
	n := max(ring.len(), initial)
	for n < need {
		n *= 2
	}
	return ring.resized(min(n, limit), newest)
}

func slot(k int64, n int) int {
	i := int(k % int64(n))
	if i < 0 {
		i += n
	}
	return i
}

// cumAt returns the running total at the end of minute m. Beyond the
// minute checkpoints it rounds to the nearest hour boundary.
func (s *Series) cumAt(m int64) Counts {
	c, at := s.checkpoint(m)
	for _, in := range s.stand {
		c = c.add(in.in(math.MinInt64, at))
	}
	return c
}

// checkpoint returns the running total of the checkpoints at the end of
// minute m, and the minute it runs to: m, or beyond the minute
// checkpoints the end of the hour it rounds to.
func (s *Series) checkpoint(m int64) (Counts, int64) {
	switch {
	case !s.started || m < s.first-1:
		return s.baseline()
	case m >= s.head:
		return s.hours.get(slot(floorDiv(s.head, 60), s.hours.len())), m
	case m > s.head-int64(s.minutes.len()):
		return s.hours.get(slot(floorDiv(m, 60)-1, s.hours.len())).add(s.minutes.get(slot(m, s.minutes.len()))), m
	}
	h := floorDiv(m, 60)
	if m-h*60 < 30 {
		h-- // nearer the end of the previous hour
	}
	if h < s.oldestHour() {
		return s.baseline()
	}
	return s.hours.get(slot(h, s.hours.len())), h*60 + 59
}

// baseline is the running total before the oldest data the series
// keeps, and the minute it runs to.
func (s *Series) baseline() (Counts, int64) {
	if !s.started {
		return Counts{}, math.MinInt64
	}
	oldest := s.oldestHour()
	if floorDiv(s.first, 60) >= oldest {
		return Counts{}, math.MinInt64 // nothing has been forgotten yet
	}
	return s.hours.get(slot(oldest, s.hours.len())), oldest*60 + 59
}

// Sum returns the counts in the minutes from (exclusive) to through
// (inclusive), in Unix minutes.
func (s *Series) Sum(from, through int64) Counts {
	if through <= from {
		return Counts{}
	}
	return s.cumAt(through).sub(s.cumAt(from))
}

// Window returns the counts in the span d ending with minute m.
func (s *Series) Window(m int64, d time.Duration) Counts {
	return s.Sum(m-int64(d/time.Minute), m)
}

// Bytes is the memory the series' checkpoints take.
func (s *Series) Bytes() int { return s.minutes.bytes() + s.hours.bytes() + 160 + 32*cap(s.stand) }

// Running returns the running total: every event the series has kept
// since it started, the largest sum it holds.
func (s *Series) Running() Counts {
	c := Counts{}
	if s.started {
		c = s.hours.get(slot(floorDiv(s.head, 60), s.hours.len()))
	}
	for _, in := range s.stand {
		c = c.add(in.in(math.MinInt64, math.MaxInt64))
	}
	return c
}
