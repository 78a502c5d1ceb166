package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Generate writes the rules of every SLO in the catalog that Prometheus
// measures: one group per SLO, one File per service, sorted by name. SLOs
// measured by pushed events have nothing to record and are left out with
// a warning. It fails on an SLO whose queries cannot be turned into rules.
func Generate(cat *slo.Catalog) (*Result, error) {
	defs := slices.Clone(cat.SLOs)
	slices.SortFunc(defs, func(a, b slo.SLO) int { return strings.Compare(a.ID(), b.ID()) })
	res := &Result{}
	for i := range defs {
		s := &defs[i]
		if s.Indicator.Pushed() {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: measured from pushed events (stream %q), so Prometheus has nothing to record; left out", s.ID(), s.Indicator.Stream))
			continue
		}
		if l := reservedGroupBy(s); l != "" {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: groupBy label %q is also a label of every recorded series; left out", s.ID(), l))
			continue
		}
		g, err := group(cat, s)
		if err != nil {
			return nil, fmt.Errorf("generate rules for SLO %s: %w", s.ID(), err)
		}
		res.Warnings = append(res.Warnings, approximations(s)...)
		if n := len(res.Files); n == 0 || res.Files[n-1].Service != s.Service {
			res.Files = append(res.Files, File{Service: s.Service})
		}
		f := &res.Files[len(res.Files)-1]
		f.Groups = append(f.Groups, g)
	}
	return res, nil
}

// group is one SLO's rules in evaluation order: the raw 5-minute rates,
// the windows derived from them, the metadata and the alerts.
func group(cat *slo.Catalog, s *slo.SLO) (Group, error) {
	t := newTarget(s)
	base, err := baseRules(s, t)
	if err != nil {
		return Group{}, err
	}
	rules := append(base, windowRules(s, t)...)
	rules = append(rules, metaRules(cat, s, t)...)
	rules = append(rules, alertRules(cat, s, t)...)
	return Group{Name: GroupName(s), Interval: dur(EvalInterval), Rules: rules}, nil
}

// GroupName names an SLO's rule group: accord:SERVICE:SLO. Names in specs
// hold no colon, so no two SLOs share a group name.
func GroupName(s *slo.SLO) string { return "accord:" + s.Service + ":" + s.Name }

// reservedGroupBy returns a group-by label the recordings set themselves,
// which would merge the groups; empty when there is none.
func reservedGroupBy(s *slo.SLO) string {
	for _, l := range s.GroupBy {
		if l == "service" || l == "slo" {
			return l
		}
	}
	return ""
}

// approximations are warnings for what the rules measure differently from
// the engine.
func approximations(s *slo.SLO) []string {
	var out []string
	if s.Window.IsCalendar() {
		out = append(out, fmt.Sprintf("%s: the %s window is measured as a rolling %s in Prometheus rules",
			s.ID(), s.Window, dur(s.Window.Nominal())))
	}
	short := func(what string, d time.Duration) {
		w := fmt.Sprintf("%s: %s %s is measured over %s in Prometheus rules", s.ID(), what, dur(d), dur(baseWindow))
		if d > 0 && d < baseWindow && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	if timeslices(s) {
		short("slice length", s.Budgeting.SliceLength)
	}
	for _, r := range engine.Rules(s) {
		short("window", r.ShortWindow)
		short("window", r.LongWindow)
	}
	return out
}
