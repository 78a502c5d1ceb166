package openslo

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

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

// readSLO reads one SLO document; several objectives make several SLOs.
func (l *Loader) readSLO(o *object) []slo.SLO {
	sp := o.spec
	defer sp.Close()
	md := o.meta
	base := slo.SLO{
		Name: md.name, DisplayName: md.displayName, Service: sp.RequiredString("service"),
		Description: sp.String("description"), Origin: md.m.Self(),
		Origins: slo.Origins{
			"name": md.m.Origin("name"), "service": sp.Origin("service"), "window": sp.Origin("timeWindow"),
			"budgeting": sp.Origin("budgetingMethod"), "owners": md.m.Origin("labels"), "runbook": md.m.Origin("annotations"),
			"policy": md.m.Origin("annotations"), "groupBy": md.m.Origin("annotations"), "alerting": sp.Origin("alertPolicies"),
		},
	}
	base.Owners, base.Labels, base.RunbookURL = md.owners()
	md.unknownAnnotations(annOwners, annRunbook, annPolicy, annGroupBy, annAlerting, annLatencyThreshold, annHistogram, annQueryShape)
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
	base.Budgeting.Method = readMethod(sp)
	threshold := l.readIndicator(sp, &base, md)
	l.readAlertPolicies(sp, &base)
	return readObjectives(sp, base, threshold)
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
// its own budget.
func readObjectives(sp *decode.Map, base slo.SLO, threshold bool) []slo.SLO {
	items := sp.Maps("objectives")
	if len(items) == 0 {
		sp.Errorf("objectives", "an SLO needs at least one objective with a target")
		return []slo.SLO{base}
	}
	var out []slo.SLO
	for i, m := range items {
		s := base
		s.Origins = slo.Origins{}
		for k, v := range base.Origins {
			s.Origins[k] = v
		}
		if len(items) > 1 {
			suffix := m.String("displayName")
			if suffix == "" {
				suffix = fmt.Sprint(i + 1)
			}
			s.Name = base.Name + "-" + strings.ToLower(strings.ReplaceAll(strings.TrimSpace(suffix), " ", "-"))
			m.Doc.Diags.Warnf(m.Self(), "SLO %q has %d objectives: Accord reads this one as SLO %q with a budget of its own", base.Name, len(items), s.Name)
		}
		readObjective(m, &s, threshold)
		m.Close()
		out = append(out, s)
	}
	return out
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
	if s.Budgeting.Method != slo.Occurrences {
		s.Origins.Set("budgeting.sliceLength", m.Origin("timeSliceWindow"))
		s.Origins.Set("budgeting.sliceTarget", m.Origin("timeSliceTarget"))
		if d, ok := m.Duration("timeSliceWindow"); ok {
			s.Budgeting.SliceLength = d
		} else if !m.Has("timeSliceWindow") {
			m.Errorf("timeSliceWindow", "required with %s budgeting; give a slice length such as 1m", s.Budgeting.Method)
		}
		if t, ok := m.Float("timeSliceTarget"); ok {
			s.Budgeting.SliceTarget = round(t * 100)
		}
	} else {
		for _, k := range []string{"timeSliceWindow", "timeSliceTarget"} {
			if m.Has(k) {
				m.Warnf(k, "%s applies to Timeslices budgeting only; this SLO counts occurrences, so it is ignored", k)
			}
		}
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
