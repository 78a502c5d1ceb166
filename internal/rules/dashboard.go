package rules

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// DashboardFileName is the name the dashboard is written under.
const DashboardFileName = "accord-slos.json"

// panel is a Grafana panel, as much of it as the dashboard sets.
type panel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	GridPos     gridPos        `json:"gridPos"`
	Datasource  datasource     `json:"datasource"`
	Targets     []panelQuery   `json:"targets"`
	FieldConfig map[string]any `json:"fieldConfig"`
	Options     map[string]any `json:"options"`
}

type gridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// panelQuery is one query of a panel.
type panelQuery struct {
	Expr         string     `json:"expr"`
	LegendFormat string     `json:"legendFormat,omitempty"`
	RefID        string     `json:"refId"`
	Instant      bool       `json:"instant,omitempty"`
	Range        bool       `json:"range"`
	Format       string     `json:"format,omitempty"`
	Datasource   datasource `json:"datasource"`
}

// promDS is the data source every panel and variable uses: the one picked
// in the dashboard's datasource variable.
var promDS = datasource{Type: "prometheus", UID: "${datasource}"}

// Dashboard writes a Grafana dashboard over the series the rules in r
// record: the SLI against the objective, the error budget left, the burn
// rate over every window the alerts read, and the alerts, for the SLO
// picked in the dashboard's service and slo variables.
func Dashboard(r *Result) ([]byte, error) {
	var first *Group
	windows := map[time.Duration]bool{}
	for _, f := range r.Files {
		for i, g := range f.Groups {
			if first == nil {
				first = &f.Groups[i]
			}
			for _, rule := range g.Rules {
				bw := rule.Labels["burn_window"]
				if rule.Alert == "" || bw == "" {
					continue
				}
				for _, w := range strings.Split(bw, "/") {
					d, err := slo.ParseDuration(w)
					if err != nil {
						return nil, fmt.Errorf("dashboard: window of alert %s in group %s: %w", bw, g.Name, err)
					}
					windows[d] = true
				}
			}
		}
	}
	var current struct{ service, slo string }
	if first != nil {
		current.service, current.slo = first.Rules[0].Labels["service"], first.Rules[0].Labels["slo"]
	}
	ws := slices.Sorted(maps.Keys(windows))
	d := map[string]any{
		"title":         "Accord SLOs",
		"uid":           "accord-slos",
		"description":   "Service level objectives from Accord's generated Prometheus rules (accord generate prometheus).",
		"tags":          []string{"accord", "slo"},
		"timezone":      "browser",
		"schemaVersion": 39,
		"version":       1,
		"editable":      true,
		"refresh":       "1m",
		"time":          map[string]string{"from": "now-7d", "to": "now"},
		"templating":    map[string]any{"list": variables(current.service, current.slo)},
		"panels":        panels(ws),
		"annotations":   map[string]any{"list": []any{}},
		"links":         []any{},
	}
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode dashboard: %w", err)
	}
	return append(out, '\n'), nil
}

// variables are the dashboard's template variables: the data source, then
// a service and one of its SLOs, both read from slo:objective:ratio.
func variables(service, sloName string) []map[string]any {
	query := func(name, label, q, current string) map[string]any {
		return map[string]any{
			"name": name, "label": label, "type": "query", "datasource": promDS,
			"query": q, "definition": q, "refresh": 2, "sort": 1,
			"includeAll": false, "multi": false, "hide": 0,
			"current": map[string]any{"text": current, "value": current},
		}
	}
	return []map[string]any{
		{"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "hide": 0, "current": map[string]any{}},
		query("service", "Service", "label_values("+Objective+", service)", service),
		query("slo", "SLO", `label_values(`+Objective+`{service="$service"}, slo)`, sloName),
	}
}
