package engine

import (
	"slices"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// BurnWindows are the windows every SLO's burn rate is reported over: the
// short and long windows of the SRE Workbook's alerts.
var BurnWindows = []time.Duration{
	5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
	6 * time.Hour, 24 * time.Hour, 3 * 24 * time.Hour,
}

// reportedWindows are BurnWindows, the windows of rules and the burn-rate
// windows of the policy's conditions, shortest first: a status shows
// every burn rate an alert or a policy state reads.
func reportedWindows(rules []slo.BurnRateAlert, p slo.Policy) []time.Duration {
	out := slices.Clone(BurnWindows)
	for _, r := range rules {
		out = append(out, r.LongWindow, r.ShortWindow)
	}
	for _, s := range p.States {
		if s.When.BurnRateAtLeast != nil && s.When.BurnRateWindow > 0 {
			out = append(out, s.When.BurnRateWindow)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// WindowStart returns the start of w's window at now: now minus the length
// for a rolling window, or the start of the current week (Monday), month or
// quarter in the window's time zone.
func WindowStart(w slo.Window, now time.Time) time.Time {
	if !w.IsCalendar() {
		return now.Add(-w.Rolling)
	}
	loc := time.UTC
	if w.TimeZone != "" {
		if l, err := time.LoadLocation(w.TimeZone); err == nil {
			loc = l
		}
	}
	t := now.In(loc)
	y, mo, d := t.Date()
	switch w.Calendar {
	case slo.CalendarWeek:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, mo, d-back, 0, 0, 0, 0, loc)
	case slo.CalendarQuarter:
		return time.Date(y, mo-(mo-1)%3, 1, 0, 0, 0, 0, loc)
	}
	return time.Date(y, mo, 1, 0, 0, 0, 0, loc)
}

// WindowEnd returns when the calendar window containing now ends; for a
// rolling window, now plus its length (it never ends).
func WindowEnd(w slo.Window, now time.Time) time.Time {
	start := WindowStart(w, now)
	if !w.IsCalendar() {
		return now.Add(w.Rolling)
	}
	switch w.Calendar {
	case slo.CalendarWeek:
		return start.AddDate(0, 0, 7)
	case slo.CalendarQuarter:
		return start.AddDate(0, 3, 0)
	}
	return start.AddDate(0, 1, 0)
}

// span is the longest stretch a window can cover, for sizing series.
func span(w slo.Window) time.Duration {
	switch w.Calendar {
	case slo.CalendarWeek:
		return 7 * 24 * time.Hour
	case slo.CalendarMonth:
		return 31 * 24 * time.Hour
	case slo.CalendarQuarter:
		return 92 * 24 * time.Hour
	}
	return max(w.Rolling, MinuteResolution)
}

// measuredAt is the moment an SLO's windows end at now: now for pushed
// events, which count in the minute in progress. A source of queries
// has recorded a minute only lag after it ends (and the minute before,
// while its query for that one is still under way), so its windows end
// that many whole minutes back: a window never holds minutes its source
// could not have delivered yet, and a steady burn reads the same in
// every evaluation, whatever the second a server started in.
func (st *sloState) measuredAt(now time.Time) time.Time {
	if st.lag <= 0 {
		return now
	}
	m := UnixMinute(now)
	end := UnixMinute(now.Add(-st.lag)) - 1
	if t := st.source.Through; !t.IsZero() && UnixMinute(t) == end-1 && !st.source.Stale {
		end-- // due, but its query has not answered yet
	}
	return now.Add(-time.Duration(m-end) * time.Minute)
}
