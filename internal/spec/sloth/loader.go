// Package sloth reads Sloth SLO specs — `version: prometheus/v1` files and
// the Kubernetes PrometheusServiceLevel resource — into the slo model.
package sloth

import (
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// slothWindow is Sloth's fixed SLO window: prometheus/v1 has no field for
// it.
const slothWindow = 30 * 24 * time.Hour

// Loader reads Sloth documents.
type Loader struct {
	cat      slo.Catalog
	services map[string]bool
}

// NewLoader returns an empty Loader.
func NewLoader() *Loader { return &Loader{services: map[string]bool{}} }

// Add reads one document, in either of Sloth's two shapes.
func (l *Loader) Add(d *decode.Doc) {
	top := d.Top()
	defer top.Close()
	if top.Has("version") {
		top.String("version")
		l.readSpec(top, keys{})
		return
	}
	top.Known("apiVersion", "kind")
	meta := top.Map("metadata")
	// Kubernetes metadata names the resource, not the SLOs: accepted, unused.
	meta.Known("name", "namespace", "labels", "annotations", "uid", "resourceVersion", "generation", "creationTimestamp")
	meta.Close()
	top.Known("status")
	spec := top.Map("spec")
	if !top.Has("spec") {
		top.Errorf("spec", "required field is missing")
	}
	l.readSpec(spec, keys{camel: true})
	spec.Close()
}

// keys names fields in the file shape (snake_case) or the Kubernetes
// resource shape (camelCase).
type keys struct{ camel bool }

func (k keys) of(snake, camel string) string {
	if k.camel {
		return camel
	}
	return snake
}

func (l *Loader) readSpec(m *decode.Map, k keys) {
	service := m.RequiredString("service")
	labels := m.StringMap("labels")
	if service != "" && !l.services[service] {
		l.services[service] = true
		l.cat.Services = append(l.cat.Services, slo.Service{
			Name: service, Implicit: true, Owners: slo.Owners{Team: labels["owner"]},
			Origin: m.Origin("service"), Origins: slo.Origins{"name": m.Origin("service")},
		})
	}
	items := m.Maps("slos")
	if len(items) == 0 && m.Present() {
		m.Errorf("slos", "a Sloth spec needs at least one SLO under slos")
	}
	for _, item := range items {
		s := l.readSLO(item, k, service, m.Origin("service"), labels)
		item.Close()
		l.cat.SLOs = append(l.cat.SLOs, s)
	}
}

// Finish returns everything read.
func (l *Loader) Finish(*diag.List) slo.Catalog { return l.cat }
