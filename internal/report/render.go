package report

import (
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"strings"
	texttemplate "text/template"
	"time"

	_ "embed"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

//go:embed report.md.tmpl
var markdownTemplate string

//go:embed report.html.tmpl
var htmlTemplate string

var funcs = map[string]any{
	"md":     markdownText,
	"mdJoin": func(list []string, sep string) string { return markdownText(strings.Join(list, sep)) },
	"pct3": func(f *float64) string {
		if f == nil {
			return "–"
		}
		return fmt.Sprintf("%.3f%%", *f*100)
	},
	"pct0":    func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"burn":    func(f float64) string { return fmt.Sprintf("%.1f×", f) },
	"day":     func(t time.Time) string { return t.UTC().Format("Mon Jan 2, 2006") },
	"when":    func(t time.Time) string { return slo.FormatTime(t.UTC(), t) }, // a report names its year
	"count":   func(f float64) string { return fmt.Sprintf("%.0f", f) },
	"plural":  plural,
	"minus":   func(t time.Time) time.Time { return t.Add(-time.Second) },
	"title":   func(a slo.Annotation) string { return a.Title() },
	"join":    strings.Join,
	"classOf": func(v string) string { return strings.ReplaceAll(v, " ", "-") },
	"verdict": func(o Outcome) string {
		switch {
		case !o.HasData:
			return "no data"
		case o.Met:
			return "met"
		}
		return "missed"
	},
	"labels": engine.LabelText,
	// policy names the states beyond the resting one the SLO held, and
	// for how long; the resting state alone when it held no other.
	"policy": func(times []StateTime) string {
		var parts []string
		for _, st := range times {
			if !st.Resting {
				parts = append(parts, st.State+" "+slo.FormatDuration(time.Duration(st.Time)))
			}
		}
		if len(parts) == 0 {
			for _, st := range times {
				return st.State
			}
			return "–"
		}
		return strings.Join(parts, ", ")
	},
	"trend": func(s SLO) string {
		if s.Trend == "new" || !s.Previous.HasData {
			return "new"
		}
		return fmt.Sprintf("%s (was %.0f%%)", s.Trend, s.Previous.BudgetSpent*100)
	},
}

// markdownText escapes text for Markdown: HTML and Markdown syntax in it
// show as typed instead of being rendered, a "|" cannot break a table and a
// newline cannot start a block.
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\n', '\r':
			b.WriteByte(' ')
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '#', '|', '!', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	mdTmpl   = texttemplate.Must(texttemplate.New("md").Funcs(funcs).Parse(markdownTemplate))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Funcs(funcs).Parse(htmlTemplate))
)

// Formats are the formats Write takes.
var Formats = []string{"md", "html", "json"}

// Write renders the report as Markdown, a standalone HTML page or JSON.
func Write(w io.Writer, r *Report, format string) error {
	switch format {
	case "md", "markdown":
		return mdTmpl.Execute(w, r)
	case "html":
		return htmlTmpl.Execute(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return fmt.Errorf("report format %q: want md, html or json", format)
}

// HTMLBody renders the report's body (without the page around it), for
// the web UI.
func HTMLBody(w io.Writer, r *Report) error { return htmlTmpl.ExecuteTemplate(w, "body", r) }

// plural writes n and noun, in the plural unless n is 1: "1 request",
// "3 requests". It takes float counts of events too ("1 bad event").
func plural(n any, noun string) string {
	var f float64
	switch n := n.(type) {
	case int:
		f = float64(n)
	case float64:
		f = n
	}
	if f == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%.0f %ss", f, noun)
}
