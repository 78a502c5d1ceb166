// Package accord reads and writes Accord's own spec format, accord/v1: YAML
// documents of kind Service (with its SLOs nested), SLO, Policy and
// DataSource, written for the people who agree on them. docs/spec.md
// describes the format field by field.
package accord

import (
	"fmt"
	"strings"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// The kinds of accord/v1 document.
const (
	KindService    = "Service"
	KindSLO        = "SLO"
	KindPolicy     = "Policy"
	KindDataSource = "DataSource"
)

var kinds = []string{KindService, KindSLO, KindPolicy, KindDataSource}

// Loader reads accord/v1 documents into one catalog.
type Loader struct {
	cat slo.Catalog
	// defaults holds what each service passes on to its SLOs.
	defaults map[string]serviceDefaults
	// standalone lists the SLOs of kind SLO documents, whose service may
	// be defined in a later document; Finish applies its defaults.
	standalone []int
}

// serviceDefaults is what an SLO inherits from its service document.
type serviceDefaults struct {
	policy   string
	policyAt slo.Origin
	ownersAt slo.Origin
}

// NewLoader returns an empty Loader.
func NewLoader() *Loader { return &Loader{defaults: map[string]serviceDefaults{}} }

// Add reads one document.
func (l *Loader) Add(d *decode.Doc) {
	top := d.Top()
	defer top.Close()
	if !top.Present() {
		return // Top reported what the document is instead
	}
	top.Known("apiVersion") // the format was detected from it
	kind := top.String("kind")
	switch kind {
	case KindService:
		l.addService(top)
	case KindSLO:
		l.addSLO(top)
	case KindPolicy:
		l.addPolicy(top)
	case KindDataSource:
		l.addDataSource(top)
	case "":
		if !top.Has("kind") {
			top.Errorf("kind", "required field is missing; give one of %s", strings.Join(kinds, ", "))
		}
		top.Known("metadata", "spec")
	default:
		top.Errorf("kind", "unknown kind %q%s", kind, suggest(kind, kinds))
		top.Known("metadata", "spec")
	}
}

// Finish gives standalone SLOs their service's defaults and returns
// everything read.
func (l *Loader) Finish(_ *diag.List) slo.Catalog {
	for _, i := range l.standalone {
		s := &l.cat.SLOs[i]
		if def, ok := l.defaults[s.Service]; ok {
			inherit(s, def)
		}
	}
	return l.cat
}

// inherit fills what an SLO leaves to its service: the policy, and where
// to point when the owners are incomplete.
func inherit(s *slo.SLO, def serviceDefaults) {
	if s.Policy == "" && def.policy != "" {
		s.Policy = def.policy
		s.Origins.Set("policy", def.policyAt)
	}
	if s.Owners.IsZero() {
		s.Origins.Set("owners", def.ownersAt)
	}
}

// suggest renders a did-you-mean for word among candidates, or the list of
// candidates when none is near.
func suggest(word string, candidates []string) string {
	if s := decode.Suggest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return "; give one of " + strings.Join(candidates, ", ")
}
