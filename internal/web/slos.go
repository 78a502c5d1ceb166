package web

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/gate"
	"github.com/accord-slo/accord/internal/slo"
)

// serviceView is a service with its SLOs' standing.
type serviceView struct {
	Name        string     `json:"name"`
	DisplayName string     `json:"displayName,omitempty"`
	Description string     `json:"description,omitempty"`
	Owners      slo.Owners `json:"owners"`
	RunbookURL  string     `json:"runbookURL,omitempty"`
	SLOs        []string   `json:"slos"`
	// BudgetRemaining is the least budget left among its SLOs with data.
	BudgetRemaining *float64 `json:"budgetRemaining"`
	Firing          int      `json:"firingAlerts"`
	// PolicyState is the service's state: its worst SLO's (one that
	// freezes releases first, else the one with the least budget left).
	PolicyState string `json:"policyState"`
	// ReleasesFrozen says whether the gate denies ordinary releases.
	ReleasesFrozen bool `json:"releasesFrozen"`
}

// serviceList is the answer of GET /api/v1/services.
type serviceList struct {
	Services []*serviceView `json:"services"`
	// Total is how many services match the filter, on all pages.
	Total int `json:"total"`
	// Next is the cursor of the next page; empty on the last.
	Next string `json:"next,omitempty"`
}

// getServices answers a page of services in name order: ?limit= (default
// 100, at most 1000), ?cursor= (the previous page's next) and ?team=.
// Only the page's services are built, each with its SLOs' standing and
// its release gate.
func (s *Server) getServices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	team, limit, after := q.Get("team"), DefaultPageSize, ""
	var problems []string
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxPageSize {
			problems = append(problems, fmt.Sprintf("limit: %q is not a number from 1 to %d", raw, MaxPageSize))
		}
		limit = n
	}
	if raw := q.Get("cursor"); raw != "" {
		c, err := parseCursor(raw, "service")
		if err != nil {
			problems = append(problems, "cursor: "+err.Error())
		} else {
			after = c.ID
		}
	}
	if len(problems) > 0 {
		s.writeError(w, r, invalid("%s", strings.Join(problems, "; ")))
		return
	}
	cat := s.engine.Catalog()
	var matching []slo.Service
	for _, svc := range cat.Services {
		if team == "" || svc.Owners.Team == team {
			matching = append(matching, svc)
		}
	}
	slices.SortFunc(matching, func(a, b slo.Service) int { return cmp.Compare(a.Name, b.Name) })
	from, _ := slices.BinarySearchFunc(matching, after, func(svc slo.Service, name string) int { return cmp.Compare(svc.Name, name) })
	if from < len(matching) && after != "" && matching[from].Name == after {
		from++
	}
	to := min(from+limit, len(matching))
	out := serviceList{Services: []*serviceView{}, Total: len(matching)}
	if to < len(matching) && to > from {
		out.Next = formatCursor(engine.ListKey{ID: matching[to-1].Name}, "service")
	}
	names := make([]string, 0, to-from)
	for _, svc := range matching[from:to] {
		names = append(names, svc.Name)
	}
	slos := s.engine.ServicesSLOs(names)
	exceptions, err := s.history.Exceptions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.engine.Clock().Now()
	for _, svc := range matching[from:to] {
		v := &serviceView{Name: svc.Name, DisplayName: svc.DisplayName, Description: svc.Description,
			Owners: svc.Owners, RunbookURL: svc.RunbookURL, SLOs: []string{}}
		for _, sl := range slos[svc.Name] {
			v.SLOs = append(v.SLOs, sl.ID)
			// A grouped SLO counts with its worst group, as in the UI.
			if sl.Worst.HasData() && (v.BudgetRemaining == nil || sl.Worst.Budget.RemainingFraction < *v.BudgetRemaining) {
				f := sl.Worst.Budget.RemainingFraction
				v.BudgetRemaining = &f
			}
			for _, a := range sl.Alerts {
				if a.State == engine.AlertFiring {
					v.Firing++
				}
			}
		}
		d := gate.Decide(v.Name, "", slos[v.Name], exceptions, now)
		v.PolicyState, v.ReleasesFrozen = d.State, !d.Allow
		out.Services = append(out.Services, v)
	}
	writeJSON(w, http.StatusOK, out)
}

// Page sizes of GET /api/v1/slos.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// sloList is the answer of GET /api/v1/slos.
type sloList struct {
	SLOs []engine.SLOView `json:"slos"`
	// Total is how many SLOs match the filters, on all pages.
	Total int `json:"total"`
	// Next is the cursor of the next page; empty on the last.
	Next string `json:"next,omitempty"`
}

// getSLOs answers a page of SLOs: ?limit= (default 100, at most 1000),
// ?cursor= (the previous page's next), ?sort=budget|id and the filters
// ?service= and ?team=.
func (s *Server) getSLOs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lq := engine.ListQuery{Service: q.Get("service"), Team: q.Get("team"), Sort: q.Get("sort"), Limit: DefaultPageSize}
	var problems []string
	switch lq.Sort {
	case "":
		lq.Sort = engine.SortBudget
	case engine.SortBudget, engine.SortID:
	default:
		problems = append(problems, fmt.Sprintf("sort: %q is not budget or id", lq.Sort))
	}
	if raw := q.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxPageSize {
			problems = append(problems, fmt.Sprintf("limit: %q is not a number from 1 to %d", raw, MaxPageSize))
		}
		lq.Limit = n
	}
	if raw := q.Get("cursor"); raw != "" {
		c, err := parseCursor(raw, lq.Sort)
		if err != nil {
			problems = append(problems, "cursor: "+err.Error())
		}
		lq.After = c
	}
	if len(problems) > 0 {
		s.writeError(w, r, invalid("%s", strings.Join(problems, "; ")))
		return
	}
	page := s.engine.List(lq)
	out := sloList{SLOs: page.SLOs, Total: page.Total}
	if page.Next != nil {
		out.Next = formatCursor(*page.Next, lq.Sort)
	}
	writeJSON(w, http.StatusOK, out)
}

// cursor is what a page's next cursor holds: the order and the key of the
// page's last SLO.
type cursor struct {
	Sort string `json:"s"`
	engine.ListKey
}

func formatCursor(k engine.ListKey, sort string) string {
	b, _ := json.Marshal(cursor{Sort: sort, ListKey: k})
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseCursor(raw, sort string) (*engine.ListKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(raw)
	var c cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return nil, fmt.Errorf("not a cursor this server gave; pass the next of the previous page as it is")
	}
	if c.Sort != sort {
		return nil, fmt.Errorf("the cursor is for sort=%s, not %s", c.Sort, sort)
	}
	return &c.ListKey, nil
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request) (engine.SLOView, bool) {
	id := r.PathValue("service") + "/" + r.PathValue("name")
	v, ok := s.engine.SLO(id)
	if !ok {
		s.writeError(w, r, slo.Errorf(slo.CodeNotFound, "no SLO %s", id))
	}
	return v, ok
}

func (s *Server) getSLO(w http.ResponseWriter, r *http.Request) {
	if v, ok := s.lookup(w, r); ok {
		writeJSON(w, http.StatusOK, v)
	}
}

// getHistory answers ?from=&to= (RFC 3339; default the last 7 days) and
// ?step= (a duration such as 5m or 1h; default about 300 points).
func (s *Server) getHistory(w http.ResponseWriter, r *http.Request) {
	v, ok := s.lookup(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	from, to, err := s.timeRange(r, 7*24*time.Hour)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !from.Before(to) {
		s.writeError(w, r, invalid("from (%s) must be before to (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339)))
		return
	}
	step := max(to.Sub(from)/300, time.Minute)
	if raw := q.Get("step"); raw != "" {
		if step, err = slo.ParseDuration(raw); err != nil || step <= 0 {
			s.writeError(w, r, invalid("step: %q is not a positive duration such as 5m", raw))
			return
		}
	}
	if to.Sub(from)/step > 10_000 {
		s.writeError(w, r, invalid("from..to at step %s gives over 10,000 points; use a longer step", slo.FormatDuration(step)))
		return
	}
	group := groupParam(q.Get("group"))
	points, ok := s.engine.History(v.ID, group, from, to, step)
	if !ok {
		s.writeError(w, r, slo.Errorf(slo.CodeNotFound, "SLO %s has no group %s", v.ID, q.Get("group")))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"slo": v.ID, "group": engine.GroupLabels(group), "step": slo.FormatDuration(step), "points": points})
}

// groupParam reads a group written as store=berlin-042,region=north into
// its GroupKey; empty stays empty (all groups).
func groupParam(raw string) string {
	if raw == "" {
		return ""
	}
	labels := map[string]string{}
	for _, kv := range strings.Split(raw, ",") {
		k, v, _ := strings.Cut(kv, "=")
		labels[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return engine.GroupKey(labels)
}

// timeRange reads ?from= and ?to=; to defaults to now and from to span
// before it.
func (s *Server) timeRange(r *http.Request, span time.Duration) (from, to time.Time, err error) {
	q := r.URL.Query()
	if to, err = timeParam(q.Get("to"), s.engine.Clock().Now()); err != nil {
		return from, to, invalid("to: %v", err)
	}
	if from, err = timeParam(q.Get("from"), to.Add(-span)); err != nil {
		return from, to, invalid("from: %v", err)
	}
	return from, to, nil
}

func timeParam(raw string, def time.Time) (time.Time, error) {
	if raw == "" {
		return def, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	if sec, err := strconv.ParseFloat(raw, 64); err == nil {
		return time.UnixMilli(int64(sec * 1000)).UTC(), nil
	}
	return time.Time{}, invalid("%q is neither RFC 3339 nor Unix seconds", raw)
}

func (s *Server) getNotifications(w http.ResponseWriter, r *http.Request) {
	v, ok := s.lookup(w, r)
	if !ok {
		return
	}
	notes, err := s.history.Notifications(r.Context(), 0, v.ID, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if notes == nil {
		notes = []engine.Notification{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"slo": v.ID, "notifications": notes})
}

// getAlerts answers what fires now and what resolved in the last day.
func (s *Server) getAlerts(w http.ResponseWriter, r *http.Request) {
	since := s.engine.Clock().Now().Add(-24 * time.Hour)
	alerts := s.engine.Alerts(since)
	if alerts == nil {
		alerts = []engine.Alert{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": alerts})
}
