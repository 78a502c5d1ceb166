package openslo

import (
	"strconv"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// defaultWindow is taken when a file gives no timeWindow: 28 days rolling,
// the most common SLO window, a whole number of weeks.
const defaultWindow = 28 * 24 * time.Hour

const day = 24 * time.Hour

// unitDays are OpenSLO's long duration units, which Prometheus durations
// lack, in days as Accord counts a rolling window of them.
var unitDays = map[string]int{"M": 30, "Q": 90, "Y": 365}

func readWindow(sp *decode.Map) slo.Window {
	m := oneWindow(sp, "timeWindow")
	if m == nil {
		return slo.Window{Rolling: defaultWindow}
	}
	defer m.Close()
	raw := m.RequiredString("duration")
	rolling, hasRolling := m.Bool("isRolling")
	cal := m.Map("calendar")
	defer cal.Close()
	if raw == "" {
		return slo.Window{Rolling: defaultWindow}
	}
	if cal.Present() || (hasRolling && !rolling) {
		if hasRolling && rolling {
			m.Errorf("isRolling", "a window is rolling or on the calendar, not both")
		}
		return slo.Window{Calendar: calendarUnit(m, raw), TimeZone: cal.String("timeZone"), StartTime: cal.String("startTime")}
	}
	if !hasRolling {
		m.Warnf("isRolling", "isRolling is missing and there is no calendar: reading a rolling window")
	}
	return slo.Window{Rolling: rollingDuration(m, raw)}
}

// oneWindow returns the one time window OpenSLO's list under key holds,
// or nil, with a warning, when there is none.
func oneWindow(sp *decode.Map, key string) *decode.Map {
	items := sp.Maps(key)
	if len(items) == 0 {
		sp.Warnf(key, "%s is missing: using a rolling 28d window", key)
		return nil
	}
	if len(items) > 1 {
		sp.Errorf(key, "give one time window, not %d", len(items))
	}
	return items[0]
}

// rollingDuration reads a rolling window's duration: Prometheus style, or
// with OpenSLO's month, quarter and year units, counted in days.
func rollingDuration(m *decode.Map, raw string) time.Duration {
	n, unit := splitDuration(raw)
	if days, ok := unitDays[unit]; ok && n > 0 {
		d := time.Duration(n*days) * day
		m.Warnf("duration", "rolling %s read as %s: a rolling window is a fixed number of days", raw, slo.FormatDuration(d))
		return d
	}
	d, err := slo.ParseDuration(raw)
	if err != nil {
		m.Errorf("duration", "must be a duration such as 28d, 4w or 30d, not %q", raw)
		return defaultWindow
	}
	return d
}

// calendarUnit reads a calendar window's duration: 1w, 1M, 1Q (or 3M).
// Many files write 1m meaning a month; a one-minute calendar makes no
// sense, so that is read as a month with a warning.
func calendarUnit(m *decode.Map, raw string) slo.CalendarUnit {
	n, unit := splitDuration(raw)
	switch {
	case n == 1 && (unit == "w" || unit == "W"), n == 7 && unit == "d":
		return slo.CalendarWeek
	case n == 1 && unit == "M":
		return slo.CalendarMonth
	case n == 1 && unit == "m":
		m.Warnf("duration", "calendar duration %q read as one month (OpenSLO writes a month as 1M)", raw)
		return slo.CalendarMonth
	case (n == 1 && (unit == "Q" || unit == "q")) || (n == 3 && unit == "M"):
		return slo.CalendarQuarter
	}
	m.Errorf("duration", "calendar windows are 1w, 1M or 1Q, not %q", raw)
	return slo.CalendarMonth
}

func splitDuration(s string) (int, string) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return 0, ""
	}
	return n, s[i:]
}
