package pyrra

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// selector is a PromQL series selector: a metric name and label matchers.
type selector struct {
	name     string
	matchers []matcher
}

type matcher struct {
	label, op, value string
}

// parseSelector reads name{label op "value", ...}; Pyrra's metric fields
// hold nothing else.
func parseSelector(s string) (selector, error) {
	s = strings.TrimSpace(s)
	var sel selector
	i := 0
	for i < len(s) && isNameChar(s[i], i == 0, true) {
		i++
	}
	sel.name = s[:i]
	rest := strings.TrimSpace(s[i:])
	if rest == "" {
		if sel.name == "" {
			return sel, fmt.Errorf("empty selector")
		}
		return sel, nil
	}
	if rest[0] != '{' || rest[len(rest)-1] != '}' {
		return sel, fmt.Errorf("selector %q: want metric{label=\"value\", ...}", s)
	}
	body := rest[1 : len(rest)-1]
	for {
		body = strings.TrimLeft(body, " \t\n,")
		if body == "" {
			break
		}
		m, tail, err := parseMatcher(body)
		if err != nil {
			return sel, fmt.Errorf("selector %q: %w", s, err)
		}
		sel.matchers = append(sel.matchers, m)
		tail = strings.TrimLeft(tail, " \t\n")
		if tail != "" && tail[0] != ',' {
			return sel, fmt.Errorf("selector %q: want ',' between matchers at %q", s, tail)
		}
		body = tail
	}
	if sel.name == "" && len(sel.matchers) == 0 {
		return sel, fmt.Errorf("selector %q selects nothing", s)
	}
	return sel, nil
}

func parseMatcher(s string) (matcher, string, error) {
	i := 0
	for i < len(s) && isNameChar(s[i], i == 0, false) {
		i++
	}
	if i == 0 {
		return matcher{}, "", fmt.Errorf("want a label name at %q", s)
	}
	m := matcher{label: s[:i]}
	s = strings.TrimLeft(s[i:], " \t")
	for _, op := range []string{"=~", "!~", "!=", "="} {
		if strings.HasPrefix(s, op) {
			m.op = op
			s = strings.TrimLeft(s[len(op):], " \t")
			break
		}
	}
	if m.op == "" {
		return matcher{}, "", fmt.Errorf("want =, !=, =~ or !~ after label %q", m.label)
	}
	quoted, err := strconv.QuotedPrefix(s)
	if err != nil {
		return matcher{}, "", fmt.Errorf("want a quoted value for label %q", m.label)
	}
	if m.value, err = strconv.Unquote(quoted); err != nil {
		return matcher{}, "", fmt.Errorf("label %q: %w", m.label, err)
	}
	return m, s[len(quoted):], nil
}

func isNameChar(c byte, first, metric bool) bool {
	switch {
	case c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		return true
	case c >= '0' && c <= '9':
		return !first
	case c == ':':
		return metric
	}
	return false
}

// without returns the selector without matchers on label.
func (s selector) without(label string) selector {
	out := selector{name: s.name}
	for _, m := range s.matchers {
		if m.label != label {
			out.matchers = append(out.matchers, m)
		}
	}
	return out
}

// find returns the matcher on label.
func (s selector) find(label string) (matcher, bool) {
	for _, m := range s.matchers {
		if m.label == label {
			return m, true
		}
	}
	return matcher{}, false
}

// String renders the selector with its matchers in a stable order.
func (s selector) String() string {
	if len(s.matchers) == 0 {
		return s.name
	}
	ms := append([]matcher(nil), s.matchers...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].label < ms[j].label })
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.label + m.op + strconv.Quote(m.value)
	}
	return s.name + "{" + strings.Join(parts, ", ") + "}"
}
