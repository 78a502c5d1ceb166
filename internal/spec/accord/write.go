package accord

import (
	"bytes"
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
)

// Write renders cat as accord/v1 multi-document YAML: one Service document
// per service with its SLOs nested, an SLO document for each SLO whose
// service the catalog lacks, then Policy and DataSource documents. The
// output follows the catalog's order and reads back into an equal catalog.
// It fails, naming each, on values the format cannot express.
func Write(cat slo.Catalog) ([]byte, error) {
	w := &writer{}
	var docs []*yaml.Node
	nested := map[string]bool{}
	for _, svc := range cat.Services {
		var slos []slo.SLO
		if !nested[svc.Name] {
			nested[svc.Name] = true
			for _, s := range cat.SLOs {
				if s.Service == svc.Name {
					slos = append(slos, s)
				}
			}
		}
		docs = append(docs, w.serviceDoc(svc, slos))
	}
	for _, s := range cat.SLOs {
		if !nested[s.Service] {
			docs = append(docs, w.sloDoc(s))
		}
	}
	for _, p := range cat.Policies {
		docs = append(docs, w.policyDoc(p))
	}
	for _, d := range cat.DataSources {
		docs = append(docs, w.dataSourceDoc(d))
	}
	if err := errors.Join(w.errs...); err != nil {
		return nil, err
	}
	return encode(docs)
}

func encode(docs []*yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	if len(docs) == 0 {
		return buf.Bytes(), nil
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("encode accord/v1 YAML: %w", err)
		}
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode accord/v1 YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// document starts a document of kind with its metadata and spec.
func document(kind string, meta, spec mapping) *yaml.Node {
	doc := newMapping()
	doc.set("apiVersion", text(string(slo.FormatAccord)))
	doc.set("kind", text(kind))
	doc.set("metadata", meta.node)
	if len(spec.node.Content) == 0 {
		spec = spec.flow()
	}
	doc.set("spec", spec.node)
	return doc.node
}

func (w *writer) serviceDoc(svc slo.Service, slos []slo.SLO) *yaml.Node {
	w.subject = fmt.Sprintf("service %q", svc.Name)
	meta := named(svc.Name, svc.DisplayName, svc.Description, svc.Labels)
	spec := newMapping()
	spec.set("owners", ownersNode(svc.Owners))
	spec.set("runbook", text(svc.RunbookURL))
	var items []*yaml.Node
	for _, s := range slos {
		w.subject = fmt.Sprintf("SLO %q", s.ID())
		item := named(s.Name, s.DisplayName, s.Description, s.Labels)
		w.sloBody(item, s)
		items = append(items, item.node)
	}
	spec.set("slos", list(items))
	return document(KindService, meta, spec)
}

func (w *writer) sloDoc(s slo.SLO) *yaml.Node {
	w.subject = fmt.Sprintf("SLO %q", s.ID())
	spec := newMapping()
	spec.set("service", text(s.Service))
	w.sloBody(spec, s)
	return document(KindSLO, named(s.Name, s.DisplayName, s.Description, s.Labels), spec)
}

func (w *writer) dataSourceDoc(d slo.DataSource) *yaml.Node {
	w.subject = fmt.Sprintf("data source %q", d.Name)
	spec := newMapping()
	spec.set("type", text(d.Type))
	spec.set("url", text(d.URL))
	return document(KindDataSource, named(d.Name, "", "", nil), spec)
}

// named is a mapping that starts with a name, display name, description
// and labels: a document's metadata, or an SLO list item.
func named(name, displayName, description string, labels map[string]string) mapping {
	m := newMapping()
	m.set("name", text(name))
	m.set("displayName", text(displayName))
	m.set("description", text(description))
	m.set("labels", stringMap(labels))
	return m
}

func ownersNode(o slo.Owners) *yaml.Node {
	m := newMapping()
	m.set("team", text(o.Team))
	m.set("productOwner", text(o.ProductOwner))
	if len(o.OnCall.Labels) == 0 {
		m.set("onCall", text(o.OnCall.Receiver))
	} else {
		call := newMapping()
		call.set("receiver", text(o.OnCall.Receiver))
		call.set("labels", stringMap(o.OnCall.Labels))
		m.set("onCall", call.node)
	}
	m.set("escalation", text(o.Escalation))
	return m.orNil()
}
