package slo

import "time"

// DefaultPolicyName is the policy an SLO follows when it names none.
const DefaultPolicyName = "default"

// Policy is an error budget policy: ordered states, each entered when its
// condition holds, each asking for actions.
type Policy struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// States are checked in order; the first whose condition holds is the
	// SLO's state. The last usually has no condition (the healthy state).
	States []PolicyState `json:"states"`
	// ExceptionApprovers may grant an exception to a release freeze.
	ExceptionApprovers []string `json:"exceptionApprovers,omitempty"`
	Origin             Origin   `json:"origin"`
	Origins            Origins  `json:"-"`
}

// PolicyState is one state of a policy (healthy, at-risk, exhausted).
type PolicyState struct {
	Name    string    `json:"name"`
	When    Condition `json:"when"`
	Actions []Action  `json:"actions,omitempty"`
}

// Condition is what puts an SLO in a state. Both parts, when set, must
// hold; an empty condition always holds.
type Condition struct {
	// BudgetRemainingAtMost is a percent of the window's budget; the state
	// applies when this much or less remains (0 means exhausted).
	BudgetRemainingAtMost *float64 `json:"budgetRemainingAtMost,omitempty"`
	// BurnRateAtLeast is a burn rate over BurnRateWindow.
	BurnRateAtLeast *float64      `json:"burnRateAtLeast,omitempty"`
	BurnRateWindow  time.Duration `json:"burnRateWindow,omitempty"`
}

// IsZero reports whether the condition always holds.
func (c Condition) IsZero() bool { return c.BudgetRemainingAtMost == nil && c.BurnRateAtLeast == nil }

// ActionKind is what a policy state asks for.
type ActionKind string

// The policy actions.
const (
	// ActionNotify tells the named roles.
	ActionNotify ActionKind = "notify"
	// ActionReliabilityFirst puts reliability work ahead of features.
	ActionReliabilityFirst ActionKind = "reliability-first"
	// ActionFreezeReleases closes the release gate, except for the listed
	// kinds of change.
	ActionFreezeReleases ActionKind = "freeze-releases"
	// ActionPostmortem asks for a postmortem of an incident.
	ActionPostmortem ActionKind = "postmortem"
)

// Role is a person or group a policy can address.
type Role string

// The roles.
const (
	RoleTeam         Role = "team"
	RoleProductOwner Role = "product-owner"
	RoleOnCall       Role = "on-call"
	RoleEscalation   Role = "escalation"
)

// Action is one thing a policy state asks for.
type Action struct {
	Kind ActionKind `json:"kind"`
	// Roles are told (ActionNotify).
	Roles []Role `json:"roles,omitempty"`
	// Except lists the changes still allowed under a freeze, e.g.
	// "reliability", "security".
	Except []string `json:"except,omitempty"`
}

// DefaultPolicy is the policy used when an SLO names none, modelled on the
// Google SRE Workbook's example policy.
func DefaultPolicy() Policy {
	zero, quarter := 0.0, 25.0
	return Policy{
		Name:        DefaultPolicyName,
		Description: "Releases halt, except reliability and security fixes, while the budget is exhausted.",
		States: []PolicyState{
			{Name: "exhausted", When: Condition{BudgetRemainingAtMost: &zero}, Actions: []Action{
				{Kind: ActionNotify, Roles: []Role{RoleTeam, RoleProductOwner, RoleOnCall}},
				{Kind: ActionFreezeReleases, Except: []string{"reliability", "security"}},
				{Kind: ActionReliabilityFirst},
			}},
			{Name: "at-risk", When: Condition{BudgetRemainingAtMost: &quarter}, Actions: []Action{
				{Kind: ActionNotify, Roles: []Role{RoleTeam, RoleProductOwner}},
				{Kind: ActionReliabilityFirst},
			}},
			{Name: "healthy"},
		},
	}
}
