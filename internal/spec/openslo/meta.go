package openslo

import (
	"encoding/json"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// Annotations Accord writes for what OpenSLO has no field for.
const (
	annOwners           = "accord.dev/owners"
	annRunbook          = "accord.dev/runbook"
	annPolicy           = "accord.dev/policy"
	annGroupBy          = "accord.dev/group-by"
	annAlerting         = "accord.dev/alerting"
	annLatencyThreshold = "accord.dev/latency-threshold"
	annHistogram        = "accord.dev/histogram"
	annQueryShape       = "accord.dev/query-shape"
	annShortWindow      = "accord.dev/short-window"
	annName             = "accord.dev/name"
	annDefaultStart     = "accord.dev/default-start-time"
	annPrefix           = "accord.dev/"
)

// meta is a document's metadata.
type meta struct {
	m           *decode.Map
	name        string
	displayName string
	labels      map[string]string
	// lists are the labels given as lists of values, which labels holds
	// joined with commas.
	lists       map[string][]string
	annotations map[string]string
}

func readMeta(m *decode.Map) meta {
	md := readMetaOptional(m)
	if md.name == "" && m.Present() {
		m.RequiredString("name")
	}
	return md
}

// readMetaOptional reads the metadata of an inline document, whose name
// may be left out.
func readMetaOptional(m *decode.Map) meta {
	md := meta{m: m, name: m.String("name"), displayName: m.String("displayName")}
	md.labels, md.lists = readLabels(m)
	md.annotations = m.StringMap("annotations")
	m.Known("namespace")
	m.Close()
	return md
}

// readLabels accepts both label shapes OpenSLO v1 files use: a value per
// key, or a list of values (joined with commas, and kept as lists).
func readLabels(m *decode.Map) (map[string]string, map[string][]string) {
	v := m.Value("labels")
	if v == nil || v.Kind != yaml.MappingNode {
		return m.StringMap("labels"), nil
	}
	out := map[string]string{}
	lists := map[string][]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i].Value, v.Content[i+1]
		switch val.Kind {
		case yaml.ScalarNode:
			out[k] = val.Value
		case yaml.SequenceNode:
			var parts []string
			for _, item := range val.Content {
				parts = append(parts, item.Value)
			}
			out[k] = strings.Join(parts, ",")
			lists[k] = parts
		default:
			m.Doc.Errorf(val, decode.Join(m.FieldPath("labels"), k), "a label must be a string or a list of strings")
		}
	}
	return out, lists
}

// owners takes the owners, labels and runbook from metadata: from Accord's
// annotations when present (all labels are then plain labels), else from
// the labels people use for them (team, owner, product-owner, on-call).
func (md meta) owners() (slo.Owners, map[string]string, string) {
	runbook := md.annotations[annRunbook]
	for _, k := range []string{"runbook", "runbook_url"} {
		if runbook == "" {
			runbook = md.annotations[k]
		}
	}
	if raw, ok := md.annotations[annOwners]; ok {
		var o slo.Owners
		if err := json.Unmarshal([]byte(raw), &o); err != nil {
			md.m.Errorf("annotations", "annotation %s must be the JSON of the owners: %v", annOwners, err)
		}
		return o, nilIfEmpty(md.labels), runbook
	}
	var o slo.Owners
	rest := map[string]string{}
	for k, v := range md.labels {
		switch k {
		case "team", "owner":
			if list := md.lists[k]; len(list) > 1 {
				v = list[0]
				md.m.Warnf("labels", "label %s has %d values (%s): Accord reads %s as the owning team", k, len(list), strings.Join(list, ", "), v)
			}
			if o.Team == "" || k == "team" {
				o.Team = v
			}
		case "product-owner", "productOwner", "product_owner":
			o.ProductOwner = v
		case "on-call", "oncall", "onCall":
			o.OnCall.Receiver = v
		default:
			rest[k] = v
		}
	}
	return o, nilIfEmpty(rest), runbook
}

// unknownAnnotations warns about annotations Accord has no place for.
func (md meta) unknownAnnotations(known ...string) {
	for k := range md.annotations {
		keep := k == "runbook" || k == "runbook_url"
		for _, kn := range known {
			keep = keep || k == kn
		}
		if !keep && strings.HasPrefix(k, annPrefix) {
			md.m.Warnf("annotations", "annotation %s is not one Accord reads here; it is ignored", k)
		}
	}
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
