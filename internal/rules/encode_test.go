package rules_test

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/rules"
)

func TestPrometheusRuleWrapsTheGroups(t *testing.T) {
	res := mustGenerate(t, mustCatalog(t, "../../examples"))
	out, err := rules.EncodeAll(res.Files, rules.FormatPrometheusRule)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(out))
	for i, f := range res.Files {
		var doc struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string `yaml:"kind"`
			Metadata   struct{ Name string }
			Spec       struct{ Groups []rules.Group }
		}
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if doc.APIVersion != "monitoring.coreos.com/v1" || doc.Kind != "PrometheusRule" || doc.Metadata.Name != "accord-"+f.Service {
			t.Errorf("document %d: %s %s %s", i, doc.APIVersion, doc.Kind, doc.Metadata.Name)
		}
		if !reflect.DeepEqual(doc.Spec.Groups, f.Groups) {
			t.Errorf("document %d: the groups do not read back as generated", i)
		}
	}
	if _, err := rules.EncodeAll(res.Files, "jsonnet"); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// TestOutputIsDeterministic generates from the same SLOs in another order
// and expects the same bytes.
func TestOutputIsDeterministic(t *testing.T) {
	cat := mustCatalog(t, "../../examples", "../spec/sloth/testdata/good")
	first, err := rules.EncodeAll(mustGenerate(t, cat).Files, rules.FormatRules)
	if err != nil {
		t.Fatal(err)
	}
	rand.Shuffle(len(cat.SLOs), func(i, j int) { cat.SLOs[i], cat.SLOs[j] = cat.SLOs[j], cat.SLOs[i] })
	again, err := rules.EncodeAll(mustGenerate(t, cat).Files, rules.FormatRules)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Error("the output depends on the order the SLOs were read in")
	}
}
