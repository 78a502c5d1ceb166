package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/slo"
)

// access is what a route asks of its caller.
type access struct {
	// role is the least role the route needs.
	role auth.Role
	// fold folds the route's audit entries: frequent machine writes.
	fold bool
}

// routeAccess lists the routes that need more than the defaults. A read
// (GET, HEAD) needs RoleRead under --read-auth and nothing otherwise; any
// other method needs RoleAdmin, so that a write route stays closed to all
// but admins until it is listed here.
var routeAccess = map[string]access{
	"POST /api/v1/events":            {role: auth.RoleIngest, fold: true},
	"POST /v1/traces":                {role: auth.RoleIngest, fold: true},
	"POST /v1/metrics":               {role: auth.RoleIngest, fold: true},
	"POST /api/v1/exceptions":        {role: auth.RoleOperator},
	"DELETE /api/v1/exceptions/{id}": {role: auth.RoleOperator},
	"POST /api/v1/annotations":       {role: auth.RoleOperator},
	"GET /api/v1/audit":              {role: auth.RoleOperator},
	"GET /api/v1/tokens":             {role: auth.RoleAdmin},
	"POST /api/v1/tokens":            {role: auth.RoleAdmin},
	"DELETE /api/v1/tokens/{name}":   {role: auth.RoleAdmin},
}

// openRoute reports whether a route answers anyone, even under
// --read-auth: probes, the metrics scrape, the stylesheet, and the API's
// "no such endpoint".
func openRoute(pattern string) bool {
	switch pattern {
	case "GET /healthz", "GET /readyz", "GET /metrics", "/api/":
		return true
	}
	return strings.HasPrefix(pattern, "GET /static/")
}

func isRead(method string) bool { return method == http.MethodGet || method == http.MethodHead }

// accessOf says what the route a request matched asks for; open routes
// and reads without --read-auth ask for nothing ("").
func (s *Server) accessOf(method, pattern string) access {
	if pattern == "" || openRoute(pattern) {
		return access{} // unmatched: the mux answers 404 or 405
	}
	if a, ok := routeAccess[pattern]; ok {
		return a
	}
	if !isRead(method) {
		return access{role: auth.RoleAdmin}
	}
	if s.opts.ReadAuth {
		return access{role: auth.RoleRead}
	}
	return access{}
}

// guard lets a request through when its caller may make it, and records
// every write it lets through (or refuses to a known caller) in the audit
// trail, once.
func (s *Server) guard(next http.Handler) http.Handler {
	csrf := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := s.mux.Handler(r)
		// The request the mux serves is a copy with the identity; the
		// metrics read the route from this one.
		r.Pattern = pattern
		if pattern == "" || openRoute(pattern) {
			next.ServeHTTP(w, r)
			return
		}
		need := s.accessOf(r.Method, pattern)
		id, origin, err := s.auth.Identify(r.Context(), s.credentials(r))
		if err == nil && !id.Anonymous() && s.opts.KnownCaller != nil {
			s.opts.KnownCaller(r)
		}
		switch {
		case need.role == "":
			if err == nil && !id.Anonymous() {
				r = r.WithContext(auth.WithIdentity(r.Context(), id)) // the UI says who is signed in
			}
			next.ServeHTTP(w, r)
		case err != nil || id.Anonymous():
			s.refuseUnknown(w, r, err)
		case isRead(r.Method) && !id.Role.Allows(need.role):
			s.deny(w, r, forbidden(id, need.role, pattern))
		case isRead(r.Method):
			next.ServeHTTP(w, r.WithContext(auth.WithIdentity(r.Context(), id)))
		default:
			s.serveWrite(next, csrf, w, r, need, id, origin)
		}
	})
}

// refuseUnknown answers a request that needs an identity and has none:
// 401, or 500 when identifying it failed.
func (s *Server) refuseUnknown(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil && slo.ErrorCode(err) != slo.CodeUnauthorized {
		s.deny(w, r, err)
		return
	}
	s.metrics.unauthorized.Inc()
	if err == nil {
		err = slo.Errorf(slo.CodeUnauthorized, "missing bearer token: send Authorization: Bearer <token>")
	}
	s.deny(w, r, err)
}

// serveWrite serves (or refuses) a known caller's write and records it in
// the audit trail.
func (s *Server) serveWrite(next http.Handler, csrf *http.CrossOriginProtection, w http.ResponseWriter, r *http.Request,
	need access, id auth.Identity, origin auth.Origin) {
	note := &auditNote{object: r.URL.Path}
	r = r.WithContext(context.WithValue(auth.WithIdentity(r.Context(), id), auditNoteKey{}, note))
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	switch {
	case !id.Role.Allows(need.role):
		s.deny(rec, r, forbidden(id, need.role, r.Pattern))
	case csrf.Check(r) != nil:
		s.deny(rec, r, slo.Errorf(slo.CodeForbidden, "cross-origin write refused: a page on another site may not write to Accord"))
	default:
		next.ServeHTTP(rec, r)
	}
	e := auth.Entry{Who: id.Name, Via: id.Via, Role: id.Role, Method: r.Method, Route: r.Pattern, Object: note.object,
		Service: note.service, Summary: note.summary, Status: rec.code, Remote: origin.Remote, ForwardedFor: origin.ForwardedFor, Folded: need.fold}
	// The answer is out: a failure here can only be logged. The write
	// outlives the request but not a database that does not answer.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), auditTimeout)
	defer cancel()
	if err := s.auth.Record(ctx, e); err != nil {
		s.metrics.auditErrors.Inc()
		s.log.Error("audit trail: write not recorded", "who", id.Name, "route", r.Pattern, "object", note.object, "err", err)
	}
}

// auditTimeout bounds recording one write in the audit trail.
const auditTimeout = 10 * time.Second

func forbidden(id auth.Identity, need auth.Role, pattern string) error {
	return slo.Errorf(slo.CodeForbidden, "%s (role %s) may not %s: it needs the %s role", id.Name, id.Role, pattern, need)
}

// deny answers a refused request: JSON for the API, text for a page.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/v1/") {
		s.writeError(w, r, err)
		return
	}
	status := statusOf(slo.ErrorCode(err))
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="accord"`)
	}
	msg := err.Error()
	if status == http.StatusInternalServerError || status == http.StatusServiceUnavailable {
		if down := s.databaseDown(r); down != nil || status == http.StatusServiceUnavailable {
			s.log.Warn("identify a request: the database is unavailable", "path", r.URL.Path, "err", err)
			w.Header().Set("Retry-After", strconv.Itoa(RetryAfter))
			http.Error(w, databaseDownMessage, http.StatusServiceUnavailable)
			return
		}
	}
	if status == http.StatusInternalServerError {
		s.log.Error("identify a request", "path", r.URL.Path, "err", err)
		msg = "internal error; the server log has the details"
	}
	http.Error(w, msg+"\nAccord's pages need an identity here: sign in through your organisation's proxy.", status)
}

// credentials are what a request presents to identify its caller.
func (s *Server) credentials(r *http.Request) auth.Credentials {
	c := auth.Credentials{Remote: r.RemoteAddr, ForwardedFor: r.Header.Get("X-Forwarded-For")}
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		// The scheme is case-insensitive (RFC 7235); the token is not.
		c.Bearer = strings.TrimSpace(h[7:])
	} else if h != "" {
		c.Bearer = h // not a bearer token: wrong, but presented
	}
	if name := s.auth.ProxyHeader(); name != "" {
		c.ProxyUser = r.Header.Get(name)
	}
	// Only a certificate the listener verified against its client CA
	// counts; one merely presented never reaches VerifiedChains.
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 {
		leaf := r.TLS.VerifiedChains[0][0]
		c.ClientCert = leaf.Subject.CommonName
		if c.ClientCert == "" && len(leaf.DNSNames) > 0 {
			c.ClientCert = leaf.DNSNames[0]
		}
	}
	return c
}

// auditNote is what a handler tells the audit trail about its write.
type auditNote struct{ object, service, summary string }

type auditNoteKey struct{}

// noteWrite tells the audit trail what a write did: the object it acted
// on, the service it concerns ("" for none) and a sentence.
func noteWrite(r *http.Request, object, service, summary string) {
	if n, ok := r.Context().Value(auditNoteKey{}).(*auditNote); ok {
		n.object, n.service, n.summary = object, service, summary
	}
}

// noteRefusal tells the audit trail why a write was refused.
func noteRefusal(r *http.Request, message string) {
	if n, ok := r.Context().Value(auditNoteKey{}).(*auditNote); ok {
		n.summary = "refused: " + message
	}
}
