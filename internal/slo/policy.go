package slo

import (
	"math"
	"time"
)

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
	// MinEvents is how many events (slices, for timeslice budgets) an
	// SLO's window must hold before the policy moves it beyond its resting
	// state; 0 means the default, RequiredEvents.
	MinEvents float64 `json:"minEvents,omitempty"`
	Origin    Origin  `json:"origin"`
	Origins   Origins `json:"-"`
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

// EvidenceBadEvents is how many bad events the default MinEvents lets a
// budget hold: the same evidence a burn-rate alert needs before it fires.
const EvidenceBadEvents = 3

// RequiredEvents is how many events (or slices) the window of an SLO with
// the objective (a percent) must hold before the policy judges its
// budget: MinEvents, or by default enough for the budget to allow
// EvidenceBadEvents bad events (300 at 99%, 600 at 99.5%, 3,000 at
// 99.9%). So by default no state beyond the resting one rests on fewer
// bad events than a page does.
func (p Policy) RequiredEvents(objective float64) float64 {
	if p.MinEvents > 0 {
		return p.MinEvents
	}
	share := 1 - objective/100
	if share <= 0 {
		return 1
	}
	// Round first: 3/(1-0.995) is 599.9999999999995 in floating point.
	return math.Ceil(math.Round(EvidenceBadEvents/share*1e6) / 1e6)
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
