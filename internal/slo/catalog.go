package slo

import "sort"

// DataSource is a Prometheus-compatible backend indicators query.
type DataSource struct {
	Name string `json:"name"`
	// Type is the backend kind as the spec named it, e.g. "prometheus".
	Type   string `json:"type"`
	URL    string `json:"url,omitempty"`
	Origin Origin `json:"origin"`
}

// Catalog is everything a set of spec files defines.
type Catalog struct {
	Services    []Service    `json:"services"`
	SLOs        []SLO        `json:"slos"`
	Policies    []Policy     `json:"policies,omitempty"`
	DataSources []DataSource `json:"dataSources,omitempty"`
}

// Service returns the service named name.
func (c *Catalog) Service(name string) (*Service, bool) {
	for i := range c.Services {
		if c.Services[i].Name == name {
			return &c.Services[i], true
		}
	}
	return nil, false
}

// Policy returns the policy named name; the default policy is always found.
func (c *Catalog) Policy(name string) (Policy, bool) {
	if name == "" {
		name = DefaultPolicyName
	}
	for _, p := range c.Policies {
		if p.Name == name {
			return p, true
		}
	}
	if name == DefaultPolicyName {
		return DefaultPolicy(), true
	}
	return Policy{}, false
}

// Merge appends other's definitions to c.
func (c *Catalog) Merge(other Catalog) {
	c.Services = append(c.Services, other.Services...)
	c.SLOs = append(c.SLOs, other.SLOs...)
	c.Policies = append(c.Policies, other.Policies...)
	c.DataSources = append(c.DataSources, other.DataSources...)
}

// EffectiveOwners returns the SLO's owners with empty fields taken from its
// service.
func (c *Catalog) EffectiveOwners(s SLO) Owners {
	if svc, ok := c.Service(s.Service); ok {
		return s.Owners.Merge(svc.Owners)
	}
	return s.Owners
}

// Canonical returns a copy of c without origins, each list sorted by name,
// the implicit flag dropped and a gauge test equal to the default left out, so that two catalogs read from different
// formats can be compared for meaning.
func (c Catalog) Canonical() Catalog {
	out := Catalog{
		Services:    append([]Service(nil), c.Services...),
		SLOs:        append([]SLO(nil), c.SLOs...),
		Policies:    append([]Policy(nil), c.Policies...),
		DataSources: append([]DataSource(nil), c.DataSources...),
	}
	for i := range out.Services {
		out.Services[i].Origin, out.Services[i].Origins, out.Services[i].Implicit = Origin{}, nil, false
	}
	for i := range out.SLOs {
		s := &out.SLOs[i]
		s.Origin, s.Origins = Origin{}, nil
		if g := s.Indicator.GoodWhen; g != nil && *g == DefaultGoodWhen() {
			s.Indicator.GoodWhen = nil
		}
	}
	for i := range out.Policies {
		out.Policies[i].Origin, out.Policies[i].Origins = Origin{}, nil
	}
	for i := range out.DataSources {
		out.DataSources[i].Origin = Origin{}
	}
	sort.Slice(out.Services, func(i, j int) bool { return out.Services[i].Name < out.Services[j].Name })
	sort.Slice(out.SLOs, func(i, j int) bool { return out.SLOs[i].ID() < out.SLOs[j].ID() })
	sort.Slice(out.Policies, func(i, j int) bool { return out.Policies[i].Name < out.Policies[j].Name })
	sort.Slice(out.DataSources, func(i, j int) bool { return out.DataSources[i].Name < out.DataSources[j].Name })
	return out
}
