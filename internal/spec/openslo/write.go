package openslo

import (
	"bytes"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
)

// document is one OpenSLO document as written.
type document struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   metadata `yaml:"metadata"`
	Spec       any      `yaml:"spec"`
}

type metadata struct {
	Name        string            `yaml:"name"`
	DisplayName string            `yaml:"displayName,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// Options say how to write OpenSLO.
type Options struct {
	// Rules returns the burn-rate alerts an SLO without its own is
	// evaluated with (the engine's defaults), so that OpenSLO readers see
	// them as AlertPolicy objects; nil writes an SLO's own alerts only.
	Rules func(*slo.SLO) []slo.BurnRateAlert
}

// Write renders the catalog's data sources, services and SLOs as OpenSLO
// v1 documents, each SLO followed by its alert policies, conditions and
// notification targets as objects of their own. SLO names are unique in
// OpenSLO: an SLO whose name another service's SLO shares is written as
// SERVICE-NAME, its name kept in an annotation. Error budget policies have
// no OpenSLO kind and are not written here: spec.Write adds them as
// accord/v1 Policy documents.
func Write(cat slo.Catalog, opts Options) ([]byte, error) {
	cat = cat.Canonical()
	var docs []document
	for _, ds := range cat.DataSources {
		spec := map[string]any{"type": ds.Type}
		if ds.URL != "" {
			spec["connectionDetails"] = map[string]string{"url": ds.URL}
		}
		docs = append(docs, document{Kind: kindDataSource, Metadata: metadata{Name: ds.Name}, Spec: spec})
	}
	for _, svc := range cat.Services {
		md := metadata{Name: svc.Name, DisplayName: svc.DisplayName, Labels: svc.Labels}
		md.Annotations = ownerAnnotations(svc.Owners, svc.RunbookURL)
		spec := map[string]any{}
		if svc.Description != "" {
			spec["description"] = svc.Description
		}
		docs = append(docs, document{Kind: kindService, Metadata: md, Spec: spec})
	}
	services := map[string]map[string]bool{}
	byID := map[string]slo.SLO{}
	for _, s := range cat.SLOs {
		byID[s.ID()] = s
		if services[s.Name] == nil {
			services[s.Name] = map[string]bool{}
		}
		services[s.Name][s.Service] = true
	}
	wr := &sloWriter{rules: opts.Rules, targets: map[string]slo.NotificationTarget{}}
	for _, s := range cat.SLOs {
		name := s.Name
		if len(services[s.Name]) > 1 {
			name = s.Service + "-" + s.Name
		}
		write := wr.writeSLO
		if s.Journey() {
			write = func(s slo.SLO, name string) ([]document, error) { return wr.writeJourney(s, name, byID) }
		}
		sloDocs, err := write(s, name)
		if err != nil {
			return nil, fmt.Errorf("write SLO %s as OpenSLO: %w", s.ID(), err)
		}
		docs = append(docs, sloDocs...)
	}
	var b bytes.Buffer
	for i, d := range docs {
		d.APIVersion = "openslo/v1"
		if i > 0 {
			b.WriteString("---\n")
		}
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(d); err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", d.Kind, d.Metadata.Name, err)
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// ownerAnnotations carries owners and runbook in Accord's annotations.
func ownerAnnotations(o slo.Owners, runbook string) map[string]string {
	// Always written, even when empty: a reader then takes every label as
	// a plain label instead of guessing owners from them.
	ann := map[string]string{annOwners: mustJSON(o)}
	if runbook != "" {
		ann[annRunbook] = runbook
	}
	return ann
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("marshal %T: %v", v, err)) // plain data: cannot fail
	}
	return string(b)
}
