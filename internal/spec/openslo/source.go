package openslo

import (
	"encoding/json"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/query"
)

// queryable lists the metric source types Accord queries with PromQL.
var queryable = map[string]bool{"prometheus": true, "thanos": true, "mimir": true, "victoriametrics": true, "cortex": true, "sloth": true}

// sourceAccord is the metric source type of events pushed to Accord.
const sourceAccord = "accord"

// source is one metric source of an SLI: where its data is and the
// source's own settings.
type source struct {
	// kind is the source's type, as written or as its data source says.
	kind string
	// ref names a DataSource object; known is false when no file defines it.
	ref   string
	known bool
	spec  *decode.Map
	// at is where the source is, for messages about it.
	at *decode.Map
}

// metricSource reads the source of one SLI metric: in v1 the metricSource
// under holder, in v2alpha holder itself (dataSourceRef, dataSourceSpec,
// spec).
func (l *Loader) metricSource(version string, holder *decode.Map) source {
	var src source
	m := holder
	if version == v2alpha {
		src.ref = m.String("dataSourceRef")
		ds := m.Map("dataSourceSpec")
		src.kind = ds.String("type")
		ds.Known("description", "connectionDetails")
		ds.Close()
	} else {
		m = holder.Map("metricSource")
		holder.Require("metricSource")
		src.ref = m.String("metricSourceRef")
		src.kind = m.String("type")
		defer m.Close()
	}
	src.at, src.spec = m, m.Map("spec")
	if src.ref != "" {
		var typ string
		typ, src.known = l.sourceTypes[src.ref]
		if src.kind == "" {
			src.kind = typ
		}
	}
	return src
}

// readQuery turns one metric source into a query of s's indicator in role
// (good, bad, total, errorRatio, gauge). A source Accord cannot query
// makes the indicator external, kept as written.
func (l *Loader) readQuery(src source, s *slo.SLO, role string, counter bool) *slo.Query {
	defer src.spec.Close()
	field := "indicator." + role
	kind := strings.ToLower(src.kind)
	switch {
	case kind == sourceAccord:
		s.Indicator.Stream = src.spec.RequiredString("stream")
		s.Origins.Set("indicator.stream", src.spec.Origin("stream"))
		src.spec.Known("outcome")
		return nil
	case otelSource(kind):
		readOTelSource(src, s, role)
		return nil
	case kind != "" && !queryable[kind]:
		external(s, src, role)
		return nil
	}
	expr, exprKey := src.spec.String("query"), "query"
	if expr == "" && src.spec.Has("promql") {
		expr, exprKey = src.spec.String("promql"), "promql"
	}
	if kind == "" && src.ref != "" && !promQL(src.spec, expr) {
		// a data source this file does not define, whose settings are no
		// PromQL query: another kind of source
		external(s, src, role)
		return nil
	}
	switch {
	case src.ref != "" && src.known:
		s.Indicator.DataSource = src.ref
	case src.ref != "":
		src.at.Warnf(refKey(src.at), "no DataSource named %q in the files read: the query runs against Accord's default Prometheus (--prometheus-url)", src.ref)
	case kind == "":
		src.at.Warnf("type", "no type and no data source: read as a Prometheus query")
	}
	s.Origins.Set(field, src.spec.Origin(exprKey))
	if src.spec.Has("dimensions") {
		src.spec.Warnf("dimensions", "dimensions are ignored: a PromQL query keeps the labels it aggregates by")
	}
	if expr == "" {
		src.spec.Errorf("query", "required field is missing: the PromQL query")
		return nil
	}
	return shape(expr, counter)
}

// shape decides how Accord measures a PromQL query: a template when it
// holds a window placeholder, a counter (an aggregation of a selector
// rewritten with the increase inside) when the SLI says counter: true, an
// instant query otherwise.
func shape(expr string, counter bool) *slo.Query {
	expr = query.NormalizeWindow(expr)
	switch {
	case query.HasWindow(expr):
		return &slo.Query{Expr: expr, Shape: slo.ShapeTemplate}
	case counter:
		q, _, _ := query.Counter(expr)
		return &q
	}
	return &slo.Query{Expr: expr, Shape: slo.ShapeInstant}
}

// promQL reports whether a source's settings are a PromQL query: only
// query (or promql) and dimensions, and an expression that parses.
func promQL(spec *decode.Map, expr string) bool {
	for _, k := range spec.Keys() {
		if k != "query" && k != "promql" && k != "dimensions" {
			return false
		}
	}
	return expr != "" && query.Parses(expr)
}

func refKey(m *decode.Map) string {
	if m.Has("dataSourceRef") {
		return "dataSourceRef"
	}
	return "metricSourceRef"
}

// external records a source Accord cannot query: the indicator keeps the
// source's kind and settings, and the SLO is shown as not measured.
func external(s *slo.SLO, src source, role string) {
	ext := s.Indicator.External
	if ext == nil {
		ext = &slo.External{Kind: src.kind, DataSource: src.ref, Specs: map[string]string{}}
		s.Indicator.External = ext
	}
	src.spec.Keys() // a source's settings are its own
	var v any
	if src.spec.Node != nil {
		if err := src.spec.Node.Decode(&v); err != nil {
			src.spec.Doc.Diags.Errorf(src.spec.Self(), "read the %s source's settings: %v", src.kind, err)
		}
	}
	ext.Specs[role] = specJSON(v)
}

// connectionURL finds a data source's URL in its connectionDetails, which
// OpenSLO leaves to each backend: a mapping, a list of one-key mappings,
// or anything else that is valid YAML.
func connectionURL(spec *decode.Map) string {
	n := spec.Value("connectionDetails")
	var walk func(*yaml.Node) string
	walk = func(n *yaml.Node) string {
		if n == nil {
			return ""
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				switch strings.ToLower(n.Content[i].Value) {
				case "url", "address", "endpoint":
					if v := n.Content[i+1]; v.Kind == yaml.ScalarNode {
						return v.Value
					}
				}
			}
		case yaml.SequenceNode:
			for _, item := range n.Content {
				if u := walk(item); u != "" {
					return u
				}
			}
		case yaml.AliasNode:
			return walk(n.Alias)
		}
		return ""
	}
	return walk(n)
}

// specJSON renders settings for an annotation or an external source.
func specJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "{}"
	}
	return string(b)
}
