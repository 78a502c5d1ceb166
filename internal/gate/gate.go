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
}

// Decide answers whether service may release a change of kind change
// (empty for an ordinary release) at now.
func Decide(service, change string, views []engine.SLOView, exceptions []slo.Exception, now time.Time) Decision {
	d := Decision{Service: service, Change: change, At: now, Blocking: []Blocker{}}
	worst := ""
	worstRemaining := 2.0
	for _, v := range views {
		if v.Worst.HasData() && v.Worst.Budget.RemainingFraction < worstRemaining {
			worst, worstRemaining, d.State = v.ID, v.Worst.Budget.RemainingFraction, v.Policy.State
		}
		for _, a := range v.Policy.Actions {
			if a.Kind == slo.ActionFreezeReleases {
				d.Blocking = append(d.Blocking, Blocker{SLO: v.ID, State: v.Policy.State, Since: v.Policy.Since,
					BudgetRemaining: v.Worst.Budget.RemainingFraction, Except: a.Except})
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
		if worst != "" {
			d.Reason += fmt.Sprintf("; least budget left: %s at %.0f%%", worst, worstRemaining*100)
		}
	case change != "" && allExcept(d.Blocking, change):
		d.Allow = true
		d.Reason = fmt.Sprintf("releases of %s are frozen, but %s changes are allowed during the freeze", service, change)
	default:
		if e := active(exceptions, service, now); e != nil {
			d.Allow, d.Exception = true, e
			d.Reason = fmt.Sprintf("releases of %s are frozen (%s), but exception %d granted by %s lets them through until %s: %s",
				service, describe(d.Blocking[0]), e.ID, e.GrantedBy, e.Until.UTC().Format(time.RFC3339), e.Reason)
		} else {
			d.Reason = fmt.Sprintf("releases of %s are frozen: %s", service, describe(d.Blocking[0]))
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

func describe(b Blocker) string {
	s := fmt.Sprintf("SLO %s is %s with %.0f%% of its error budget left", b.SLO, b.State, b.BudgetRemaining*100)
	if !b.Since.IsZero() {
		s += " since " + b.Since.UTC().Format(time.RFC3339)
	}
	return s
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
