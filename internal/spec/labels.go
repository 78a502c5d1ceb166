package spec

import (
	"sort"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// sanitizeLabels makes every label and annotation name in the catalog a
// valid Prometheus label name, as rules, alerts and the API need them:
// Kubernetes-style names such as app.kubernetes.io/name become
// app_kubernetes_io_name, with a warning. No invalid name reaches any
// consumer of the model.
func sanitizeLabels(cat *slo.Catalog, diags *diag.List) {
	for i := range cat.Services {
		svc := &cat.Services[i]
		at := svc.Origins.Get("labels", svc.Origin)
		svc.Labels = sanitize(svc.Labels, "label", at, diags)
		svc.Owners.OnCall.Labels = sanitize(svc.Owners.OnCall.Labels, "on-call label", svc.Origins.Get("owners", at), diags)
	}
	for i := range cat.SLOs {
		s := &cat.SLOs[i]
		at := s.Origins.Get("labels", s.Origin)
		s.Labels = sanitize(s.Labels, "label", at, diags)
		s.Owners.OnCall.Labels = sanitize(s.Owners.OnCall.Labels, "on-call label", s.Origins.Get("owners", at), diags)
		a := &s.Alerting
		alertAt := s.Origins.Get("alerting", s.Origin)
		a.Labels = sanitize(a.Labels, "alert label", alertAt, diags)
		a.Annotations = sanitize(a.Annotations, "alert annotation", alertAt, diags)
		for _, l := range []*slo.AlertLevel{&a.Page, &a.Ticket} {
			l.Labels = sanitize(l.Labels, "alert label", alertAt, diags)
			l.Annotations = sanitize(l.Annotations, "alert annotation", alertAt, diags)
		}
	}
}

// sanitize returns m with every name a valid label name. A name that
// becomes one already given is dropped, with a warning: the valid one
// stays.
func sanitize(m map[string]string, what string, at slo.Origin, diags *diag.List) map[string]string {
	var bad []string
	for k := range m {
		if !labelPattern.MatchString(k) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return m
	}
	sort.Strings(bad)
	out := make(map[string]string, len(m))
	for k, v := range m {
		if labelPattern.MatchString(k) {
			out[k] = v
		}
	}
	for _, k := range bad {
		name := LabelName(k)
		if _, taken := out[name]; taken {
			diags.Warnf(at, "%s name %q is not a Prometheus label name and %s is given already: it is left out", what, k, name)
			continue
		}
		out[name] = m[k]
		diags.Warnf(at, "%s name %q is not a Prometheus label name: read as %s", what, k, name)
	}
	return out
}

// LabelName turns name into a valid Prometheus label name: every character
// other than a letter, digit or underscore becomes an underscore, and a
// leading digit gets an underscore before it.
func LabelName(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
