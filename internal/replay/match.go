package replay

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Match maps one of an SLO's fields to an alert label that names it:
// {Field: "service", Label: "app"} matches an alert labelled app="checkout"
// to the SLOs of service checkout (--match service=app).
type Match struct {
	Field string // service or team
	Label string
}

// String writes the match as the flag takes it: service=app.
func (m Match) String() string { return m.Field + "=" + m.Label }

// The SLO fields an alert label can name.
const (
	matchService = "service"
	matchTeam    = "team"
)

// DefaultMatches are tried after the user's: an alert's service label,
// then its team label.
var DefaultMatches = []Match{{matchService, "service"}, {matchTeam, "team"}}

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// ParseMatch reads --match: FIELD=LABEL, FIELD service or team.
func ParseMatch(s string) (Match, error) {
	field, label, ok := strings.Cut(s, "=")
	if !ok || (field != matchService && field != matchTeam) || !labelName.MatchString(label) {
		return Match{}, fmt.Errorf("--match %q: want service=LABEL or team=LABEL, LABEL an alert label name such as app", s)
	}
	return Match{Field: field, Label: label}, nil
}

// matcher finds the SLOs an alert is about.
type matcher struct {
	matches []Match
	slos    []SLOResult
}

// match returns the IDs of the SLOs an alert's labels name, and how it
// matched ("service=checkout (label app)"); none when no label names an
// SLO's service or team, which leaves the alert unmatched.
func (m matcher) match(labels map[string]string) (ids []string, how string) {
	for _, mt := range m.matches {
		v, ok := labels[mt.Label]
		if !ok || v == "" {
			continue
		}
		for _, s := range m.slos {
			if m.field(s, mt.Field) == v {
				ids = append(ids, s.SLO)
			}
		}
		if len(ids) > 0 {
			how = mt.Field + "=" + v
			if mt.Label != mt.Field {
				how += " (label " + mt.Label + ")"
			}
			return ids, how
		}
	}
	return nil, ""
}

func (matcher) field(s SLOResult, field string) string {
	if field == matchTeam {
		return s.Team
	}
	service, _, _ := strings.Cut(s.SLO, "/")
	return service
}

// scoreMatched scores a team's alerts as ScoreAlerts does, but each
// against the hurt periods of the SLOs it matched: an alert counts as
// fired while users were hurt only if its own SLOs' users were, and a
// hurt period (of all SLOs, merged) is caught only by an alert about an
// SLO hurt in it. Alerts that matched no SLO are counted as Unmatched and
// not scored.
func scoreMatched(name string, alerts []Alert, hurtOf map[string][]Period, all []Period, span Period) Score {
	s := Score{Name: name, HurtPeriods: len(all)}
	first := make([]time.Time, len(all))
	warns := func(a Alert, p Period) bool { return !a.FiredAt.Before(p.From.Add(-Lead)) && a.FiredAt.Before(p.To) }
	for _, a := range alerts {
		if a.FiredAt.Before(span.From) || !a.FiredAt.Before(span.To) {
			continue
		}
		if len(a.SLOs) == 0 {
			s.Unmatched++
			continue
		}
		s.Alerts++
		var own []Period
		for _, id := range a.SLOs {
			own = append(own, hurtOf[id]...)
		}
		if slices.ContainsFunc(own, func(p Period) bool { return warns(a, p) }) {
			s.WhileHurt++
		}
		for i, p := range all {
			if !warns(a, p) || !slices.ContainsFunc(own, func(o Period) bool { return o.From.Before(p.To) && p.From.Before(o.To) }) {
				continue
			}
			if first[i].IsZero() || a.FiredAt.Before(first[i]) {
				first[i] = a.FiredAt
			}
		}
	}
	return s.finish(first, all, span)
}
