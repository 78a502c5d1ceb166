package openslo

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// accordAlerting is the part of slo.Alerting OpenSLO has no field for.
type accordAlerting struct {
	Name        string            `json:"name,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Page        slo.AlertLevel    `json:"page"`
	Ticket      slo.AlertLevel    `json:"ticket"`
}

// readSLO reads one v1 or v2alpha SLO document; several objectives make
// several SLOs.
func (l *Loader) readSLO(o *object) []slo.SLO {
	sp := o.spec
	defer sp.Close()
	md := o.meta
	k := keysOf(o.version)
	service := sp.String(k.service)
	serviceAt := sp.Origin(k.service)
	if service == "" && o.version == v2alpha && sp.Has("service") {
		service, serviceAt = sp.String("service"), sp.Origin("service")
	}
	if service == "" && sp.Present() {
		sp.Errorf(k.service, "required field is missing: the name of the SLO's service")
	}
	base := slo.SLO{
		Name: md.name, DisplayName: md.displayName, Service: service,
		Description: sp.String("description"), Origin: md.m.Self(),
		Origins: slo.Origins{
			"name": md.m.Origin("name"), "service": serviceAt, "window": sp.Origin("timeWindow"),
			"budgeting": sp.Origin("budgetingMethod"), "owners": md.m.Origin("labels"), "labels": md.m.Origin("labels"), "runbook": md.m.Origin("annotations"),
			"policy": md.m.Origin("annotations"), "groupBy": md.m.Origin("annotations"), "alerting": sp.Origin("alertPolicies"),
		},
	}
	base.Owners, base.Labels, base.RunbookURL = md.owners()
	md.unknownAnnotations(annOwners, annRunbook, annPolicy, annGroupBy, annAlerting, annLatencyThreshold, annHistogram, annQueryShape, annName, annDefaultStart, annOTLP, annComposite)
	if n := md.annotations[annName]; n != "" {
		base.Name = n // the SLO's name before a conversion made it unique
	}
	base.Policy = md.annotations[annPolicy]
	if g := md.annotations[annGroupBy]; g != "" {
		base.GroupBy = strings.Split(g, ",")
	}
	if raw, ok := md.annotations[annAlerting]; ok {
		var a accordAlerting
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			md.m.Errorf("annotations", "annotation %s must be JSON: %v", annAlerting, err)
		}
		base.Alerting = slo.Alerting{Name: a.Name, Labels: a.Labels, Annotations: a.Annotations, Page: a.Page, Ticket: a.Ticket}
	}
	base.Window = readWindow(sp)
	if md.annotations[annDefaultStart] == "true" {
		base.Window.StartTime = "" // the start Accord wrote for a window without one
	}
	base.Budgeting.Method = readMethod(sp)
	threshold := false
	shared := sp.Has(k.indicator) || sp.Has(k.indicatorRef) // else a composite SLO: an SLI per objective
	if shared {
		threshold = l.readIndicator(o.version, sp, &base, md)
		inferGroupBy(sp, k.indicator, &base)
	}
	l.readAlertPolicies(sp, &base)
	out, weights := l.readObjectives(o.version, sp, base, threshold, !shared, md)
	if weights == nil {
		if _, ok := md.annotations[annComposite]; ok {
			md.m.Warnf("annotations", "annotation %s applies to a composite SLO, whose objectives each have an SLI of their own; it is ignored", annComposite)
		}
		return out
	}
	j, named := readJourney(sp, base, out, weights, md)
	if named {
		return []slo.SLO{j} // the objectives repeat SLOs written on their own
	}
	return append(out, j)
}

func readMethod(sp *decode.Map) slo.BudgetingMethod {
	raw := sp.String("budgetingMethod")
	switch strings.ToLower(raw) {
	case "occurrences":
		return slo.Occurrences
	case "timeslices":
		return slo.Timeslices
	case "ratiotimeslices":
		return slo.RatioTimeslices
	case "":
		sp.Warnf("budgetingMethod", "budgetingMethod is missing: counting occurrences")
		return slo.Occurrences
	}
	sp.Errorf("budgetingMethod", "budgetingMethod %q must be Occurrences, Timeslices or RatioTimeslices", raw)
	return slo.Occurrences
}

// readObjectives makes one SLO per objective: Accord gives each objective
// its own budget. An objective with an SLI of its own (a composite SLO's)
// is measured by that SLI. For a composite SLO of several objectives it
// also returns each objective's compositeWeight, which makes the SLO a
// journey over them; otherwise weights is nil.
func (l *Loader) readObjectives(version string, sp *decode.Map, base slo.SLO, threshold, own bool, md meta) (out []slo.SLO, weights []weight) {
	items := sp.Maps("objectives")
	if len(items) == 0 {
		sp.Errorf("objectives", "an SLO needs at least one objective with a target")
		return []slo.SLO{base}, nil
	}
	k := keysOf(version)
	composite := own && len(items) > 1
	for i, m := range items {
		s := objectiveSLO(base, m, i, len(items), composite)
		if m.Has(k.indicator) || m.Has(k.indicatorRef) {
			if !own {
				m.Errorf(k.indicator, "an objective has an SLI of its own only in a composite SLO, whose spec has none")
			}
			s.Indicator = slo.Indicator{}
			threshold = l.readIndicator(version, m, &s, md)
			inferGroupBy(m, k.indicator, &s)
		} else if own {
			sp.Errorf(k.indicator, "required field is missing: give %s (an inline SLI) or %s, in the spec or in each objective", k.indicator, k.indicatorRef)
		}
		if composite {
			weights = append(weights, readWeight(m))
		} else if m.Has("compositeWeight") && !own {
			m.Warnf("compositeWeight", "compositeWeight weighs the objectives of a composite SLO, each with an SLI of its own; this SLO's objectives share one SLI, so it is ignored")
		} else {
			m.Known("compositeWeight") // one objective: nothing to weigh it against
		}
		readObjective(m, &s, threshold)
		m.Close()
		out = append(out, s)
	}
	return out, weights
}

// objectiveSLO returns the SLO objective i of n becomes: a copy of base,
// named after the objective when there are several.
func objectiveSLO(base slo.SLO, m *decode.Map, i, n int, composite bool) slo.SLO {
	s := base
	s.SpecName, s.SpecObjective = base.Name, i
	s.Origins = copyOrigins(base.Origins)
	if n > 1 {
		s.Name = objectiveName(base.Name, m, i)
		if !composite {
			m.Doc.Diags.Warnf(m.Self(), "SLO %q has %d objectives: Accord reads this one as SLO %q with a budget of its own", base.Name, n, s.Name)
		}
	}
	return s
}

func copyOrigins(o slo.Origins) slo.Origins {
	c := slo.Origins{}
	for k, v := range o {
		c[k] = v
	}
	return c
}

// objectiveName names the SLO one of several objectives becomes.
func objectiveName(base string, m *decode.Map, i int) string {
	suffix := m.String("displayName")
	if suffix == "" {
		suffix = fmt.Sprint(i + 1)
	}
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(suffix)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return base + "-" + strings.Trim(b.String(), "-")
}

func readObjective(m *decode.Map, s *slo.SLO, threshold bool) {
	m.Known("displayName")
	s.Origins.Set("objective", m.Origin("target"))
	target, hasTarget := m.Float("target")
	percent, hasPercent := m.Float("targetPercent")
	if hasPercent {
		s.Origins.Set("objective", m.Origin("targetPercent"))
	}
	switch {
	case hasTarget && hasPercent && math.Abs(target*100-percent) > 1e-9:
		m.Errorf("targetPercent", "target %g and targetPercent %g disagree: give one", target, percent)
	case hasPercent:
		s.Objective = percent
	case hasTarget && target > 1 && target < 100:
		m.Warnf("target", "target %g is above 1: read as %g%% (OpenSLO's target is a fraction such as 0.999; targetPercent takes percentages)", target, target)
		s.Objective = target
	case hasTarget:
		s.Objective = round(target * 100)
	default:
		m.Errorf("target", "required field is missing; give target (a fraction such as 0.999) or targetPercent")
	}
	readObjectiveOp(m, s, threshold)
	readSlices(m, s)
}

// readSlices reads a time slice objective's slice length and target.
func readSlices(m *decode.Map, s *slo.SLO) {
	if s.Budgeting.Method == slo.Occurrences {
		for _, k := range []string{"timeSliceWindow", "timeSliceTarget"} {
			if m.Has(k) {
				m.Warnf(k, "%s applies to Timeslices budgeting only; this SLO counts occurrences, so it is ignored", k)
			}
		}
		return
	}
	s.Origins.Set("budgeting.sliceLength", m.Origin("timeSliceWindow"))
	s.Origins.Set("budgeting.sliceTarget", m.Origin("timeSliceTarget"))
	if v := m.Value("timeSliceWindow"); v != nil && (v.Tag == "!!int" || v.Tag == "!!float") {
		// OpenSLO: "a number is in minutes"
		minutes, _ := m.Float("timeSliceWindow")
		s.Budgeting.SliceLength = time.Duration(minutes * float64(time.Minute))
	} else if d, ok := m.Duration("timeSliceWindow"); ok {
		s.Budgeting.SliceLength = d
	} else if !m.Has("timeSliceWindow") {
		m.Errorf("timeSliceWindow", "required with %s budgeting; give a slice length such as 1m", s.Budgeting.Method)
	}
	if t, ok := m.Float("timeSliceTarget"); ok {
		s.Budgeting.SliceTarget = round(t * 100)
	} else if s.Budgeting.Method == slo.Timeslices && !m.Has("timeSliceTarget") {
		m.Errorf("timeSliceTarget", "required with Timeslices budgeting; give the share of good events that makes a slice good, such as 0.95")
	}
}

// readObjectiveOp reads op and value: the comparison a threshold metric's
// samples must pass. A ratio has no use for them.
func readObjectiveOp(m *decode.Map, s *slo.SLO, threshold bool) {
	opRaw := m.String("op")
	value, hasValue := m.Float("value")
	if !threshold {
		if opRaw != "" || hasValue {
			m.Warnf("op", "op and value apply to threshold metrics; a ratio's objective is its target, so they are ignored")
		}
		return
	}
	op, ok := slo.ParseOp(opRaw)
	if !ok {
		m.Errorf("op", "op %q must be lt, lte, gt or gte", opRaw)
		return
	}
	if !hasValue {
		m.Errorf("value", "required field is missing: the threshold samples are compared with")
		return
	}
	s.Indicator.GoodWhen = &slo.Comparison{Op: op, Value: value}
}

func round(f float64) float64 { return math.Round(f*1e9) / 1e9 }
