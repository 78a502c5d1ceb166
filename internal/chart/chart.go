// Package chart draws small, labelled SVG line charts over time for the web
// UI: axes with units, time ticks, legends, threshold lines and markers for
// events such as deploys. No JavaScript, no external assets.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strings"
	"time"
)

// Point is one value at one time; OK false is a gap (no data).
type Point struct {
	T  time.Time
	V  float64
	OK bool
}

// Series is one line.
type Series struct {
	Name   string
	Points []Point
	// Class picks the line's colour from the stylesheet: s1..s4, bad, good.
	Class  string
	Dashed bool
}

// Line is a horizontal reference line, e.g. the objective.
type Line struct {
	Y     float64
	Label string
	Class string
}

// Marker is a vertical line at a moment, e.g. a deploy.
type Marker struct {
	T     time.Time
	Label string
	Class string
}

// Chart is a time-series line chart.
type Chart struct {
	// Title names the chart for screen readers and as its heading.
	Title  string
	Width  int
	Height int
	// Unit is written beside the y axis, e.g. "%" or "×".
	Unit string
	// Format renders a y value; default %g.
	Format func(float64) string
	// YMin and YMax fix the y range; nil fits the data and lines.
	YMin, YMax *float64
	From, To   time.Time
	Series     []Series
	Lines      []Line
	Markers    []Marker
}

const (
	padLeft   = 64
	padRight  = 16
	padTop    = 28
	padBottom = 36
)

// SVG renders the chart.
func (c Chart) SVG() template.HTML {
	if c.Width == 0 {
		c.Width = 600
	}
	if c.Height == 0 {
		c.Height = 280
	}
	if c.Format == nil {
		c.Format = func(v float64) string { return fmt.Sprintf("%g", v) }
	}
	lo, hi := c.yRange()
	plotW, plotH := float64(c.Width-padLeft-padRight), float64(c.Height-padTop-padBottom)
	span := c.To.Sub(c.From).Seconds()
	if span <= 0 {
		span = 1
	}
	x := func(t time.Time) float64 { return padLeft + plotW*t.Sub(c.From).Seconds()/span }
	y := func(v float64) float64 { return padTop + plotH*(1-(v-lo)/(hi-lo)) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		c.Width, c.Height, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	// Y grid and labels.
	for _, v := range niceTicks(lo, hi, 5) {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padLeft, c.Width-padRight, y(v), y(v))
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`,
			padLeft-6, y(v), html.EscapeString(c.Format(v)))
	}
	if c.Unit != "" {
		fmt.Fprintf(&b, `<text class="unit" x="6" y="%d">%s</text>`, padTop-10, html.EscapeString(c.Unit))
	}
	// X ticks.
	for _, t := range timeTicks(c.From, c.To, 6) {
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`, x(t.at), x(t.at), padTop, c.Height-padBottom)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(t.at), c.Height-padBottom+16, html.EscapeString(t.label))
	}
	fmt.Fprintf(&b, `<rect class="frame" x="%d" y="%d" width="%.0f" height="%.0f"/>`, padLeft, padTop, plotW, plotH)
	lastLabel := math.Inf(-1)
	for _, m := range c.Markers {
		if m.T.Before(c.From) || m.T.After(c.To) {
			continue
		}
		fmt.Fprintf(&b, `<g class="marker %s"><line x1="%.1f" x2="%.1f" y1="%d" y2="%d"/><title>%s</title>`,
			m.Class, x(m.T), x(m.T), padTop, c.Height-padBottom, html.EscapeString(m.Label))
		// Markers close together keep their lines and tooltips; only the
		// first of them is labelled, so labels never overlap.
		if x(m.T)-lastLabel >= 130 {
			anchor, lx := "middle", x(m.T)
			if lx > float64(c.Width-padRight-65) {
				anchor = "end"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="%s">%s</text>`, lx, padTop-4, anchor, html.EscapeString(shorten(m.Label, 18)))
			lastLabel = x(m.T)
		}
		b.WriteString(`</g>`)
	}
	labelY := c.lineLabels(y, lo, hi)
	for i, l := range c.Lines {
		if l.Y < lo || l.Y > hi {
			continue
		}
		fmt.Fprintf(&b, `<g class="ref %s"><line x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, l.Class, padLeft, c.Width-padRight, y(l.Y), y(l.Y))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text></g>`, c.Width-padRight-4, labelY[i], html.EscapeString(l.Label))
	}
	for _, s := range c.Series {
		line, dots := path(s.Points, x, func(v float64) float64 { return y(math.Max(lo, math.Min(hi, v))) })
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		if line != "" {
			fmt.Fprintf(&b, `<path class="series %s" d="%s"%s stroke-linecap="round"><title>%s</title></path>`, s.Class, line, dash, html.EscapeString(s.Name))
		}
		if dots != "" {
			fmt.Fprintf(&b, `<path class="series %s dot" d="%s" stroke-linecap="round"><title>%s</title></path>`, s.Class, dots, html.EscapeString(s.Name))
		}
	}
	c.legend(&b)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped parts only
}

// labelGap is the least vertical distance between two reference lines'
// labels, in pixels: about a line of 13px text.
const labelGap = 14

// lineLabels places each reference line's label just above its line, and
// moves labels of lines close together apart so they never overlap: lines
// 1, 6 and 14.4 on a chart up to 1,000 sit within a few pixels.
func (c Chart) lineLabels(y func(float64) float64, lo, hi float64) []float64 {
	pos := make([]float64, len(c.Lines))
	var shown []int
	for i, l := range c.Lines {
		pos[i] = y(l.Y) - 4
		if l.Y >= lo && l.Y <= hi {
			shown = append(shown, i)
		}
	}
	sort.Slice(shown, func(a, b int) bool { return pos[shown[a]] < pos[shown[b]] })
	// Top down: each label at least a gap below the one above it; then,
	// bottom up, back inside the plot where that pushed it out.
	for k := 1; k < len(shown); k++ {
		pos[shown[k]] = math.Max(pos[shown[k]], pos[shown[k-1]]+labelGap)
	}
	bottom := float64(c.Height - padBottom - 4)
	for k := len(shown) - 1; k >= 0; k-- {
		limit := bottom
		if k < len(shown)-1 {
			limit = pos[shown[k+1]] - labelGap
		}
		pos[shown[k]] = math.Min(pos[shown[k]], limit)
	}
	return pos
}

func (c Chart) legend(b *strings.Builder) {
	lx := float64(padLeft)
	for _, s := range c.Series {
		fmt.Fprintf(b, `<g class="legend %s"><line x1="%.0f" x2="%.0f" y1="%d" y2="%d"/><text x="%.0f" y="%d">%s</text></g>`,
			s.Class, lx, lx+18, c.Height-8, c.Height-8, lx+22, c.Height-4, html.EscapeString(s.Name))
		lx += 36 + 9*float64(len([]rune(s.Name)))
	}
	// Reference lines carry their own labels; the legend names the series.
}

// path joins points into an SVG path, breaking it at gaps. Points with
// gaps on both sides go to dots instead, as zero-length runs that the
// round line caps of a wider stroke draw as dots: one-minute data with
// gaps still shows.
func path(pts []Point, x func(time.Time) float64, y func(float64) float64) (line, dots string) {
	var l, d strings.Builder
	for i, p := range pts {
		if !p.OK {
			continue
		}
		first := i == 0 || !pts[i-1].OK
		last := i == len(pts)-1 || !pts[i+1].OK
		switch {
		case first && last:
			fmt.Fprintf(&d, "M%.1f %.1f h0 ", x(p.T), y(p.V))
		case first:
			fmt.Fprintf(&l, "M%.1f %.1f ", x(p.T), y(p.V))
		default:
			fmt.Fprintf(&l, "L%.1f %.1f ", x(p.T), y(p.V))
		}
	}
	return strings.TrimSpace(l.String()), strings.TrimSpace(d.String())
}

// yRange fits the data and reference lines unless fixed, with a margin.
func (c Chart) yRange() (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for _, p := range s.Points {
			if p.OK {
				lo, hi = math.Min(lo, p.V), math.Max(hi, p.V)
			}
		}
	}
	for _, l := range c.Lines {
		lo, hi = math.Min(lo, l.Y), math.Max(hi, l.Y)
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi, lo = hi+0.5, lo-0.5
	}
	pad := (hi - lo) * 0.08
	lo, hi = lo-pad, hi+pad
	if c.YMin != nil {
		lo = *c.YMin
	}
	if c.YMax != nil {
		hi = *c.YMax
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
