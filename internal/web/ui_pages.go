package web

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/gate"
	"github.com/accord-slo/accord/internal/report"
	"github.com/accord-slo/accord/internal/slo"
)

// rows returns the SLOs as rows, attention first: exhausted, at risk,
// no data, met; then least budget left.
func rows(views []engine.SLOView) []sloRow {
	out := make([]sloRow, 0, len(views))
	for _, v := range views {
		out = append(out, newRow(v))
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if healthRank[a.Health] != healthRank[b.Health] {
			return healthRank[a.Health] < healthRank[b.Health]
		}
		if a.Pages != b.Pages {
			return a.Pages > b.Pages
		}
		return a.Remaining < b.Remaining
	})
	return out
}

type overviewCounts struct{ Total, Exhausted, AtRisk, Met, NoData, Pages int }

// OverviewPageSize is how many SLOs one page of the overview lists; the
// rest are a link away, so the page stays small with 10,000 SLOs.
const OverviewPageSize = 100

// mostOpenReleases is how many services with open releases the overview
// names; frozen ones are all named, first.
const mostOpenReleases = 20

type overviewPage struct {
	page
	Counts   overviewCounts
	Rows     []sloRow
	Teams    []string
	Services []string
	Healths  []engine.Health
	Filter   struct{ Team, Service, Health string }
	// Paging is where Rows lie among the SLOs the filters select.
	Paging paging
	Story  *StoryView
	// Releases is the gate of the selected SLOs' services: frozen ones
	// first, then up to mostOpenReleases open ones; MoreOpen counts the
	// open ones left out.
	Releases []release
	MoreOpen int
}

// paging says which rows of how many a page shows, with links to the
// pages either side (empty at the ends).
type paging struct {
	From, To, Total int
	Prev, Next      string
}

// release is a service's release gate as the overview shows it.
type release struct {
	Service string
	Frozen  bool
	Reason  string
	// Why is the reason without the "releases of … are frozen" the page
	// says already.
	Why string
	// Exception names who let releases through, if anyone.
	Exception string
}

// overview lists the SLOs the filters select (?team=, ?service=,
// ?status=), what needs attention first, a page (?page=) of
// OverviewPageSize at a time. A team or service filter builds only that
// team's or service's SLOs and release gates.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	p := overviewPage{page: s.page(r, "Overview", "overview"),
		Healths: []engine.Health{engine.HealthExhausted, engine.HealthAtRisk, engine.HealthStale, engine.HealthNoData, engine.HealthMet}}
	q := r.URL.Query()
	p.Filter.Team, p.Filter.Service, p.Filter.Health = q.Get("team"), q.Get("service"), q.Get("status")
	pageNo, err := strconv.Atoi(q.Get("page"))
	if err != nil || pageNo < 1 {
		pageNo = 1
	}
	cat := s.engine.Catalog()
	teams, services := map[string]bool{}, map[string]bool{}
	for _, def := range cat.SLOs {
		teams[cat.EffectiveOwners(def).Team], services[def.Service] = true, true
	}
	delete(teams, "")
	p.Teams, p.Services = sortedSet(teams), sortedSet(services)
	filtered := p.Filter.Team != "" || p.Filter.Service != ""
	var views []engine.SLOView
	if filtered {
		views = s.engine.List(engine.ListQuery{Team: p.Filter.Team, Service: p.Filter.Service}).SLOs
	} else {
		views = s.engine.SLOs()
	}
	var matching []sloRow
	for _, row := range rows(views) {
		p.Counts.Total++
		p.Counts.Pages += row.Pages
		switch row.Health {
		case engine.HealthExhausted:
			p.Counts.Exhausted++
		case engine.HealthAtRisk:
			p.Counts.AtRisk++
		case engine.HealthMet:
			p.Counts.Met++
		default:
			p.Counts.NoData++
		}
		if p.Filter.Health == "" || string(row.Health) == p.Filter.Health {
			matching = append(matching, row)
		}
	}
	p.Paging, p.Rows = pageOf(journeysFirst(matching), pageNo, r.URL.Query())
	s.withCauses(p.Rows)
	if s.opts.Story != nil {
		st := s.opts.Story.Story()
		p.Story = &st
		if p.Refresh == 0 {
			p.Refresh = st.Refresh
		}
	}
	bySvc := byService(views)
	if filtered {
		// A service's gate reads all its SLOs, whoever owns them.
		for svc := range bySvc {
			bySvc[svc] = s.engine.ServiceSLOs(svc)
		}
	}
	if p.Releases, err = s.releases(r, bySvc, p.Now); err != nil {
		s.pageError(w, r, "overview", err)
		return
	}
	open := 0
	for i, rel := range p.Releases {
		if !rel.Frozen {
			open++
			if open > mostOpenReleases {
				p.MoreOpen = len(p.Releases) - i
				p.Releases = p.Releases[:i]
				break
			}
		}
	}
	s.render(w, r, "overview", p)
}

// pageOf returns page n (from 1) of rows, and links to the pages beside
// it that keep the query's other parameters.
func pageOf(rows []sloRow, n int, q url.Values) (paging, []sloRow) {
	pages := max(1, (len(rows)+OverviewPageSize-1)/OverviewPageSize)
	n = min(n, pages)
	from, to := (n-1)*OverviewPageSize, min(n*OverviewPageSize, len(rows))
	pg := paging{From: from + 1, To: to, Total: len(rows)}
	link := func(k int) string {
		q.Set("page", strconv.Itoa(k))
		return "/?" + q.Encode()
	}
	if n > 1 {
		pg.Prev = link(n - 1)
	}
	if n < pages {
		pg.Next = link(n + 1)
	}
	return pg, rows[from:to]
}

// byService groups SLO views by their service.
func byService(views []engine.SLOView) map[string][]engine.SLOView {
	out := map[string][]engine.SLOView{}
	for _, v := range views {
		out[v.Service] = append(out[v.Service], v)
	}
	return out
}

// releases answers the gate for every service, frozen ones first.
func (s *Server) releases(r *http.Request, services map[string][]engine.SLOView, now time.Time) ([]release, error) {
	exceptions, err := s.history.Exceptions(r.Context())
	if err != nil {
		return nil, fmt.Errorf("read the exceptions to the release gates: %w", err)
	}
	var out []release
	for _, svc := range slices.Sorted(maps.Keys(services)) {
		d := gate.Decide(svc, "", services[svc], exceptions, now)
		rel := release{Service: svc, Frozen: len(d.Blocking) > 0, Reason: d.Reason, Why: d.Reason}
		if why, ok := strings.CutPrefix(d.Reason, "releases of "+svc+" are frozen: "); ok {
			rel.Why = why
		}
		if d.Exception != nil {
			rel.Exception = fmt.Sprintf("%s until %s", d.Exception.GrantedBy, d.Exception.Until.UTC().Format("Jan 2 15:04"))
		}
		out = append(out, rel)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Frozen && !out[j].Frozen })
	return out, nil
}

type burnRow struct {
	Window  string
	Rate    float64
	HasData bool
	Rules   []ruleRef
}

type ruleRef struct {
	Name, Severity, Windows, Role string
	Factor                        float64
	Over                          bool
}

type groupRow struct {
	Label string
	// Stale is true while the SLO's source fails.
	Stale     bool
	Param     string // the ?group= value that charts this group
	HasData   bool
	SLI       float64
	Remaining float64
	Burn      float64
	BurnOK    bool
}

type sloPage struct {
	page
	Row                           sloRow
	View                          engine.SLOView
	BurnDown, SLIChart, BurnChart any
	BurnRows                      []burnRow
	Groups                        []groupRow
	GroupCount                    int
	Notes                         []engine.Notification
	Annotations                   []slo.Annotation
	Range                         string
	Ranges                        []string
	// Group is the group the charts show (store=berlin-042); empty for all.
	Group string
	// Journey is a journey's components and what they cost it; nil for
	// an SLO that is not a journey.
	Journey *journeyView
	// PartOf are the journeys the SLO is a component of.
	PartOf []journeyLink
}

func (s *Server) sloPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("service") + "/" + r.PathValue("name")
	v, ok := s.engine.SLO(id)
	if !ok {
		http.Error(w, "no SLO "+id, http.StatusNotFound)
		return
	}
	p := sloPage{page: s.page(r, v.Name, "overview"), Row: newRow(v), View: v}
	p.Title = p.Row.Title
	def, _, _ := s.engine.Definition(id)
	// Twice the window shows what has just left it, such as an incident
	// whose budget has recovered.
	p.Ranges = []string{"window", slo.FormatDuration(2 * def.Window.Nominal()), "3d", "1d", "6h"}
	p.Range = r.URL.Query().Get("range")
	var span time.Duration
	if p.Range != "" && p.Range != "window" {
		// Bounded by the longest range offered: a span far past the
		// window would read annotations and history back without end.
		if d, err := slo.ParseDuration(p.Range); err == nil && d >= time.Hour && d <= 2*def.Window.Nominal() {
			span = d
		} else {
			p.Range = ""
		}
	}
	if p.Range == "" {
		p.Range = "window"
	}
	p.Group = r.URL.Query().Get("group")
	group := groupParam(p.Group)
	if _, ok := s.engine.History(v.ID, group, p.Now, p.Now, time.Minute); !ok {
		p.Group, group = "", "" // an unknown group shows all groups
	}
	var err error
	if p.BurnDown, p.SLIChart, p.BurnChart, err = s.charts(r.Context(), v, def, p.Now, span, group); err != nil {
		s.pageError(w, r, "overview", err)
		return
	}
	if p.Annotations, err = s.history.Annotations(r.Context(), v.Service, p.Now.Add(-31*24*time.Hour), p.Now.Add(24*time.Hour)); err != nil {
		s.pageError(w, r, "overview", fmt.Errorf("read the annotations of %s: %w", v.Service, err))
		return
	}
	p.BurnRows = burnRows(v.Worst, def)
	p.GroupCount = len(v.Groups)
	for i, g := range v.Groups {
		if i == 25 {
			break
		}
		label := groupText(engine.GroupKey(g.Labels))
		row := groupRow{Label: label, Param: strings.ReplaceAll(label, ", ", ","), HasData: g.Status.HasData(),
			Remaining: g.Status.Budget.RemainingFraction, Stale: v.Source.Stale}
		if g.Status.SLI != nil {
			row.SLI = *g.Status.SLI
		}
		row.Burn, row.BurnOK = g.Status.Burn(time.Hour)
		p.Groups = append(p.Groups, row)
	}
	if v.Journey {
		p.Journey = s.journeyOf(v.Components, def)
	}
	p.PartOf = s.partOf(id)
	notes, err := s.history.Notifications(r.Context(), 0, id, 1000)
	if err != nil {
		s.pageError(w, r, "overview", fmt.Errorf("read the alert history of %s: %w", id, err))
		return
	}
	for i := len(notes) - 1; i >= 0 && len(p.Notes) < 20; i-- { // newest first
		p.Notes = append(p.Notes, notes[i])
	}
	s.render(w, r, "slo", p)
}

// burnRows lists every burn window with the alert rules that read it, for
// the status alerts follow (a grouped SLO's worst group).
func burnRows(st engine.Status, def slo.SLO) []burnRow {
	var out []burnRow
	rules := engine.Rules(&def)
	for _, b := range st.BurnRates {
		row := burnRow{Window: slo.FormatDuration(time.Duration(b.Window)), Rate: b.Rate, HasData: b.HasData}
		for _, r := range rules {
			role := ""
			switch time.Duration(b.Window) {
			case r.LongWindow:
				role = "long"
			case r.ShortWindow:
				role = "short"
			default:
				continue
			}
			row.Rules = append(row.Rules, ruleRef{Name: r.Name, Severity: string(r.Severity), Windows: engine.RuleWindows(r),
				Role: role, Factor: r.Factor, Over: b.HasData && b.Rate > r.Factor})
		}
		out = append(out, row)
	}
	return out
}

type teamRow struct {
	Name                      string
	SLOs                      int
	Worst                     sloRow
	Exhausted, AtRisk, Firing int
}

type teamsPage struct {
	page
	Teams     []teamRow
	Ownership report.Ownership
}

func (s *Server) teams(w http.ResponseWriter, r *http.Request) {
	p := teamsPage{page: s.page(r, "Teams", "teams"), Ownership: report.OwnershipOf(s.engine.Catalog())}
	byTeam := map[string]*teamRow{}
	for _, row := range rows(s.engine.SLOs()) {
		t, ok := byTeam[row.Team]
		if !ok {
			t = &teamRow{Name: row.Team, Worst: row}
			byTeam[row.Team] = t
		}
		t.SLOs++
		t.Firing += row.Firing
		switch row.Health {
		case engine.HealthExhausted:
			t.Exhausted++
		case engine.HealthAtRisk:
			t.AtRisk++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(byTeam)) {
		p.Teams = append(p.Teams, *byTeam[name])
	}
	sort.SliceStable(p.Teams, func(i, j int) bool { return p.Teams[i].Worst.Remaining < p.Teams[j].Worst.Remaining })
	s.render(w, r, "teams", p)
}

type ask struct{ Text, Class, Because string }

type teamPage struct {
	page
	Team          string
	ProductOwners []string
	Rows          []sloRow
	Asks          []ask
	// Calm is what the page says when the policy asks nothing.
	Calm string
	// Changes are the last writes to the team's services (audit trail).
	Changes []auth.Entry
}

// teamChanges is how many of a team's recent changes its page lists, from
// how far back.
const (
	teamChanges     = 20
	teamChangesSpan = 30 * 24 * time.Hour
)

func (s *Server) team(w http.ResponseWriter, r *http.Request) {
	team := r.PathValue("team")
	p := teamPage{page: s.page(r, "Team "+team, "teams"), Team: team}
	owners := map[string]bool{}
	freeze, reliability, postmortem := map[string][]string{}, []string{}, []string{}
	except, since := map[string][]string{}, map[string]time.Time{}
	var defs []slo.SLO
	views := s.engine.SLOs()
	ours := map[string]bool{} // the services the team has SLOs in
	for _, v := range views {
		if v.Owners.Team == team {
			ours[v.Service] = true
		}
	}
	for _, v := range views {
		if v.Owners.Team != team {
			// Another team's SLO that freezes releases of a service this
			// team works on freezes them for this team too.
			if ours[v.Service] {
				what := v.Name + " (" + v.Policy.State + ", owned by " + cmp.Or(v.Owners.Team, "no team") + ")"
				for _, a := range v.Policy.Actions {
					if a.Kind == slo.ActionFreezeReleases {
						freeze[v.Service] = append(freeze[v.Service], what)
						except[v.Service] = a.Except
						if t, ok := since[v.Service]; !ok || v.Policy.Since.Before(t) {
							since[v.Service] = v.Policy.Since
						}
					}
				}
			}
			continue
		}
		def, _, _ := s.engine.Definition(v.ID)
		defs = append(defs, def)
		p.Rows = append(p.Rows, newRow(v))
		if v.Owners.ProductOwner != "" {
			owners[v.Owners.ProductOwner] = true
		}
		what := v.Name + " (" + v.Policy.State + ")"
		for _, a := range v.Policy.Actions {
			switch a.Kind {
			case slo.ActionFreezeReleases:
				freeze[v.Service] = append(freeze[v.Service], what)
				except[v.Service] = a.Except
				if t, ok := since[v.Service]; !ok || v.Policy.Since.Before(t) {
					since[v.Service] = v.Policy.Since
				}
			case slo.ActionReliabilityFirst:
				reliability = append(reliability, what)
			case slo.ActionPostmortem:
				postmortem = append(postmortem, what)
			}
		}
	}
	if len(p.Rows) == 0 {
		http.Error(w, "no team "+team+" owns an SLO", http.StatusNotFound)
		return
	}
	sort.SliceStable(p.Rows, func(i, j int) bool { return healthRank[p.Rows[i].Health] < healthRank[p.Rows[j].Health] })
	exceptions, err := s.history.Exceptions(r.Context())
	if err != nil {
		s.pageError(w, r, "teams", fmt.Errorf("read the exceptions to the release gates: %w", err))
		return
	}
	for _, svc := range slices.Sorted(maps.Keys(freeze)) {
		text := "Releases of " + svc + " are frozen"
		if t := since[svc]; !t.IsZero() {
			text += " since " + t.UTC().Format("Jan 2 15:04 UTC")
		}
		if ex := except[svc]; len(ex) > 0 {
			text += ", except " + strings.Join(ex, ", ") + " fixes"
		}
		because := "the budget of " + strings.Join(freeze[svc], ", ") + " is spent"
		for i := len(exceptions) - 1; i >= 0; i-- {
			if e := exceptions[i]; e.Service == svc && e.Active(p.Now) {
				because += fmt.Sprintf("; exception granted by %s until %s: %s", e.GrantedBy, e.Until.UTC().Format("Jan 2 15:04 UTC"), e.Reason)
				break
			}
		}
		p.Asks = append(p.Asks, ask{Text: text, Class: "freeze", Because: because})
	}
	due, err := report.PostmortemsDue(r.Context(), s.reportSource(), s.engine.Catalog(), defs, report.Period{From: p.Now.Add(-30 * 24 * time.Hour), To: p.Now})
	if err != nil {
		s.pageError(w, r, "teams", fmt.Errorf("find the postmortems due of team %s: %w", team, err))
		return
	}
	for _, d := range due {
		postmortem = append(postmortem, fmt.Sprintf("incident %s on %s spent %.0f%% of the window's budget (record it: accord annotate postmortem --incident %s --link URL)",
			d.Incident, d.SLO, d.BudgetShare*100, d.Incident))
	}
	if len(reliability) > 0 {
		p.Asks = append(p.Asks, ask{Text: "Reliability work first", Because: strings.Join(reliability, ", ")})
	}
	if len(postmortem) > 0 {
		p.Asks = append(p.Asks, ask{Text: "A postmortem is due", Because: strings.Join(postmortem, "; ")})
	}
	p.Calm = calm(p.Rows)
	p.ProductOwners = sortedSet(owners)
	services := map[string]bool{}
	for _, d := range defs {
		services[d.Service] = true
	}
	p.Changes, err = s.auth.Audit(r.Context(), auth.Query{Services: sortedSet(services), Succeeded: true, Unfolded: true,
		From: p.Now.Add(-teamChangesSpan), Limit: teamChanges})
	if err != nil {
		s.pageError(w, r, "teams", fmt.Errorf("read the audit trail of team %s: %w", team, err))
		return
	}
	s.render(w, r, "team", p)
}

// calm is what a team page says when the policy asks nothing of the
// team: feature work as planned only for budgets that have data.
func calm(rows []sloRow) string {
	without := 0
	for _, r := range rows {
		if !r.HasData {
			without++
		}
	}
	switch {
	case without == len(rows):
		return "None of the team's SLOs has data yet, so no budget says how much risk to take: check that their events are pushed or their queries answer."
	case without == 1:
		return "Every SLO with data is within its budget: feature work as planned. One SLO has no data yet."
	case without > 1:
		return fmt.Sprintf("Every SLO with data is within its budget: feature work as planned. %d SLOs have no data yet.", without)
	}
	return "Every SLO is within its budget: feature work as planned."
}

type alertRow struct {
	engine.Alert
	Title, Service, Href, Team, Receiver, Ago string
}

type alertsPage struct {
	page
	Firing, Resolved []alertRow
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	p := alertsPage{page: s.page(r, "Alerts", "alerts")}
	views := map[string]engine.SLOView{}
	for _, v := range s.engine.SLOs() {
		views[v.ID] = v
	}
	for _, a := range s.engine.Alerts(p.Now.Add(-24 * time.Hour)) {
		v := views[a.SLO]
		row := alertRow{Alert: a, Title: newRow(v).Title, Service: v.Service, Href: "/slos/" + v.Service + "/" + v.Name,
			Team: v.Owners.Team, Receiver: v.Owners.OnCall.Receiver, Ago: ago(p.Now.Sub(a.Since))}
		if a.State == engine.AlertResolved {
			p.Resolved = append(p.Resolved, row)
		} else {
			p.Firing = append(p.Firing, row)
		}
	}
	s.render(w, r, "alerts", p)
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
