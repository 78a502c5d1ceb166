package spec

import (
	"fmt"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

func checkBurnRates(s slo.SLO, diags *diag.List) {
	for i, br := range s.Alerting.BurnRates {
		at := s.Origins.Get(fmt.Sprintf("alerting.burnRates[%d]", i), s.Origins.Get("alerting", s.Origin))
		if br.Severity != slo.SeverityPage && br.Severity != slo.SeverityTicket {
			diags.Errorf(at, "burn-rate alert severity %q must be page or ticket", br.Severity)
		}
		if br.Factor <= 0 {
			diags.Errorf(at, "burn rate %g must be above 0 (1 spends the budget exactly by the window's end)", br.Factor)
		}
		switch {
		case br.LongWindow <= 0 || br.ShortWindow <= 0:
			diags.Errorf(at, "burn-rate alert windows must be above zero")
		case br.ShortWindow >= br.LongWindow:
			diags.Errorf(at, "short window %s must be shorter than the long window %s",
				slo.FormatDuration(br.ShortWindow), slo.FormatDuration(br.LongWindow))
		case br.LongWindow > s.Window.Nominal():
			diags.Errorf(at, "long window %s must not be longer than the SLO window %s",
				slo.FormatDuration(br.LongWindow), s.Window)
		}
	}
}

// checkOwners asks every SLO for an owning team: in Accord's own format its
// absence is an error, in formats that carry owners as labels a warning
// that says how to add one.
func checkOwners(cat *slo.Catalog, s slo.SLO, diags *diag.List) {
	at := s.Origins.Get("owners", s.Origin)
	owners := cat.EffectiveOwners(s)
	format := s.Origin.Format
	if owners.Team == "" {
		if format == slo.FormatAccord {
			diags.Errorf(at, "SLO %q has no owning team: %s", s.Name, ownerHints[format])
		} else {
			diags.Warnf(at, "SLO %q has no owning team: %s", s.Name, ownerHints[format])
		}
	}
	if format != slo.FormatAccord {
		return
	}
	if owners.ProductOwner == "" {
		diags.Warnf(at, "SLO %q has no product owner: add owners: {productOwner: NAME} so budget decisions have someone to make them", s.Name)
	}
	runbook := s.RunbookURL
	if svc, ok := cat.Service(s.Service); ok && runbook == "" {
		runbook = svc.RunbookURL
	}
	if runbook == "" {
		diags.Warnf(s.Origins.Get("runbook", s.Origin), "SLO %q has no runbook: add runbook: URL to the SLO or its service so the person paged knows what to do", s.Name)
	} else if s.RunbookURL != "" {
		checkURL(diags, s.Origins.Get("runbook", s.Origin), s.RunbookURL)
	}
}
