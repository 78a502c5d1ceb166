// Package openslo reads OpenSLO — openslo/v1, the openslo/v1alpha that
// Sloth reads and openslo.com/v2alpha — and writes OpenSLO v1. What
// OpenSLO has no field for travels in accord.dev/ annotations, so a catalog
// written as OpenSLO reads back unchanged.
package openslo

import (
	"sort"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// The kinds of OpenSLO.
const (
	kindService     = "Service"
	kindSLO         = "SLO"
	kindSLI         = "SLI"
	kindDataSource  = "DataSource"
	kindAlertPolicy = "AlertPolicy"
	kindCondition   = "AlertCondition"
	kindTarget      = "AlertNotificationTarget"
)

// The OpenSLO versions Accord reads.
const (
	v1      = "openslo/v1"
	v1alpha = "openslo/v1alpha"
	v2alpha = "openslo.com/v2alpha"
)

var kinds = map[string][]string{
	v1:      {kindService, kindSLO, kindSLI, kindDataSource, kindAlertPolicy, kindCondition, kindTarget},
	v2alpha: {kindService, kindSLO, kindSLI, kindDataSource, kindAlertPolicy, kindCondition, kindTarget},
	v1alpha: {kindService, kindSLO},
}

// object is one OpenSLO document, read later when references can resolve.
type object struct {
	version string
	top     *decode.Map
	meta    meta
	spec    *decode.Map
}

// Loader reads OpenSLO documents. SLIs, alert policies, conditions and
// targets may live in documents of their own, so SLOs are read in Finish.
type Loader struct {
	byKind map[string][]*object
	named  map[string]map[string]*object
	// sourceTypes are the data sources' types by name, for metric sources
	// that name a data source instead of a type.
	sourceTypes map[string]string
}

// NewLoader returns an empty Loader.
func NewLoader() *Loader {
	return &Loader{byKind: map[string][]*object{}, named: map[string]map[string]*object{}, sourceTypes: map[string]string{}}
}

// Add files one document under its kind.
func (l *Loader) Add(d *decode.Doc) {
	top := d.Top()
	version := top.String("apiVersion")
	kind := top.RequiredString("kind")
	if !contains(kinds[version], kind) {
		if kind != "" {
			hint := suggest(kind, kinds[version])
			if hint == "" {
				hint = "; " + version + " kinds are " + strings.Join(kinds[version], ", ")
			}
			top.Errorf("kind", "unknown %s kind %q%s", version, kind, hint)
		}
		top.Known("metadata", "spec")
		top.Close()
		return
	}
	o := &object{version: version, top: top, meta: readMeta(top.Map("metadata")), spec: top.Map("spec")}
	top.Require("metadata")
	if kind != kindService { // a Service's spec holds only a description
		top.Require("spec")
	}
	top.Close()
	if l.named[kind] == nil {
		l.named[kind] = map[string]*object{}
	}
	if prev, dup := l.named[kind][o.meta.name]; dup && o.meta.name != "" {
		// As kubectl and sloctl apply objects, a later one of the same kind
		// and name replaces the earlier.
		o.meta.m.Warnf("name", "%s %q is defined again (first at %s): this later definition replaces it", kind, o.meta.name, prev.meta.m.Origin("name"))
		for i, p := range l.byKind[kind] {
			if p == prev {
				l.byKind[kind] = append(l.byKind[kind][:i], l.byKind[kind][i+1:]...)
				break
			}
		}
	}
	l.named[kind][o.meta.name] = o
	l.byKind[kind] = append(l.byKind[kind], o)
}

// Finish reads every document, resolving references between them.
func (l *Loader) Finish(*diag.List) slo.Catalog {
	var cat slo.Catalog
	for _, o := range l.byKind[kindDataSource] {
		ds := readDataSource(o)
		l.sourceTypes[ds.Name] = ds.Type
		cat.DataSources = append(cat.DataSources, ds)
	}
	for _, o := range l.byKind[kindService] {
		cat.Services = append(cat.Services, readService(o))
	}
	for _, o := range l.byKind[kindSLO] {
		if o.version == v1alpha {
			cat.SLOs = append(cat.SLOs, l.readV1alphaSLO(o)...)
		} else {
			cat.SLOs = append(cat.SLOs, l.readSLO(o)...)
		}
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
		l.readSLISpec(o.version, o.spec, &scratch, o.meta)
	}
	for _, o := range l.byKind[kindAlertPolicy] {
		scratch.Origins = slo.Origins{}
		l.readAlertPolicy(o.spec, &scratch, false)
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

// ref returns the named document of kind. A name no file defines is a
// warning at the referring field: OpenSLO's own validator takes each file
// alone, so files that refer to objects kept elsewhere are common; the
// caller reads on without the object.
func (l *Loader) ref(kind, name string, from *decode.Map, key string) *object {
	if o, ok := l.named[kind][name]; ok {
		return o
	}
	var names []string
	for n := range l.named[kind] {
		names = append(names, n)
	}
	sort.Strings(names)
	from.Warnf(key, "no %s named %q in the files read%s; %s", kind, name, suggest(name, names), missingRef[kind])
	return nil
}

// missingRef says what Accord does without a referenced object.
var missingRef = map[string]string{
	kindSLI:         "the SLO is listed but not measured",
	kindAlertPolicy: "the SLO alerts with Accord's default burn rates",
	kindCondition:   "the policy has no condition from it",
	kindTarget:      "alerts go to the owners' on-call route only",
}

func readDataSource(o *object) slo.DataSource {
	ds := slo.DataSource{Name: o.meta.name, Type: o.spec.RequiredString("type"), Origin: o.meta.m.Origin("name")}
	ds.URL = connectionURL(o.spec)
	o.spec.Known("description")
	o.spec.Close()
	return ds
}

func readService(o *object) slo.Service {
	svc := slo.Service{
		Name: o.meta.name, DisplayName: o.meta.displayName, Description: o.spec.String("description"),
		Origin: o.meta.m.Self(), Origins: slo.Origins{"name": o.meta.m.Origin("name"), "runbook": o.meta.m.Origin("annotations"), "labels": o.meta.m.Origin("labels")},
	}
	svc.Owners, svc.Labels, svc.RunbookURL = o.meta.owners()
	o.spec.Close()
	return svc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func suggest(word string, candidates []string) string {
	if s := decode.Suggest(word, candidates); s != "" {
		return " (did you mean \"" + s + "\"?)"
	}
	return ""
}
