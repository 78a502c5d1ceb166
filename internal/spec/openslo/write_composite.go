package openslo

import (
	"fmt"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
)

// writeJourney renders a journey as an OpenSLO composite SLO: an objective
// per component carrying the component's SLI, target and time slices and
// its weight as compositeWeight, so that any OpenSLO tool reads the whole
// journey. The components are SLOs of their own in the catalog and are
// written as such; annComposite names them, so that Accord reads the
// journey back over the same SLOs rather than new copies, and keeps the
// journey's own objective and late-data settings.
func (wr *sloWriter) writeJourney(j slo.SLO, name string, byID map[string]slo.SLO) ([]document, error) {
	md := sloMetadata(j, name)
	c := j.Composite
	ann := accordComposite{Objective: j.Objective, WhenDelayed: string(c.WhenDelayed)}
	if c.MaxDelay > 0 {
		ann.MaxDelay = slo.FormatDuration(c.MaxDelay)
	}
	if j.Budgeting.Method == slo.Timeslices {
		ann.SliceTarget = j.Budgeting.SliceTarget // a journey has none unless a spec gave one
	}
	var objectives []objective
	for _, comp := range c.Components {
		s, ok := byID[comp.SLO]
		if !ok && !strings.Contains(comp.SLO, "/") {
			s, ok = byID[j.Service+"/"+comp.SLO] // a bare name: an SLO of the journey's service
		}
		if !ok {
			return nil, fmt.Errorf("component %s is no SLO of the catalog", comp.SLO)
		}
		if s.Journey() {
			return nil, fmt.Errorf("component %s is a journey itself: an OpenSLO composite's objectives each need an SLI, so nested journeys have no OpenSLO form", comp.SLO)
		}
		// What OpenSLO cannot say of the component's SLI is kept on the
		// component's own document, which Accord reads it from.
		sli, obj, err := writeIndicator(s, map[string]string{})
		if err != nil {
			return nil, fmt.Errorf("component %s: %w", comp.SLO, err)
		}
		obj = objectiveOf(s, obj)
		obj.DisplayName = s.Name
		obj.Indicator = &sli
		if e := s.Indicator.External; e != nil && e.SLIRef != "" {
			obj.Indicator, obj.IndicatorRef = nil, e.SLIRef
		}
		w := comp.Weight
		obj.CompositeWeight = &w
		objectives = append(objectives, obj)
		ann.Components = append(ann.Components, s.ID())
	}
	md.Annotations[annComposite] = mustJSON(ann)
	spec, err := sloSpecOf(j, objectives)
	if err != nil {
		return nil, err
	}
	return wr.withPolicies(j, name, md, spec), nil
}
