package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/auth"
)

func TestRouteAccessTable(t *testing.T) {
	open, closed := &Server{}, &Server{opts: Options{ReadAuth: true}}
	cases := []struct {
		method, pattern string
		open, readAuth  auth.Role
	}{
		{"GET", "GET /api/v1/slos", "", auth.RoleRead},
		{"HEAD", "GET /teams/{team}", "", auth.RoleRead},
		{"GET", "GET /healthz", "", ""},
		{"GET", "GET /metrics", "", ""},
		{"GET", "GET /static/style.0123abcd.css", "", ""},
		{"POST", "/api/", "", ""}, // "no such endpoint" for any method
		{"POST", "POST /api/v1/events", auth.RoleIngest, auth.RoleIngest},
		{"POST", "POST /api/v1/exceptions", auth.RoleOperator, auth.RoleOperator},
		{"GET", "GET /api/v1/audit", auth.RoleOperator, auth.RoleOperator},
		{"DELETE", "DELETE /api/v1/tokens/{name}", auth.RoleAdmin, auth.RoleAdmin},
		// A write route nobody listed is for admins only.
		{"POST", "POST /api/v1/reload", auth.RoleAdmin, auth.RoleAdmin},
		{"PUT", "PUT /api/v1/slos/{service}/{name}", auth.RoleAdmin, auth.RoleAdmin},
	}
	for _, c := range cases {
		if got := open.accessOf(c.method, c.pattern).role; got != c.open {
			t.Errorf("%s %s: needs %q, want %q", c.method, c.pattern, got, c.open)
		}
		if got := closed.accessOf(c.method, c.pattern).role; got != c.readAuth {
			t.Errorf("%s %s under --read-auth: needs %q, want %q", c.method, c.pattern, got, c.readAuth)
		}
	}
}

// TestRouteAccessNamesRealRoutes keeps the table and the routes in step: a
// misspelt pattern would leave its route to the defaults.
func TestRouteAccessNamesRealRoutes(t *testing.T) {
	s := &Server{}
	var err error
	if s.ui, err = newUI(); err != nil {
		t.Fatal(err)
	}
	s.mux = http.NewServeMux()
	s.routes()
	for pattern := range routeAccess {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.NewReplacer("{id}", "1", "{name}", "ci").Replace(path)
		if _, got := s.mux.Handler(httptest.NewRequest(method, path, nil)); got != pattern {
			t.Errorf("routeAccess lists %q, but %s %s is served by %q", pattern, method, path, got)
		}
	}
}
