package storetest

import (
	"context"
	"testing"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/store"
)

// testAuditByAction: the action filter keeps the entries whose route
// contains it, case aside, and takes % and _ as themselves.
func testAuditByAction(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := mustOpen(t, open)
	for _, route := range []string{"POST /api/v1/exceptions", "DELETE /api/v1/exceptions/{id}", "POST /api/v1/tokens", "POST /api/v1/annotations"} {
		if err := s.AddAudit(ctx, auth.Entry{At: t0, LastAt: t0, Who: "maria", Via: auth.ViaToken, Role: auth.RoleOperator,
			Method: "POST", Route: route, Status: 200, Count: 1}, ""); err != nil {
			t.Fatal(err)
		}
	}
	for action, want := range map[string]int{"exceptions": 2, "EXCEPTIONS/{ID}": 1, "post /api/v1/": 3, "%": 0, "_": 0, "": 4} {
		got, err := s.Audit(ctx, auth.Query{Limit: 10, Action: action})
		if err != nil || len(got) != want {
			t.Errorf("action %q: %d entries, %v; want %d", action, len(got), err, want)
		}
	}
}
