package accord

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readSLO reads an SLO: its name, display name, description and labels
// from named (the list item, or a kind: SLO document's metadata), the rest
// from body (the same list item, or the document's spec). The caller sets
// the service and the SLO's own origin.
func (l *Loader) readSLO(named, body *decode.Map) slo.SLO {
	s := slo.SLO{
		Name:        named.String("name"),
		DisplayName: named.String("displayName"),
		Description: named.String("description"),
		Labels:      labels(named, "labels"),
		GroupBy:     body.StringList("groupBy"),
		RunbookURL:  body.String("runbook"),
		Origins: slo.Origins{
			"name":      named.Origin("name"),
			"labels":    named.Origin("labels"),
			"objective": body.Origin("objective"),
			"window":    body.Origin("window"),
			"indicator": body.Origin("indicator"),
			"groupBy":   body.Origin("groupBy"),
			"runbook":   body.Origin("runbook"),
			"owners":    body.Origin("owners"),
			"policy":    body.Origin("policy"),
			"alerting":  body.Origin("alerting"),
		},
	}
	readObjective(body, &s)
	readWindow(body, &s)
	readBudgeting(body, &s)
	journey := readComposite(body, &s)
	readIndicator(body, &s, journey)
	readAlerting(body, &s)
	s.Owners = readOwners(body, "owners")
	s.Policy = l.policyRef(body, "policy")
	return s
}

// readObjective reads the objective, a percentage.
func readObjective(body *decode.Map, s *slo.SLO) {
	if !body.Has("objective") {
		if body.Present() {
			body.Errorf("objective", "required field is missing; give a percentage such as 99.9")
		}
		return
	}
	f, ok := percent(body, "objective")
	if !ok {
		return
	}
	s.Objective = f
}
