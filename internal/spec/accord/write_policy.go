package accord

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
)

func (w *writer) policyDoc(p slo.Policy) *yaml.Node {
	w.subject = fmt.Sprintf("policy %q", p.Name)
	var states []*yaml.Node
	for _, st := range p.States {
		m := newMapping()
		m.set("name", text(st.Name))
		m.set("when", w.condition(st.When))
		var actions []*yaml.Node
		for _, a := range st.Actions {
			actions = append(actions, w.action(a))
		}
		m.set("actions", list(actions))
		states = append(states, m.node)
	}
	spec := newMapping()
	spec.set("states", list(states))
	spec.set("exceptionApprovers", stringList(p.ExceptionApprovers))
	if p.MinEvents > 0 {
		spec.set("minEvents", w.number(p.MinEvents))
	}
	return document(KindPolicy, named(p.Name, "", p.Description, nil), spec)
}

func (w *writer) condition(c slo.Condition) *yaml.Node {
	m := newMapping().flow()
	if c.BudgetRemainingAtMost != nil {
		m.set("budgetRemainingAtMost", w.number(*c.BudgetRemainingAtMost))
	}
	if c.BurnRateAtLeast != nil {
		m.set("burnRateAtLeast", w.number(*c.BurnRateAtLeast))
	} else if c.BurnRateWindow != 0 {
		w.fail("burnRateWindow %s needs burnRateAtLeast", slo.FormatDuration(c.BurnRateWindow))
	}
	m.set("burnRateWindow", w.duration("burnRateWindow", c.BurnRateWindow))
	return m.orNil()
}

// action is a plain name, or a one-key mapping when it has settings.
func (w *writer) action(a slo.Action) *yaml.Node {
	if !contains(actionKinds, string(a.Kind)) {
		w.fail("unknown action %q", a.Kind)
	}
	if len(a.Roles) > 0 && a.Kind != slo.ActionNotify {
		w.fail("action %s has no roles (only notify does)", a.Kind)
	}
	if len(a.Except) > 0 && a.Kind != slo.ActionFreezeReleases {
		w.fail("action %s has no exceptions (only freeze-releases does)", a.Kind)
	}
	m := newMapping()
	switch {
	case a.Kind == slo.ActionNotify && len(a.Roles) > 0:
		m.set(string(a.Kind), stringList(a.Roles))
	case a.Kind == slo.ActionFreezeReleases && len(a.Except) > 0:
		except := newMapping().flow()
		except.set("except", stringList(a.Except))
		m.set(string(a.Kind), except.node)
	default:
		return text(string(a.Kind))
	}
	return m.node
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
