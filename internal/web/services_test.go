package web_test

import (
	"encoding/json"
	"net/url"
	"testing"
)

// TestServicesArePaged walks GET /api/v1/services of 50 services in pages
// of 20: every service once, in name order, each with its 20 SLOs; a team
// filter keeps the team's; a bad limit or cursor is a 400.
func TestServicesArePaged(t *testing.T) {
	s := mustSeed(t, catalogOf1000())
	type page struct {
		Services []struct {
			Name string   `json:"name"`
			SLOs []string `json:"slos"`
		} `json:"services"`
		Total int    `json:"total"`
		Next  string `json:"next"`
	}
	get := func(path string) page {
		t.Helper()
		var p page
		code, body := s.get(t, path)
		if err := json.Unmarshal([]byte(body), &p); code != 200 || err != nil {
			t.Fatalf("GET %s: %d %v", path, code, err)
		}
		return p
	}
	var names []string
	pages := 0
	for cursor := ""; ; {
		p := get("/api/v1/services?limit=20" + cursor)
		pages++
		if p.Total != 50 {
			t.Errorf("page %d says %d services in all, want 50", pages, p.Total)
		}
		for _, svc := range p.Services {
			if len(svc.SLOs) != 20 {
				t.Errorf("%s has %d SLOs, want 20", svc.Name, len(svc.SLOs))
			}
			if len(names) > 0 && svc.Name <= names[len(names)-1] {
				t.Errorf("%s comes after %s", svc.Name, names[len(names)-1])
			}
			names = append(names, svc.Name)
		}
		if p.Next == "" {
			break
		}
		cursor = "&cursor=" + url.QueryEscape(p.Next)
	}
	if pages != 3 || len(names) != 50 {
		t.Errorf("%d pages of %d services, want 3 pages of all 50", pages, len(names))
	}
	if p := get("/api/v1/services"); len(p.Services) != 50 || p.Next != "" {
		t.Errorf("the default page has %d services and next %q, want all 50 on one page", len(p.Services), p.Next)
	}
	if p := get("/api/v1/services?team=team-03"); p.Total != 2 || len(p.Services) != 2 || p.Services[0].Name != "service-06" {
		t.Errorf("team-03's services: %+v", p)
	}
	for _, bad := range []string{"limit=0", "limit=1001", "limit=x", "cursor=nonsense"} {
		if code, body := s.get(t, "/api/v1/services?"+bad); code != 400 {
			t.Errorf("?%s: %d %s, want 400", bad, code, body)
		}
	}
}
