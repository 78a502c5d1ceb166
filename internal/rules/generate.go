package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Naming says which series names and labels the rules record.
type Naming string

// The namings.
const (
	// NamingAccord records Accord's series, labelled service and slo.
	NamingAccord Naming = "accord"
	// NamingSloth records, besides, the series Sloth records, labelled
	// sloth_id, sloth_service and sloth_slo as Sloth labels them, so that
	// Sloth's dashboards and alert routes keep working.
	NamingSloth Naming = "sloth"
)

// Namings are the namings, for flag help and completion.
var Namings = []string{string(NamingAccord), string(NamingSloth)}

// Options say what to generate.
type Options struct {
	// Naming is the series names and labels; empty is NamingAccord.
	Naming Naming
	// NoData, when positive, adds to every SLO an alert that fires when
	// none of its total series has been seen for this long.
	NoData time.Duration
}

// Each generates the rules of every SLO in the catalog that Prometheus
// measures, one group per SLO, and hands each to emit as soon as it is
// made, sorted by service and SLO name, so that output of any size is
// written without being held. SLOs measured by pushed events, and SLOs
// whose source Accord cannot measure (Datadog, CloudWatch, ...), have
// nothing to record and are left out with a warning. It fails on an SLO whose
// queries cannot be turned into rules, or when emit fails. The catalog is
// one spec validation accepted: what validation refuses (unknown journey
// components, cycles, components budgeted otherwise) is not checked again.
func Each(cat *slo.Catalog, opts Options, emit func(service string, g Group) error) (warnings []string, err error) {
	if opts.Naming == "" {
		opts.Naming = NamingAccord
	}
	if opts.Naming != NamingAccord && opts.Naming != NamingSloth {
		return nil, fmt.Errorf("unknown naming %q: must be %s", opts.Naming, strings.Join(Namings, " or "))
	}
	defs := make([]*slo.SLO, len(cat.SLOs))
	for i := range cat.SLOs {
		defs[i] = &cat.SLOs[i]
	}
	slices.SortFunc(defs, func(a, b *slo.SLO) int { return strings.Compare(a.ID(), b.ID()) })
	ix := newIndex(defs)
	for _, s := range defs {
		if why := ix.unrecorded(s); why != "" {
			warnings = append(warnings, fmt.Sprintf("%s: %s, so Prometheus has nothing to record; left out", s.ID(), why))
			continue
		}
		t := newTarget(s, opts.Naming)
		for i, l := range t.raw {
			if t.by[i] != l {
				warnings = append(warnings, fmt.Sprintf("%s: groupBy label %q is also a label of every recorded series; recorded as %q", s.ID(), l, t.by[i]))
			}
		}
		g, warned, err := group(cat, ix, s, t, opts)
		if err != nil {
			return warnings, fmt.Errorf("generate rules for SLO %s: %w", s.ID(), err)
		}
		warnings = append(warnings, approximations(s)...)
		warnings = append(warnings, warned...)
		if err := emit(s.Service, g); err != nil {
			return warnings, err
		}
	}
	return warnings, nil
}

// Generate generates the rules of every SLO as Each does and keeps them:
// one File per service, sorted by name.
func Generate(cat *slo.Catalog, opts Options) (*Result, error) {
	res := &Result{}
	warnings, err := Each(cat, opts, func(service string, g Group) error {
		if n := len(res.Files); n == 0 || res.Files[n-1].Service != service {
			res.Files = append(res.Files, File{Service: service})
		}
		f := &res.Files[len(res.Files)-1]
		f.Groups = append(f.Groups, g)
		return nil
	})
	res.Warnings = warnings
	if err != nil {
		return nil, err
	}
	return res, nil
}

// group is one SLO's rules in evaluation order: the raw minute's events,
// the tiles, the budget and metadata, and the alerts. Every label name is
// made valid, with a warning for each it changed.
func group(cat *slo.Catalog, ix index, s *slo.SLO, t target, opts Options) (Group, []string, error) {
	for _, l := range t.raw {
		if !validLabelName(l) {
			return Group{}, nil, fmt.Errorf("groupBy label %q is not a valid Prometheus label name", l)
		}
	}
	var rules []Rule
	slice := judged(s, t.ratio(sliceLength(s)))
	if s.Journey() {
		comps := ix.components(s, opts.Naming)
		rules = journeyBaseRules(comps, t)
		if timeslices(s) {
			slice = journeySlice(s, comps)
		} else {
			rules = append(rules, componentErrorRule(comps, t))
		}
	} else {
		var err error
		if rules, err = baseRules(s, t); err != nil {
			return Group{}, nil, err
		}
	}
	if timeslices(s) {
		rules = append(rules, sliceRules(s, t, slice)...)
	} else if needsTiles(s) {
		rules = append(rules, tileRules(s, t)...)
	}
	if opts.Naming == NamingSloth {
		rules = append(rules, slothRules(s, t)...)
	} else {
		rules = append(rules, budgetRules(s, t)...)
		rules = append(rules, metaRule(cat, s, t))
	}
	rules = append(rules, alertRules(cat, s, t, opts.Naming)...)
	if opts.NoData > 0 {
		rules = append(rules, noDataRule(cat, s, t, opts))
	}
	var warnings []string
	for i := range rules {
		var w []string
		rules[i].Labels, w = sanitizeLabels(rules[i].Labels, s.ID())
		for _, msg := range w {
			if !slices.Contains(warnings, msg) {
				warnings = append(warnings, msg)
			}
		}
		if rules[i].Annotations != nil {
			for _, k := range slices.Collect(maps.Keys(rules[i].Annotations)) {
				if !validLabelName(k) {
					rules[i].Annotations[sanitizeLabelName(k)] = rules[i].Annotations[k]
					delete(rules[i].Annotations, k)
				}
			}
		}
	}
	return Group{Name: GroupName(s), Interval: dur(EvalStep), Rules: rules}, warnings, nil
}

// GroupName names an SLO's rule group: accord:SERVICE:SLO. Names in specs
// hold no colon, so no two SLOs share a group name.
func GroupName(s *slo.SLO) string { return "accord:" + s.Service + ":" + s.Name }

// approximations are warnings for what the rules measure differently from
// the engine.
func approximations(s *slo.SLO) []string {
	var out []string
	if s.Window.IsCalendar() {
		out = append(out, fmt.Sprintf("%s: the %s window is measured as a rolling %s in Prometheus rules",
			s.ID(), s.Window, dur(s.Window.Nominal())))
	}
	short := func(what string, d time.Duration) {
		w := fmt.Sprintf("%s: %s %s is measured over %s in Prometheus rules", s.ID(), what, dur(d), dur(EvalStep))
		if d > 0 && d < EvalStep && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	if timeslices(s) {
		short("slice length", s.Budgeting.SliceLength)
	}
	if s.Journey() && (s.Composite.WhenDelayed == slo.CountAsGood || s.Composite.WhenDelayed == slo.CountAsBad) {
		out = append(out, fmt.Sprintf("%s: whenDelayed %s is not applied in Prometheus rules: a component without series counts no events, as with whenDelayed: ignore",
			s.ID(), s.Composite.WhenDelayed))
	}
	for _, r := range engine.Rules(s) {
		short("window", r.ShortWindow)
		short("window", r.LongWindow)
	}
	return out
}
