package report

import (
	"context"
	"slices"
	"sort"

	"github.com/accord-slo/accord/internal/auth"
)

// Audit is who changed what in the period, from the audit trail.
type Audit struct {
	// Changes are the writes people and pipelines made (annotations,
	// exceptions, tokens…), oldest first. Event pushes are in Pushes;
	// refused writes are left out.
	Changes []auth.Entry `json:"changes"`
	// Pushes count each identity's event pushes, most first.
	Pushes []Pushes `json:"pushes,omitempty"`
	// Truncated says the period held more entries than a report reads.
	Truncated bool `json:"truncated,omitempty"`
}

// Pushes are one identity's event pushes in the period.
type Pushes struct {
	Who      string `json:"who"`
	Requests int    `json:"requests"`
}

// maxAuditPages bounds the audit entries a report reads, in pages of
// auth.MaxLimit.
const maxAuditPages = 50

// auditOf reads the writes done in period.
func auditOf(ctx context.Context, src Source, period Period) (Audit, error) {
	a := Audit{Changes: []auth.Entry{}}
	pushes := map[string]int{}
	q := auth.Query{From: period.From, To: period.To, Succeeded: true, Limit: auth.MaxLimit}
	for page := 0; ; page++ {
		if page == maxAuditPages {
			a.Truncated = true
			break
		}
		entries, err := src.Audit(ctx, q)
		if err != nil {
			return a, err
		}
		for _, e := range entries {
			if e.Folded {
				pushes[e.Who] += e.Count
			} else {
				a.Changes = append(a.Changes, e)
			}
		}
		if len(entries) < q.Limit {
			break
		}
		q.Before = entries[len(entries)-1].ID
	}
	slices.Reverse(a.Changes)
	for who, n := range pushes {
		a.Pushes = append(a.Pushes, Pushes{Who: who, Requests: n})
	}
	sort.Slice(a.Pushes, func(i, j int) bool {
		if a.Pushes[i].Requests != a.Pushes[j].Requests {
			return a.Pushes[i].Requests > a.Pushes[j].Requests
		}
		return a.Pushes[i].Who < a.Pushes[j].Who
	})
	return a, nil
}
