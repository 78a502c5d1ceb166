package spec

import (
	"math"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// Bounds of a journey. Weights are relative, so a component weighing more
// than a million times another drowns it: that is a typo, not a journey.
const (
	minComponentWeight = 0.001
	maxComponentWeight = 1000
	maxComponents      = 100
	minMaxDelay        = time.Minute
	maxMaxDelay        = 24 * time.Hour
)

// whenDelayedValues are the ways a late component may count.
var whenDelayedValues = []string{string(slo.CountAsGood), string(slo.CountAsBad), string(slo.IgnoreDelayed)}

// The checks below read positions from the Origins keys a spec reader
// records for a journey: "composite", "composite.components",
// slo.ComponentField(i) (+ ".weight"), "composite.maxDelay" and
// "composite.whenDelayed"; an absent key falls back to the one above it.

// resolveComponents names every component named without a service by its
// full ID in the journey's service, in place, so that later checks and
// the engine see full IDs whatever format the spec was in.
func resolveComponents(cat *slo.Catalog) {
	for _, s := range cat.SLOs {
		s.Composite.ResolveComponents(s.Service)
	}
}

// compositeAt returns where a journey's field is, falling back to its
// composite, then to the SLO.
func compositeAt(s slo.SLO, field string) slo.Origin {
	return s.Origins.Get(field, s.Origins.Get("composite", s.Origin))
}

func componentAt(s slo.SLO, i int) slo.Origin {
	return s.Origins.Get(slo.ComponentField(i), compositeAt(s, "composite.components"))
}

// indicatorGiven reports whether an SLO's indicator says anything at all.
func indicatorGiven(ind slo.Indicator) bool {
	return ind.Kind != "" || ind.Stream != "" || ind.External != nil || ind.OTLP != nil ||
		ind.DataSource != "" || len(ind.Queries()) > 0
}

// checkComposite checks a journey on its own and against its components.
func checkComposite(s slo.SLO, byID map[string]*slo.SLO, diags *diag.List) {
	c := s.Composite
	if indicatorGiven(s.Indicator) {
		diags.Errorf(compositeAt(s, "composite"), "SLO %q has both an indicator and a composite: a journey is measured by its components alone; remove one of them", s.Name)
	}
	if len(s.GroupBy) > 0 {
		diags.Errorf(s.Origins.Get("groupBy", s.Origin), "a journey has no groups of its own (a grouped component counts as the sum of its groups): remove groupBy")
	}
	switch n := len(c.Components); {
	case n == 0:
		diags.Errorf(compositeAt(s, "composite.components"), "a journey needs components: list the SLOs it combines, such as components: [{slo: scan}, {slo: payments/card, weight: 2}]")
	case n > maxComponents:
		diags.Errorf(compositeAt(s, "composite.components"), "a journey has at most %d components, not %d", maxComponents, n)
	}
	first := map[string]int{}
	for i, comp := range c.Components {
		at := componentAt(s, i)
		checkWeight(s, i, comp.Weight, diags)
		switch {
		case comp.SLO == "":
			diags.Errorf(at, "the component names no SLO: give slo: NAME (an SLO of this service) or slo: SERVICE/NAME")
			continue
		case s.Service == "" && !strings.Contains(comp.SLO, "/"):
			continue // a bare name needs the service the SLO does not name, and is told so
		case !validComponentID(comp.SLO):
			diags.Errorf(at, "component %q must name an SLO as NAME (of this service) or SERVICE/NAME", comp.SLO)
			continue
		case comp.SLO == s.ID():
			diags.Errorf(at, "journey %q lists itself as a component: a journey cannot contain itself", s.ID())
			continue
		}
		if j, dup := first[comp.SLO]; dup {
			diags.Errorf(at, "component %q is listed twice (first at %s): give it once, with a larger weight if it should count more", comp.SLO, componentAt(s, j))
			continue
		}
		first[comp.SLO] = i
		target, ok := byID[comp.SLO]
		if !ok {
			ids := make([]string, 0, len(byID))
			for id := range byID {
				ids = append(ids, id)
			}
			diags.Errorf(at, "unknown component SLO %q%s", comp.SLO, suggestion(comp.SLO, ids))
			continue
		}
		checkComponentBudgeting(s, *target, at, diags)
		if why := target.Indicator.NotMeasured(); why != "" && !target.Journey() {
			diags.Warnf(at, "component %q is not measured (%s): the journey counts only its other components", comp.SLO, why)
		}
	}
	checkDelay(s, diags)
}

// validComponentID reports whether id is SERVICE/NAME with both parts
// valid names (bare names are resolved before this).
func validComponentID(id string) bool {
	service, name, ok := strings.Cut(id, "/")
	return ok && namePattern.MatchString(service) && namePattern.MatchString(name)
}

func checkWeight(s slo.SLO, i int, w float64, diags *diag.List) {
	at := s.Origins.Get(slo.ComponentField(i)+".weight", componentAt(s, i))
	switch {
	case math.IsNaN(w) || math.IsInf(w, 0):
		diags.Errorf(at, "weight %g must be a finite number above 0 (1 when left out)", w)
	case w <= 0:
		diags.Errorf(at, "weight %g must be above 0: a component that should not count belongs out of the list", w)
	case w < minComponentWeight || w > maxComponentWeight:
		diags.Errorf(at, "weight %g must be between %g and %g: weights are relative (2 counts a component's events twice as much as 1)", w, float64(minComponentWeight), float64(maxComponentWeight))
	}
}

// checkComponentBudgeting refuses a component that counts its budget
// differently from the journey: occurrences and time slices do not add up,
// and a slice is judged from components' slices of the same length.
func checkComponentBudgeting(s, comp slo.SLO, at slo.Origin, diags *diag.List) {
	jb, cb := s.Budgeting, comp.Budgeting
	if jb.Method != cb.Method {
		diags.Errorf(at, "component %q is budgeted by %s, the journey by %s: a journey and its components count their budget the same way", comp.ID(), cb.Method, jb.Method)
		return
	}
	if jb.Method != slo.Occurrences && jb.SliceLength != cb.SliceLength {
		diags.Errorf(at, "component %q has %s time slices, the journey %s: a journey's slice is judged from its components' slices of the same length", comp.ID(), slo.FormatDuration(cb.SliceLength), slo.FormatDuration(jb.SliceLength))
	}
}

// checkDelay checks maxDelay and whenDelayed, which only make sense
// together.
func checkDelay(s slo.SLO, diags *diag.List) {
	c := s.Composite
	maxAt, whenAt := compositeAt(s, "composite.maxDelay"), compositeAt(s, "composite.whenDelayed")
	if c.WhenDelayed != "" && !contains(whenDelayedValues, string(c.WhenDelayed)) {
		diags.Errorf(whenAt, "whenDelayed %q must be countAsGood, countAsBad or ignore%s", c.WhenDelayed, suggestion(string(c.WhenDelayed), whenDelayedValues))
	}
	// A maxDelay given but unreadable was reported where it was read.
	_, maxGiven := s.Origins["composite.maxDelay"]
	switch {
	case c.MaxDelay == 0 && !maxGiven && c.WhenDelayed != "":
		diags.Errorf(whenAt, "whenDelayed applies once a component is later than maxDelay: give maxDelay too, such as 15m")
	case c.MaxDelay != 0 && c.WhenDelayed == "":
		diags.Errorf(maxAt, "maxDelay needs whenDelayed: countAsGood, countAsBad or ignore, to say how a late component's minutes count")
	}
	switch d := c.MaxDelay; {
	case d == 0:
	case d < minMaxDelay || d > maxMaxDelay:
		diags.Errorf(maxAt, "maxDelay %s must be between 1m and 1d", slo.FormatDuration(d))
	case d%time.Minute != 0:
		diags.Errorf(maxAt, "maxDelay %s must be a whole number of minutes", slo.FormatDuration(d))
	case s.Window.Nominal() > 0 && d >= s.Window.Nominal():
		diags.Errorf(maxAt, "maxDelay %s must be shorter than the window %s", slo.FormatDuration(d), s.Window)
	}
}

// checkCycles refuses journeys that contain themselves through other
// journeys, naming the cycle's path once, at the component that closes it.
// A journey listing itself is refused where its components are checked.
func checkCycles(cat *slo.Catalog, byID map[string]*slo.SLO, diags *diag.List) {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(s *slo.SLO)
	visit = func(s *slo.SLO) {
		id := s.ID()
		state[id] = onPath
		path = append(path, id)
		for i, c := range s.Composite.Components {
			next, ok := byID[c.SLO]
			if !ok || !next.Journey() || c.SLO == id {
				continue
			}
			switch state[c.SLO] {
			case onPath:
				start := 0
				for path[start] != c.SLO {
					start++
				}
				cycle := append(append([]string(nil), path[start:]...), c.SLO)
				diags.Errorf(componentAt(*s, i), "component %q makes a cycle: %s; a journey cannot contain itself", c.SLO, strings.Join(cycle, " → "))
			case unseen:
				visit(next)
			}
		}
		path = path[:len(path)-1]
		state[id] = done
	}
	for i := range cat.SLOs {
		if s := &cat.SLOs[i]; s.Journey() && state[s.ID()] == unseen {
			visit(s)
		}
	}
}
