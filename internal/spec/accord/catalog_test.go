package accord_test

import (
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

const (
	day  = 24 * time.Hour
	page = slo.SeverityPage
)

func ptr(f float64) *float64 { return &f }

func counter(expr string) *slo.Query { return &slo.Query{Expr: expr, Shape: slo.ShapeCounter} }

// fullCatalog is what testdata/good/full.yaml means.
func fullCatalog() slo.Catalog {
	return slo.Catalog{
		Services:    fullServices(),
		SLOs:        append(checkoutSLOs(), storeSyncSLOs()...),
		Policies:    fullPolicies(),
		DataSources: []slo.DataSource{{Name: "stores", Type: "prometheus", URL: "https://prometheus.example.com"}, {Name: "default-type", Type: "prometheus", URL: "http://localhost:9090"}},
	}
}

func fullServices() []slo.Service {
	return []slo.Service{{
		Name: "checkout", DisplayName: "Store checkout", Description: "Scanning and paying at the tills.",
		Labels: map[string]string{"domain": "stores"},
		Owners: slo.Owners{
			Team: "pos-platform", ProductOwner: "maria.jensen", Escalation: "duty-manager",
			OnCall: slo.Route{Receiver: "pos-pager", Labels: map[string]string{"team": "pos-platform"}},
		},
		RunbookURL: "https://wiki.example.com/runbooks/checkout",
	}, {
		Name:       "store-sync",
		Owners:     slo.Owners{Team: "store-systems", ProductOwner: "ahmed.karimi", OnCall: slo.Route{Receiver: "sync-pager"}},
		RunbookURL: "https://wiki.example.com/runbooks/store-sync",
	}}
}

func checkoutSLOs() []slo.SLO {
	return []slo.SLO{{
		Name: "payment-success", DisplayName: "Payments succeed", Service: "checkout",
		Description: "Card payments are not refused by our systems.",
		Labels:      map[string]string{"journey": "pay"},
		Objective:   99.9, Window: slo.Window{Rolling: 28 * day},
		Budgeting: slo.Budgeting{Method: slo.Occurrences},
		Indicator: slo.Indicator{Kind: slo.KindRatio, DataSource: "stores",
			Bad: counter(`pos_payments_total{result="error"}`), Total: counter("pos_payments_total")},
		GroupBy: []string{"store", "region"},
		Alerting: slo.Alerting{
			Name: "PaymentBurn", Labels: map[string]string{"service": "checkout"},
			Annotations: map[string]string{"dashboard": "https://grafana.example.com/d/pay"},
			Page:        slo.AlertLevel{Labels: map[string]string{"route": "pager"}, Annotations: map[string]string{"summary": "payments failing"}},
			Ticket:      slo.AlertLevel{Disabled: true, Labels: map[string]string{"queue": "pos"}},
			BurnRates: []slo.BurnRateAlert{
				{Name: "fast", Severity: page, Factor: 14.4, LongWindow: time.Hour, ShortWindow: 5 * time.Minute, For: 2 * time.Minute},
				{Severity: slo.SeverityTicket, Factor: 1, LongWindow: 3 * day, ShortWindow: 6 * time.Hour},
			},
			Targets: []slo.NotificationTarget{
				{Name: "store-chat", Target: "https://chat.example.com/hooks/stores", Description: "Store managers"},
				{Name: "pager", Target: "pos-pager"},
			},
		},
		Policy:     "store-critical",
		RunbookURL: "https://wiki.example.com/runbooks/payments",
	}, {
		Name: "checkout-latency", Service: "checkout", Objective: 99,
		Window:    slo.Window{Calendar: slo.CalendarMonth, TimeZone: "Europe/Berlin"},
		Budgeting: slo.Budgeting{Method: slo.Timeslices, SliceLength: 5 * time.Minute, SliceTarget: 95},
		Indicator: slo.Indicator{Kind: slo.KindLatency, Threshold: 300 * time.Millisecond,
			Histogram: counter(`pos_checkout_seconds_bucket{step="pay"}`)},
		Alerting: slo.Alerting{Page: slo.AlertLevel{Disabled: true}},
		Policy:   "latency-inline",
		Owners:   slo.Owners{ProductOwner: "lena.berg"},
	}, {
		Name: "receipts", DisplayName: "Receipts print", Service: "checkout",
		Description: "Every sale ends with a receipt.", Labels: map[string]string{"device": "printer"},
		Objective: 99.5, Window: slo.Window{Rolling: 7 * day},
		Budgeting:  slo.Budgeting{Method: slo.Occurrences},
		Indicator:  slo.Indicator{Kind: slo.KindRatio, Stream: "receipt-printed"},
		Owners:     slo.Owners{Team: "pos-devices"},
		Policy:     "store-critical",
		RunbookURL: "https://wiki.example.com/runbooks/printers",
	}}
}

func storeSyncSLOs() []slo.SLO {
	return []slo.SLO{{
		Name: "store-link", Service: "store-sync", Objective: 99, Window: slo.Window{Rolling: time.Hour},
		Budgeting: slo.Budgeting{Method: slo.RatioTimeslices, SliceLength: time.Minute},
		Indicator: slo.Indicator{Kind: slo.KindBoolean,
			Gauge:    &slo.Query{Expr: `up{job="store-gateway"}`, Shape: slo.ShapeInstant},
			GoodWhen: &slo.Comparison{Op: slo.OpGTE, Value: 1}},
		Policy: "default",
	}, {
		Name: "error-ratio", Service: "store-sync", Objective: 99.99, Window: slo.Window{Rolling: 30 * day},
		Budgeting: slo.Budgeting{Method: slo.Occurrences},
		Indicator: slo.Indicator{Kind: slo.KindRatio, ErrorRatio: &slo.Query{
			Expr:  "sum(rate(sync_errors_total[{{.window}}])) / sum(rate(sync_total[{{.window}}]))",
			Shape: slo.ShapeTemplate,
		}},
		Policy: "store-critical",
	}, {
		Name: "pushed-latency", Service: "store-sync", Objective: 95, Window: slo.Window{Rolling: 30 * day},
		Budgeting: slo.Budgeting{Method: slo.Occurrences},
		Indicator: slo.Indicator{Kind: slo.KindLatency, Threshold: 1500 * time.Millisecond, Stream: "sync-durations"},
		Policy:    "store-critical",
	}, {
		Name: "pushed-boolean", Service: "store-sync", Objective: 90, Window: slo.Window{Rolling: 30 * day},
		Budgeting: slo.Budgeting{Method: slo.Occurrences},
		Indicator: slo.Indicator{Kind: slo.KindBoolean, Stream: "heartbeats", GoodWhen: &slo.Comparison{Op: slo.OpGT, Value: 0.5}},
		Policy:    "store-critical",
	}}
}

func fullPolicies() []slo.Policy {
	return []slo.Policy{{
		Name: "latency-inline", Description: "Latency only asks for attention.",
		States: []slo.PolicyState{
			{Name: "slow", When: slo.Condition{BurnRateAtLeast: ptr(2), BurnRateWindow: 6 * time.Hour}, Actions: []slo.Action{
				{Kind: slo.ActionNotify, Roles: []slo.Role{slo.RoleOnCall}}, {Kind: slo.ActionPostmortem},
			}},
			{Name: "fine"},
		},
	}, {
		Name: "store-critical", Description: "Releases stop while the budget is gone.",
		States: []slo.PolicyState{
			{Name: "exhausted", When: slo.Condition{BudgetRemainingAtMost: ptr(0)}, Actions: []slo.Action{
				{Kind: slo.ActionNotify, Roles: []slo.Role{slo.RoleTeam, slo.RoleProductOwner, slo.RoleOnCall, slo.RoleEscalation}},
				{Kind: slo.ActionFreezeReleases, Except: []string{"reliability", "security"}},
				{Kind: slo.ActionReliabilityFirst},
				{Kind: slo.ActionPostmortem},
			}},
			{Name: "at-risk", When: slo.Condition{BudgetRemainingAtMost: ptr(25), BurnRateAtLeast: ptr(2), BurnRateWindow: day}, Actions: []slo.Action{
				{Kind: slo.ActionFreezeReleases}, {Kind: slo.ActionNotify, Roles: []slo.Role{slo.RoleTeam}},
			}},
			{Name: "healthy"},
		},
		ExceptionApprovers: []string{"head-of-store-it"},
	}}
}
