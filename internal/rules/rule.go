package rules

import "time"

// EvalInterval is the evaluation interval every generated group sets: the
// derived windows assume it divides 5 minutes, and the cost estimates count
// samples at it.
const EvalInterval = time.Minute

// Rule is one Prometheus recording rule (Record set) or alerting rule
// (Alert set), as written in a rule file.
type Rule struct {
	// Record is the name of the series a recording rule records.
	Record string `yaml:"record,omitempty" json:"record,omitempty"`
	// Alert is the name of an alerting rule's alerts.
	Alert string `yaml:"alert,omitempty" json:"alert,omitempty"`
	// Expr is the rule's PromQL.
	Expr string `yaml:"expr" json:"expr"`
	// For is how long an alert's condition holds before it fires, as a
	// Prometheus duration; empty fires at once.
	For string `yaml:"for,omitempty" json:"for,omitempty"`
	// Labels are added to the recorded series or the alerts.
	Labels map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Annotations are alert templates: summary, description, runbook_url.
	Annotations map[string]string `yaml:"annotations,omitempty" json:"annotations,omitempty"`
}

// Group is a rule group: Prometheus evaluates its rules in order, so a
// rule sees what the rules before it recorded in the same evaluation.
type Group struct {
	// Name is unique in a file: accord:SERVICE:SLO.
	Name string `yaml:"name" json:"name"`
	// Interval is how often the group is evaluated, as a Prometheus
	// duration.
	Interval string `yaml:"interval,omitempty" json:"interval,omitempty"`
	// Rules are evaluated in this order.
	Rules []Rule `yaml:"rules" json:"rules"`
}

// File is the rules of one service: one group per SLO.
type File struct {
	// Service is the service's name.
	Service string
	// Groups are the service's SLOs' groups, sorted by SLO name.
	Groups []Group
}

// Result is what Generate made: one File per service, sorted by service,
// and a warning for each SLO it left out or measures differently.
type Result struct {
	// Files are the rules, one per service.
	Files []File
	// Warnings say which SLOs were left out, and which are measured
	// differently from Accord's engine, and why.
	Warnings []string
}

// Rules counts the recording and alerting rules in r.
func (r *Result) Rules() (recording, alerting int) {
	for _, f := range r.Files {
		for _, g := range f.Groups {
			for _, rule := range g.Rules {
				if rule.Alert != "" {
					alerting++
				} else {
					recording++
				}
			}
		}
	}
	return recording, alerting
}
