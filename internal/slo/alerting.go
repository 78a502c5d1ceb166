package slo

import "time"

// Severity is how urgently an alert wants a person.
type Severity string

// The severities.
const (
	// SeverityPage wakes the on-call person.
	SeverityPage Severity = "page"
	// SeverityTicket asks for attention within working hours.
	SeverityTicket Severity = "ticket"
)

// Alerting says how an SLO alerts on its burn rate.
type Alerting struct {
	// Name is the alert name used in generated rules and notifications.
	Name        string            `json:"name,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Page        AlertLevel        `json:"page"`
	Ticket      AlertLevel        `json:"ticket"`
	// BurnRates replaces the SRE Workbook's multi-window, multi-burn-rate
	// defaults when not empty (OpenSLO burn-rate alert conditions).
	BurnRates []BurnRateAlert `json:"burnRates,omitempty"`
	// Targets are extra notification targets (OpenSLO
	// AlertNotificationTarget); the owners' on-call route always applies.
	Targets []NotificationTarget `json:"targets,omitempty"`
}

// AlertLevel switches one severity on or off and adds its own labels.
type AlertLevel struct {
	Disabled    bool              `json:"disabled,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// BurnRateAlert fires when the burn rate exceeds Factor over both the long
// and the short window.
type BurnRateAlert struct {
	Name     string   `json:"name,omitempty"`
	Severity Severity `json:"severity"`
	// Factor is the burn rate: 1.0 spends the budget exactly by the
	// window's end.
	Factor      float64       `json:"factor"`
	LongWindow  time.Duration `json:"longWindow"`
	ShortWindow time.Duration `json:"shortWindow"`
	// For is how long the condition must hold before the alert fires.
	For time.Duration `json:"for,omitempty"`
}

// NotificationTarget is a named place alerts are sent.
type NotificationTarget struct {
	Name        string `json:"name"`
	Target      string `json:"target"`
	Description string `json:"description,omitempty"`
}
