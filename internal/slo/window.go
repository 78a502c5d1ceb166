package slo

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
)

// CalendarUnit is the length of a calendar-aligned window.
type CalendarUnit string

// The calendar units.
const (
	CalendarWeek    CalendarUnit = "week"
	CalendarMonth   CalendarUnit = "month"
	CalendarQuarter CalendarUnit = "quarter"
)

// Window is the period an objective is measured over: rolling (the last
// 30 days, always) or calendar-aligned (this month, in a time zone).
type Window struct {
	// Rolling is the length of a rolling window; zero for calendar windows.
	Rolling time.Duration `json:"rolling,omitempty"`
	// Calendar is the unit of a calendar window; empty for rolling ones.
	Calendar CalendarUnit `json:"calendar,omitempty"`
	// TimeZone is the IANA zone calendar windows start in; empty means UTC.
	TimeZone string `json:"timeZone,omitempty"`
	// StartTime is a calendar window's start as the spec wrote it (OpenSLO's
	// calendar.startTime, e.g. "2022-01-01 12:00:00"), kept so that
	// converting writes it back. Windows begin at the start of their week,
	// month or quarter in TimeZone whatever it says.
	StartTime string `json:"startTime,omitempty"`
}

// IsCalendar reports whether the window is calendar-aligned.
func (w Window) IsCalendar() bool { return w.Calendar != "" }

// Nominal is the window's length for budget arithmetic: the rolling length,
// or the typical length of the calendar unit (7d, 30d, 90d).
func (w Window) Nominal() time.Duration {
	switch w.Calendar {
	case CalendarWeek:
		return 7 * 24 * time.Hour
	case CalendarMonth:
		return 30 * 24 * time.Hour
	case CalendarQuarter:
		return 90 * 24 * time.Hour
	}
	return w.Rolling
}

// String renders the window as people write it: "30d" or
// "calendar month (Europe/Berlin)".
func (w Window) String() string {
	if w.IsCalendar() {
		if w.TimeZone == "" {
			return "calendar " + string(w.Calendar)
		}
		return fmt.Sprintf("calendar %s (%s)", w.Calendar, w.TimeZone)
	}
	return FormatDuration(w.Rolling)
}

// FormatDuration renders a duration in Prometheus style: 30d, 1h30m, 5m.
// Whole days stay days (7d, 28d), as people write SLO windows, not weeks.
func FormatDuration(d time.Duration) string {
	if day := 24 * time.Hour; d > 0 && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return model.Duration(d).String()
}

// ParseDuration reads a Prometheus-style duration such as 30d, 1w or 1h30m.
func ParseDuration(s string) (time.Duration, error) {
	d, err := model.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("parse duration %q: %w", s, err)
	}
	return time.Duration(d), nil
}
