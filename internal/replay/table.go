package replay

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// writeTable prints the replay for people: the SLOs, the alert scores, and
// per SLO its alerts, weeks, policy and suggested objectives.
func writeTable(w io.Writer, r *Result) error {
	fmt.Fprintf(w, "Replay of %s from %s to %s UTC (%s)\n\n", plural(len(r.SLOs), "SLO"), stamp(r.From), stamp(r.To), span(r.To.Sub(r.From)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SLO\tOBJECTIVE\tSLI\tBUDGET LEFT\tPAGES\tTICKETS\tUSERS HURT\tRELEASES FROZEN")
	for _, s := range r.SLOs {
		pages, tickets := bySeverity(s.Alerts)
		fmt.Fprintf(tw, "%s\t%g%%\t%s\t%s\t%d\t%d\t%s\t%s\n", s.SLO, s.Objective, percent(s.SLI, 3), percent(s.WorstBudgetLeft, 0),
			len(pages), len(tickets), periodsText(s.Hurt), periodsText(s.Freezes))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nUsers were hurt %s: %s.\n\n", periodsText(r.Hurt), HurtDefinition)
	writeScores(tw, r)
	tw.Flush()
	for _, s := range r.SLOs {
		writeSLO(w, tw, s)
	}
	return tw.Flush()
}

// HurtDefinition says in a phrase when users count as hurt.
const HurtDefinition = "users count as hurt while an SLO burns its budget faster than it earns it — a burn rate above 1 over the last hour and the last 5 minutes, on more bad events than the objective allows an average hour; periods less than an hour apart are one"

func writeScores(tw *tabwriter.Writer, r *Result) {
	fmt.Fprintln(tw, "ALERTS\tFIRED\tPER WEEK\tWHILE USERS HURT\tPRECISION\tHURT PERIODS CAUGHT\tRECALL\tDELAY MEDIAN / MAX")
	row := func(indent string, s Score) {
		fmt.Fprintf(tw, "%s%s\t%d\t%.1f\t%d\t%s\t%d of %d\t%s\t%s\n", indent, s.Name, s.Alerts, s.PerWeek, s.WhileHurt,
			percent(s.Precision, 0), s.Caught, s.HurtPeriods, percent(s.Recall, 0), delays(s))
	}
	for _, s := range r.Scores {
		row("", s)
	}
	for _, s := range r.ByAlertname {
		row("  ", s)
	}
	tw.Flush()
	if len(r.TeamAlerts) > 0 {
		fmt.Fprintln(tw)
	}
	for _, m := range matchedBy(r.TeamAlerts) {
		fmt.Fprintf(tw, "Scored against the SLOs of %s: %s\n", m[0], m[1])
	}
	if un := unmatchedNames(r.TeamAlerts); un != "" {
		fmt.Fprintf(tw, "Unmatched alerts, not scored (no service or team label naming an SLO; --match service=LABEL maps one): %s\n", un)
	}
}

// matchedBy lists, per way of matching, the names of the alerts that
// matched so: {"service=checkout (label app)", "HighCPU, HighMemory"}.
func matchedBy(alerts []Alert) [][2]string {
	var hows []string
	names := map[string][]string{}
	for _, a := range alerts {
		if a.Matched == "" {
			continue
		}
		if _, ok := names[a.Matched]; !ok {
			hows = append(hows, a.Matched)
		}
		if !slices.Contains(names[a.Matched], a.Name) {
			names[a.Matched] = append(names[a.Matched], a.Name)
		}
	}
	var out [][2]string
	for _, h := range hows {
		out = append(out, [2]string{h, strings.Join(names[h], ", ")})
	}
	return out
}

// unmatchedNames lists the alerts that matched no SLO by name, with how
// many of each: "NodeDiskFull ×2, HighCPU".
func unmatchedNames(alerts []Alert) string {
	var names []string
	count := map[string]int{}
	for _, a := range alerts {
		if len(a.SLOs) > 0 {
			continue
		}
		if count[a.Name] == 0 {
			names = append(names, a.Name)
		}
		count[a.Name]++
	}
	var parts []string
	for _, n := range names {
		if count[n] > 1 {
			n += fmt.Sprintf(" ×%d", count[n])
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, ", ")
}

func writeSLO(w io.Writer, tw *tabwriter.Writer, s SLOResult) {
	fmt.Fprintf(w, "\n%s (%g%% over %s, measured by %s)\n", s.SLO, s.Objective, s.Window, measuredText(s.Measured))
	if s.Note != "" {
		fmt.Fprintf(w, "  note: %s\n", s.Note)
	}
	var weeks []string
	for _, wk := range s.Weeks {
		weeks = append(weeks, fmt.Sprintf("%s %s", wk.From.Format("Jan 2"), percent(wk.SLI, 3)))
	}
	fmt.Fprintf(w, "  SLI per week: %s\n", orNone(strings.Join(weeks, ", ")))
	var missed []string
	for _, d := range s.Days {
		if d.SLI != nil && !d.Met {
			missed = append(missed, fmt.Sprintf("%s %s", d.From.Format("Jan 2"), percent(d.SLI, 3)))
		}
	}
	fmt.Fprintf(w, "  days that missed %g%%: %s (of %d)\n", s.Objective, orNone(strings.Join(missed, ", ")), len(s.Days))
	var states []string
	for _, p := range s.Policy {
		states = append(states, fmt.Sprintf("%s from %s", p.State, stamp(p.From)))
	}
	fmt.Fprintf(w, "  policy: %s\n", orNone(strings.Join(states, ", ")))
	if len(s.Alerts) > 0 {
		for _, a := range s.Alerts {
			resolved := "still firing"
			if a.ResolvedAt != nil {
				resolved = "resolved " + stamp(*a.ResolvedAt)
			}
			line := fmt.Sprintf("  %s\t%s %s\tfired %s\t%s", a.Severity, a.Rule, a.Windows, stamp(a.FiredAt), resolved)
			if len(a.Labels) > 0 {
				line += "\t" + engine.LabelText(a.Labels)
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
	}
	if len(s.Suggestions) == 0 {
		return
	}
	fmt.Fprintf(w, "  what other objectives would have meant (SLI over the replay %s):\n", percent(s.SLI, 3))
	fmt.Fprintln(tw, "  OBJECTIVE\tMET\tBUDGET LEFT\tLOWEST\tPAGES\tTICKETS\tFREEZES")
	for _, g := range s.Suggestions {
		cur := ""
		if g.Current {
			cur = " (current)"
		}
		fmt.Fprintf(tw, "  %g%%%s\t%s\t%s\t%s\t%d\t%d\t%s\n", g.Objective, cur, yesNo(g.Met), percent(g.BudgetLeft, 0), percent(g.LowestBudget, 0),
			g.Pages, g.Tickets, freezeText(g))
	}
	tw.Flush()
	if s.Suggested != nil {
		fmt.Fprintf(w, "  the strictest objective whose budget lasted: %g%%\n", *s.Suggested)
	} else {
		fmt.Fprintln(w, "  no objective's budget lasted the replay")
	}
}

func freezeText(g Suggestion) string {
	if g.Freezes == 0 {
		return "none"
	}
	return fmt.Sprintf("%d (%s)", g.Freezes, span(time.Duration(g.FrozenHours*float64(time.Hour))))
}

func periodsText(ps []Period) string {
	if len(ps) == 0 {
		return "never"
	}
	var d time.Duration
	for _, p := range ps {
		d += p.Duration()
	}
	return fmt.Sprintf("%s, %s", plural(len(ps), "time"), span(d))
}

// plural counts things: 1 SLO, 2 SLOs.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

func measuredText(m string) string {
	switch m {
	case measuredPushed:
		return "pushed events"
	case measuredJourney:
		return "its components (a journey)"
	}
	return "Prometheus"
}

func delays(s Score) string {
	if s.MedianDelay == nil {
		return "–"
	}
	return minutes(*s.MedianDelay) + " / " + minutes(*s.MaxDelay)
}

// minutes writes a delay in minutes as people read it: 8m, 3h36m, -2m.
func minutes(m float64) string {
	d := time.Duration(m * float64(time.Minute)).Round(time.Minute)
	if d < 0 {
		return "-" + span(-d)
	}
	return span(d)
}

// span writes a duration in days, hours and minutes: 26d, 5h12m, 0m.
func span(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var b strings.Builder
	if days > 0 {
		fmt.Fprintf(&b, "%dd", days)
	}
	if hours > 0 {
		fmt.Fprintf(&b, "%dh", hours)
	}
	if mins > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%dm", mins)
	}
	return b.String()
}

func percent(f *float64, decimals int) string {
	if f == nil {
		return "–"
	}
	return fmt.Sprintf("%.*f%%", decimals, *f*100)
}

func stamp(t time.Time) string { return t.UTC().Format("Jan 2 15:04") }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
