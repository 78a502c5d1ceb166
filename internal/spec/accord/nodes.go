package accord

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
)

// writer builds YAML nodes and collects what the format cannot express.
type writer struct {
	errs []error
	// subject names what is being written, for errors.
	subject string
}

func (w *writer) fail(format string, args ...any) {
	w.errs = append(w.errs, fmt.Errorf("%s: %s", w.subject, fmt.Sprintf(format, args...)))
}

// mapping is a YAML mapping built key by key; nil values are left out.
type mapping struct{ node *yaml.Node }

func newMapping() mapping { return mapping{&yaml.Node{Kind: yaml.MappingNode}} }

// flow returns m as a one-line mapping.
func (m mapping) flow() mapping {
	m.node.Style = yaml.FlowStyle
	return m
}

func (m mapping) set(key string, v *yaml.Node) {
	if v == nil {
		return
	}
	m.node.Content = append(m.node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// orNil returns the mapping, or nil when it is empty.
func (m mapping) orNil() *yaml.Node {
	if len(m.node.Content) == 0 {
		return nil
	}
	return m.node
}

// text is a string, quoted where YAML would read it as something else;
// nil when empty.
func text(s string) *yaml.Node {
	if s == "" {
		return nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// promql is a query expression: single-quoted, so that braces and double
// quotes read as written.
func promql(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.SingleQuotedStyle}
	if strings.Contains(s, "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// number is a float written as briefly as it reads back exactly.
func (w *writer) number(f float64) *yaml.Node {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.fail("number %g cannot be written", f)
		return nil
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if len(s) > 20 {
		s = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Value: s}
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatBool(b)}
}

// duration is a Prometheus-style duration such as 5m; nil when zero.
func (w *writer) duration(what string, d time.Duration) *yaml.Node {
	if d == 0 {
		return nil
	}
	if d < 0 || d%time.Millisecond != 0 {
		w.fail("%s %v cannot be written: durations are whole milliseconds above zero", what, d)
		return nil
	}
	return text(formatDuration(d))
}

// formatDuration renders d as people write windows: whole days as days
// (28d rather than 4w), anything else in Prometheus style (1h30m).
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return slo.FormatDuration(d)
}

// stringMap is a block mapping with sorted keys; nil when empty.
func stringMap(in map[string]string) *yaml.Node {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := newMapping()
	for _, k := range keys {
		m.set(k, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: in[k]})
	}
	return m.orNil()
}

// stringList is a one-line list; nil when empty.
func stringList[S ~string](in []S) *yaml.Node {
	if len(in) == 0 {
		return nil
	}
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range in {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(s)})
	}
	return n
}

// list is a block list of nodes; nil when empty.
func list(items []*yaml.Node) *yaml.Node {
	if len(items) == 0 {
		return nil
	}
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}
