package accord

import (
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/spec/decode"
)

// isNull reports whether a value is absent or written as null.
func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// isScalar reports whether a value is a non-null scalar.
func isScalar(n *yaml.Node) bool { return !isNull(n) && n.Kind == yaml.ScalarNode }

// describe says what a node holds, for type errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	}
	return "a string"
}

// parts returns a document's metadata and spec, both required.
func parts(top *decode.Map) (meta, spec *decode.Map) {
	for _, key := range []string{"metadata", "spec"} {
		if v := top.Value(key); v == nil {
			top.Errorf(key, "required field is missing")
		} else if isNull(v) {
			top.Errorf(key, "must not be empty")
		}
	}
	return top.Map("metadata"), top.Map("spec")
}

// labels reads a label or annotation map; an empty one is nil.
func labels(m *decode.Map, key string) map[string]string {
	out := m.StringMap(key)
	if len(out) == 0 {
		return nil
	}
	return out
}

// percent reads a percentage: a number such as 99.9, or a string such as
// "99.9" or "99.9%".
func percent(m *decode.Map, key string) (float64, bool) {
	v := m.Value(key)
	if !isScalar(v) || v.Tag != "!!str" {
		return m.Float(key)
	}
	num := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v.Value), "%"))
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		m.Errorf(key, "must be a percentage such as 99.9 or \"99.9%%\", not %q", v.Value)
		return 0, false
	}
	return f, true
}

// duration reads a Prometheus-style duration (30d, 1h30m, 300ms); a
// fractional one such as 1.5s is accepted as well.
func duration(m *decode.Map, key string) (time.Duration, bool) {
	if v := m.Value(key); isScalar(v) && strings.Contains(v.Value, ".") {
		if d, err := time.ParseDuration(v.Value); err == nil && d > 0 {
			return d, true
		}
	}
	return m.Duration(key)
}

// oneOf returns the keys of m, among options, that are given.
func oneOf(m *decode.Map, options ...string) []string {
	var given []string
	for _, k := range options {
		if m.Has(k) {
			given = append(given, k)
		}
	}
	return given
}
