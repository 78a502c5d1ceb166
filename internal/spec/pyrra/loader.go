// Package pyrra reads Pyrra's ServiceLevelObjective resources
// (pyrra.dev/v1alpha1) into the slo model.
package pyrra

import (
	"strconv"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// Labels Pyrra users put owners and services in.
const (
	teamLabel    = "pyrra.dev/team"
	serviceLabel = "pyrra.dev/service"
	// prefix marks the labels and annotations Pyrra puts on the rules and
	// alerts it generates, without the prefix.
	prefix = "pyrra.dev/"
)

// Loader reads Pyrra documents.
type Loader struct {
	cat      slo.Catalog
	services map[string]bool
}

// NewLoader returns an empty Loader.
func NewLoader() *Loader { return &Loader{services: map[string]bool{}} }

// Finish returns everything read.
func (l *Loader) Finish(*diag.List) slo.Catalog { return l.cat }

// Add reads one ServiceLevelObjective resource.
func (l *Loader) Add(d *decode.Doc) {
	top := d.Top()
	defer top.Close()
	top.Known("apiVersion", "kind", "status")
	meta := top.Map("metadata")
	name := meta.RequiredString("name")
	namespace := meta.String("namespace")
	k8sLabels := meta.StringMap("labels")
	annotations := meta.StringMap("annotations")
	meta.Known("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "finalizers", "ownerReferences")
	meta.Close()
	labels := stripPrefix(k8sLabels)
	spec := top.Map("spec")
	if !top.Require("spec") {
		return
	}
	defer spec.Close()
	// Pyrra's settings for the rules it generates: Accord generates its
	// own and evaluates in its engine.
	spec.Known("partial_response_strategy", "performanceOverAccuracy", "ruleOutput")
	s := slo.SLO{
		Name: name, Description: spec.String("description"), Labels: labels,
		Budgeting: slo.Budgeting{Method: slo.Occurrences},
		Origin:    top.Self(),
		Origins: slo.Origins{
			"name": meta.Origin("name"), "service": meta.Origin("labels"), "objective": spec.Origin("target"),
			"window": spec.Origin("window"), "indicator": spec.Origin("indicator"),
			"alerting": spec.Origin("alerting"), "owners": meta.Origin("labels"), "labels": meta.Origin("labels"),
		},
	}
	s.Service = serviceName(k8sLabels, namespace, name)
	s.Objective = readTarget(spec)
	if w, ok := spec.Duration("window"); ok {
		s.Window.Rolling = w
	} else if !spec.Has("window") {
		spec.Errorf("window", "required field is missing; give a duration such as 4w or 30d")
	}
	readIndicator(spec, &s)
	readAlerting(spec.Map("alerting"), &s)
	readAnnotations(annotations, meta, &s)
	team := k8sLabels[teamLabel]
	if team == "" {
		team = k8sLabels["team"]
	}
	l.addService(s.Service, team, meta.Origin("name"))
	l.cat.SLOs = append(l.cat.SLOs, s)
}

// stripPrefix returns the labels with Pyrra's pyrra.dev/ prefix taken off,
// as Pyrra puts them on its rules: pyrra.dev/team becomes team. A label
// given both ways keeps the prefixed one's value, as Pyrra's rules do.
func stripPrefix(labels map[string]string) map[string]string {
	if len(labels) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range labels {
		if !strings.HasPrefix(k, prefix) {
			if _, set := out[k]; !set {
				out[k] = v
			}
			continue
		}
		out[strings.TrimPrefix(k, prefix)] = v
	}
	return out
}

// readAnnotations carries the annotations Pyrra puts on its alerts (those
// prefixed pyrra.dev/, such as pyrra.dev/runbook, message and dashboard)
// onto the SLO's alerts without the prefix; a runbook, plain or prefixed,
// is the SLO's runbook.
func readAnnotations(annotations map[string]string, meta *decode.Map, s *slo.SLO) {
	for k, v := range annotations {
		if strings.HasPrefix(k, prefix) {
			if s.Alerting.Annotations == nil {
				s.Alerting.Annotations = map[string]string{}
			}
			s.Alerting.Annotations[strings.TrimPrefix(k, prefix)] = v
		}
	}
	for _, k := range []string{"runbook_url", "runbook", prefix + "runbook_url", prefix + "runbook"} {
		if url := annotations[k]; url != "" && s.RunbookURL == "" {
			s.RunbookURL = url
			s.Origins.Set("runbook", meta.Origin("annotations"))
		}
	}
}

// serviceName picks the SLO's service: Pyrra has none, so the service
// label when given, else the namespace (one team's services usually share
// one), else the SLO itself.
func serviceName(labels map[string]string, namespace, name string) string {
	for _, k := range []string{serviceLabel, "service"} {
		if v := labels[k]; v != "" {
			return v
		}
	}
	if namespace != "" {
		return namespace
	}
	return name
}

func (l *Loader) addService(name, team string, at slo.Origin) {
	if name == "" || l.services[name] {
		return
	}
	l.services[name] = true
	l.cat.Services = append(l.cat.Services, slo.Service{
		Name: name, Implicit: true, Owners: slo.Owners{Team: team},
		Origin: at, Origins: slo.Origins{"name": at},
	})
}

// readTarget reads Pyrra's target: a string percent such as "99.5"; a
// YAML number means the same. Below 1 it is a fraction Pyrra would read as
// under 1%: spec.Validate says so.
func readTarget(spec *decode.Map) float64 {
	raw := spec.String("target")
	if raw == "" {
		if !spec.Has("target") {
			spec.Errorf("target", "required field is missing; give a percentage such as \"99.5\"")
		}
		return 0
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(raw), "%"), 64)
	if err != nil {
		spec.Errorf("target", "must be a percentage such as \"99.5\", not %q", raw)
		return 0
	}
	return v
}

// readAlerting maps Pyrra's alerting switches. Pyrra alerts with the SRE
// Workbook's burn rates, as Accord does by default; its severities become
// the severity labels of the page and ticket alerts.
func readAlerting(m *decode.Map, s *slo.SLO) {
	defer m.Close()
	s.Alerting.Name = m.String("name")
	m.Known("absentName") // Accord has no absent alert to name
	readSeverities(m.Map("severities"), s)
	disabled, _ := m.Bool("disabled")
	burnrates, given := m.Bool("burnrates")
	if disabled || (given && !burnrates) {
		s.Alerting.Page.Disabled, s.Alerting.Ticket.Disabled = true, true
	}
	if absent, _ := m.Bool("absent"); absent {
		m.Warnf("absent", "Accord has no absent-data alert: it marks an SLO without data as stale, shown in the API, UI and metrics")
	}
}

// readSeverities maps Pyrra's severity per burn-rate tier onto Accord's
// page alerts (fast and medium burn) and ticket alerts (slow and long-term
// burn), as their severity label.
func readSeverities(m *decode.Map, s *slo.SLO) {
	defer m.Close()
	if !m.Present() {
		return
	}
	m.Known("absent")
	level := func(l *slo.AlertLevel, first, second string) {
		a, b := m.String(first), m.String(second)
		switch {
		case a == "" && b == "":
			return
		case a == "":
			a = b
		case b != "" && b != a:
			m.Warnf(second, "Accord gives its %s alerts one severity: %s %q is used, %s %q is not", map[bool]string{true: "page", false: "ticket"}[first == "fastBurn"], first, a, second, b)
		}
		if l.Labels == nil {
			l.Labels = map[string]string{}
		}
		l.Labels["severity"] = a
	}
	level(&s.Alerting.Page, "fastBurn", "mediumBurn")
	level(&s.Alerting.Ticket, "slowBurn", "longTermBurn")
}
