package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/gate"
	"github.com/accord-slo/accord/internal/slo"
)

// getGate answers ?service=X[&change=KIND]: allow or deny, and why.
func (s *Server) getGate(w http.ResponseWriter, r *http.Request) {
	service := r.URL.Query().Get("service")
	if service == "" {
		s.writeError(w, r, invalid("service: missing; ask /api/v1/gate?service=NAME"))
		return
	}
	views := s.engine.ServiceSLOs(service)
	if len(views) == 0 {
		s.writeError(w, r, slo.Errorf(slo.CodeNotFound, "no service %q with SLOs", service))
		return
	}
	exceptions, err := s.history.Exceptions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, gate.Decide(service, r.URL.Query().Get("change"), views, exceptions, s.engine.Clock().Now()))
}

// decodeBody reads a JSON object strictly into v.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("request body: %v", jsonProblem(err))
	}
	return nil
}

// exceptionRequest is what POST /api/v1/exceptions takes. Who grants it
// is the caller's identity, not a field.
type exceptionRequest struct {
	Service string `json:"service"`
	// Until is RFC 3339, or a duration from now such as "4h".
	Until  string `json:"until"`
	Reason string `json:"reason"`
	// By is refused: it used to name the approver.
	By string `json:"by"`
}

// byRefused explains why a request may not say who makes it.
const byRefused = "by: Accord records who did it from the token (or the proxy's identity) that asks; leave by out"

func (s *Server) postException(w http.ResponseWriter, r *http.Request) {
	var req exceptionRequest
	if err := decodeBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.engine.Clock().Now()
	var problems []string
	views := s.engine.ServiceSLOs(req.Service)
	if len(views) == 0 {
		problems = append(problems, fmt.Sprintf("service: no service %q with SLOs", req.Service))
	}
	until, err := untilParam(req.Until, now)
	if err != nil {
		problems = append(problems, "until: "+err.Error())
	} else if !until.After(now) {
		problems = append(problems, "until: "+until.Format(time.RFC3339)+" is not in the future")
	}
	if strings.TrimSpace(req.Reason) == "" {
		problems = append(problems, "reason: missing; say why releases must go through")
	}
	if req.By != "" {
		problems = append(problems, byRefused)
	}
	if len(problems) > 0 {
		s.writeError(w, r, invalid("%s", strings.Join(problems, "; ")))
		return
	}
	who := auth.IdentityFrom(r.Context())
	if approvers := s.approvers(req.Service); len(approvers) > 0 && !slices.Contains(approvers, who.Name) {
		s.writeError(w, r, slo.Errorf(slo.CodeForbidden, "%s may not grant exceptions for %s: its policy names %s as approvers; grant with one of their tokens",
			who.Name, req.Service, strings.Join(approvers, ", ")))
		return
	}
	e, err := s.history.AddException(r.Context(), slo.Exception{Service: req.Service, GrantedBy: who.Name, Reason: req.Reason, From: now, Until: until})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteWrite(r, fmt.Sprintf("exception %d", e.ID), e.Service, fmt.Sprintf("granted exception %d: releases of %s go through until %s: %s",
		e.ID, e.Service, slo.FormatTime(e.Until.UTC(), e.From), e.Reason))
	s.log.Info("release exception granted", "service", e.Service, "by", e.GrantedBy, "until", e.Until, "reason", e.Reason)
	writeJSON(w, http.StatusCreated, e)
}

// approvers are the people the service's policies let grant exceptions.
func (s *Server) approvers(service string) []string {
	cat := s.engine.Catalog()
	var out []string
	for _, d := range cat.SLOs {
		if d.Service != service {
			continue
		}
		if p, ok := cat.Policy(d.Policy); ok {
			for _, a := range p.ExceptionApprovers {
				if !slices.Contains(out, a) {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

func untilParam(raw string, now time.Time) (time.Time, error) {
	if raw == "" {
		return time.Time{}, fmt.Errorf("missing; give a time (RFC 3339) or a duration such as 4h")
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	if d, err := slo.ParseDuration(raw); err == nil {
		return now.Add(d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor a duration such as 4h", raw)
}

func (s *Server) getExceptions(w http.ResponseWriter, r *http.Request) {
	all, err := s.history.Exceptions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	now := s.engine.Clock().Now()
	out := []slo.Exception{}
	for _, e := range all {
		if (q.Get("service") == "" || e.Service == q.Get("service")) && (q.Get("active") != "true" || e.Active(now)) {
			out = append(out, e)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"exceptions": out})
}

func (s *Server) deleteException(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.writeError(w, r, invalid("exception id %q is not a number", r.PathValue("id")))
		return
	}
	e, err := s.history.RevokeException(r.Context(), id, s.engine.Clock().Now(), auth.IdentityFrom(r.Context()).Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteWrite(r, fmt.Sprintf("exception %d", e.ID), e.Service, fmt.Sprintf("revoked exception %d for %s (granted by %s)", e.ID, e.Service, e.GrantedBy))
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) postAnnotation(w http.ResponseWriter, r *http.Request) {
	var a slo.Annotation
	if err := decodeBody(r, &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.engine.Clock().Now()
	if a.Start.IsZero() {
		a.Start = now
	}
	if a.By != "" {
		s.writeError(w, r, invalid("%s", byRefused))
		return
	}
	a.ID, a.CreatedAt, a.By = 0, now, auth.IdentityFrom(r.Context()).Name
	if err := s.checkAnnotation(a); err != nil {
		s.writeError(w, r, err)
		return
	}
	stored, err := s.history.AddAnnotation(r.Context(), a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteWrite(r, fmt.Sprintf("annotation %d", stored.ID), stored.Service, annotationSummary(stored))
	if err := s.engine.Exclude(r.Context(), stored); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, stored)
}

// checkAnnotation lists every problem of an annotation at once.
func (s *Server) checkAnnotation(a slo.Annotation) error {
	var problems []string
	switch a.Kind {
	case slo.AnnotationDeploy, slo.AnnotationIncident, slo.AnnotationMaintenance, slo.AnnotationPostmortem:
	default:
		problems = append(problems, fmt.Sprintf("kind: %q is not deploy, incident, maintenance or postmortem", a.Kind))
	}
	views := s.engine.ServiceSLOs(a.Service)
	if len(views) == 0 {
		problems = append(problems, fmt.Sprintf("service: no service %q with SLOs", a.Service))
	} else if a.SLO != "" && !slices.ContainsFunc(views, func(v engine.SLOView) bool { return v.Name == a.SLO }) {
		problems = append(problems, fmt.Sprintf("slo: service %s has no SLO %q", a.Service, a.SLO))
	}
	if !a.End.IsZero() && a.End.Before(a.Start) {
		problems = append(problems, "end: before start")
	}
	if a.Kind == slo.AnnotationMaintenance && a.End.IsZero() {
		problems = append(problems, "end: a maintenance window needs an end")
	}
	if a.ExcludeFromBudget && a.Kind != slo.AnnotationMaintenance {
		problems = append(problems, "excludeFromBudget: only maintenance windows can be excluded")
	}
	if a.Kind == slo.AnnotationPostmortem && (a.Incident == "" || a.Link == "") {
		problems = append(problems, "a postmortem needs the incident id and a link")
	}
	if len(problems) > 0 {
		return invalid("%s", strings.Join(problems, "; "))
	}
	return nil
}

func (s *Server) getAnnotations(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.timeRange(r, 30*24*time.Hour)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.history.Annotations(r.Context(), r.URL.Query().Get("service"), from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"annotations": out})
}

// annotationSummary says an annotation for the audit trail.
func annotationSummary(a slo.Annotation) string {
	on := a.Service
	if a.SLO != "" {
		on += "/" + a.SLO
	}
	out := fmt.Sprintf("recorded %s on %s at %s", a.Title(), on, slo.FormatTime(a.Start.UTC(), a.CreatedAt))
	if a.ExcludeFromBudget {
		out += ", excluded from the budget"
	}
	return out
}
