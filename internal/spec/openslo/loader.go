// Package openslo reads and writes OpenSLO v1 (apiVersion: openslo/v1).
// What OpenSLO has no field for travels in accord.dev/ annotations, so a
// catalog written as OpenSLO reads back unchanged.
package openslo

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// The kinds of OpenSLO v1.
const (
	kindService     = "Service"
	kindSLO         = "SLO"
	kindSLI         = "SLI"
	kindDataSource  = "DataSource"
	kindAlertPolicy = "AlertPolicy"
	kindCondition   = "AlertCondition"
	kindTarget      = "AlertNotificationTarget"
)

var kinds = []string{kindService, kindSLO, kindSLI, kindDataSource, kindAlertPolicy, kindCondition, kindTarget}

// object is one OpenSLO document, read later when references can resolve.
type object struct {
	top  *decode.Map
	meta meta
	spec *decode.Map
}

// Loader reads OpenSLO documents. SLIs, alert policies, conditions and
// targets may live in documents of their own, so SLOs are read in Finish.
type Loader struct {
	byKind map[string][]*object
	named  map[string]map[string]*object
}

// NewLoader returns an empty Loader.
func NewLoader() *Loader {
	return &Loader{byKind: map[string][]*object{}, named: map[string]map[string]*object{}}
}

// Add files one document under its kind.
func (l *Loader) Add(d *decode.Doc) {
	top := d.Top()
	top.Known("apiVersion")
	kind := top.RequiredString("kind")
	found := false
	for _, k := range kinds {
		found = found || k == kind
	}
	if !found {
		if kind != "" {
			top.Errorf("kind", "unknown OpenSLO kind %q%s", kind, suggest(kind, kinds))
		}
		top.Known("metadata", "spec")
		top.Close()
		return
	}
	o := &object{top: top, meta: readMeta(top.Map("metadata")), spec: top.Map("spec")}
	top.Require("metadata", "spec")
	top.Close()
	if l.named[kind] == nil {
		l.named[kind] = map[string]*object{}
	}
	if prev, dup := l.named[kind][o.meta.name]; dup && o.meta.name != "" {
		o.meta.m.Errorf("name", "%s %q is defined twice (first at %s)", kind, o.meta.name, prev.meta.m.Origin("name"))
		return
	}
	l.named[kind][o.meta.name] = o
	l.byKind[kind] = append(l.byKind[kind], o)
}

// Finish reads every document, resolving references between them.
func (l *Loader) Finish(*diag.List) slo.Catalog {
	var cat slo.Catalog
	for _, o := range l.byKind[kindDataSource] {
		cat.DataSources = append(cat.DataSources, readDataSource(o))
	}
	for _, o := range l.byKind[kindService] {
		cat.Services = append(cat.Services, readService(o))
	}
	for _, o := range l.byKind[kindSLO] {
		cat.SLOs = append(cat.SLOs, l.readSLO(o)...)
	}
	defined := map[string]bool{}
	for _, s := range cat.Services {
		defined[s.Name] = true
	}
	for _, s := range cat.SLOs {
		if s.Service != "" && !defined[s.Service] {
			defined[s.Service] = true
			at := s.Origins.Get("service", s.Origin)
			cat.Services = append(cat.Services, slo.Service{Name: s.Service, Implicit: true, Origin: at, Origins: slo.Origins{"name": at}})
		}
	}
	l.checkUnused()
	return cat
}

// checkUnused reads every SLI, alert policy, condition and target, whether
// an SLO refers to it or not, so that their problems are reported too;
// repeated reads report the same problem once.
func (l *Loader) checkUnused() {
	var scratch slo.SLO
	for _, o := range l.byKind[kindSLI] {
		scratch.Origins = slo.Origins{}
		readSLISpec(o.spec, &scratch, o.meta)
	}
	for _, o := range l.byKind[kindAlertPolicy] {
		scratch.Origins = slo.Origins{}
		l.readAlertPolicy(o.spec, &scratch)
	}
	for _, o := range l.byKind[kindCondition] {
		readCondition(o.spec, o.meta)
	}
	for _, o := range l.byKind[kindTarget] {
		o.spec.RequiredString("target")
		o.spec.Known("description")
	}
	for _, kind := range []string{kindSLI, kindAlertPolicy, kindCondition, kindTarget} {
		for _, o := range l.byKind[kind] {
			o.spec.Close()
		}
	}
}

// ref returns the named document of kind, reporting an unknown name at
// the referring field.
func (l *Loader) ref(kind, name string, from *decode.Map, key string) *object {
	if o, ok := l.named[kind][name]; ok {
		return o
	}
	var names []string
	for n := range l.named[kind] {
		names = append(names, n)
	}
	from.Errorf(key, "no %s named %q%s", kind, name, suggest(name, names))
	return nil
}

func readDataSource(o *object) slo.DataSource {
	ds := slo.DataSource{Name: o.meta.name, Type: o.spec.RequiredString("type"), Origin: o.meta.m.Origin("name")}
	conn := o.spec.Map("connectionDetails")
	for _, k := range []string{"url", "address", "endpoint"} {
		if v := conn.String(k); v != "" && ds.URL == "" {
			ds.URL = v
		}
	}
	conn.Keys() // connection details vary by backend: accept them all
	conn.Close()
	o.spec.Known("description")
	o.spec.Close()
	return ds
}

func readService(o *object) slo.Service {
	svc := slo.Service{
		Name: o.meta.name, DisplayName: o.meta.displayName, Description: o.spec.String("description"),
		Origin: o.meta.m.Self(), Origins: slo.Origins{"name": o.meta.m.Origin("name"), "runbook": o.meta.m.Origin("annotations")},
	}
	svc.Owners, svc.Labels, svc.RunbookURL = o.meta.owners()
	o.spec.Close()
	return svc
}

func suggest(word string, candidates []string) string {
	if s := decode.Suggest(word, candidates); s != "" {
		return " (did you mean \"" + s + "\"?)"
	}
	return ""
}
