package accord

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// actionKinds are the actions a policy state may ask for.
var actionKinds = []string{
	string(slo.ActionNotify), string(slo.ActionReliabilityFirst),
	string(slo.ActionFreezeReleases), string(slo.ActionPostmortem),
}

// addPolicy reads a kind: Policy document.
func (l *Loader) addPolicy(top *decode.Map) {
	meta, spec := parts(top)
	defer meta.Close()
	defer spec.Close()
	p := slo.Policy{
		Name:        meta.String("name"),
		Description: meta.String("description"),
		Origin:      top.Self(),
		Origins:     slo.Origins{"name": meta.Origin("name")},
	}
	readPolicyBody(spec, &p)
	l.cat.Policies = append(l.cat.Policies, p)
}

// policyRef reads policy: NAME, or an inline policy mapping that is added
// to the catalog; it returns the policy's name.
func (l *Loader) policyRef(parent *decode.Map, key string) string {
	v := parent.Value(key)
	switch {
	case isNull(v):
		return ""
	case v.Kind == yaml.ScalarNode:
		return parent.String(key)
	case v.Kind != yaml.MappingNode:
		parent.Errorf(key, "must be a policy name or a policy mapping {name, states, ...}, not %s", describe(v))
		return ""
	}
	m := parent.Map(key)
	defer m.Close()
	p := slo.Policy{
		Name:        m.RequiredString("name"),
		Description: m.String("description"),
		Origin:      m.Self(),
		Origins:     slo.Origins{"name": m.Origin("name")},
	}
	readPolicyBody(m, &p)
	l.cat.Policies = append(l.cat.Policies, p)
	return p.Name
}

// readPolicyBody reads a policy's states, exception approvers and the
// events it needs before it judges a budget.
func readPolicyBody(m *decode.Map, p *slo.Policy) {
	// a policy without states is reported by spec.Validate
	p.Origins.Set("states", m.Origin("states"))
	for i, st := range m.Maps("states") {
		p.States = append(p.States, readState(st))
		p.Origins.Set(fmt.Sprintf("states[%d]", i), st.Self())
	}
	p.ExceptionApprovers = m.StringList("exceptionApprovers")
	if n, ok := m.Float("minEvents"); ok {
		if n < 1 || n != float64(int64(n)) {
			m.Errorf("minEvents", "must be a whole number of events of at least 1 (1 judges the budget on any data), not %g", n)
		} else {
			p.MinEvents = n
		}
	}
}

// readState reads one policy state: name, when, actions.
func readState(st *decode.Map) slo.PolicyState {
	defer st.Close()
	state := slo.PolicyState{Name: st.String("name"), Actions: readActions(st)}
	w := st.Map("when")
	defer w.Close()
	if f, ok := percent(w, "budgetRemainingAtMost"); ok {
		state.When.BudgetRemainingAtMost = &f
	}
	if f, ok := w.Float("burnRateAtLeast"); ok {
		state.When.BurnRateAtLeast = &f
	}
	state.When.BurnRateWindow, _ = duration(w, "burnRateWindow")
	if w.Has("burnRateWindow") && !w.Has("burnRateAtLeast") {
		w.Errorf("burnRateWindow", "applies only with burnRateAtLeast; add burnRateAtLeast: 10 or remove burnRateWindow")
	}
	return state
}

// readActions reads a state's actions: each a name (reliability-first,
// postmortem, freeze-releases) or a one-key mapping with settings
// ({notify: [team, on-call]}, {freeze-releases: {except: [security]}}).
func readActions(st *decode.Map) []slo.Action {
	var out []slo.Action
	for _, it := range st.Seq("actions") {
		switch {
		case isScalar(it.Node):
			if isAction(st.Doc, it, it.Node.Value) {
				out = append(out, slo.Action{Kind: slo.ActionKind(it.Node.Value)})
			}
		case !isNull(it.Node) && it.Node.Kind == yaml.MappingNode:
			if a, ok := readActionMap(st.Doc.Map(it.Node, it.Path), it); ok {
				out = append(out, a)
			}
		default:
			st.Doc.Errorf(it.Node, it.Path, "an action is a name such as postmortem or a mapping such as {notify: [team]}")
		}
	}
	return out
}

// readActionMap reads an action written as a one-key mapping.
func readActionMap(m *decode.Map, it decode.Item) (slo.Action, bool) {
	keys := m.Keys()
	if len(keys) != 1 {
		m.Doc.Errorf(it.Node, it.Path, "an action mapping has exactly one key, the action, such as {notify: [team]}; found %d", len(keys))
		return slo.Action{}, false
	}
	kind := keys[0]
	if !isAction(m.Doc, decode.Item{Node: keyNode(it.Node, kind), Path: decode.Join(it.Path, kind)}, kind) {
		return slo.Action{}, false
	}
	a := slo.Action{Kind: slo.ActionKind(kind)}
	switch a.Kind {
	case slo.ActionNotify:
		for _, r := range m.StringList(kind) {
			a.Roles = append(a.Roles, slo.Role(r))
		}
	case slo.ActionFreezeReleases:
		f := m.Map(kind)
		a.Except = f.StringList("except")
		f.Close()
	default:
		if !isNull(m.Value(kind)) {
			m.Errorf(kind, "%s takes no settings; write it as a plain list item: - %s", kind, kind)
		}
	}
	return a, true
}

// isAction reports whether kind is an action, and says so when it is not.
func isAction(d *decode.Doc, it decode.Item, kind string) bool {
	if contains(actionKinds, kind) {
		return true
	}
	d.Errorf(it.Node, it.Path, "unknown action %q%s", kind, suggest(kind, actionKinds))
	return false
}

// keyNode returns the node of key in mapping n, or n itself.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return n
}
