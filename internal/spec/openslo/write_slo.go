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
	DisplayName     string   `yaml:"displayName,omitempty"`
	Op              string   `yaml:"op,omitempty"`
	Value           *float64 `yaml:"value,omitempty"`
	Target          float64  `yaml:"target"`
	TimeSliceTarget *float64 `yaml:"timeSliceTarget,omitempty"`
	TimeSliceWindow string   `yaml:"timeSliceWindow,omitempty"`
	Indicator       *sliDoc  `yaml:"indicator,omitempty"`
	IndicatorRef    string   `yaml:"indicatorRef,omitempty"`
	CompositeWeight *float64 `yaml:"compositeWeight,omitempty"`
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
	md := sloMetadata(s, name)
	sli, obj, err := writeIndicator(s, md.Annotations)
	if err != nil {
		return nil, err
	}
	spec, err := sloSpecOf(s, []objective{objectiveOf(s, obj)})
	if err != nil {
		return nil, err
	}
	spec.Indicator = &sli
	if e := s.Indicator.External; e != nil && e.SLIRef != "" {
		spec.Indicator, spec.IndicatorRef = nil, e.SLIRef
	}
	return wr.withPolicies(s, name, md, spec), nil
}

// sloMetadata is an SLO document's metadata, with what OpenSLO has no
// field for in annotations.
func sloMetadata(s slo.SLO, name string) metadata {
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
	if s.Window.IsCalendar() && s.Window.StartTime == "" {
		md.Annotations[annDefaultStart] = "true"
	}
	return md
}

// objectiveOf fills obj, which holds an indicator's op and value, with
// s's target and time slices.
func objectiveOf(s slo.SLO, obj objective) objective {
	obj.Target = round(s.Objective / 100)
	if s.Budgeting.Method != slo.Occurrences {
		obj.TimeSliceWindow = slo.FormatDuration(s.Budgeting.SliceLength)
		if s.Budgeting.Method == slo.Timeslices {
			t := round(s.Budgeting.SliceTarget / 100)
			obj.TimeSliceTarget = &t
		}
	}
	return obj
}

// sloSpecOf is s's spec without its indicator.
func sloSpecOf(s slo.SLO, objectives []objective) (sloSpec, error) {
	method, ok := methodNames[s.Budgeting.Method]
	if !ok {
		return sloSpec{}, fmt.Errorf("budgeting method %q has no OpenSLO name", s.Budgeting.Method)
	}
	return sloSpec{
		Description: s.Description, Service: s.Service,
		TimeWindow: []timeWindow{writeWindow(s.Window)}, BudgetingMethod: method,
		Objectives: objectives,
	}, nil
}

// withPolicies returns the SLO document followed by its alert objects.
func (wr *sloWriter) withPolicies(s slo.SLO, name string, md metadata, spec sloSpec) []document {
	policies, docs := wr.alertPolicies(s, name)
	spec.AlertPolicies = policies
	return append([]document{{Kind: kindSLO, Metadata: md, Spec: spec}}, docs...)
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
