package accord

import (
	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readWindow reads a rolling window (30d) or a calendar one
// ({calendar: month, timeZone: Europe/Berlin}).
func readWindow(body *decode.Map, s *slo.SLO) {
	v := body.Value("window")
	switch {
	case isNull(v):
		if body.Present() {
			body.Errorf("window", "required field is missing; give a rolling window such as 30d, or {calendar: month, timeZone: Europe/Berlin}")
		}
	case v.Kind == yaml.ScalarNode:
		s.Window.Rolling, _ = duration(body, "window")
	case v.Kind == yaml.MappingNode:
		w := body.Map("window")
		s.Window.Calendar = slo.CalendarUnit(w.RequiredString("calendar"))
		s.Window.TimeZone = w.String("timeZone")
		s.Window.StartTime = w.String("startTime") // kept for conversion; windows start with their unit
		w.Close()
	default:
		body.Errorf("window", "must be a duration such as 30d or a mapping such as {calendar: month}, not %s", describe(v))
	}
}

// readBudgeting reads how the budget is counted: a method name, or a
// mapping with the method and its time slices. Occurrences is the default.
func readBudgeting(body *decode.Map, s *slo.SLO) {
	s.Budgeting.Method = slo.Occurrences
	v := body.Value("budgeting")
	switch {
	case isNull(v):
		return
	case v.Kind == yaml.ScalarNode:
		s.Budgeting.Method = slo.BudgetingMethod(body.String("budgeting"))
	case v.Kind == yaml.MappingNode:
		readBudgetingMap(body.Map("budgeting"), s)
	default:
		body.Errorf("budgeting", "must be a method such as occurrences or a mapping such as {method: timeslices, sliceLength: 5m, sliceTarget: 95}, not %s", describe(v))
	}
	s.Origins.Set("budgeting", body.Origin("budgeting"))
}

func readBudgetingMap(b *decode.Map, s *slo.SLO) {
	defer b.Close()
	method := slo.BudgetingMethod(b.RequiredString("method"))
	if method != "" {
		s.Budgeting.Method = method
	}
	s.Budgeting.SliceLength, _ = duration(b, "sliceLength")
	s.Budgeting.SliceTarget, _ = percent(b, "sliceTarget")
	s.Origins.Set("budgeting.sliceLength", b.Origin("sliceLength"))
	s.Origins.Set("budgeting.sliceTarget", b.Origin("sliceTarget"))
	if b.Has("sliceLength") && method == slo.Occurrences {
		b.Errorf("sliceLength", "applies only to timeslices and ratio-timeslices budgeting, not %s", method)
	}
	if b.Has("sliceTarget") && (method == slo.Occurrences || method == slo.RatioTimeslices) {
		b.Errorf("sliceTarget", "applies only to timeslices budgeting, not %s", method)
	}
}
