package openslo

import (
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// v1alphaSliceLength is the slice length of a v1alpha Timeslices SLO:
// v1alpha has no field for it.
const v1alphaSliceLength = time.Minute

// readV1alphaSLO reads an openslo/v1alpha SLO, the version Sloth reads:
// each objective carries its own ratioMetrics, or the spec a
// thresholdMetric indicator; windows are a count of a unit.
func (l *Loader) readV1alphaSLO(o *object) []slo.SLO {
	sp := o.spec
	defer sp.Close()
	md := o.meta
	base := slo.SLO{
		Name: md.name, DisplayName: md.displayName, Service: sp.RequiredString("service"),
		Description: sp.String("description"), Origin: md.m.Self(),
		Origins: slo.Origins{
			"name": md.m.Origin("name"), "service": sp.Origin("service"), "window": sp.Origin("timeWindows"),
			"budgeting": sp.Origin("budgetingMethod"), "owners": md.m.Origin("labels"), "labels": md.m.Origin("labels"), "runbook": md.m.Origin("annotations"),
			"indicator": sp.Origin("indicator"),
		},
	}
	base.Owners, base.Labels, base.RunbookURL = md.owners()
	base.Window = readV1alphaWindow(sp)
	base.Budgeting.Method = readMethod(sp)
	threshold := false
	if ind := sp.Map("indicator"); ind.Present() {
		threshold = true
		base.Indicator.Kind = slo.KindBoolean
		tm := ind.Map("thresholdMetric")
		ind.Require("thresholdMetric")
		base.Indicator.Gauge = l.v1alphaQuery(tm, &base, "gauge", false)
		tm.Close()
		ind.Close()
		inferGroupBy(sp, "indicator", &base)
	}
	items := sp.Maps("objectives")
	if len(items) == 0 {
		sp.Errorf("objectives", "an SLO needs at least one objective with a target")
		return []slo.SLO{base}
	}
	var out []slo.SLO
	for i, m := range items {
		s := objectiveSLO(base, m, i, len(items), false)
		if rm := m.Map("ratioMetrics"); rm.Present() {
			if threshold {
				rm.Doc.Diags.Errorf(rm.Self(), "give an indicator or ratioMetrics in each objective, not both")
			}
			s.Indicator = slo.Indicator{Kind: slo.KindRatio}
			s.Origins.Set("indicator", m.Origin("ratioMetrics"))
			counter, _ := rm.Bool("incremental")
			s.Indicator.Good = l.v1alphaQuery(rm.Map("good"), &s, "good", counter)
			s.Indicator.Total = l.v1alphaQuery(rm.Map("total"), &s, "total", counter)
			rm.Require("good", "total")
			rm.Close()
			if s.Indicator.External != nil {
				s.Indicator = slo.Indicator{Kind: slo.KindRatio, External: s.Indicator.External}
			}
			inferGroupBy(m, "ratioMetrics", &s)
		} else if !threshold {
			m.Errorf("ratioMetrics", "required field is missing: give ratioMetrics with good and total, or an indicator with a thresholdMetric in the spec")
		}
		readV1alphaObjective(m, &s, threshold)
		m.Close()
		out = append(out, s)
	}
	return out
}

func readV1alphaObjective(m *decode.Map, s *slo.SLO, threshold bool) {
	m.Known("displayName")
	s.Origins.Set("objective", m.Origin("target"))
	if target, ok := m.Float("target"); ok {
		s.Objective = round(target * 100)
	} else if !m.Has("target") {
		m.Errorf("target", "required field is missing; give a fraction such as 0.999")
	}
	readObjectiveOp(m, s, threshold)
	if s.Budgeting.Method == slo.Occurrences {
		if m.Has("timeSliceTarget") {
			m.Warnf("timeSliceTarget", "timeSliceTarget applies to Timeslices budgeting only; this SLO counts occurrences, so it is ignored")
		}
		return
	}
	s.Budgeting.SliceLength = v1alphaSliceLength
	m.Warnf("timeSliceTarget", "openslo/v1alpha has no slice length: slices are %s long", slo.FormatDuration(v1alphaSliceLength))
	s.Origins.Set("budgeting.sliceTarget", m.Origin("timeSliceTarget"))
	if t, ok := m.Float("timeSliceTarget"); ok {
		s.Budgeting.SliceTarget = round(t * 100)
	} else if s.Budgeting.Method == slo.Timeslices && !m.Has("timeSliceTarget") {
		m.Errorf("timeSliceTarget", "required with Timeslices budgeting; give the share of good events that makes a slice good, such as 0.95")
	}
}

// v1alphaQuery reads a v1alpha metric: {source, queryType, query}.
func (l *Loader) v1alphaQuery(m *decode.Map, s *slo.SLO, role string, counter bool) *slo.Query {
	defer m.Close()
	kind := m.String("source")
	if kind != "" && !queryable[strings.ToLower(kind)] {
		external(s, source{kind: kind, spec: m, at: m}, role)
		return nil
	}
	m.Known("queryType") // promql, query: both PromQL here
	expr := m.RequiredString("query")
	s.Origins.Set("indicator."+role, m.Origin("query"))
	if expr == "" {
		return nil
	}
	return shape(expr, counter)
}

// v1alphaUnits are v1alpha's window units.
var v1alphaUnits = map[string]time.Duration{
	"second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": day, "week": 7 * day,
	"month": 30 * day, "quarter": 90 * day, "year": 365 * day,
}

// readV1alphaWindow reads timeWindows: [{count, unit, isRolling, calendar}].
// A window that is not rolling and has no calendar is read as rolling, as
// Sloth reads it.
func readV1alphaWindow(sp *decode.Map) slo.Window {
	m := oneWindow(sp, "timeWindows")
	if m == nil {
		return slo.Window{Rolling: defaultWindow}
	}
	defer m.Close()
	unitRaw := m.RequiredString("unit")
	count, _ := m.Float("count")
	rolling, hasRolling := m.Bool("isRolling")
	cal := m.Map("calendar")
	defer cal.Close()
	unit, ok := v1alphaUnits[strings.ToLower(unitRaw)]
	if !ok {
		if unitRaw != "" {
			m.Errorf("unit", "unit %q must be Second, Minute, Hour, Day, Week, Month, Quarter or Year", unitRaw)
		}
		return slo.Window{Rolling: defaultWindow}
	}
	if count <= 0 || count != float64(int(count)) {
		m.Errorf("count", "count %g must be a whole number above zero", count)
		return slo.Window{Rolling: defaultWindow}
	}
	if cal.Present() && !rolling {
		w := slo.Window{TimeZone: cal.String("timeZone"), StartTime: cal.String("startTime")}
		switch n, u := int(count), strings.ToLower(unitRaw); {
		case n == 1 && u == "week", n == 7 && u == "day":
			w.Calendar = slo.CalendarWeek
		case n == 1 && u == "month":
			w.Calendar = slo.CalendarMonth
		case n == 1 && u == "quarter", n == 3 && u == "month":
			w.Calendar = slo.CalendarQuarter
		default:
			m.Errorf("unit", "calendar windows are one Week, Month or Quarter, not %g %s", count, unitRaw)
			w.Calendar = slo.CalendarMonth
		}
		return w
	}
	if cal.Present() {
		m.Errorf("isRolling", "a window is rolling or on the calendar, not both")
	} else if hasRolling && !rolling {
		m.Warnf("isRolling", "isRolling is false but there is no calendar: read as a rolling window, as Sloth reads it")
	}
	return slo.Window{Rolling: time.Duration(count) * unit}
}
