package slo

import "time"

// TimeLayout is how Accord writes a time for people, in tables and
// messages; JSON and YAML answers carry RFC 3339 instead.
const TimeLayout = "Mon Jan 2 15:04 MST"

// timeLayoutYear is TimeLayout for a time outside now's year.
const timeLayoutYear = "Mon Jan 2 2006 15:04 MST"

// FormatTime writes t in its own location as TimeLayout, with the year
// when it is not the year of now, and "-" for the zero time. Callers pick
// the location: the reader's (t.Local()) in the CLI, UTC in the server's
// messages, whose readers may be anywhere.
func FormatTime(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	if t.Year() != now.In(t.Location()).Year() {
		return t.Format(timeLayoutYear)
	}
	return t.Format(TimeLayout)
}
