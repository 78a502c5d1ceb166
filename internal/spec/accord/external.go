package accord

import (
	"encoding/json"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readExternal reads indicator.external: {kind, dataSource, sliRef}, the
// source of an indicator Accord cannot measure, as converted from another
// format. Its queries are the source's own settings, each written
// {external: ANY}.
func readExternal(m *decode.Map, s *slo.SLO) {
	e := m.Map("external")
	defer e.Close()
	if !e.Present() {
		return
	}
	s.Indicator.External = &slo.External{Kind: e.String("kind"), DataSource: e.String("dataSource"), SLIRef: e.String("sliRef")}
	if s.Indicator.External.Kind == "" && s.Indicator.External.SLIRef == "" && s.Indicator.External.DataSource == "" {
		e.Errorf("kind", "required field is missing: the kind of source Accord cannot measure, such as Datadog")
	}
}

// readExternalQuery reads {external: ANY} into the external source's
// settings for role; ok is false when q holds no external query.
func readExternalQuery(q *decode.Map, role string, s *slo.SLO) bool {
	v := q.Value("external")
	if v == nil {
		return false
	}
	var settings any
	if err := v.Decode(&settings); err != nil {
		q.Errorf("external", "read the source's settings: %v", err)
		return true
	}
	b, err := json.Marshal(settings)
	if err != nil {
		q.Errorf("external", "the source's settings must have string keys: %v", err)
		return true
	}
	if s.Indicator.External == nil {
		q.Errorf("external", "an external query needs indicator.external: {kind: KIND} saying which source it is for")
		return true
	}
	if s.Indicator.External.Specs == nil {
		s.Indicator.External.Specs = map[string]string{}
	}
	s.Indicator.External.Specs[role] = string(b)
	return true
}

// external writes an indicator Accord cannot measure: its source and, per
// role, the source's own settings.
func (w *writer) external(ind slo.Indicator) *yaml.Node {
	e := ind.External
	src := newMapping().flow()
	src.set("kind", text(e.Kind))
	src.set("dataSource", text(e.DataSource))
	src.set("sliRef", text(e.SLIRef))
	body := newMapping()
	for _, role := range indicatorFields[ind.Kind] {
		raw, ok := e.Specs[role]
		if !ok {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			w.fail("%s settings of the %s source are not JSON: %v", role, e.Kind, err)
			continue
		}
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			w.fail("%s settings of the %s source: %v", role, e.Kind, err)
			continue
		}
		q := newMapping().flow()
		q.set("external", &n)
		body.set(role, q.node)
	}
	if c := ind.GoodWhen; c != nil && ind.Kind == slo.KindBoolean {
		cmp := newMapping().flow()
		cmp.set("op", text(string(c.Op)))
		cmp.set("value", w.number(c.Value))
		body.set("goodWhen", cmp.node)
	}
	m := newMapping()
	m.set("external", src.node)
	if len(body.node.Content) == 0 {
		body = body.flow()
	}
	m.set(string(ind.Kind), body.node)
	return m.node
}
