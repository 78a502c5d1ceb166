package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ui holds the parsed pages and the stylesheet's checksum URL.
type ui struct {
	pages map[string]*template.Template
	css   string // /static/style.<sum>.css
	style []byte
}

func newUI() (*ui, error) {
	style, err := fs.ReadFile(staticFS, "static/style.css")
	if err != nil {
		return nil, fmt.Errorf("read stylesheet: %w", err)
	}
	style = append(style, barWidths()...)
	sum := sha256.Sum256(style)
	u := &ui{pages: map[string]*template.Template{}, style: style,
		css: "/static/style." + hex.EncodeToString(sum[:6]) + ".css"}
	for _, page := range []string{"overview", "slo", "team", "teams", "alerts", "reports", "error"} {
		t, err := template.New(page).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page+".html")
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", page, err)
		}
		u.pages[page] = t
	}
	return u, nil
}

// barWidths are the rules that size a budget bar's fill, .w0 to .w100
// (barWidth rounds to whole percents): a class, since the Content
// Security Policy refuses inline styles.
func barWidths() []byte {
	var b strings.Builder
	b.WriteString("\n/* budget bar widths (generated) */\n")
	for i := 0; i <= 100; i++ {
		fmt.Fprintf(&b, ".bar .fill.w%d { width: %d%%; }\n", i, i)
	}
	return []byte(b.String())
}

// page is what every page's layout needs.
type page struct {
	Title   string
	Nav     string
	Now     time.Time
	CSS     string
	Refresh int
	// Who is signed in: a token's name or the person the proxy names.
	Who string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.renderStatus(w, r, name, http.StatusOK, data)
}

// renderStatus renders a page whole, then answers it with status.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, name string, status int, data any) {
	var buf bytes.Buffer
	if err := s.ui.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "the page could not be rendered; the server log has the details", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// errorPage is a page that could not be shown, and why.
type errorPage struct {
	page
	Message string
	// RetryAfter is the seconds to wait before asking again; 0 when
	// asking again will not help.
	RetryAfter int
}

// pageError answers a page whose data could not be read with a page that
// says so, with the status the API would answer: 503 and Retry-After
// while the database does not answer, never a page that silently lacks
// what it failed to read.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, nav string, err error) {
	status, body := s.failure(w, r, err)
	// A wall screen's ?refresh= stays, so it comes back by itself.
	p := errorPage{page: s.page(r, "This page cannot be shown now", nav), Message: body.Message}
	switch {
	case body.Message == databaseDownMessage:
		p.RetryAfter = RetryAfter
		p.Message = "Accord cannot show this page now: its database does not answer (unreachable, full or failing over)."
	case status == http.StatusServiceUnavailable:
		p.RetryAfter = RetryAfter
		p.Message = "Accord cannot show this page now: " + body.Message + "."
	}
	w.Header().Set("Cache-Control", "no-store")
	s.renderStatus(w, r, "error", status, p)
}

func (s *Server) page(r *http.Request, title, nav string) page {
	p := page{Title: title, Nav: nav, Now: s.engine.Clock().Now(), CSS: s.ui.css, Who: auth.IdentityFrom(r.Context()).Name}
	// ?refresh=N reloads the page every N seconds, for wall screens.
	if n, err := fmt.Sscan(r.URL.Query().Get("refresh"), &p.Refresh); n != 1 || err != nil || p.Refresh < 10 {
		p.Refresh = 0
	}
	return p
}

func (s *Server) serveStyle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(s.ui.style)
}

var funcs = template.FuncMap{
	"pct":  func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
	"pct0": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"pct3": func(f float64) string { return fmt.Sprintf("%.3f%%", f*100) },
	"burn": func(f float64) string {
		if f >= 100 {
			return fmt.Sprintf("%.0f×", f)
		}
		return fmt.Sprintf("%.1f×", f)
	},
	"barWidth": func(f float64) string { return fmt.Sprintf("%.0f", math.Max(0, math.Min(1, f))*100) },
	"barClass": func(f float64) string {
		switch {
		case f <= 0:
			return "bad"
		case f < 0.25:
			return "warn"
		}
		return "good"
	},
	"healthClass": func(h engine.Health) string { return strings.ReplaceAll(string(h), " ", "-") },
	"policyClass": policyClass,
	"groupText":   groupText,
	"join":        strings.Join,
	"until": func(now time.Time, t *time.Time) string {
		if t == nil {
			return "–"
		}
		return humanDuration(t.Sub(now))
	},
	"budgetText": engine.Budget.Text,
	"amount":     engine.Amount,
}

// groupText renders a group key as store=berlin-042; "–" for none.
func groupText(key string) string {
	if text := engine.LabelText(engine.GroupLabels(key)); text != "" {
		return text
	}
	return "–"
}

// ago says how long ago something happened d before now.
func ago(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return humanDuration(d) + " ago"
}

// humanDuration says how long d is in the largest sensible unit.
func humanDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.1fh", d.Hours())
	}
	return fmt.Sprintf("%.1fd", d.Hours()/24)
}

// sloRow is one SLO as the tables show it.
type sloRow struct {
	ID, Title, Service, Href, Window string
	Health                           engine.Health
	HasData                          bool
	SLI, Objective, Remaining        float64
	Burn                             float64
	BurnWindow                       string
	BurnOK                           bool
	Team, ProductOwner, PolicyState  string
	// Policy is the policy badge: the state, or why there is none yet.
	Policy policyBadge
	Firing int
	Pages  int
	// Stale is true while the SLO's source fails: its numbers are not
	// current.
	Stale bool
	// Freezes is true while the SLO's policy state freezes releases.
	Freezes bool
	// NotMeasured says why Accord does not measure the SLO, if so.
	NotMeasured string
	// WorstGroup names the group the budget bar shows, for grouped SLOs.
	WorstGroup string
	// Journey is true for a composite SLO; Cause is, where the overview
	// names it, the SLO that caused most of its spent budget (followed
	// down nested journeys), whose team is to act.
	Journey bool
	Cause   *componentRow
}

func newRow(v engine.SLOView) sloRow {
	r := sloRow{ID: v.ID, Title: v.DisplayName, Service: v.Service, Href: "/slos/" + v.Service + "/" + v.Name,
		Window: v.Window, Health: v.Health(), HasData: v.Status.HasData(), Objective: v.Objective,
		Remaining: v.Worst.Budget.RemainingFraction, Team: v.Owners.Team, ProductOwner: v.Owners.ProductOwner,
		PolicyState: v.Policy.State, Policy: newPolicyBadge(v), Stale: v.Source.Stale, NotMeasured: v.Source.NotMeasured,
		Journey: v.Journey}
	if r.Title == "" {
		r.Title = v.Name
	}
	if v.Status.SLI != nil {
		r.SLI = *v.Status.SLI
	}
	for _, a := range v.Policy.Actions {
		r.Freezes = r.Freezes || a.Kind == slo.ActionFreezeReleases
	}
	if v.GroupCount > 1 {
		r.WorstGroup = fmt.Sprintf("worst of %d: %s", v.GroupCount, groupText(engine.GroupKey(v.WorstGroup)))
	}
	if rate, w, ok := v.Worst.Fastest(); ok {
		r.Burn, r.BurnWindow, r.BurnOK = rate, slo.FormatDuration(w), true
	}
	for _, a := range v.Alerts {
		if a.State == engine.AlertFiring {
			r.Firing++
			if a.Severity == slo.SeverityPage {
				r.Pages++
			}
		}
	}
	return r
}

// healthRank orders rows so what needs attention comes first.
var healthRank = map[engine.Health]int{engine.HealthExhausted: 0, engine.HealthAtRisk: 1, engine.HealthStale: 2,
	engine.HealthNoData: 3, engine.HealthMet: 4}

// policyBadge is an SLO's policy state as a badge: the state, or "no
// data" and "too few events" while the policy rests for want of evidence,
// so an SLO nobody can judge never reads healthy.
type policyBadge struct{ Text, Class, Title string }

func newPolicyBadge(v engine.SLOView) policyBadge {
	p := v.Policy
	switch {
	case p.Resting && v.Source.Stale:
		return policyBadge{Text: p.State, Class: "no-data", Title: "held while the data source fails: the budget is not current"}
	case !p.Resting || engine.Evident(v.Worst, p.MinEvents):
		return policyBadge{Text: p.State, Class: policyClass(p.State)}
	}
	need := fmt.Sprintf("the policy judges the budget once the window holds %s %s", engine.Amount(p.MinEvents), v.Worst.Budget.Unit)
	if !v.Worst.HasData() {
		return policyBadge{Text: "no data", Class: "no-data", Title: need}
	}
	return policyBadge{Text: "too few events", Class: "no-data",
		Title: fmt.Sprintf("%s of %s: %s", engine.Amount(v.Worst.Counts.Total), engine.Amount(p.MinEvents), need)}
}

func policyClass(state string) string {
	switch state {
	case "healthy", "":
		return "healthy"
	case "exhausted":
		return "exhausted"
	}
	return "at-risk"
}
