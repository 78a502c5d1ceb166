// Package sloth reads Sloth SLO specs — `version: prometheus/v1` files and
// the Kubernetes PrometheusServiceLevel resource — into the slo model.
package sloth

import (
	"strings"
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

// in returns the key to read in m: the shape's own, or the other shape's
// spelling when only that is given. Sloth ignores a field spelled the
// other way; Accord reads it, and says so, rather than lose it.
func (k keys) in(m *decode.Map, snake, camel string) string {
	own, other := k.of(snake, camel), k.of(camel, snake)
	if !m.Has(own) && m.Has(other) {
		m.Warnf(other, "%s is spelled %s in this shape of Sloth spec, which ignores %s: read as %s", own, own, other, own)
		return other
	}
	return own
}

func (l *Loader) readSpec(m *decode.Map, k keys) {
	service := m.RequiredString("service")
	labels := m.StringMap("labels")
	metricsQL := victoriaMetrics(readPlugins(m, k.in(m, "slo_plugins", "sloPlugins")))
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
		s := l.readSLO(item, k, service, m.Origin("service"), labels, metricsQL)
		item.Close()
		l.cat.SLOs = append(l.cat.SLOs, s)
	}
}

// readPlugins reads Sloth's SLO plugins, which change the rules Sloth
// generates: Accord measures and alerts in its own way, so they load with a
// warning and are not run.
func readPlugins(m *decode.Map, key string) []string {
	p := m.Map(key)
	defer p.Close()
	if !p.Present() {
		return nil
	}
	p.Known("overridePrevious")
	var ids []string
	for _, it := range p.Maps("chain") {
		ids = append(ids, it.RequiredString("id"))
		it.Known("config", "priority")
		it.Close()
	}
	m.Warnf(key, "Sloth SLO plugins are not supported (%s): Accord measures and alerts without them; the rest of the spec loads", strings.Join(ids, ", "))
	return ids
}

// victoriaMetrics reports whether a plugin chain validates MetricsQL,
// VictoriaMetrics' query language, instead of PromQL.
func victoriaMetrics(ids []string) bool {
	for _, id := range ids {
		if strings.Contains(id, "victoria_metrics") {
			return true
		}
	}
	return false
}

// Finish returns everything read.
func (l *Loader) Finish(*diag.List) slo.Catalog { return l.cat }
