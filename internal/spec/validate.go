package spec

import (
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// Limits that make a window or slice "sensible": Accord measures in
// 1-minute buckets, and a window past a year stops being an agreement
// anyone revisits.
const (
	minWindow      = time.Hour
	maxWindow      = 366 * 24 * time.Hour
	minSliceLength = time.Minute
	maxSliceLength = 24 * time.Hour
)

var (
	namePattern  = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,126}[A-Za-z0-9])?$`)
	labelPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Validate checks the catalog as a whole — values in range, PromQL that
// parses, references that resolve, names that are unique, owners named —
// folds implicit services (made from Sloth, Pyrra or OpenSLO SLOs) into
// the services that files define, and makes every label name a valid
// Prometheus one. A field a loader already reported (a required field
// missing, say) is not reported again for its zero value.
func Validate(cat *slo.Catalog, diags *diag.List) {
	defer diags.DropRepeatsSince(diags.Len())
	sanitizeLabels(cat, diags)
	cat.Services = dedupeServices(cat.Services, diags)
	checkUnique(diags, "policy", len(cat.Policies), func(i int) (string, slo.Origin) {
		return cat.Policies[i].Name, cat.Policies[i].Origin
	})
	checkUnique(diags, "data source", len(cat.DataSources), func(i int) (string, slo.Origin) {
		return cat.DataSources[i].Name, cat.DataSources[i].Origin
	})
	checkUnique(diags, "SLO", len(cat.SLOs), func(i int) (string, slo.Origin) {
		s := cat.SLOs[i]
		return s.ID(), s.Origins.Get("name", s.Origin)
	})
	for _, svc := range cat.Services {
		checkService(svc, diags)
	}
	for _, p := range cat.Policies {
		checkPolicy(p, diags)
	}
	resolveComponents(cat)
	byID := make(map[string]*slo.SLO, len(cat.SLOs))
	for i := range cat.SLOs {
		if _, dup := byID[cat.SLOs[i].ID()]; !dup {
			byID[cat.SLOs[i].ID()] = &cat.SLOs[i]
		}
	}
	for _, s := range cat.SLOs {
		checkSLO(cat, s, diags)
		if s.Journey() {
			checkComposite(s, byID, diags)
		} else {
			checkIndicator(cat, s, diags)
			checkOTLP(s, diags)
		}
	}
	checkCycles(cat, byID, diags)
	checkOTLPStreams(cat, diags)
}

// dedupeServices keeps one service per name: a defined service wins over
// implicit ones, and two definitions of the same name are an error.
func dedupeServices(in []slo.Service, diags *diag.List) []slo.Service {
	var out []slo.Service
	index := map[string]int{}
	for _, svc := range in {
		i, seen := index[svc.Name]
		switch {
		case !seen:
			index[svc.Name] = len(out)
			out = append(out, svc)
		case svc.Implicit:
			out[i].Owners = out[i].Owners.Merge(svc.Owners)
		case out[i].Implicit:
			svc.Owners = svc.Owners.Merge(out[i].Owners)
			out[i] = svc
		default:
			diags.Errorf(svc.Origins.Get("name", svc.Origin), "service %q is defined twice (first at %s)", svc.Name, out[i].Origins.Get("name", out[i].Origin))
		}
	}
	return out
}

// checkUnique reports every name given more than once.
func checkUnique(diags *diag.List, what string, n int, at func(int) (string, slo.Origin)) {
	first := map[string]slo.Origin{}
	for i := 0; i < n; i++ {
		name, origin := at(i)
		if prev, dup := first[name]; dup {
			diags.Errorf(origin, "%s %q is defined twice (first at %s)", what, name, prev)
			continue
		}
		first[name] = origin
	}
}

func checkService(svc slo.Service, diags *diag.List) {
	if !svc.Implicit {
		checkName(diags, svc.Origins.Get("name", svc.Origin), "service", svc.Name)
	}
	if svc.RunbookURL != "" {
		checkURL(diags, svc.Origins.Get("runbook", svc.Origin), svc.RunbookURL)
	}
}

func checkName(diags *diag.List, at slo.Origin, what, name string) {
	if name == "" {
		diags.Errorf(at, "%s name is missing", what)
	} else if !namePattern.MatchString(name) {
		diags.Errorf(at, "%s name %q must be 1 to 128 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", what, name)
	}
}

func checkURL(diags *diag.List, at slo.Origin, raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		diags.Errorf(at, "runbook %q must be an absolute URL such as https://wiki.example.com/runbooks/checkout", raw)
	}
}

// suggestion renders a did-you-mean for name among candidates, or "".
func suggestion(name string, candidates []string) string {
	if s := decode.Suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}
