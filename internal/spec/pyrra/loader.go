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
	labels := meta.StringMap("labels")
	annotations := meta.StringMap("annotations")
	meta.Known("uid", "resourceVersion", "generation", "creationTimestamp")
	meta.Close()
	spec := top.Map("spec")
	if !top.Require("spec") {
		return
	}
	defer spec.Close()
	s := slo.SLO{
		Name: name, Description: spec.String("description"), Labels: labels,
		Budgeting: slo.Budgeting{Method: slo.Occurrences},
		Origin:    top.Self(),
		Origins: slo.Origins{
			"name": meta.Origin("name"), "service": meta.Origin("labels"), "objective": spec.Origin("target"),
			"window": spec.Origin("window"), "indicator": spec.Origin("indicator"),
			"alerting": spec.Origin("alerting"), "owners": meta.Origin("labels"),
		},
	}
	s.Service = serviceName(labels, namespace, name)
	s.Objective = readTarget(spec)
	if w, ok := spec.Duration("window"); ok {
		s.Window.Rolling = w
	} else if !spec.Has("window") {
		spec.Errorf("window", "required field is missing; give a duration such as 4w or 30d")
	}
	readIndicator(spec, &s)
	readAlerting(spec.Map("alerting"), &s)
	for _, k := range []string{"runbook_url", "runbook"} {
		if url := annotations[k]; url != "" {
			s.RunbookURL = url
			s.Origins.Set("runbook", meta.Origin("annotations"))
		}
	}
	team := labels[teamLabel]
	if team == "" {
		team = labels["team"]
	}
	l.addService(s.Service, team, meta.Origin("name"))
	l.cat.SLOs = append(l.cat.SLOs, s)
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
// YAML number means the same.
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
// Workbook's burn rates, as Accord does by default.
func readAlerting(m *decode.Map, s *slo.SLO) {
	defer m.Close()
	s.Alerting.Name = m.String("name")
	disabled, _ := m.Bool("disabled")
	burnrates, given := m.Bool("burnrates")
	if disabled || (given && !burnrates) {
		s.Alerting.Page.Disabled, s.Alerting.Ticket.Disabled = true, true
	}
	if absent, _ := m.Bool("absent"); absent {
		m.Warnf("absent", "Accord has no absent-data alert: it marks an SLO without data as stale, shown in the API, UI and metrics")
	}
}
