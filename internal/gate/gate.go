// Package gate answers the release question CI/CD pipelines ask: may this
// service ship now? It reads the SLOs' policy states and the exceptions
// people granted.
package gate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Decision is the gate's answer and why.
type Decision struct {
	Service string    `json:"service"`
	Allow   bool      `json:"allow"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
	// Change is the kind of change asked about (e.g. "reliability"); a
	// freeze may let some kinds through.
	Change string `json:"change,omitempty"`
	// State is the worst policy state among the service's SLOs.
	State string `json:"state"`
	// Blocking are the SLOs whose policy state freezes releases.
	Blocking []Blocker `json:"blocking"`
	// Exception is the exception that lets releases through, if any.
	Exception *slo.Exception `json:"exception,omitempty"`
}

// Blocker is an SLO that freezes releases.
type Blocker struct {
	SLO             string    `json:"slo"`
	State           string    `json:"state"`
	Since           time.Time `json:"since,omitzero"`
	BudgetRemaining float64   `json:"budgetRemaining"`
	// Except are the kinds of change still allowed.
	Except []string `json:"except,omitempty"`
	// why says why the state holds though the budget no longer calls for
	// it; empty when it does.
	why string
}

// held says why an SLO may still be in a freezing state with budget left,
// such as just after a maintenance window was excluded from its budget:
// a better state is entered only after engine.HysteresisHold in the
// current one. Empty when the hold is over or no budget is left.
func held(v engine.SLOView, now time.Time) string {
	until := v.Policy.Since.Add(engine.HysteresisHold)
	if !v.Worst.HasData() || v.Worst.Budget.RemainingFraction <= 0 || v.Policy.Since.IsZero() || !until.After(now) {
		return ""
	}
	return fmt.Sprintf("; it stays %s until %s at the earliest, as a policy state is left only after %s in it",
		v.Policy.State, slo.FormatTime(until.UTC(), now), slo.FormatDuration(engine.HysteresisHold))
}

// Decide answers whether service may release a change of kind change
// (empty for an ordinary release) at now.
func Decide(service, change string, views []engine.SLOView, exceptions []slo.Exception, now time.Time) Decision {
	d := Decision{Service: service, Change: change, At: now, Blocking: []Blocker{}}
	var worst *engine.SLOView
	for i, v := range views {
		if v.Worst.HasData() && (worst == nil || v.Worst.Budget.RemainingFraction < worst.Worst.Budget.RemainingFraction) {
			worst, d.State = &views[i], v.Policy.State
		}
		for _, a := range v.Policy.Actions {
			if a.Kind == slo.ActionFreezeReleases {
				d.Blocking = append(d.Blocking, Blocker{SLO: v.ID, State: v.Policy.State, Since: v.Policy.Since,
					BudgetRemaining: v.Worst.Budget.RemainingFraction, Except: a.Except, why: held(v, now)})
			}
		}
	}
	sort.Slice(d.Blocking, func(i, j int) bool { return d.Blocking[i].BudgetRemaining < d.Blocking[j].BudgetRemaining })
	if len(d.Blocking) > 0 {
		d.State = d.Blocking[0].State
	}
	switch {
	case len(d.Blocking) == 0:
		d.Allow = true
		d.Reason = fmt.Sprintf("no SLO of %s freezes releases", service)
		if worst != nil {
			d.Reason += fmt.Sprintf("; least budget left: %s at %.0f%%", worst.ID, worst.Worst.Budget.RemainingFraction*100)
			if p := worst.Policy; p.Resting && !engine.Evident(worst.Worst, p.MinEvents) {
				// A budget far below zero does not freeze releases while
				// the window holds too few events to judge it by.
				d.Reason += fmt.Sprintf(", not judged yet: the policy waits for %s %s in the window and has %s",
					engine.Amount(p.MinEvents), worst.Worst.Budget.Unit, engine.Amount(worst.Worst.Counts.Total))
			}
		}
	case change != "" && allExcept(d.Blocking, change):
		d.Allow = true
		d.Reason = fmt.Sprintf("releases of %s are frozen, but %s changes are allowed during the freeze", service, change)
	default:
		if e := active(exceptions, service, now); e != nil {
			d.Allow, d.Exception = true, e
			d.Reason = fmt.Sprintf("releases of %s are frozen (%s), but exception %d granted by %s lets them through until %s: %s",
				service, describe(d.Blocking[0], now), e.ID, e.GrantedBy, slo.FormatTime(e.Until.UTC(), now), e.Reason)
		} else {
			d.Reason = fmt.Sprintf("releases of %s are frozen: %s", service, describe(d.Blocking[0], now))
			if len(d.Blocking) > 1 {
				d.Reason += fmt.Sprintf(" (and %d more SLOs)", len(d.Blocking)-1)
			}
			if ex := d.Blocking[0].Except; len(ex) > 0 {
				d.Reason += "; still allowed: " + strings.Join(ex, ", ") + " changes"
			}
		}
	}
	return d
}

func describe(b Blocker, now time.Time) string {
	s := fmt.Sprintf("SLO %s is %s with %.0f%% of its error budget left", b.SLO, b.State, b.BudgetRemaining*100)
	if !b.Since.IsZero() {
		s += " since " + slo.FormatTime(b.Since.UTC(), now)
	}
	return s + b.why
}

func allExcept(bs []Blocker, change string) bool {
	for _, b := range bs {
		if !slices.Contains(b.Except, change) {
			return false
		}
	}
	return true
}

// active returns the newest exception for service that holds at now.
func active(exceptions []slo.Exception, service string, now time.Time) *slo.Exception {
	for i := len(exceptions) - 1; i >= 0; i-- {
		if e := exceptions[i]; e.Service == service && e.Active(now) {
			return &e
		}
	}
	return nil
}
