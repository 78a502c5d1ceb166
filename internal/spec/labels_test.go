package spec

import (
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/spec/diag"
)

func TestLabelName(t *testing.T) {
	for in, want := range map[string]string{
		"app.kubernetes.io/name": "app_kubernetes_io_name",
		"team":                   "team",
		"9lives":                 "_9lives",
		"routing-key":            "routing_key",
		"":                       "_",
		"café":                   "caf_",
	} {
		if got := LabelName(in); got != want || !labelPattern.MatchString(got) {
			t.Errorf("LabelName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNoInvalidLabelNameLeavesValidation checks that every label and
// annotation map of the model holds valid Prometheus label names after
// Validate, with a warning per name changed, and that a name that would
// clash with a valid one is left out rather than overwrite it.
func TestNoInvalidLabelNameLeavesValidation(t *testing.T) {
	cat := validCatalog()
	bad := func() map[string]string {
		return map[string]string{"app.kubernetes.io/name": "shop", "routing-key": "web", "app_kubernetes_io_name": "kept"}
	}
	cat.Services[0].Labels = bad()
	cat.Services[0].Owners.OnCall.Labels = bad()
	s := &cat.SLOs[0]
	s.Labels, s.Owners.OnCall.Labels = bad(), bad()
	s.Alerting.Labels, s.Alerting.Annotations = bad(), bad()
	s.Alerting.Page.Labels, s.Alerting.Ticket.Annotations = bad(), bad()
	var diags diag.List
	Validate(&cat, &diags)
	maps := []map[string]string{cat.Services[0].Labels, cat.Services[0].Owners.OnCall.Labels, s.Labels, s.Owners.OnCall.Labels,
		s.Alerting.Labels, s.Alerting.Annotations, s.Alerting.Page.Labels, s.Alerting.Ticket.Annotations}
	for i, m := range maps {
		if len(m) != 2 || m["app_kubernetes_io_name"] != "kept" || m["routing_key"] != "web" {
			t.Errorf("map %d = %v", i, m)
		}
	}
	var got []string
	for _, d := range diags.Items() {
		got = append(got, d.Message)
	}
	for _, what := range []string{"label", "on-call label", "alert label", "alert annotation"} {
		for _, want := range []string{
			what + ` name "app.kubernetes.io/name" is not a Prometheus label name and app_kubernetes_io_name is given already: it is left out`,
			what + ` name "routing-key" is not a Prometheus label name: read as routing_key`,
		} {
			if !strings.Contains(strings.Join(got, "\n"), want) {
				t.Errorf("missing warning %q in:\n%s", want, strings.Join(got, "\n"))
			}
		}
	}
}
