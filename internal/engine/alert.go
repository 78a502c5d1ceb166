package engine

import (
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// AlertState is where a burn-rate alert of one SLO group stands.
type AlertState string

// The alert states: inactive → (pending →) firing → resolved → firing …
const (
	AlertInactive AlertState = "inactive"
	AlertPending  AlertState = "pending"
	AlertFiring   AlertState = "firing"
	AlertResolved AlertState = "resolved"
)

// Alert is one burn-rate rule's state for one SLO group.
type Alert struct {
	SLO      string            `json:"slo"`
	Group    string            `json:"group"`
	Rule     string            `json:"rule"`
	Severity slo.Severity      `json:"severity"`
	Windows  string            `json:"windows"`
	Factor   float64           `json:"factor"`
	State    AlertState        `json:"state"`
	Labels   map[string]string `json:"labels"`
	// Since is when the alert entered its state.
	Since time.Time `json:"since"`
	// FiredAt is when the current or last episode started firing.
	FiredAt time.Time `json:"firedAt,omitzero"`
	// ResolvedAt is when the last episode ended.
	ResolvedAt time.Time `json:"resolvedAt,omitzero"`
	// LongBurn and ShortBurn are the burn rates at the last evaluation.
	LongBurn  float64 `json:"longBurn"`
	ShortBurn float64 `json:"shortBurn"`
}

// paging reports whether the alert is a page that fires: what puts an
// SLO at risk whatever its budget says.
func (a Alert) paging() bool { return a.State == AlertFiring && a.Severity == slo.SeverityPage }

// Key identifies the alert across restarts.
func (a Alert) Key() string { return a.SLO + "\x00" + a.Group + "\x00" + a.Rule }

// step moves the alert one evaluation on, given whether its condition
// holds, and reports whether it started or stopped firing.
func (a *Alert) step(on bool, hold time.Duration, now time.Time) (changed bool) {
	switch {
	case on && (a.State == AlertInactive || a.State == AlertResolved || a.State == ""):
		if hold > 0 {
			a.State, a.Since = AlertPending, now
			return false
		}
		a.State, a.Since, a.FiredAt = AlertFiring, now, now
		return true
	case on && a.State == AlertPending:
		if now.Sub(a.Since) >= hold {
			a.State, a.Since, a.FiredAt = AlertFiring, now, now
			return true
		}
	case !on && a.State == AlertPending:
		a.State, a.Since = AlertInactive, now
	case !on && a.State == AlertFiring:
		a.State, a.Since, a.ResolvedAt = AlertResolved, now, now
		return true
	}
	return false
}
