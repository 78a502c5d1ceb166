package slo

// Service is something users depend on, owned by one team.
type Service struct {
	Name        string            `json:"name"`
	DisplayName string            `json:"displayName,omitempty"`
	Description string            `json:"description,omitempty"`
	Owners      Owners            `json:"owners"`
	RunbookURL  string            `json:"runbookURL,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	// Implicit is true when no file defines the service and it was made
	// from an SLO that names it (Sloth and Pyrra have no service objects).
	Implicit bool    `json:"implicit,omitempty"`
	Origin   Origin  `json:"origin"`
	Origins  Origins `json:"-"`
}

// Owners says who answers for a service or an SLO.
type Owners struct {
	// Team is the owning team: it carries the pager and the budget.
	Team string `json:"team,omitempty"`
	// ProductOwner decides, with the team, what the budget is spent on.
	ProductOwner string `json:"productOwner,omitempty"`
	// OnCall is where pages go.
	OnCall Route `json:"onCall,omitempty"`
	// Escalation is who to call when the on-call route does not answer.
	Escalation string `json:"escalation,omitempty"`
}

// IsZero reports whether no owner is named at all.
func (o Owners) IsZero() bool {
	return o.Team == "" && o.ProductOwner == "" && o.OnCall.IsZero() && o.Escalation == ""
}

// Merge returns o with every empty field taken from parent, so that an SLO
// inherits its service's owners field by field.
func (o Owners) Merge(parent Owners) Owners {
	if o.Team == "" {
		o.Team = parent.Team
	}
	if o.ProductOwner == "" {
		o.ProductOwner = parent.ProductOwner
	}
	if o.OnCall.IsZero() {
		o.OnCall = parent.OnCall
	}
	if o.Escalation == "" {
		o.Escalation = parent.Escalation
	}
	return o
}

// Route is an on-call route: an Alertmanager receiver, a label set that
// Alertmanager's routing tree matches, or both.
type Route struct {
	Receiver string            `json:"receiver,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
}

// IsZero reports whether the route names nothing.
func (r Route) IsZero() bool { return r.Receiver == "" && len(r.Labels) == 0 }
