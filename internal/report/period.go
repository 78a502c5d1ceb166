package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Period is the span a report covers: From inclusive, To exclusive.
type Period struct {
	Name string    `json:"name"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// prior says what the period is compared with; the zero value is the
	// span of the same length just before it.
	prior prior
}

// prior is what a period is compared with.
type prior int

const (
	priorSpan  prior = iota // the same length just before
	priorWeek               // the same days and hours a week before
	priorMonth              // the calendar month before
)

// Previous is the period p is compared with: for a week, the same days and
// hours of the week before (this week until Monday 02:30 against last
// Monday until 02:30); for a calendar month, the month before; otherwise
// the span of the same length just before p.
func (p Period) Previous() Period {
	switch p.prior {
	case priorWeek:
		return Period{Name: "previous", From: p.From.AddDate(0, 0, -7), To: p.To.AddDate(0, 0, -7)}
	case priorMonth:
		return Period{Name: "previous", From: p.From.AddDate(0, -1, 0), To: p.From}
	}
	d := p.To.Sub(p.From)
	return Period{Name: "previous", From: p.From.Add(-d), To: p.From}
}

// ParsePeriod reads last-week (the last whole week, Monday to Monday),
// this-week (from this Monday to now, compared with the same days of the
// week before), last-month (the last whole calendar month), or FROM..TO
// with dates (2026-11-01) or RFC 3339 times, in UTC.
func ParsePeriod(s string, now time.Time) (Period, error) {
	now = now.UTC()
	// Weeks and months start as calendar windows do, in UTC.
	monday := engine.WindowStart(slo.Window{Calendar: slo.CalendarWeek}, now)
	switch s {
	case "last-week", "":
		return Period{Name: "last week", From: monday.AddDate(0, 0, -7), To: monday, prior: priorWeek}, nil
	case "this-week":
		if !now.After(monday) {
			now = monday.Add(time.Minute) // Monday at midnight: its first minute
		}
		return Period{Name: "this week", From: monday, To: now, prior: priorWeek}, nil
	case "last-month":
		first := engine.WindowStart(slo.Window{Calendar: slo.CalendarMonth}, now)
		return Period{Name: "last month", From: first.AddDate(0, -1, 0), To: first, prior: priorMonth}, nil
	}
	from, to, ok := strings.Cut(s, "..")
	if !ok {
		return Period{}, fmt.Errorf("period %q: want last-week, this-week, last-month or FROM..TO (2026-11-01..2026-11-08)", s)
	}
	f, err1 := parseDay(from)
	t, err2 := parseDay(to)
	if err1 != nil || err2 != nil {
		return Period{}, fmt.Errorf("period %q: FROM and TO must be dates (2026-11-01) or RFC 3339 times", s)
	}
	if !t.After(f) {
		return Period{}, fmt.Errorf("period %q: TO must be after FROM", s)
	}
	return Period{Name: s, From: f, To: t}, nil
}

func parseDay(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
