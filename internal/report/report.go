// Package report builds SLO reviews for a period: per team and service,
// which SLOs met their objectives, how much budget went, the biggest burns
// with the deploys and incidents around them, policy states and
// exceptions, postmortems due, the trend against the period before, and
// who changed what.
package report

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Source is what a report reads: stored counts, notifications,
// annotations, exceptions and the audit trail, and from the engine what
// it counts in journeys that no store holds.
type Source interface {
	HourlyCounts(ctx context.Context, kind engine.Kind, from, to int64) (map[string]map[int64]engine.Counts, error)
	// GroupCounts sums one SLO's counts per group, the SLO-wide one left out.
	GroupCounts(ctx context.Context, kind engine.Kind, slo string, from, to int64) (map[string]engine.Counts, error)
	Notifications(ctx context.Context, afterID int64, slo string, limit int) ([]engine.Notification, error)
	Annotations(ctx context.Context, service string, from, to time.Time) ([]slo.Annotation, error)
	Exceptions(ctx context.Context) ([]slo.Exception, error)
	Audit(ctx context.Context, q auth.Query) ([]auth.Entry, error)
	// JourneyStandIns is what stands in, in occurrences journeys' events,
	// for late components' missing minutes: counts the engine holds and
	// no store does (engine.Engine.JourneyStandIns).
	JourneyStandIns() map[string]engine.StandIns
}

// Report is an SLO review of one period.
type Report struct {
	Period    Period    `json:"period"`
	Generated time.Time `json:"generated"`
	Summary   Summary   `json:"summary"`
	Teams     []Team    `json:"teams"`
	// Audit is who changed what in the period.
	Audit     Audit     `json:"audit"`
	Ownership Ownership `json:"ownership"`
	Previous  Period    `json:"previousPeriod"`
}

// Summary counts the SLOs by outcome.
type Summary struct {
	SLOs           int `json:"slos"`
	Met            int `json:"met"`
	Missed         int `json:"missed"`
	NoData         int `json:"noData"`
	PostmortemsDue int `json:"postmortemsDue"`
}

// Team is one team's part of the report.
type Team struct {
	Name          string    `json:"name"`
	ProductOwners []string  `json:"productOwners,omitempty"`
	Services      []Service `json:"services"`
}

// Service is one service's part of the report.
type Service struct {
	Name       string          `json:"name"`
	SLOs       []SLO           `json:"slos"`
	Exceptions []slo.Exception `json:"exceptions,omitempty"`
}

// SLO is one SLO over the period.
type SLO struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Title     string  `json:"title"`
	Objective float64 `json:"objective"`
	// Outcome is judged as the policy judges: a grouped SLO by its worst
	// group (among those with the events the policy needs).
	Outcome
	// WorstGroup names the group Outcome is of, for a grouped SLO.
	WorstGroup map[string]string `json:"worstGroup,omitempty"`
	// All is every group together, for a grouped SLO.
	All *Outcome `json:"all,omitempty"`
	// Previous is the same SLO over the period before, for the trend.
	Previous Outcome `json:"previous"`
	// PolicyTime is how long the SLO spent in each policy state during
	// the period, in the policy's order, states it never held left out.
	PolicyTime []StateTime `json:"policyTime,omitempty"`
	// Trend compares budget spent with the previous period: better,
	// worse, same or new.
	Trend         string         `json:"trend"`
	Burns         []Burn         `json:"burns,omitempty"`
	PolicyChanges []PolicyChange `json:"policyChanges,omitempty"`
	Postmortems   []Postmortem   `json:"postmortems,omitempty"`
}

// Outcome is how an SLO fared over a period.
type Outcome struct {
	HasData bool     `json:"hasData"`
	Good    float64  `json:"good"`
	Total   float64  `json:"total"`
	SLI     *float64 `json:"sli"`
	Met     bool     `json:"met"`
	// BudgetSpent is bad events over the budget the period's events allow:
	// 1 spends it exactly.
	BudgetSpent float64 `json:"budgetSpent"`
}

// Burn is one of the hours that spent the most budget.
type Burn struct {
	Start    time.Time `json:"start"`
	BurnRate float64   `json:"burnRate"`
	Bad      float64   `json:"bad"`
	// Around are the annotations within two hours of the burn.
	Around []slo.Annotation `json:"around,omitempty"`
}

// StateTime is the time spent in one policy state.
type StateTime struct {
	State string          `json:"state"`
	Time  engine.Duration `json:"time"`
	// Resting is true for the policy's last state, which asks for nothing.
	Resting bool `json:"resting"`
}

// PolicyChange is a move between policy states in the period.
type PolicyChange struct {
	At   time.Time `json:"at"`
	From string    `json:"from"`
	To   string    `json:"to"`
}

// Postmortem is an incident that spent more than PostmortemShare of the
// window's budget, and whether its postmortem is recorded.
type Postmortem struct {
	Incident    string    `json:"incident"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	BudgetShare float64   `json:"budgetShare"`
	Link        string    `json:"link,omitempty"`
	Done        bool      `json:"done"`
}

// PostmortemShare is the share of a window's budget one incident may spend
// before it owes a postmortem (the SRE Workbook's example policy: 20%).
const PostmortemShare = 0.2

const burnsPerSLO = 3

// Build computes the report for period from what src stores.
func Build(ctx context.Context, src Source, cat slo.Catalog, period Period, now time.Time) (*Report, error) {
	src = WithJourneys(src, cat)
	prev := period.Previous()
	r := &Report{Period: period, Previous: prev, Generated: now, Ownership: OwnershipOf(cat), Teams: []Team{}}
	from, to := engine.UnixMinute(prev.From), engine.UnixMinute(period.To)
	hours := map[engine.Kind]map[string]map[int64]engine.Counts{}
	for _, kind := range []engine.Kind{engine.KindEvents, engine.KindSlices} {
		h, err := src.HourlyCounts(ctx, kind, from, to)
		if err != nil {
			return nil, err
		}
		hours[kind] = h
	}
	exceptions, err := src.Exceptions(ctx)
	if err != nil {
		return nil, err
	}
	teams := map[string]*Team{}
	// A service appears under each team that owns one of its SLOs, with
	// that team's SLOs.
	type teamService struct{ team, service string }
	services := map[teamService]*Service{}
	var order []teamService

	for _, def := range sortedSLOs(cat) {
		owners := cat.EffectiveOwners(def)
		t, ok := teams[owners.Team]
		if !ok {
			t = &Team{Name: owners.Team}
			teams[owners.Team] = t
		}
		if owners.ProductOwner != "" && !slices.Contains(t.ProductOwners, owners.ProductOwner) {
			t.ProductOwners = append(t.ProductOwners, owners.ProductOwner)
		}
		key := teamService{owners.Team, def.Service}
		svc, ok := services[key]
		if !ok {
			svc = &Service{Name: def.Service}
			services[key] = svc
			order = append(order, key)

			for _, e := range exceptions {
				if e.Service == def.Service && e.From.Before(period.To) && e.End().After(period.From) {
					svc.Exceptions = append(svc.Exceptions, e)
				}
			}
		}
		policy, _ := cat.Policy(def.Policy)
		s, err := sloReport(ctx, src, def, policy, hours, period, prev, now)
		if err != nil {
			return nil, err
		}
		svc.SLOs = append(svc.SLOs, s)
		r.Summary.SLOs++
		switch {
		case !s.HasData:
			r.Summary.NoData++
		case s.Met:
			r.Summary.Met++
		default:
			r.Summary.Missed++
		}
		for _, p := range s.Postmortems {
			if !p.Done {
				r.Summary.PostmortemsDue++
			}
		}
	}
	for _, key := range order {
		teams[key.team].Services = append(teams[key.team].Services, *services[key])
	}
	for _, name := range sortedTeamNames(teams) {
		r.Teams = append(r.Teams, *teams[name])
	}
	if r.Audit, err = auditOf(ctx, src, period); err != nil {
		return nil, err
	}
	return r, nil
}

func sloReport(ctx context.Context, src Source, def slo.SLO, policy slo.Policy, hours map[engine.Kind]map[string]map[int64]engine.Counts,
	period, prev Period, now time.Time) (SLO, error) {
	kind := engine.KindEvents
	if def.Budgeting.Method == slo.Timeslices || def.Budgeting.Method == slo.RatioTimeslices {
		kind = engine.KindSlices
	}
	h := hours[kind][def.ID()]
	share := def.BudgetFraction()
	title := def.DisplayName
	if title == "" {
		title = def.Name
	}
	s := SLO{ID: def.ID(), Name: def.Name, Title: title, Objective: def.Objective}
	s.Outcome = outcome(h, period, share, def.Objective/100)
	s.Previous = outcome(h, prev, share, def.Objective/100)
	if len(def.GroupBy) > 0 {
		required := policy.RequiredEvents(def.Objective)
		worst, labels, err := worstGroup(ctx, src, def, kind, period, required)
		if err != nil {
			return s, err
		}
		if worst != nil {
			all := s.Outcome
			s.All, s.Outcome, s.WorstGroup = &all, *worst, labels
		}
		if worst, _, err = worstGroup(ctx, src, def, kind, prev, required); err != nil {
			return s, err
		} else if worst != nil {
			s.Previous = *worst
		}
	}
	switch {
	case !s.Previous.HasData:
		s.Trend = "new"
	case s.BudgetSpent < s.Previous.BudgetSpent*0.9:
		s.Trend = "better"
	case s.BudgetSpent > s.Previous.BudgetSpent*1.1:
		s.Trend = "worse"
	default:
		s.Trend = "same"
	}
	anns, err := src.Annotations(ctx, def.Service, period.From.Add(-24*time.Hour), period.To.Add(2*time.Hour))
	if err != nil {
		return s, err
	}
	var covering []slo.Annotation
	for _, a := range anns {
		if a.Covers(def) {
			covering = append(covering, a)
		}
	}
	s.Burns = burns(h, period, share, covering)
	notes, err := src.Notifications(ctx, 0, def.ID(), 100_000)
	if err != nil {
		return s, err
	}
	for _, n := range notes {
		if n.Kind == engine.NotifyPolicy && n.Policy != nil && !n.At.Before(period.From) && n.At.Before(period.To) {
			s.PolicyChanges = append(s.PolicyChanges, PolicyChange{At: n.At, From: n.Policy.From, To: n.Policy.To})
		}
	}
	s.PolicyTime = policyTime(notes, policy, period, now)
	s.Postmortems, err = postmortems(ctx, src, def, kind, covering, period)
	return s, err
}

func outcome(h map[int64]engine.Counts, p Period, share, objective float64) Outcome {
	var c engine.Counts
	for hour, hc := range h {
		if t := time.Unix(hour*3600, 0); !t.Before(p.From) && t.Before(p.To) {
			c.Good += hc.Good
			c.Total += hc.Total
		}
	}
	return outcomeOf(c, share, objective)
}

// outcomeOf judges counts against the objective (0..1) and the budget's
// share of events.
func outcomeOf(c engine.Counts, share, objective float64) Outcome {
	o := Outcome{Good: c.Good, Total: c.Total}
	if o.Total > 0 {
		sli := o.Good / o.Total
		o.HasData, o.SLI, o.Met = true, &sli, sli >= objective
		o.BudgetSpent = (o.Total - o.Good) / (share * o.Total)
	}
	return o
}

// burns returns the hours that spent the most budget, burning faster
// than 1×, with the annotations within two hours.
func burns(h map[int64]engine.Counts, p Period, share float64, anns []slo.Annotation) []Burn {
	var out []Burn
	for hour, c := range h {
		t := time.Unix(hour*3600, 0).UTC()
		if t.Before(p.From) || !t.Before(p.To) || c.Total <= 0 {
			continue
		}
		if rate := (c.Bad() / c.Total) / share; rate > 1 {
			out = append(out, Burn{Start: t, BurnRate: rate, Bad: c.Bad()})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bad != out[j].Bad {
			return out[i].Bad > out[j].Bad
		}
		return out[i].Start.Before(out[j].Start)
	})
	if len(out) > burnsPerSLO {
		out = out[:burnsPerSLO]
	}
	for i := range out {
		lo, hi := out[i].Start.Add(-2*time.Hour), out[i].Start.Add(3*time.Hour)
		for _, a := range anns {
			end := a.End
			if end.IsZero() {
				end = a.Start
			}
			if a.Kind != slo.AnnotationPostmortem && !a.Start.After(hi) && !end.Before(lo) {
				out[i].Around = append(out[i].Around, a)
			}
		}
	}
	return out
}

func sortedSLOs(cat slo.Catalog) []slo.SLO {
	out := append([]slo.SLO(nil), cat.SLOs...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func sortedTeamNames(m map[string]*Team) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i] == "") != (out[j] == "") {
			return out[j] == "" // services without a team come last
		}
		return out[i] < out[j]
	})
	return out
}
