package slo

import "time"

// AnnotationKind says what an annotation marks.
type AnnotationKind string

// The annotation kinds.
const (
	// AnnotationDeploy is a release: a version, and who shipped it.
	AnnotationDeploy AnnotationKind = "deploy"
	// AnnotationIncident is an incident: its id and a link to it.
	AnnotationIncident AnnotationKind = "incident"
	// AnnotationMaintenance is planned work; it may be excluded from the
	// budget.
	AnnotationMaintenance AnnotationKind = "maintenance"
	// AnnotationPostmortem records the postmortem of an incident.
	AnnotationPostmortem AnnotationKind = "postmortem"
)

// Annotation marks a moment or span on a service's (or one SLO's)
// timeline, so charts and reports show what happened around a burn.
type Annotation struct {
	ID      int64          `json:"id"`
	Kind    AnnotationKind `json:"kind"`
	Service string         `json:"service"`
	// SLO narrows the annotation to one SLO of the service (its name).
	SLO   string    `json:"slo,omitempty"`
	Start time.Time `json:"start"`
	// End is zero for a moment (a deploy).
	End     time.Time `json:"end,omitzero"`
	Version string    `json:"version,omitempty"`
	By      string    `json:"by,omitempty"`
	// Incident is the incident's id (incident and postmortem kinds).
	Incident string `json:"incident,omitempty"`
	Link     string `json:"link,omitempty"`
	Text     string `json:"text,omitempty"`
	// ExcludeFromBudget, on a maintenance window, removes its events from
	// every SLO it covers.
	ExcludeFromBudget bool      `json:"excludeFromBudget,omitempty"`
	CreatedAt         time.Time `json:"createdAt"`
}

// Covers reports whether the annotation applies to the SLO.
func (a Annotation) Covers(s SLO) bool {
	return a.Service == s.Service && (a.SLO == "" || a.SLO == s.Name)
}

// Title says the annotation in a few words, for chart markers.
func (a Annotation) Title() string {
	switch a.Kind {
	case AnnotationDeploy:
		if a.Version != "" {
			return "deploy " + a.Version
		}
	case AnnotationIncident:
		if a.Incident != "" {
			return "incident " + a.Incident
		}
	case AnnotationPostmortem:
		if a.Incident != "" {
			return "postmortem " + a.Incident
		}
	}
	if a.Text != "" {
		return string(a.Kind) + ": " + a.Text
	}
	return string(a.Kind)
}

// Exception lets releases of a service through a policy's freeze, granted
// by an identity (a token's name, or the person a trusted proxy names)
// for a reason, until it expires.
type Exception struct {
	ID        int64     `json:"id"`
	Service   string    `json:"service"`
	GrantedBy string    `json:"grantedBy"`
	Reason    string    `json:"reason"`
	From      time.Time `json:"from"`
	Until     time.Time `json:"until"`
	// RevokedAt ends the exception early; zero while not revoked.
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	RevokedBy string    `json:"revokedBy,omitempty"`
}

// Active reports whether the exception holds at t.
func (e Exception) Active(t time.Time) bool {
	return !t.Before(e.From) && t.Before(e.Until) && (e.RevokedAt.IsZero() || t.Before(e.RevokedAt))
}

// End is when the exception stops letting releases through: when it was
// revoked, if that came before it expired.
func (e Exception) End() time.Time {
	if !e.RevokedAt.IsZero() && e.RevokedAt.Before(e.Until) {
		return e.RevokedAt
	}
	return e.Until
}
