package rules

import (
	"fmt"
	"time"
)

// sel is the selector of the SLO picked in the dashboard's variables.
const sel = `{service="$service", slo="$slo"}`

// picked is the SLO picked in the dashboard's variables, for PromQL over
// its recordings.
var picked = target{id: []label{{"service", "$service"}, {"slo", "$slo"}}}

// budgetShare is the error budget's share of events, 1 - objective, as a
// right-hand side that any of the SLO's series can be divided by.
const budgetShare = ` / on (service, slo) group_left () (1 - ` + Objective + sel + `)`

// sliExpr is the SLI over the SLO's window, from the budget left.
const sliExpr = `1 - (1 - ` + BudgetRemaining + sel + `) * on (service, slo) group_left () (1 - ` + Objective + sel + `)`

// panels lay out the dashboard: figures at the top, then the SLI and the
// budget over time, the burn rates and alerts, the events and the groups,
// and for a journey the bad events each component caused.
func panels(windows []time.Duration) []panel {
	percent := map[string]any{"defaults": map[string]any{"unit": "percentunit", "decimals": 3}, "overrides": []any{}}
	budget := map[string]any{"defaults": map[string]any{
		"unit": "percentunit", "decimals": 1,
		"thresholds": map[string]any{"mode": "absolute", "steps": []map[string]any{
			{"color": "red", "value": nil}, {"color": "orange", "value": 0}, {"color": "green", "value": 0.25},
		}},
	}, "overrides": []any{}}
	burnCfg := map[string]any{"defaults": map[string]any{"unit": "x", "decimals": 1}, "overrides": []any{}}
	var burns []panelQuery
	for i, w := range windows {
		burns = append(burns, query(fmt.Sprintf("max((%s)%s)", picked.ratio(w), budgetShare), dur(w), i))
	}
	ps := []panel{
		stat("SLI over the window", "The worst group's share of good events over the SLO's window.", percent, query("min("+sliExpr+")", "SLI", 0)),
		stat("Objective", "", percent, query(Objective+sel, "objective", 0)),
		stat("Error budget left", "The worst group's share of the window's error budget left; below 0 it is overspent.", budget, query("min("+BudgetRemaining+sel+")", "budget left", 0)),
		stat("Burn rate over 1h", "How fast the worst group spends its budget: 1 spends it exactly by the window's end.", burnCfg, query("max(("+picked.ratio(time.Hour)+")"+budgetShare+")", "1h", 0)),
		series("SLI against the objective", "", percent, query(sliExpr, "SLI", 0), query(Objective+sel, "objective", 1)),
		series("Error budget left", "", budget, query(BudgetRemaining+sel, "", 0)),
		series("Burn rate by window", "The worst group's burn rate over each window the alerts read; alerts fire when a long and a short window both pass a rule's factor.", burnCfg, burns...),
		series("Firing burn-rate alerts", "", map[string]any{"defaults": map[string]any{"decimals": 0}, "overrides": []any{}},
			query(`sum by (burn_window, severity) (ALERTS{service="$service", slo="$slo", alertstate="firing"})`, "{{severity}} {{burn_window}}", 0)),
		series("Events per minute", "For error-ratio and boolean indicators the unit is one sample per minute.", map[string]any{"defaults": map[string]any{"unit": "short"}, "overrides": []any{}},
			query("sum("+TotalIncrease1m+sel+")", "total", 0), query("sum("+ErrorIncrease1m+sel+")", "bad", 1)),
		table("Groups by error budget left", budget, query("sort("+BudgetRemaining+sel+")", "", 0)),
		series("Journey: bad events by component", "Journeys budgeted by occurrences only: each component's bad events per minute, times its weight. A component's share of them over a window is its share of the budget the journey spent there.",
			map[string]any{"defaults": map[string]any{"unit": "short", "custom": map[string]any{"stacking": map[string]any{"mode": "normal"}}}, "overrides": []any{}},
			query("sum by (component) ("+ComponentError1m+sel+")", "{{component}}", 0)),
	}
	layout := []gridPos{
		{H: 4, W: 6, X: 0, Y: 0}, {H: 4, W: 6, X: 6, Y: 0}, {H: 4, W: 6, X: 12, Y: 0}, {H: 4, W: 6, X: 18, Y: 0},
		{H: 8, W: 12, X: 0, Y: 4}, {H: 8, W: 12, X: 12, Y: 4},
		{H: 8, W: 12, X: 0, Y: 12}, {H: 8, W: 12, X: 12, Y: 12},
		{H: 8, W: 12, X: 0, Y: 20}, {H: 8, W: 12, X: 12, Y: 20},
		{H: 8, W: 24, X: 0, Y: 28},
	}
	for i := range ps {
		ps[i].ID, ps[i].GridPos = i+1, layout[i]
	}
	return ps
}

func query(expr, legend string, i int) panelQuery {
	return panelQuery{Expr: expr, LegendFormat: legend, RefID: string(rune('A' + i)), Range: true, Datasource: promDS}
}

func stat(title, desc string, cfg map[string]any, q panelQuery) panel {
	return panel{Type: "stat", Title: title, Description: desc, Datasource: promDS, Targets: []panelQuery{q}, FieldConfig: cfg,
		Options: map[string]any{"reduceOptions": map[string]any{"calcs": []string{"lastNotNull"}, "fields": "", "values": false}, "colorMode": "value", "graphMode": "area"}}
}

func series(title, desc string, cfg map[string]any, qs ...panelQuery) panel {
	return panel{Type: "timeseries", Title: title, Description: desc, Datasource: promDS, Targets: qs, FieldConfig: cfg,
		Options: map[string]any{"legend": map[string]any{"displayMode": "list", "placement": "bottom", "showLegend": true}, "tooltip": map[string]any{"mode": "multi", "sort": "desc"}}}
}

func table(title string, cfg map[string]any, q panelQuery) panel {
	q.Instant, q.Range, q.Format = true, false, "table"
	return panel{Type: "table", Title: title, Datasource: promDS, Targets: []panelQuery{q}, FieldConfig: cfg,
		Options: map[string]any{"showHeader": true}}
}
