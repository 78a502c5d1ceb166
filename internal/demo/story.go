package demo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/gate"
	"github.com/accord-slo/accord/internal/replay"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/web"
)

// The story's schedule, from its start.
const (
	badDeployAt  = 2*time.Hour + 55*time.Minute // 11:55, before the lunch peak
	failFrom     = 3 * time.Hour
	exceptionAt  = 5 * time.Hour
	fixAt        = 5*time.Hour + 20*time.Minute
	incidentAt   = 3*time.Hour + 5*time.Minute
	incidentEnd  = 5*time.Hour + 25*time.Minute
	postmortemAt = 2 * 24 * time.Hour
	// failShare is the share of card payments the bad deploy breaks.
	failShare = 0.25
)

// The milestones the narration reports, in the order they happen.
const (
	MilestoneOTLP      = "receipts-otlp"
	MilestoneDeploy    = "deploy"
	MilestonePage      = "page"
	MilestoneJourney   = "journey"
	MilestoneExhausted = "exhausted"
	MilestoneGateDeny  = "gate-denied"
	MilestoneException = "exception"
	MilestoneFix       = "fix"
	MilestoneResolved  = "resolved"
	MilestoneRecovered = "recovered"
)

// journeyID is the customer's checkout: the journey over scanning, paying
// and the receipt.
const journeyID = "checkout/customer-checks-out"

// story is the script and what has happened of it.
type story struct {
	start time.Time

	mu         sync.Mutex
	now        time.Time       // the simulated time played so far
	done       map[string]bool // actions taken and milestones reached
	milestones []web.Milestone
	resources  *resourceAlerts
	sloAlerts  map[string]int // fired SLO alert episodes, by key, into sloEpisodes
	// sloEpisodes are the burn-rate alerts seen firing, in order.
	sloEpisodes []replay.Alert
}

func newStory(start time.Time) *story {
	return &story{start: start, done: map[string]bool{}, resources: newResourceAlerts(), sloAlerts: map[string]int{}}
}

// failing is the share of card payments that fail in a store at t.
func (s *story) failing(t time.Time) func(string) float64 {
	broken := !t.Before(s.start.Add(failFrom)) && t.Before(s.start.Add(fixAt))
	return func(store string) float64 {
		if broken {
			for _, st := range stores[:affected] {
				if st.Name == store {
					return failShare
				}
			}
		}
		return 0
	}
}

// act performs the story's actions due at t through the public API.
func (s *story) act(ctx context.Context, d *Demo, t time.Time) error {
	since := t.Sub(s.start)
	s.mu.Lock()
	s.now = t
	s.resources.observe(t)
	s.mu.Unlock()
	if t.Hour() == 0 && t.Minute() == 0 && since > 0 {
		s.summarize(d, t)
	}
	once := func(name string, at time.Duration, fn func() error) error {
		if since < at || s.has("action:"+name) {
			return nil
		}
		s.mark("action:" + name)
		return fn()
	}
	var names []string
	for _, st := range stores[:affected] {
		names = append(names, st.Name)
	}
	return errors.Join(
		once("otlp", 0, func() error {
			s.reach(d, MilestoneOTLP, t, "Receipts: the stores' receipt printers export their counts as OpenTelemetry metrics, through the OpenTelemetry SDK's OTLP exporter, straight to Accord (POST /v1/metrics); the tills push payments, scans and prices as NDJSON events.")
			return nil
		}),
		once("bad-deploy", badDeployAt, func() error {
			a := slo.Annotation{Kind: slo.AnnotationDeploy, Service: "checkout", Start: t, Version: "payments-gateway 2026.11.4"}
			if err := d.postJSON(ctx, "ci", "/api/v1/annotations", a, nil); err != nil {
				return err
			}
			s.reach(d, MilestoneDeploy, t, "Deploy: payments-gateway 2026.11.4 goes out to every store. Unnoticed, it breaks a quarter of card payments in "+strings.Join(names, ", ")+".")
			return nil
		}),
		once("exception", exceptionAt, func() error {
			body := map[string]string{"service": "checkout", "until": t.Add(2 * time.Hour).Format(time.RFC3339),
				"reason": "hotfix payments-gateway 2026.11.5 for the card failures"}
			return d.postJSON(ctx, "head-of-store-it", "/api/v1/exceptions", body, nil)
		}),
		once("fix", fixAt, func() error {
			a := slo.Annotation{Kind: slo.AnnotationDeploy, Service: "checkout", Start: t, Version: "payments-gateway 2026.11.5 (fix)"}
			if err := d.postJSON(ctx, "ci", "/api/v1/annotations", a, nil); err != nil {
				return err
			}
			s.reach(d, MilestoneFix, t, "Fix: payments-gateway 2026.11.5 ships through the exception; card payments work again.")
			return nil
		}),
		once("incident", incidentEnd+30*time.Minute, func() error {
			a := slo.Annotation{Kind: slo.AnnotationIncident, Service: "checkout", Start: s.start.Add(incidentAt), End: s.start.Add(incidentEnd),
				Incident: "INC-1142", Link: "https://incidents.freshmart.example/INC-1142", Text: "card payments failing in four stores"}
			return d.postJSON(ctx, "pos-platform", "/api/v1/annotations", a, nil)
		}),
		once("postmortem", postmortemAt, func() error {
			a := slo.Annotation{Kind: slo.AnnotationPostmortem, Service: "checkout", Start: t, Incident: "INC-1142",
				Link: "https://wiki.freshmart.example/postmortems/INC-1142"}
			return d.postJSON(ctx, "maria.jensen", "/api/v1/annotations", a, nil)
		}),
	)
}

// observe reads the public API and narrates the milestones it shows.
func (s *story) observe(ctx context.Context, d *Demo) error {
	now := d.clock.Now()
	var alerts struct {
		Alerts []engine.Alert `json:"alerts"`
	}
	if err := d.get(ctx, "/api/v1/alerts", &alerts); err != nil {
		return err
	}
	s.mu.Lock()
	if now.After(s.now) {
		s.now = now
	}
	s.mu.Unlock()
	var firstPage *engine.Alert
	for i, a := range alerts.Alerts {
		s.countAlert(a)
		if a.State == engine.AlertFiring && a.SLO == "checkout/payments" && a.Severity == slo.SeverityPage && firstPage == nil {
			firstPage = &alerts.Alerts[i]
		}
	}
	if firstPage != nil && !s.has(MilestonePage) {
		labels := firstPage.Labels
		s.reach(d, MilestonePage, now, fmt.Sprintf("Page: %s burns its error budget %.0f× too fast in store %s; pos-platform-pager is paged %s after card payments began to fail (%s after the deploy). Resource alerts on those tills: none.",
			"Card payments succeed", firstPage.LongBurn, labels["store"], minutes(firstPage.FiredAt.Sub(s.start.Add(failFrom))), minutes(firstPage.FiredAt.Sub(s.start.Add(badDeployAt)))))
	}
	var pay engine.SLOView
	if err := d.get(ctx, "/api/v1/slos/checkout/payments", &pay); err != nil {
		return err
	}
	if pay.Policy.State == "exhausted" && !s.has(MilestoneExhausted) {
		s.reach(d, MilestoneExhausted, now, fmt.Sprintf("Policy: the budget of store %s is spent (%.0f%% left): releases of checkout freeze except reliability and security fixes; reliability work comes first.",
			pay.WorstGroup["store"], pay.Worst.Budget.RemainingFraction*100))
	}
	if s.has(MilestoneDeploy) && !s.has(MilestoneJourney) {
		var j engine.SLOView
		if err := d.get(ctx, "/api/v1/slos/"+journeyID, &j); err != nil {
			return err
		}
		// The journey names its cause once the bad payments outweigh
		// everything else the week spent: scans slow now and then.
		if top, ok := topComponent(j.Components); ok && top.SLO == pay.ID && top.SpentShare > 0.5 {
			rate, _ := j.Status.Burn(time.Hour)
			s.reach(d, MilestoneJourney, now, fmt.Sprintf("Journey: %s burns its budget %.0f× too fast over the last hour (%.0f%% left). %s caused %.0f%% of its spent budget, scanning and receipts the rest: %s, who own card payments, are the team to act.",
				j.DisplayName, rate, j.Status.Budget.RemainingFraction*100, pay.DisplayName, top.SpentShare*100, pay.Owners.Team))
		}
	}
	var g gate.Decision
	if err := d.get(ctx, "/api/v1/gate?service=checkout", &g); err != nil {
		return err
	}
	switch {
	case !g.Allow && !s.has(MilestoneGateDeny):
		s.reach(d, MilestoneGateDeny, now, "Gate: a pipeline asks to release checkout and is denied: "+g.Reason+".")
	case g.Allow && g.Exception != nil && !s.has(MilestoneException):
		s.reach(d, MilestoneException, now, fmt.Sprintf("Exception: %s lets the hotfix through until %s (%s).", g.Exception.GrantedBy, g.Exception.Until.Format("15:04"), g.Exception.Reason))
	case g.Allow && g.Exception == nil && s.has(MilestoneGateDeny) && pay.Policy.State == "healthy" && !s.has(MilestoneRecovered):
		s.reach(d, MilestoneRecovered, now, fmt.Sprintf("Recovered: a week after the incident its bad payments leave the window; every store has budget again and the gate opens: %s. Resource alerts fired meanwhile: %d, none while customers were hurt.",
			g.Reason, s.resources.Total()))
	}
	if s.has(MilestoneFix) && !pagingPayments(alerts.Alerts) && !s.has(MilestoneResolved) {
		s.reach(d, MilestoneResolved, now, "Resolved: the pages resolve minutes after the fix; the ticket alerts follow as their longer windows (6 and 12 hours for a 7-day SLO) move past the incident.")
	}
	return nil
}

// topComponent is the component that caused the largest share of a
// journey's spent budget; false while it has spent none.
func topComponent(comps []engine.ComponentImpact) (engine.ComponentImpact, bool) {
	var top engine.ComponentImpact
	for _, c := range comps {
		if c.SpentShare > top.SpentShare {
			top = c
		}
	}
	return top, top.SpentShare > 0
}

func pagingPayments(alerts []engine.Alert) bool {
	for _, a := range alerts {
		if a.SLO == "checkout/payments" && a.State == engine.AlertFiring && a.Severity == slo.SeverityPage {
			return true
		}
	}
	return false
}

// countAlert keeps an SLO alert's episode: when it fired and, once the
// API shows it resolved, when it resolved.
func (s *story) countAlert(a engine.Alert) {
	if a.FiredAt.IsZero() || a.State != engine.AlertFiring && a.State != engine.AlertResolved {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := a.Key() + a.FiredAt.String()
	i, seen := s.sloAlerts[key]
	if !seen {
		i = len(s.sloEpisodes)
		s.sloAlerts[key] = i
		s.sloEpisodes = append(s.sloEpisodes, replay.Alert{Name: a.Labels["alertname"], Rule: a.Rule, Severity: string(a.Severity),
			Windows: a.Windows, Factor: a.Factor, Labels: engine.GroupLabels(a.Group), FiredAt: a.FiredAt})
	}
	if a.State == engine.AlertResolved {
		at := a.ResolvedAt
		s.sloEpisodes[i].ResolvedAt = &at
	}
}

// scores judges the resource alerts and the SLO alerts with the scoring
// accord replay uses, against when customers really were hurt: while the
// bad deploy broke card payments. The caller holds s.mu.
func (s *story) scores() (resources, pages, tickets replay.Score) {
	span := replay.Period{From: s.start, To: s.now}
	var hurt []replay.Period
	if from, to := s.start.Add(failFrom), s.start.Add(fixAt); s.now.After(from) {
		if to.After(s.now) {
			to = s.now
		}
		hurt = append(hurt, replay.Period{From: from, To: to})
	}
	var p, t []replay.Alert
	for _, a := range s.sloEpisodes {
		if a.Severity == string(slo.SeverityPage) {
			p = append(p, a)
		} else {
			t = append(t, a)
		}
	}
	return replay.ScoreAlerts("resource thresholds", s.resources.episodes, hurt, span),
		replay.ScoreAlerts("SLO pages", p, hurt, span), replay.ScoreAlerts("SLO tickets", t, hurt, span)
}

// summarize narrates, at midnight, the alerts so far: the resource
// thresholds against the SLO alerts.
func (s *story) summarize(d *Demo, t time.Time) {
	s.mu.Lock()
	r := s.resources
	res, pages, tickets := s.scores()
	line := fmt.Sprintf("So far: %d resource alerts (CPU %d, memory %d, queue %d), %d of them while customers were hurt; SLO alerts: %d pages and %d tickets, %d of them while customers were hurt.",
		res.Alerts, r.Fired["cpu"], r.Fired["memory"], r.Fired["queue"], res.WhileHurt, pages.Alerts, tickets.Alerts, pages.WhileHurt+tickets.WhileHurt)
	if first := s.firstPage(); !first.IsZero() {
		line += fmt.Sprintf(" The first page came %s after card payments began to fail.", minutes(first.Sub(s.start.Add(failFrom))))
	}
	s.mu.Unlock()
	fmt.Fprintf(d.opts.Out, "[%s] %s\n", t.Format("Mon Jan 2 15:04"), line)
}

// firstPage is when the first page fired; zero before any. The caller
// holds s.mu.
func (s *story) firstPage() time.Time {
	var first time.Time
	for _, a := range s.sloEpisodes {
		if a.Severity == string(slo.SeverityPage) && (first.IsZero() || a.FiredAt.Before(first)) {
			first = a.FiredAt
		}
	}
	return first
}

// minutes writes a delay in whole minutes: "1 minute", "8 minutes".
func minutes(d time.Duration) string {
	if m := int(d.Round(time.Minute) / time.Minute); m != 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "1 minute"
}

// reach records and narrates a milestone.
func (s *story) reach(d *Demo, name string, at time.Time, text string) {
	s.mu.Lock()
	if s.done[name] {
		s.mu.Unlock()
		return
	}
	s.done[name] = true
	s.milestones = append(s.milestones, web.Milestone{Name: name, At: at, Text: text})
	s.mu.Unlock()
	fmt.Fprintf(d.opts.Out, "[%s] %s\n", at.Format("Mon Jan 2 15:04"), text)
}

func (s *story) has(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done[name]
}

func (s *story) mark(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.done[name] = true
}

// Reached reports whether the story has reached a milestone.
func (d *Demo) Reached(name string) bool { return d.story.has(name) }

func (s *story) view() web.StoryView {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, pages, tickets := s.scores()
	v := web.StoryView{Title: "The FreshMart story", Milestones: append([]web.Milestone(nil), s.milestones...),
		ResourceAlerts: map[string]int{}, ResourceTotal: res.Alerts, ResourceMattered: res.WhileHurt,
		SLOPages: pages.Alerts, SLOTickets: tickets.Alerts, SLOPagesMattered: pages.WhileHurt, SLOTicketsMattered: tickets.WhileHurt}
	for k, n := range s.resources.Fired {
		v.ResourceAlerts[k] = n
	}
	sort.SliceStable(v.Milestones, func(i, j int) bool { return v.Milestones[i].At.Before(v.Milestones[j].At) })
	return v
}
