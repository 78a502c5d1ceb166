package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
)

// manyServicesSpec has services svc-0 … svc-(services-1) of perService
// pushed SLOs each, the first services/2 owned by team-a, the rest by
// team-b.
func manyServicesSpec(services, perService int) string {
	var b strings.Builder
	for s := 0; s < services; s++ {
		team := "team-a"
		if s >= services/2 {
			team = "team-b"
		}
		fmt.Fprintf(&b, "---\napiVersion: accord/v1\nkind: Service\nmetadata: {name: svc-%d}\nspec:\n  owners: {team: %s}\n  slos:\n", s, team)
		for i := 0; i < perService; i++ {
			fmt.Fprintf(&b, "    - {name: slo-%d, objective: 99, window: 7d, indicator: {ratio: {stream: s%d-%d}}}\n", i, s, i)
		}
	}
	return b.String()
}

// startMany serves 250 SLOs, each SLO i of a service with i%40 bad events
// in 1,000, evaluated.
func startMany(t *testing.T) *app.App {
	t.Helper()
	clock := engine.NewManualClock(time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	a := serveLimited(t, app.Options{SpecPaths: []string{writeSpec(t, manyServicesSpec(5, 50))}, Clock: clock})
	var events []engine.Event
	for s := 0; s < 5; s++ {
		for i := 0; i < 50; i++ {
			good, total := float64(1000-i%40), 1000.0
			events = append(events, engine.Event{Stream: fmt.Sprintf("s%d-%d", s, i), Good: &good, Total: &total})
		}
	}
	push(t, a, events)
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

// page is GET /api/v1/slos as a client reads it.
type page struct {
	SLOs []struct {
		ID     string `json:"id"`
		Worst  engine.Status
		Owners struct{ Team string }
	} `json:"slos"`
	Total int    `json:"total"`
	Next  string `json:"next"`
}

// TestSLOListPagesThroughEverySLOOnce follows the cursor of
// GET /api/v1/slos through 250 SLOs in both orders and with filters.
func TestSLOListPagesThroughEverySLOOnce(t *testing.T) {
	a := startMany(t)
	walk := func(query string) (ids []string, pages int) {
		t.Helper()
		cursor := ""
		for {
			var p page
			if code := api(t, a, "GET", "/api/v1/slos?"+query+cursor, "", "", &p); code != 200 {
				t.Fatalf("GET /api/v1/slos?%s%s: %d", query, cursor, code)
			}
			if p.Total != 250 && !strings.Contains(query, "team") {
				t.Fatalf("total %d, want 250", p.Total)
			}
			for i, s := range p.SLOs {
				ids = append(ids, s.ID)
				if i > 0 && strings.Contains(query, "sort=budget") && p.SLOs[i-1].Worst.Budget.RemainingFraction > s.Worst.Budget.RemainingFraction {
					t.Errorf("%s comes after %s with more budget left", s.ID, p.SLOs[i-1].ID)
				}
			}
			pages++
			if p.Next == "" {
				return ids, pages
			}
			cursor = "&cursor=" + p.Next
		}
	}
	for _, query := range []string{"sort=budget&limit=100", "sort=id&limit=100", "limit=7"} {
		ids, pages := walk(query)
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("%s: %s on two pages", query, id)
			}
			seen[id] = true
		}
		if len(seen) != 250 {
			t.Errorf("%s: %d SLOs over %d pages, want all 250", query, len(seen), pages)
		}
	}
	var p page
	api(t, a, "GET", "/api/v1/slos", "", "", &p)
	if len(p.SLOs) != 100 || p.Next == "" {
		t.Errorf("the first page without a limit has %d SLOs and next %q, want 100 and a cursor", len(p.SLOs), p.Next)
	}
	ids, _ := walk("team=team-b&sort=id&limit=30")
	if len(ids) != 150 || !strings.HasPrefix(ids[0], "svc-2/") {
		t.Errorf("team-b's SLOs: %d starting with %v, want the 150 of svc-2, svc-3 and svc-4", len(ids), ids[:1])
	}
	for _, bad := range []string{"limit=0", "limit=1001", "limit=x", "sort=name", "cursor=garbage", "sort=id&cursor=" + p.Next} {
		ans := call(t, "GET", a.URL()+"/api/v1/slos?"+bad, "")
		var e struct{ Error struct{ Message string } }
		if ans.status != 400 || json.Unmarshal([]byte(ans.body), &e) != nil || e.Error.Message == "" {
			t.Errorf("?%s: %d %s, want 400 with a message", bad, ans.status, ans.body)
		}
	}
}
