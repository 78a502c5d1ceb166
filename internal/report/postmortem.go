package report

import (
	"context"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// postmortems finds the incidents in the period that spent more than
// PostmortemShare of the window's budget.
func postmortems(ctx context.Context, src Source, def slo.SLO, kind engine.Kind, anns []slo.Annotation, p Period) ([]Postmortem, error) {
	done := map[string]string{}
	all, err := src.Annotations(ctx, def.Service, time.Time{}, time.Unix(1<<40, 0))
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if a.Kind == slo.AnnotationPostmortem {
			done[a.Incident] = a.Link
		}
	}
	var out []Postmortem
	for _, a := range anns {
		if a.Kind != slo.AnnotationIncident || a.Start.Before(p.From) || !a.Start.Before(p.To) || a.End.IsZero() {
			continue
		}
		share, err := IncidentShare(ctx, src, def, kind, a.Start, a.End)
		if err != nil {
			return nil, err
		}
		if share > PostmortemShare {
			link, ok := done[a.Incident]
			out = append(out, Postmortem{Incident: a.Incident, Start: a.Start, End: a.End, BudgetShare: share, Link: link, Done: ok})
		}
	}
	return out, nil
}

// IncidentShare is the share of the SLO's window budget (the window ending
// with the incident) that the incident's hours spent.
func IncidentShare(ctx context.Context, src Source, def slo.SLO, kind engine.Kind, start, end time.Time) (float64, error) {
	windowStart := end.Add(-def.Window.Nominal())
	h, err := src.HourlyCounts(ctx, kind, engine.UnixMinute(windowStart), engine.UnixMinute(end)+1)
	if err != nil {
		return 0, err
	}
	var bad, total float64
	for hour, c := range h[def.ID()] {
		total += c.Total
		if t := time.Unix(hour*3600, 0); !t.Add(time.Hour).Before(start) && t.Before(end) {
			bad += c.Bad()
		}
	}
	if total == 0 {
		return 0, nil
	}
	return bad / (def.BudgetFraction() * total), nil
}

// DuePostmortem is an incident of one SLO that owes a postmortem.
type DuePostmortem struct {
	SLO string `json:"slo"`
	Postmortem
}

// PostmortemsDue lists the incidents of the given SLOs in the period that
// spent more than PostmortemShare of their window's budget and have no
// postmortem recorded. The catalog lets it derive its journeys' counts,
// which are not stored.
func PostmortemsDue(ctx context.Context, src Source, cat slo.Catalog, defs []slo.SLO, period Period) ([]DuePostmortem, error) {
	src = WithJourneys(src, cat)
	var out []DuePostmortem
	for _, def := range defs {
		kind := engine.KindEvents
		if def.Budgeting.Method == slo.Timeslices || def.Budgeting.Method == slo.RatioTimeslices {
			kind = engine.KindSlices
		}
		anns, err := src.Annotations(ctx, def.Service, period.From, period.To)
		if err != nil {
			return nil, err
		}
		var covering []slo.Annotation
		for _, a := range anns {
			if a.Covers(def) {
				covering = append(covering, a)
			}
		}
		pms, err := postmortems(ctx, src, def, kind, covering, period)
		if err != nil {
			return nil, err
		}
		for _, p := range pms {
			if !p.Done {
				out = append(out, DuePostmortem{SLO: def.ID(), Postmortem: p})
			}
		}
	}
	return out, nil
}
