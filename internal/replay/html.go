package replay

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/accord-slo/accord/internal/chart"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

//go:embed replay.html.tmpl
var htmlSource string

var htmlTmpl = template.Must(template.New("replay").Funcs(template.FuncMap{
	"pct":     percent,
	"stamp":   stamp,
	"span":    span,
	"periods": periodsText,
	"delays":  delays,
	"yesNo":   yesNo,
	"freeze":  freezeText,
	"labels":  engine.LabelText,
	"resolved": func(a Alert) string {
		if a.ResolvedAt == nil {
			return "still firing"
		}
		return stamp(*a.ResolvedAt)
	},
	"plural":    plural,
	"measured":  measuredText,
	"pagesOf":   func(as []Alert) int { p, _ := bySeverity(as); return len(p) },
	"ticketsOf": func(as []Alert) int { _, t := bySeverity(as); return len(t) },
}).Parse(htmlSource))

// htmlPage is what the HTML report shows.
type htmlPage struct {
	*Result
	Definition string
	// Unmatched lists the team's alerts that named no SLO.
	Unmatched string
	SLOs      []htmlSLO
}

// htmlSLO is one SLO's section with its charts.
type htmlSLO struct {
	SLOResult
	BurnDown, SLIChart, BurnChart template.HTML
}

// writeHTML renders the replay as one self-contained page: styles inline,
// charts as inline SVG drawn by the same code as the UI's.
func writeHTML(w io.Writer, r *Result, cat slo.Catalog) error {
	page := htmlPage{Result: r, Definition: HurtDefinition, Unmatched: unmatchedNames(r.TeamAlerts)}
	defs := map[string]slo.SLO{}
	for _, d := range cat.SLOs {
		defs[d.ID()] = d
	}
	for _, s := range r.SLOs {
		def := defs[s.SLO]
		h := htmlSLO{SLOResult: s}
		h.BurnDown, h.SLIChart, h.BurnChart = charts(s, &def, r.From, r.To)
		page.SLOs = append(page.SLOs, h)
	}
	return htmlTmpl.Execute(w, page)
}

// charts draws an SLO's budget, SLI and burn rate over the replay, with
// its pages and freezes marked.
func charts(s SLOResult, def *slo.SLO, from, to time.Time) (burnDown, sli, burn template.HTML) {
	var left, worst, ratio, rate []chart.Point
	for _, p := range s.Budget {
		left = append(left, point(p.At, p.Remaining, 100))
		worst = append(worst, point(p.At, p.Worst, 100))
		ratio = append(ratio, point(p.At, p.SLI, 100))
		rate = append(rate, point(p.At, p.BurnRate, 1))
	}
	var markers []chart.Marker
	pages, _ := bySeverity(s.Alerts)
	for _, a := range pages {
		markers = append(markers, chart.Marker{T: a.FiredAt, Label: fmt.Sprintf("page %s %s", a.Rule, a.Windows), Class: "incident"})
	}
	for _, f := range s.Freezes {
		markers = append(markers, chart.Marker{T: f.From, Label: "releases frozen", Class: "deploy"})
	}
	hundred := 100.0
	series := []chart.Series{{Name: "budget left", Points: left, Class: "s1"}}
	if len(def.GroupBy) > 0 {
		series = append(series, chart.Series{Name: "worst group", Points: worst, Class: "s3"})
	}
	bd := chart.Chart{Title: "Error budget left over the replay", Unit: "% of budget left", From: from, To: to,
		Format: chart.Trim, YMax: &hundred, Series: series, Markers: markers,
		Lines: []chart.Line{{Y: 0, Label: "exhausted", Class: "bad"}}}
	sc := chart.Chart{Title: "SLI per hour against the objective", Unit: "% good", From: from, To: to, Format: chart.Trim,
		Series:  []chart.Series{{Name: "SLI per 1h", Points: ratio, Class: "s1"}},
		Lines:   []chart.Line{{Y: def.Objective, Label: fmt.Sprintf("objective %g%%", def.Objective), Class: "warn"}},
		Markers: markers}
	zero := 0.0
	bc := chart.Chart{Title: "Burn rate over the hour before each point", Unit: "× budget rate", From: from, To: to,
		Format: chart.Trim, YMin: &zero, Series: []chart.Series{{Name: "1h burn rate", Points: rate, Class: "s3"}}, Markers: markers}
	for _, r := range engine.Rules(def) {
		if r.Severity == slo.SeverityPage {
			bc.Lines = append(bc.Lines, chart.Line{Y: r.Factor, Label: fmt.Sprintf("page %s %g×", engine.RuleWindows(r), r.Factor), Class: "bad"})
		}
	}
	bc.Lines = append(bc.Lines, chart.Line{Y: 1, Label: "1× users hurt", Class: "ref"})
	return bd.SVG(), sc.SVG(), bc.SVG()
}

func point(t time.Time, v *float64, scale float64) chart.Point {
	if v == nil {
		return chart.Point{T: t}
	}
	return chart.Point{T: t, V: *v * scale, OK: true}
}
