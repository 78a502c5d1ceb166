package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

var (
	nextRE  = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	releaRE = regexp.MustCompile(`<li class="(open|frozen)"`)
)

// TestOverviewPagesWhatNeedsAttentionFirst walks the overview of 1,000
// SLOs page by page: each page is small, the first holds the exhausted
// ones, the pages together list every SLO once, and a team filter lists
// and gates only what the team owns.
func TestOverviewPagesWhatNeedsAttentionFirst(t *testing.T) {
	s := mustSeed(t, catalogOf1000())
	page := s.mustGet(t, "/")
	if len(page) > 300_000 {
		t.Errorf("the overview of 1,000 SLOs is %d bytes, over 300 KB", len(page))
	}
	first := rows(t, page)
	if len(first) != 100 {
		t.Fatalf("the first page lists %d SLOs, want 100", len(first))
	}
	for i, r := range first {
		if !strings.Contains(r, "exhausted") {
			t.Fatalf("row %d of the first page is not an exhausted SLO (100 of them come first): %s", i, text(r))
		}
	}
	mustContain(t, "the first page", text(page), "1–100 of 1000")
	if strings.Contains(page, `rel="prev"`) {
		t.Error("the first page links to a previous one")
	}
	// The releases: every frozen service named, open ones up to 20 and
	// counted past that.
	if n := len(releaRE.FindAllString(page, -1)); n > 50 {
		t.Errorf("the releases list %d services", n)
	}
	seen := map[string]bool{}
	pages := 0
	for {
		pages++
		for _, r := range rows(t, page) {
			title := text(cells(r)[1])
			if seen[title] {
				t.Fatalf("page %d lists %q again", pages, title)
			}
			seen[title] = true
		}
		m := nextRE.FindStringSubmatch(page)
		if m == nil {
			break
		}
		page = s.mustGet(t, html.UnescapeString(m[1]))
		if !strings.Contains(page, `rel="prev"`) {
			t.Errorf("page %d has no link back", pages+1)
		}
	}
	if pages != 10 || len(seen) != 1000 {
		t.Errorf("%d pages list %d SLOs, want 10 pages of all 1,000", pages, len(seen))
	}

	// team-03 owns services 6 and 7: 40 SLOs, 4 of them exhausted.
	team := s.mustGet(t, "/?team=team-03")
	got := rows(t, team)
	if len(got) != 40 {
		t.Errorf("team-03's overview lists %d SLOs, want its 40", len(got))
	}
	for _, r := range got {
		if !strings.Contains(r, "team-03") {
			t.Errorf("team-03's overview lists %s", text(r))
		}
	}
	mustContain(t, "team-03's tiles", text(team), "40 SLOs", "4 budget exhausted")
	rel := releaRE.FindAllString(team, -1)
	if len(rel) != 2 || !strings.Contains(team, "<strong>service-06</strong>") || !strings.Contains(team, "<strong>service-07</strong>") {
		t.Errorf("team-03's overview gates %d services, want its two", len(rel))
	}
	// A status filter pages too and keeps its filters in the links.
	met := s.mustGet(t, "/?status=met&page=2")
	mustContain(t, "the second page of met SLOs", text(met), "101–200 of 760")
	if m := nextRE.FindStringSubmatch(met); m == nil || !strings.Contains(m[1], "status=met") || !strings.Contains(m[1], "page=3") {
		t.Errorf("the next link of met SLOs' page 2 is %q", m)
	}
}
