package slo

import "time"

// BudgetingMethod says what the error budget counts.
type BudgetingMethod string

// The budgeting methods.
const (
	// Occurrences counts events: the budget is a number of bad events.
	Occurrences BudgetingMethod = "occurrences"
	// Timeslices counts slices of time: a slice is good when its own SLI
	// meets SliceTarget; the budget is a number of bad slices (minutes).
	Timeslices BudgetingMethod = "timeslices"
	// RatioTimeslices averages the SLI of every slice, so each slice weighs
	// the same whatever its traffic.
	RatioTimeslices BudgetingMethod = "ratio-timeslices"
)

// Budgeting is how an SLO's error budget is counted.
type Budgeting struct {
	Method BudgetingMethod `json:"method"`
	// SliceLength is the length of a time slice (timeslices methods only).
	SliceLength time.Duration `json:"sliceLength,omitempty"`
	// SliceTarget is the percent of good events that makes a slice good
	// (Timeslices only), e.g. 95.
	SliceTarget float64 `json:"sliceTarget,omitempty"`
}
