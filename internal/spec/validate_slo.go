package spec

import (
	"math"
	"regexp"
	"sort"
	"time"

	"github.com/accord-slo/accord/internal/prometheus"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/diag"
)

// ownerHints say, per format, how to name an SLO's owning team.
var ownerHints = map[slo.Format]string{
	slo.FormatAccord:  "add owners: {team: TEAM} to the service or the SLO",
	slo.FormatOpenSLO: "add the label team: TEAM to the SLO's or Service's metadata.labels",
	slo.FormatSloth:   "add labels: {owner: TEAM} to the spec or the SLO",
	slo.FormatPyrra:   "add the label pyrra.dev/team: TEAM to metadata.labels",
}

func checkSLO(cat *slo.Catalog, s slo.SLO, diags *diag.List) {
	at := func(field string) slo.Origin { return s.Origins.Get(field, s.Origin) }
	checkName(diags, at("name"), "SLO", s.Name)
	checkObjective(s.Objective, at("objective"), diags)
	checkReferences(cat, s, diags)
	checkWindow(s, diags)
	checkBudgeting(s, diags)
	checkGroupBy(s, diags)
	checkBurnRates(s, diags)
	checkOwners(cat, s, diags)
}

// plausibleObjective is the lowest objective, in percent, Accord takes
// without a word: below it an SLO lets so many events fail that a
// fraction was more likely meant (50 for 0.5?) or a typo made.
const plausibleObjective = 75

// checkObjective says when an objective cannot be meant: out of range is
// an error, below 1% can only be a fraction written where a percentage
// belongs (its alerts could never fire), and a low one gets a warning.
func checkObjective(o float64, at slo.Origin, diags *diag.List) {
	switch {
	case o <= 0 || o >= 100:
		diags.Errorf(at, "objective %g%% must be above 0 and below 100 (a percentage such as 99.9)", o)
	case o < 1:
		pct := math.Round(o*100*1e9) / 1e9
		diags.Errorf(at, "objective %g%% lets more than 99%% of events fail, so its alerts could never fire: objectives are percentages; for %g%% write %g", o, pct, pct)
	case o < plausibleObjective:
		diags.Warnf(at, "objective %g%% lets %g%% of events fail: SLOs usually promise 90 to 99.99 percent; check it is the percentage you mean", o, math.Round((100-o)*1e9)/1e9)
	}
}

func checkReferences(cat *slo.Catalog, s slo.SLO, diags *diag.List) {
	if s.Service == "" {
		diags.Errorf(s.Origins.Get("service", s.Origin), "SLO %q names no service", s.Name)
	} else if _, ok := cat.Service(s.Service); !ok {
		var names []string
		for _, svc := range cat.Services {
			names = append(names, svc.Name)
		}
		diags.Errorf(s.Origins.Get("service", s.Origin), "unknown service %q%s", s.Service, suggestion(s.Service, names))
	}
	if _, ok := cat.Policy(s.Policy); !ok {
		names := []string{slo.DefaultPolicyName}
		for _, p := range cat.Policies {
			names = append(names, p.Name)
		}
		diags.Errorf(s.Origins.Get("policy", s.Origin), "unknown policy %q%s", s.Policy, suggestion(s.Policy, names))
	}
}

func checkWindow(s slo.SLO, diags *diag.List) {
	at := s.Origins.Get("window", s.Origin)
	w := s.Window
	switch {
	case w.IsCalendar():
		switch w.Calendar {
		case slo.CalendarWeek, slo.CalendarMonth, slo.CalendarQuarter:
		default:
			diags.Errorf(at, "calendar window %q must be week, month or quarter", w.Calendar)
		}
		if _, err := time.LoadLocation(w.TimeZone); err != nil {
			diags.Errorf(at, "time zone %q is not an IANA time zone such as Europe/Berlin", w.TimeZone)
		}
	case w.Rolling < minWindow || w.Rolling > maxWindow:
		diags.Errorf(at, "window %s must be between 1h and 366d (typically 28d or 30d)", slo.FormatDuration(w.Rolling))
	case w.Rolling%time.Minute != 0:
		diags.Errorf(at, "window %s must be a whole number of minutes", slo.FormatDuration(w.Rolling))
	}
}

func checkBudgeting(s slo.SLO, diags *diag.List) {
	b := s.Budgeting
	switch b.Method {
	case slo.Occurrences:
		return
	case slo.Timeslices, slo.RatioTimeslices:
	default:
		diags.Errorf(s.Origins.Get("budgeting", s.Origin), "budgeting method %q must be occurrences, timeslices or ratio-timeslices", b.Method)
		return
	}
	at := s.Origins.Get("budgeting.sliceLength", s.Origins.Get("budgeting", s.Origin))
	switch {
	case b.SliceLength == 0:
		diags.Errorf(at, "%s budgeting needs a time slice length, between 1m and 1d: give sliceLength, such as 5m", b.Method)
	case b.SliceLength < minSliceLength || b.SliceLength > maxSliceLength:
		diags.Errorf(at, "time slice %s must be between 1m and 1d", slo.FormatDuration(b.SliceLength))
	case b.SliceLength%time.Minute != 0:
		diags.Errorf(at, "time slice %s must be a whole number of minutes", slo.FormatDuration(b.SliceLength))
	case s.Window.Nominal() == 0:
		// The window is wrong, and said so; no slice fits in none.
	case b.SliceLength >= s.Window.Nominal():
		diags.Errorf(at, "time slice %s must be shorter than the window %s", slo.FormatDuration(b.SliceLength), s.Window)
	}
	targetAt := s.Origins.Get("budgeting.sliceTarget", s.Origins.Get("budgeting", s.Origin))
	switch {
	case b.Method != slo.Timeslices:
	case s.Journey():
		// A journey's slice is good when every component's slice is.
		if b.SliceTarget != 0 && s.Origin.Format == slo.FormatAccord {
			diags.Warnf(targetAt, "a journey's slice is good when every component's slice is good: its own slice target %g%% is not used; remove sliceTarget", b.SliceTarget)
		}
	case b.SliceTarget == 0:
		diags.Errorf(targetAt, "timeslices budgeting needs a slice target: give sliceTarget, such as 95 (the percent of good events that makes a slice good)")
	case b.SliceTarget < 0 || b.SliceTarget > 100:
		diags.Errorf(targetAt, "time slice target %g%% must be above 0 and at most 100 (the percent of good events that makes a slice good)", b.SliceTarget)
	}
}

var leMatcher = regexp.MustCompile(`[{,]\s*le\s*(=|!=|=~|!~)`)

func checkIndicator(cat *slo.Catalog, s slo.SLO, diags *diag.List) {
	ind := s.Indicator
	at := func(field string) slo.Origin { return s.Origins.Get(field, s.Origins.Get("indicator", s.Origin)) }
	if why := ind.NotMeasured(); why != "" {
		if ind.External.SLIRef != "" {
			return // the loader said which SLI is missing
		}
		diags.Warnf(at("indicator"), "SLO %q is not measured (%s): it is listed without a budget; measure it from a Prometheus-compatible source or pushed events", s.Name, why)
		return
	}
	if diags.HasErrorWithin(at("indicator")) {
		// the loader already said what is wrong with this indicator
		checkQueries(cat, s, diags)
		return
	}
	queries := ind.Queries()
	if ind.Pushed() && len(queries) > 0 {
		diags.Errorf(at("indicator.stream"), "an indicator is measured either from pushed events (stream) or from queries, not both")
	}
	switch ind.Kind {
	case slo.KindRatio:
		switch {
		case ind.Pushed() || ind.ErrorRatio != nil && ind.Good == nil && ind.Bad == nil && ind.Total == nil:
		case ind.ErrorRatio != nil:
			diags.Errorf(at("indicator.errorRatio"), "an error ratio query stands alone: drop good, bad and total")
		case ind.Good != nil && ind.Bad != nil:
			diags.Errorf(at("indicator.bad"), "give good or bad events, not both")
		case ind.Good == nil && ind.Bad == nil:
			diags.Errorf(at("indicator"), "a ratio indicator needs good or bad events (or a stream)")
		case ind.Total == nil:
			diags.Errorf(at("indicator"), "a ratio indicator needs total events")
		}
	case slo.KindLatency:
		if ind.Threshold <= 0 {
			diags.Errorf(at("indicator.threshold"), "a latency indicator needs a threshold above zero, such as 300ms")
		}
		if !ind.Pushed() && ind.Histogram == nil {
			diags.Errorf(at("indicator"), "a latency indicator needs a histogram (or a stream)")
		}
		if ind.Histogram != nil && leMatcher.MatchString(ind.Histogram.Expr) {
			diags.Errorf(at("indicator.histogram"), "give the histogram's bucket series without an le matcher; Accord picks the bucket from the threshold")
		}
	case slo.KindBoolean:
		if !ind.Pushed() && ind.Gauge == nil {
			diags.Errorf(at("indicator"), "a boolean indicator needs a gauge (or a stream)")
		}
	default:
		diags.Errorf(at("indicator"), "indicator kind %q must be ratio, latency or boolean", ind.Kind)
	}
	checkQueries(cat, s, diags)
}

func checkQueries(cat *slo.Catalog, s slo.SLO, diags *diag.List) {
	queries := s.Indicator.Queries()
	roles := make([]string, 0, len(queries))
	for role := range queries {
		roles = append(roles, role)
	}
	sort.Strings(roles)
	for _, role := range roles {
		if err := prometheus.CheckQuery(*queries[role]); err != nil {
			diags.Errorf(s.Origins.Get("indicator."+role, s.Origins.Get("indicator", s.Origin)), "%v", err)
		}
	}
	if ds := s.Indicator.DataSource; ds != "" {
		var names []string
		for _, d := range cat.DataSources {
			if d.Name == ds {
				return
			}
			names = append(names, d.Name)
		}
		diags.Errorf(s.Origins.Get("indicator", s.Origin), "unknown data source %q%s", ds, suggestion(ds, names))
	}
}

func checkGroupBy(s slo.SLO, diags *diag.List) {
	seen := map[string]bool{}
	for _, l := range s.GroupBy {
		at := s.Origins.Get("groupBy", s.Origin)
		if !labelPattern.MatchString(l) {
			diags.Errorf(at, "group-by label %q is not a valid label name", l)
		}
		if seen[l] {
			diags.Errorf(at, "group-by label %q is given twice", l)
		}
		seen[l] = true
	}
}
