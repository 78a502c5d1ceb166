package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/accord-slo/accord/internal/auth"
)

// getAudit pages through the audit trail, newest first:
// ?limit=N&before=ID&who=NAME&service=NAME&action=TEXT&from=…&to=….
func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) {
	q, err := auditQuery(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, err := s.auth.Audit(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := map[string]any{"entries": entries}
	if len(entries) == q.Limit {
		next := r.URL.Query()
		next.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		next.Set("limit", strconv.Itoa(q.Limit))
		out["next"] = "/api/v1/audit?" + next.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

func auditQuery(v url.Values) (auth.Query, error) {
	q := auth.Query{Limit: auth.DefaultLimit, Who: v.Get("who"), Action: v.Get("action")}
	if len(q.Action) > 200 {
		return q, invalid("action: %d characters, at most 200", len(q.Action))
	}
	if svc := v.Get("service"); svc != "" {
		q.Services = []string{svc}
	}
	if raw := v.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > auth.MaxLimit {
			return q, invalid("limit: %q is not a number from 1 to %d", raw, auth.MaxLimit)
		}
		q.Limit = n
	}
	if raw := v.Get("before"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1 {
			return q, invalid("before: %q is not an entry id", raw)
		}
		q.Before = n
	}
	var err error
	if q.From, err = timeParam(v.Get("from"), time.Time{}); err != nil {
		return q, invalid("from: %v", err)
	}
	if q.To, err = timeParam(v.Get("to"), time.Time{}); err != nil {
		return q, invalid("to: %v", err)
	}
	return q, nil
}
