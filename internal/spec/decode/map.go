package decode

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
)

// Map reads one YAML mapping strictly. Every getter marks its key as known;
// Close reports the keys nobody asked for as unknown fields. A Map made for
// an absent field has a nil Node: its getters return zero values and report
// nothing, except the Required ones.
type Map struct {
	Doc  *Doc
	Node *yaml.Node
	Path string
	// at is where an absent map would have been (its parent's position).
	at     *yaml.Node
	keys   []*yaml.Node
	values map[string]*yaml.Node
	known  map[string]bool
	closed bool
}

// Map returns n as a strict mapping at path; a non-mapping is an error.
func (d *Doc) Map(n *yaml.Node, path string) *Map {
	n = resolve(n)
	m := &Map{Doc: d, Path: path, values: map[string]*yaml.Node{}, known: map[string]bool{}, at: n}
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return m
	}
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, path, "must be a mapping, not %s", kindName(n))
		return m
	}
	m.Node = n
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Value == "<<" {
			d.Errorf(k, Join(path, k.Value), "YAML merge keys are not supported; write the fields out")
			continue
		}
		if prev, dup := m.values[k.Value]; dup {
			d.Errorf(k, Join(path, k.Value), "duplicate field (first given at line %d)", prev.Line)
			continue
		}
		m.keys = append(m.keys, k)
		m.values[k.Value] = v
	}
	return m
}

// Present reports whether the mapping itself was given.
func (m *Map) Present() bool { return m.Node != nil }

// Has reports whether key is given, and marks it known.
func (m *Map) Has(key string) bool {
	m.known[key] = true
	_, ok := m.values[key]
	return ok
}

// Keys returns the given keys in document order, marking them known; for
// free-form maps read by the caller.
func (m *Map) Keys() []string {
	out := make([]string, 0, len(m.keys))
	for _, k := range m.keys {
		m.known[k.Value] = true
		out = append(out, k.Value)
	}
	return out
}

// Known marks keys as accepted without reading them.
func (m *Map) Known(keys ...string) {
	for _, k := range keys {
		m.known[k] = true
	}
}

// Value returns the value node of key (nil when absent), marking it known.
func (m *Map) Value(key string) *yaml.Node {
	m.known[key] = true
	return m.values[key]
}

// FieldPath returns the path of key inside this mapping.
func (m *Map) FieldPath(key string) string { return Join(m.Path, key) }

// Origin returns where key's value is, or where the mapping is when the
// key is absent.
func (m *Map) Origin(key string) slo.Origin {
	if v := m.values[key]; v != nil {
		return m.Doc.Origin(v, m.FieldPath(key))
	}
	return m.Doc.Origin(m.anchor(), m.FieldPath(key))
}

// Self returns where the mapping itself is.
func (m *Map) Self() slo.Origin { return m.Doc.Origin(m.anchor(), m.Path) }

func (m *Map) anchor() *yaml.Node {
	if m.Node != nil {
		return m.Node
	}
	return m.at
}

// Errorf records an error on key.
func (m *Map) Errorf(key, format string, args ...any) {
	m.Doc.Diags.Errorf(m.Origin(key), format, args...)
}

// Warnf records a warning on key.
func (m *Map) Warnf(key, format string, args ...any) {
	m.Doc.Diags.Warnf(m.Origin(key), format, args...)
}

// Require reports an error for every key that is absent, and returns
// whether all were present.
func (m *Map) Require(keys ...string) bool {
	ok := true
	for _, k := range keys {
		if !m.Has(k) {
			m.Errorf(k, "required field is missing")
			ok = false
		}
	}
	return ok
}

// scalar returns key's value when it is a scalar; a null counts as absent.
func (m *Map) scalar(key, want string) (*yaml.Node, bool) {
	v := m.Value(key)
	if v == nil || (v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
		return nil, false
	}
	if v.Kind != yaml.ScalarNode {
		m.Errorf(key, "must be %s, not %s", want, kindName(v))
		return nil, false
	}
	return v, true
}

// String returns key's string value; numbers and booleans are accepted as
// written.
func (m *Map) String(key string) string {
	v, ok := m.scalar(key, "a string")
	if !ok {
		return ""
	}
	return v.Value
}

// RequiredString returns key's string value, reporting it when absent or
// empty.
func (m *Map) RequiredString(key string) string {
	s := m.String(key)
	if s == "" && m.Present() {
		if _, given := m.values[key]; given {
			m.Errorf(key, "must not be empty")
		} else {
			m.Errorf(key, "required field is missing")
		}
	}
	return s
}

// Float returns key's numeric value and whether it was given.
func (m *Map) Float(key string) (float64, bool) {
	v, ok := m.scalar(key, "a number")
	if !ok {
		return 0, false
	}
	if v.Tag != "!!int" && v.Tag != "!!float" {
		m.Errorf(key, "must be a number, not %q", v.Value)
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(v.Value, "_", ""), 64)
	if err != nil {
		m.Errorf(key, "must be a number, not %q", v.Value)
		return 0, false
	}
	return f, true
}

// Bool returns key's boolean value and whether it was given.
func (m *Map) Bool(key string) (bool, bool) {
	v, ok := m.scalar(key, "a boolean")
	if !ok {
		return false, false
	}
	switch strings.ToLower(v.Value) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	m.Errorf(key, "must be true or false, not %q", v.Value)
	return false, false
}

// Duration returns key's Prometheus-style duration (30d, 1h30m, 5m) and
// whether it was given and valid.
func (m *Map) Duration(key string) (time.Duration, bool) {
	s := m.String(key)
	if s == "" {
		return 0, false
	}
	d, err := slo.ParseDuration(s)
	if err != nil {
		m.Errorf(key, "must be a duration such as 30d, 6h or 5m, not %q", s)
		return 0, false
	}
	return d, true
}

// StringMap returns key's value as a map of strings (labels, annotations).
func (m *Map) StringMap(key string) map[string]string {
	v := m.Value(key)
	if v == nil || (v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
		return nil
	}
	sub := m.Doc.Map(v, m.FieldPath(key))
	if !sub.Present() {
		return nil
	}
	out := map[string]string{}
	for _, k := range sub.Keys() {
		if s, ok := sub.scalar(k, "a string"); ok {
			out[k] = s.Value
		}
	}
	return out
}

// StringList returns key's value as a list of strings; a single string is
// accepted as a list of one.
func (m *Map) StringList(key string) []string {
	v := m.Value(key)
	if v == nil || (v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
		return nil
	}
	if v.Kind == yaml.ScalarNode {
		return []string{v.Value}
	}
	if v.Kind != yaml.SequenceNode {
		m.Errorf(key, "must be a list of strings, not %s", kindName(v))
		return nil
	}
	var out []string
	for i, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.ScalarNode {
			m.Doc.Errorf(item, Index(m.FieldPath(key), i), "must be a string, not %s", kindName(item))
			continue
		}
		out = append(out, item.Value)
	}
	return out
}

// Map returns key's value as a nested strict mapping; absent gives an empty
// Map whose getters return zero values.
func (m *Map) Map(key string) *Map {
	sub := m.Doc.Map(m.Value(key), m.FieldPath(key))
	if sub.at == nil {
		sub.at = m.anchor()
	}
	return sub
}

// Seq returns key's value as a list of nodes, with the path of each.
func (m *Map) Seq(key string) []Item {
	v := m.Value(key)
	if v == nil || (v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		m.Errorf(key, "must be a list, not %s", kindName(v))
		return nil
	}
	out := make([]Item, len(v.Content))
	for i, n := range v.Content {
		out[i] = Item{Node: resolve(n), Path: Index(m.FieldPath(key), i)}
	}
	return out
}

// Maps returns key's value as a list of strict mappings.
func (m *Map) Maps(key string) []*Map {
	var out []*Map
	for _, it := range m.Seq(key) {
		out = append(out, m.Doc.Map(it.Node, it.Path))
	}
	return out
}

// Item is one element of a YAML list.
type Item struct {
	Node *yaml.Node
	Path string
}

// Close reports every key that no getter asked for as an unknown field,
// suggesting the nearest known one. It is safe to call more than once.
func (m *Map) Close() {
	if m.closed || m.Node == nil {
		return
	}
	m.closed = true
	known := make([]string, 0, len(m.known))
	for k := range m.known {
		known = append(known, k)
	}
	sort.Strings(known)
	for _, k := range m.keys {
		if m.known[k.Value] {
			continue
		}
		msg := fmt.Sprintf("unknown field %q", k.Value)
		if s := Suggest(k.Value, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if len(known) > 0 {
			msg += "; known fields: " + strings.Join(known, ", ")
		}
		m.Doc.Errorf(k, Join(m.Path, k.Value), "%s", msg)
	}
}
