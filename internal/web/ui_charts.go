package web

import (
	"context"
	"fmt"
	"html/template"
	"time"

	"github.com/accord-slo/accord/internal/chart"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// charts draws an SLO's burn-down, SLI and burn-rate charts over its
// current window.
//
// span, when shorter than the window, zooms the SLI and burn-rate charts
// in on its last part; the burn-down always shows the whole window.
// group (a GroupKey) narrows the charts to one group of a grouped SLO.
func (s *Server) charts(ctx context.Context, v engine.SLOView, def slo.SLO, now time.Time, span time.Duration, group string) (burnDown, sli, burn template.HTML, err error) {
	from := engine.WindowStart(def.Window, now)
	to := now
	end := now
	if def.Window.IsCalendar() {
		end = engine.WindowEnd(def.Window, now)
	}
	windowFrom := from
	if span > 0 {
		// Zoomed in, or out past the window: the SLI and burn rate
		// charts show the span; the burn-down always spans the window.
		from, end = now.Add(-span), now
	}
	step := max((to.Sub(from) / 240).Truncate(time.Minute), time.Minute)
	if to.Sub(from) > engine.MinuteResolution {
		step = max(step, time.Hour).Truncate(time.Hour) // older data is kept per hour
		from = from.Truncate(time.Hour)
	}
	points, _ := s.engine.History(v.ID, group, from, to, step)
	var left, ratio, rate []chart.Point
	for _, p := range points {
		ratio = append(ratio, pt(p.At, p.SLI, 100))
		rate = append(rate, pt(p.At, p.BurnRate, 1))
	}
	bdEnd := end
	if windowFrom != from { // zoomed in: the burn-down still spans the window
		wstep := max((now.Sub(windowFrom) / 240).Truncate(time.Hour), time.Hour)
		all, _ := s.engine.History(v.ID, group, windowFrom.Truncate(time.Hour), now, wstep)
		points, bdEnd = all, now
		if def.Window.IsCalendar() {
			bdEnd = engine.WindowEnd(def.Window, now)
		}
	}
	for _, p := range points {
		left = append(left, pt(p.At, p.BudgetRemaining, 100))
	}
	percent := chart.Trim
	zero, hundred := 0.0, 100.0
	bd := chart.Chart{Title: "Error budget left over the window, against an even spend", Unit: "% of budget left",
		From: windowFrom, To: bdEnd, Format: percent,
		Series: []chart.Series{
			{Name: "budget left", Points: left, Class: "s1"},
			{Name: "even spend", Points: []chart.Point{{T: windowFrom, V: 100, OK: true}, {T: bdEnd, V: 0, OK: true}}, Class: "s2", Dashed: true},
		},
		Lines: []chart.Line{{Y: 0, Label: "exhausted", Class: "bad"}}}
	if minOf(left) >= 0 {
		bd.YMin = &zero
	}
	bd.YMax = &hundred
	sc := chart.Chart{Title: "SLI per step against the objective", Unit: "% good", From: from, To: end, Format: percent,
		Series: []chart.Series{{Name: fmt.Sprintf("SLI per %s", slo.FormatDuration(step)), Points: ratio, Class: "s1"}},
		Lines:  []chart.Line{{Y: def.Objective, Label: fmt.Sprintf("objective %g%%", def.Objective), Class: "warn"}}}
	bc := chart.Chart{Title: "Burn rate over the hour before each point", Unit: "× budget rate", From: from, To: end,
		Format: chart.Trim, YMin: &zero,
		Series: []chart.Series{{Name: "1h burn rate", Points: rate, Class: "s3"}}}
	for _, r := range engine.Rules(&def) {
		if r.LongWindow == time.Hour || r.LongWindow == 6*time.Hour {
			bc.Lines = append(bc.Lines, chart.Line{Y: r.Factor, Label: fmt.Sprintf("%s %s %g×", r.Severity, engine.RuleWindows(r), r.Factor), Class: "bad"})
		}
	}
	bc.Lines = append(bc.Lines, chart.Line{Y: 1, Label: "1× even spend", Class: "ref"})
	annFrom := windowFrom
	if from.Before(annFrom) {
		annFrom = from // a span past the window marks what happened before it
	}
	anns, err := s.history.Annotations(ctx, def.Service, annFrom, bdEnd)
	if err != nil {
		return "", "", "", fmt.Errorf("read the annotations of %s for its charts: %w", def.Service, err)
	}
	var markers []chart.Marker
	for _, a := range anns {
		if !a.Covers(def) || a.Kind == slo.AnnotationPostmortem {
			continue
		}
		markers = append(markers, chart.Marker{T: a.Start, Label: a.Title(), Class: string(a.Kind)})
		if a.Kind == slo.AnnotationMaintenance && !a.End.IsZero() {
			markers = append(markers, chart.Marker{T: a.End, Label: "end of maintenance", Class: string(a.Kind)})
		}
	}
	bd.Markers, sc.Markers, bc.Markers = markers, markers, markers
	return bd.SVG(), sc.SVG(), bc.SVG(), nil
}

func pt(t time.Time, v *float64, scale float64) chart.Point {
	if v == nil {
		return chart.Point{T: t}
	}
	return chart.Point{T: t, V: *v * scale, OK: true}
}

func minOf(pts []chart.Point) float64 {
	m := 0.0
	for _, p := range pts {
		if p.OK && p.V < m {
			m = p.V
		}
	}
	return m
}
