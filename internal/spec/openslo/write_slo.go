package openslo

import (
	"fmt"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
)

type sloSpec struct {
	Description     string       `yaml:"description,omitempty"`
	Service         string       `yaml:"service"`
	Indicator       *sliDoc      `yaml:"indicator,omitempty"`
	IndicatorRef    string       `yaml:"indicatorRef,omitempty"`
	TimeWindow      []timeWindow `yaml:"timeWindow"`
	BudgetingMethod string       `yaml:"budgetingMethod"`
	Objectives      []objective  `yaml:"objectives"`
	AlertPolicies   []policyRef  `yaml:"alertPolicies,omitempty"`
}

type sliDoc struct {
	Metadata metadata `yaml:"metadata"`
	Spec     sliSpec  `yaml:"spec"`
}

type sliSpec struct {
	ThresholdMetric *metricWrap  `yaml:"thresholdMetric,omitempty"`
	RatioMetric     *ratioMetric `yaml:"ratioMetric,omitempty"`
}

type ratioMetric struct {
	Counter bool        `yaml:"counter"`
	Good    *metricWrap `yaml:"good,omitempty"`
	Bad     *metricWrap `yaml:"bad,omitempty"`
	Total   *metricWrap `yaml:"total,omitempty"`
	RawType string      `yaml:"rawType,omitempty"`
	Raw     *metricWrap `yaml:"raw,omitempty"`
}

type metricWrap struct {
	MetricSource metricSource `yaml:"metricSource"`
}

type metricSource struct {
	MetricSourceRef string `yaml:"metricSourceRef,omitempty"`
	Type            string `yaml:"type"`
	Spec            any    `yaml:"spec"`
}

type timeWindow struct {
	Duration  string    `yaml:"duration"`
	IsRolling bool      `yaml:"isRolling"`
	Calendar  *calendar `yaml:"calendar,omitempty"`
}

type calendar struct {
	StartTime string `yaml:"startTime"`
	TimeZone  string `yaml:"timeZone,omitempty"`
}

type objective struct {
	Op              string   `yaml:"op,omitempty"`
	Value           *float64 `yaml:"value,omitempty"`
	Target          float64  `yaml:"target"`
	TimeSliceTarget *float64 `yaml:"timeSliceTarget,omitempty"`
	TimeSliceWindow string   `yaml:"timeSliceWindow,omitempty"`
}

type policyRef struct {
	AlertPolicyRef string `yaml:"alertPolicyRef"`
}

// calendarStart is a calendar window's startTime when the model has none:
// OpenSLO requires one; Accord aligns calendar windows to the start of
// their unit, and 2024-01-01 starts a week, a month and a quarter. The
// annotation annDefaultStart marks it as Accord's, so it reads back empty.
const calendarStart = "2024-01-01 00:00:00"

var calendarDurations = map[slo.CalendarUnit]string{slo.CalendarWeek: "1w", slo.CalendarMonth: "1M", slo.CalendarQuarter: "1Q"}

var methodNames = map[slo.BudgetingMethod]string{slo.Occurrences: "Occurrences", slo.Timeslices: "Timeslices", slo.RatioTimeslices: "RatioTimeslices"}

// writeSLO renders an SLO as an SLO document named name (unique among the
// catalog's SLOs) followed by its alert policies, conditions and targets.
func (wr *sloWriter) writeSLO(s slo.SLO, name string) ([]document, error) {
	md := metadata{Name: name, DisplayName: s.DisplayName, Labels: s.Labels, Annotations: ownerAnnotations(s.Owners, s.RunbookURL)}
	if name != s.Name {
		md.Annotations[annName] = s.Name
	}
	if s.Policy != "" {
		md.Annotations[annPolicy] = s.Policy
	}
	if len(s.GroupBy) > 0 {
		md.Annotations[annGroupBy] = strings.Join(s.GroupBy, ",")
	}
	a := s.Alerting
	if extra := (accordAlerting{a.Name, a.Labels, a.Annotations, a.Page, a.Ticket}); mustJSON(extra) != mustJSON(accordAlerting{}) {
		md.Annotations[annAlerting] = mustJSON(extra)
	}
	sli, obj, err := writeIndicator(s, md.Annotations)
	if err != nil {
		return nil, err
	}
	obj.Target = round(s.Objective / 100)
	if s.Budgeting.Method != slo.Occurrences {
		obj.TimeSliceWindow = slo.FormatDuration(s.Budgeting.SliceLength)
		if s.Budgeting.Method == slo.Timeslices {
			t := round(s.Budgeting.SliceTarget / 100)
			obj.TimeSliceTarget = &t
		}
	}
	method, ok := methodNames[s.Budgeting.Method]
	if !ok {
		return nil, fmt.Errorf("budgeting method %q has no OpenSLO name", s.Budgeting.Method)
	}
	if s.Window.IsCalendar() && s.Window.StartTime == "" {
		md.Annotations[annDefaultStart] = "true"
	}
	spec := sloSpec{
		Description: s.Description, Service: s.Service, Indicator: &sli,
		TimeWindow: []timeWindow{writeWindow(s.Window)}, BudgetingMethod: method,
		Objectives: []objective{obj},
	}
	if e := s.Indicator.External; e != nil && e.SLIRef != "" {
		spec.Indicator, spec.IndicatorRef = nil, e.SLIRef
	}
	policies, docs := wr.alertPolicies(s, name)
	spec.AlertPolicies = policies
	return append([]document{{Kind: kindSLO, Metadata: md, Spec: spec}}, docs...), nil
}

func writeWindow(w slo.Window) timeWindow {
	if w.IsCalendar() {
		start := w.StartTime
		if start == "" {
			start = calendarStart
		}
		return timeWindow{Duration: calendarDurations[w.Calendar], Calendar: &calendar{StartTime: start, TimeZone: w.TimeZone}}
	}
	return timeWindow{Duration: slo.FormatDuration(w.Rolling), IsRolling: true}
}
