package spec

import "github.com/accord-slo/accord/internal/slo"

// FillOwner makes team the owning team of every service that names none,
// so that SLOs read from formats without owners (Sloth, Pyrra, OpenSLO
// without team labels) convert to accord/v1, which requires one. It
// returns the names of the services it gave the team.
func FillOwner(cat *slo.Catalog, team string) []string {
	var filled []string
	for i := range cat.Services {
		if cat.Services[i].Owners.Team == "" {
			cat.Services[i].Owners.Team = team
			filled = append(filled, cat.Services[i].Name)
		}
	}
	return filled
}

// Unowned returns the IDs of the SLOs without an owning team, their own
// or their service's.
func Unowned(cat *slo.Catalog) []string {
	var out []string
	for _, s := range cat.SLOs {
		if cat.EffectiveOwners(s).Team == "" {
			out = append(out, s.ID())
		}
	}
	return out
}
