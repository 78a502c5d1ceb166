package slo

// SLO is a service level objective: the share of good events (or good time)
// users are promised over a window, and so the error budget a team may spend.
type SLO struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	// Service is the name of the Service the SLO belongs to.
	Service string `json:"service"`
	// Description says which user journey the SLO protects.
	Description string    `json:"description,omitempty"`
	Indicator   Indicator `json:"indicator,omitzero"` // none for a journey
	// Composite, when set, makes the SLO a journey over other SLOs; its
	// Indicator is then empty.
	Composite *Composite `json:"composite,omitempty"`
	// Objective is the target in percent, e.g. 99.9; always in (0, 100).
	Objective float64   `json:"objective"`
	Window    Window    `json:"window"`
	Budgeting Budgeting `json:"budgeting"`
	// GroupBy lists labels that split the SLO into one budget per label set
	// (e.g. one per store).
	GroupBy  []string `json:"groupBy,omitempty"`
	Alerting Alerting `json:"alerting"`
	// Policy names the error budget policy; empty means the default policy.
	Policy string `json:"policy,omitempty"`
	// Owners are the SLO's own owners; empty fields inherit the service's.
	Owners     Owners            `json:"owners,omitempty"`
	RunbookURL string            `json:"runbookURL,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	// SpecName and SpecObjective are, for an OpenSLO SLO, its
	// metadata.name and the index of the objective it was read from, so
	// that rules can name it as Sloth does (NAME-INDEX).
	SpecName      string  `json:"-"`
	SpecObjective int     `json:"-"`
	Origin        Origin  `json:"origin"`
	Origins       Origins `json:"-"`
}

// ID is the SLO's name qualified by its service; unique in a catalog.
func (s SLO) ID() string { return s.Service + "/" + s.Name }

// BudgetFraction is the share of events (or slices) that may be bad:
// 0.001 for a 99.9% objective (the float nearest BudgetShare, not
// 1 − 0.999 in floating point, which is 0.000999999999999889).
func (s SLO) BudgetFraction() float64 {
	f, _ := s.BudgetShare().Float64()
	return f
}
