package slo

import "time"

// Composite makes an SLO a journey: rather than measuring an indicator of
// its own, its SLI combines those of other SLOs, its components, the way a
// customer meets them one after another (scan, pay, get a receipt).
//
// With occurrences budgeting the SLI is the weighted share of good events,
// Σ weight·good / Σ weight·total over the window; with time slices a slice
// is good only when every component's slice is good.
type Composite struct {
	Components []Component `json:"components"`
	// MaxDelay is how far a component's data may lag behind the newest
	// data of the journey before WhenDelayed decides how its missing
	// minutes count; 0 waits for it indefinitely.
	MaxDelay    time.Duration `json:"maxDelay,omitempty"`
	WhenDelayed WhenDelayed   `json:"whenDelayed,omitempty"`
}

// Component is one SLO of a journey.
type Component struct {
	// SLO is the component's ID (service/name), resolved when the spec is
	// read: a bare name in a spec means an SLO of the journey's service.
	SLO string `json:"slo"`
	// Weight is how much the component's events count against the others';
	// always > 0 (1 when the spec leaves it out).
	Weight float64 `json:"weight"`
}

// WhenDelayed says how a component's minutes count once its data lags
// more than MaxDelay.
type WhenDelayed string

// The ways to count a late component, as Nobl9 names them.
const (
	CountAsGood WhenDelayed = "countAsGood"
	CountAsBad  WhenDelayed = "countAsBad"
	// IgnoreDelayed leaves the late component out of the journey's SLI
	// until its data arrives.
	IgnoreDelayed WhenDelayed = "ignore"
)

// Journey reports whether the SLO is a composite of other SLOs.
func (s SLO) Journey() bool { return s.Composite != nil }
