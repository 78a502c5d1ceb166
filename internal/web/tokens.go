package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/slo"
)

// tokenRequest is what POST /api/v1/tokens takes.
type tokenRequest struct {
	Name string    `json:"name"`
	Role auth.Role `json:"role"`
	// Expires is RFC 3339 or a duration from now such as "90d"; "" for
	// never.
	Expires string `json:"expires"`
}

// createdToken is the answer to POST /api/v1/tokens: the only time the
// secret is shown.
type createdToken struct {
	auth.Token
	Secret string `json:"secret"`
}

func (s *Server) postToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := decodeBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var expires time.Time
	if req.Expires != "" {
		var err error
		if expires, err = untilParam(req.Expires, s.engine.Clock().Now()); err != nil {
			s.writeError(w, r, invalid("expires: %v", err))
			return
		}
	}
	t, secret, err := s.auth.CreateToken(r.Context(), req.Name, req.Role, expires, auth.IdentityFrom(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	summary := fmt.Sprintf("created token %s with role %s", t.Name, t.Role)
	if !t.ExpiresAt.IsZero() {
		summary += ", expiring " + slo.FormatTime(t.ExpiresAt.UTC(), t.CreatedAt)
	}
	noteWrite(r, "token "+t.Name, "", summary)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, createdToken{Token: t, Secret: secret})
}

func (s *Server) getTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := s.auth.Tokens(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": tokens})
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.auth.RevokeToken(r.Context(), r.PathValue("name"), auth.IdentityFrom(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	noteWrite(r, "token "+t.Name, "", fmt.Sprintf("revoked token %s (role %s)", t.Name, t.Role))
	writeJSON(w, http.StatusOK, t)
}
