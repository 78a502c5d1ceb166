package report

import (
	"sort"

	"github.com/accord-slo/accord/internal/slo"
)

// Ownership lists what nobody answers for.
type Ownership struct {
	ServicesWithoutTeam         []string `json:"servicesWithoutTeam"`
	ServicesWithoutProductOwner []string `json:"servicesWithoutProductOwner"`
	ServicesWithoutOnCall       []string `json:"servicesWithoutOnCall"`
	SLOsWithoutRunbook          []string `json:"slosWithoutRunbook"`
}

// Empty reports whether everything has owners and runbooks.
func (o Ownership) Empty() bool {
	return len(o.ServicesWithoutTeam)+len(o.ServicesWithoutProductOwner)+len(o.ServicesWithoutOnCall)+len(o.SLOsWithoutRunbook) == 0
}

// OwnershipOf finds services without a team, product owner or on-call
// route, and SLOs without a runbook (their own or their service's).
func OwnershipOf(cat slo.Catalog) Ownership {
	o := Ownership{ServicesWithoutTeam: []string{}, ServicesWithoutProductOwner: []string{}, ServicesWithoutOnCall: []string{}, SLOsWithoutRunbook: []string{}}
	for _, svc := range cat.Services {
		if svc.Owners.Team == "" {
			o.ServicesWithoutTeam = append(o.ServicesWithoutTeam, svc.Name)
		}
		if svc.Owners.ProductOwner == "" {
			o.ServicesWithoutProductOwner = append(o.ServicesWithoutProductOwner, svc.Name)
		}
		if svc.Owners.OnCall.IsZero() {
			o.ServicesWithoutOnCall = append(o.ServicesWithoutOnCall, svc.Name)
		}
	}
	for _, s := range cat.SLOs {
		runbook := s.RunbookURL
		if svc, ok := cat.Service(s.Service); ok && runbook == "" {
			runbook = svc.RunbookURL
		}
		if runbook == "" {
			o.SLOsWithoutRunbook = append(o.SLOsWithoutRunbook, s.ID())
		}
	}
	sort.Strings(o.ServicesWithoutTeam)
	sort.Strings(o.ServicesWithoutProductOwner)
	sort.Strings(o.ServicesWithoutOnCall)
	sort.Strings(o.SLOsWithoutRunbook)
	return o
}
