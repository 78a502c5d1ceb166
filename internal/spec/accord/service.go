package accord

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// addService reads a kind: Service document and the SLOs nested in it.
func (l *Loader) addService(top *decode.Map) {
	meta, spec := parts(top)
	defer meta.Close()
	defer spec.Close()
	svc := slo.Service{
		Name:        meta.String("name"),
		DisplayName: meta.String("displayName"),
		Description: meta.String("description"),
		Labels:      labels(meta, "labels"),
		Owners:      readOwners(spec, "owners"),
		RunbookURL:  spec.String("runbook"),
		Origin:      top.Self(),
		Origins: slo.Origins{
			"name":    meta.Origin("name"),
			"labels":  meta.Origin("labels"),
			"owners":  spec.Origin("owners"),
			"runbook": spec.Origin("runbook"),
		},
	}
	def := serviceDefaults{ownersAt: spec.Origin("owners")}
	if def.policy = l.policyRef(spec, "policy"); def.policy != "" {
		def.policyAt = spec.Origin("policy")
	}
	l.cat.Services = append(l.cat.Services, svc)
	if _, seen := l.defaults[svc.Name]; !seen {
		l.defaults[svc.Name] = def
	}
	for _, item := range spec.Maps("slos") {
		if item.Has("service") {
			item.Errorf("service", "an SLO listed under a service belongs to it; remove this field, or move the SLO into a document of kind SLO")
		}
		s := l.readSLO(item, item)
		s.Service = svc.Name
		s.Origin = item.Self()
		s.Origins.Set("service", item.Self())
		inherit(&s, def)
		item.Close()
		l.cat.SLOs = append(l.cat.SLOs, s)
	}
}

// addSLO reads a kind: SLO document, which names its service.
func (l *Loader) addSLO(top *decode.Map) {
	meta, spec := parts(top)
	defer meta.Close()
	defer spec.Close()
	s := l.readSLO(meta, spec)
	s.Service = spec.String("service")
	s.Origin = top.Self()
	s.Origins.Set("service", spec.Origin("service"))
	l.standalone = append(l.standalone, len(l.cat.SLOs))
	l.cat.SLOs = append(l.cat.SLOs, s)
}

// addDataSource reads a kind: DataSource document.
func (l *Loader) addDataSource(top *decode.Map) {
	meta, spec := parts(top)
	defer meta.Close()
	defer spec.Close()
	ds := slo.DataSource{
		Name:   meta.RequiredString("name"),
		Type:   spec.String("type"),
		URL:    spec.String("url"),
		Origin: top.Self(),
	}
	if ds.Type == "" {
		ds.Type = defaultDataSourceType
	}
	l.cat.DataSources = append(l.cat.DataSources, ds)
}

// defaultDataSourceType is the type of a data source that names none.
const defaultDataSourceType = "prometheus"

// readOwners reads an owners mapping; a plain string names the team.
func readOwners(parent *decode.Map, key string) slo.Owners {
	v := parent.Value(key)
	if isNull(v) {
		return slo.Owners{}
	}
	if isScalar(v) {
		return slo.Owners{Team: parent.String(key)}
	}
	m := parent.Map(key)
	defer m.Close()
	o := slo.Owners{
		Team:         m.String("team"),
		ProductOwner: m.String("productOwner"),
		Escalation:   m.String("escalation"),
	}
	switch call := m.Value("onCall"); {
	case isNull(call):
	case isScalar(call):
		o.OnCall.Receiver = m.String("onCall")
	default:
		r := m.Map("onCall")
		o.OnCall = slo.Route{Receiver: r.String("receiver"), Labels: labels(r, "labels")}
		r.Close()
	}
	return o
}
