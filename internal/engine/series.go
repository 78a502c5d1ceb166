package engine

import "time"

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
// Rather than the counts of each bucket it keeps a running total at the end
// of each bucket: one-minute checkpoints for the last three days and hourly
// ones for the rest of the window. Any window's sum is then the difference
// of two checkpoints, O(1) whatever its length, and memory is fixed:
// 16 bytes per minute for 3 days plus 16 bytes per hour of the window.
// Data arriving in order costs O(1); late data costs one addition per
// checkpoint after it.
type Series struct {
	minutes []Counts // running total at the end of minute m, in slot m % len
	hours   []Counts // running total at the end of hour h, in slot h % len
	head    int64    // newest minute (Unix minutes) the checkpoints reach
	first   int64    // oldest minute holding data
	started bool
}

// NewSeries returns an empty series that keeps hourly checkpoints for at
// least span (the SLO's longest window).
func NewSeries(span time.Duration) *Series {
	hours := int(span/time.Hour) + 2
	return &Series{minutes: make([]Counts, minuteSlots), hours: make([]Counts, hours)}
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

// Add counts c in minute m (Unix minutes). Data older than everything the
// series keeps is dropped and Add returns false.
func (s *Series) Add(m int64, c Counts) bool {
	if !s.started {
		s.started, s.head, s.first = true, m, m
	}
	if m > s.head {
		s.Advance(m)
	}
	oldestHour := floorDiv(s.head, 60) - int64(len(s.hours)) + 1
	if floorDiv(m, 60) < oldestHour {
		return false
	}
	if m < s.first {
		s.first = m
	}
	from := max(m, s.head-int64(len(s.minutes))+1)
	for k := from; k <= s.head; k++ {
		i := slot(k, len(s.minutes))
		s.minutes[i] = s.minutes[i].add(c)
	}
	for h := floorDiv(m, 60); h <= floorDiv(s.head, 60); h++ {
		i := slot(h, len(s.hours))
		s.hours[i] = s.hours[i].add(c)
	}
	return true
}

// Advance moves the newest checkpoint forward to minute m, carrying the
// running total, so windows ending at m see no data after the last Add.
func (s *Series) Advance(m int64) {
	if !s.started || m <= s.head {
		return
	}
	cum := s.minutes[slot(s.head, len(s.minutes))]
	for k := max(s.head+1, m-int64(len(s.minutes))+1); k <= m; k++ {
		s.minutes[slot(k, len(s.minutes))] = cum
	}
	oldHead, newHead := floorDiv(s.head, 60), floorDiv(m, 60)
	for h := max(oldHead+1, newHead-int64(len(s.hours))+1); h <= newHead; h++ {
		s.hours[slot(h, len(s.hours))] = cum
	}
	s.head = m
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
	switch {
	case !s.started || m < s.first-1:
		return s.baseline()
	case m >= s.head:
		return s.minutes[slot(s.head, len(s.minutes))]
	case m > s.head-int64(len(s.minutes)):
		return s.minutes[slot(m, len(s.minutes))]
	}
	h := floorDiv(m, 60)
	if m-h*60 < 30 {
		h-- // nearer the end of the previous hour
	}
	oldest := floorDiv(s.head, 60) - int64(len(s.hours)) + 1
	if h < oldest {
		return s.baseline()
	}
	return s.hours[slot(h, len(s.hours))]
}

// baseline is the running total before the oldest data the series keeps.
func (s *Series) baseline() Counts {
	if !s.started {
		return Counts{}
	}
	oldest := floorDiv(s.head, 60) - int64(len(s.hours)) + 1
	if floorDiv(s.first, 60) >= oldest {
		return Counts{} // nothing has been forgotten yet
	}
	return s.hours[slot(oldest, len(s.hours))]
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
func (s *Series) Bytes() int { return 16*(len(s.minutes)+len(s.hours)) + 64 }
