package spec

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readable names the headers Accord reads, for messages.
const readable = "accord/v1; OpenSLO openslo/v1, openslo/v1alpha or openslo.com/v2alpha; " +
	"Sloth version: prometheus/v1 or sloth.slok.dev/v1 PrometheusServiceLevel; Pyrra pyrra.dev/v1alpha1 ServiceLevelObjective"

// detection is what a document's header says about it.
type detection struct {
	// format is the format to read it in; empty when it is not read.
	format slo.Format
	// warning is said about a header read with some latitude.
	warning string
	// problem says why a document that looks like a spec is not read.
	problem string
	// foreign is true for a document of no format Accord knows (a
	// Kubernetes Deployment, a dashboard): skipped in walked directories.
	foreign bool
	// skip is true for an object of a known tool that holds no SLO (Sloth's
	// alert windows): always skipped with a note.
	skip bool
	// what names the document in a note, e.g. "apps/v1 Deployment".
	what string
}

// specKinds are kinds only SLO tools use: a document of one of them without
// a known apiVersion is a spec with a mistake, not another tool's file.
var specKinds = map[string]bool{
	"SLO": true, "SLI": true, "ServiceLevelObjective": true, "PrometheusServiceLevel": true,
	"AlertPolicy": true, "AlertCondition": true, "AlertNotificationTarget": true, "Policy": true,
}

// classify reads a document's header: apiVersion and kind, or Sloth's
// version.
func classify(root *yaml.Node) detection {
	if root == nil || root.Kind != yaml.MappingNode {
		what := "a list"
		if root != nil && root.Kind == yaml.ScalarNode {
			what = "a scalar"
		}
		return detection{foreign: true, what: what,
			problem: "not a spec: the document must be a mapping with apiVersion and kind, or Sloth's version: prometheus/v1; Accord reads " + readable}
	}
	api, kind, version := decode.Peek(root, "apiVersion"), decode.Peek(root, "kind"), decode.Peek(root, "version")
	what := strings.TrimSpace(api + " " + kind)
	family, _, _ := strings.Cut(api, "/")
	switch {
	case api == "accord/v1":
		return detection{format: slo.FormatAccord}
	case api == "openslo/v1" || api == "openslo/v1alpha" || api == "openslo.com/v2alpha":
		return detection{format: slo.FormatOpenSLO}
	case family == "accord" || family == "openslo" || family == "openslo.com":
		return detection{what: what, problem: fmt.Sprintf("apiVersion %q is not a version Accord reads: %s", api, readable)}
	case api == "sloth.slok.dev/v1" && kind == "PrometheusServiceLevel":
		return detection{format: slo.FormatSloth}
	case api == "sloth.slok.dev/v1" && kind == "AlertWindows":
		return detection{skip: true, what: "Sloth AlertWindows: Accord scales its alert windows with each SLO's window"}
	case api == "" && version == "prometheus/v1":
		return detection{format: slo.FormatSloth}
	case api == "" && version != "" && (hasKey(root, "slos") || hasKey(root, "service")):
		return detection{what: "version " + version, problem: fmt.Sprintf("version %q: Sloth specs must be version: prometheus/v1", version)}
	case api == "pyrra.dev/v1alpha1" && kind == "ServiceLevelObjective":
		return detection{format: slo.FormatPyrra}
	case api == "v1alpha1" && kind == "ServiceLevelObjective":
		return detection{format: slo.FormatPyrra, warning: "apiVersion v1alpha1 read as pyrra.dev/v1alpha1: write the group too, as Kubernetes needs it"}
	case family == "sloth.slok.dev" || family == "pyrra.dev":
		return detection{what: what, problem: fmt.Sprintf("apiVersion %q kind %q is not a format Accord reads: %s", api, kind, readable)}
	case api == "" && specKinds[kind]:
		return detection{what: what, problem: fmt.Sprintf("kind %s without apiVersion: give the format, e.g. apiVersion: accord/v1 or openslo/v1", kind)}
	case api == "" && kind == "" && version == "":
		return detection{foreign: true, what: "no apiVersion",
			problem: "not a spec: missing apiVersion (or Sloth's version: prometheus/v1); Accord reads " + readable}
	}
	if what == "" {
		what = "version " + version
	}
	return detection{foreign: true, what: what,
		problem: fmt.Sprintf("%s is not a format Accord reads: %s", what, readable)}
}

func hasKey(root *yaml.Node, key string) bool {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == key {
			return true
		}
	}
	return false
}
