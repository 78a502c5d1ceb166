package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// validLabelName reports whether name is a label name every Prometheus
// accepts: [a-zA-Z_][a-zA-Z0-9_]*, and not one of the reserved names that
// start with two underscores.
func validLabelName(name string) bool {
	if name == "" || strings.HasPrefix(name, "__") {
		return false
	}
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// sanitizeLabelName turns name into a valid label name as Prometheus'
// relabelling does: every other character becomes '_', a leading digit
// gets a '_' before it, and leading underscores of a reserved name go.
// pyrra.dev/team becomes pyrra_dev_team.
func sanitizeLabelName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	out := strings.TrimLeft(string(b), "_")
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}

// sanitizeLabels returns labels with every invalid name made valid, and a
// warning for each name it changed. A sanitised name never replaces a
// label the map already has under that name.
func sanitizeLabels(labels map[string]string, where string) (map[string]string, []string) {
	var warnings []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if validLabelName(k) {
			continue
		}
		v := labels[k]
		delete(labels, k)
		name := sanitizeLabelName(k)
		if _, taken := labels[name]; taken {
			warnings = append(warnings, fmt.Sprintf("%s: label %q is not a valid Prometheus label name and %q is taken; left out", where, k, name))
			continue
		}
		labels[name] = v
		warnings = append(warnings, fmt.Sprintf("%s: label %q is not a valid Prometheus label name; written as %q", where, k, name))
	}
	return labels, warnings
}
