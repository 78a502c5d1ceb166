package client

import (
	"context"
	"net/url"
	"slices"
	"strconv"

	"github.com/accord-slo/accord/internal/engine"
)

// SLOQuery selects SLOs.
type SLOQuery struct {
	// Service and Team keep only that service's or owning team's SLOs.
	Service, Team string
	// Limit keeps the Limit SLOs with the least budget left; 0 means all.
	Limit int
}

// maxPage is the largest page the server gives (web.MaxPageSize).
const maxPage = 1000

// SLOs returns the SLOs the query selects, least budget left first, asking
// the server page by page. All SLOs are read in ID order, which pages never
// skip or repeat while budgets move, and sorted here; the Limit worst are
// read in the server's budget order.
func (c *Client) SLOs(ctx context.Context, q SLOQuery) ([]engine.SLOView, error) {
	sort := engine.SortID
	if q.Limit > 0 {
		sort = engine.SortBudget
	}
	var out []engine.SLOView
	cursor := ""
	for {
		page := maxPage
		if q.Limit > 0 {
			page = min(page, q.Limit-len(out))
		}
		v := url.Values{"sort": {sort}, "limit": {strconv.Itoa(page)}}
		if q.Service != "" {
			v.Set("service", q.Service)
		}
		if q.Team != "" {
			v.Set("team", q.Team)
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		var body struct {
			SLOs []engine.SLOView `json:"slos"`
			Next string           `json:"next"`
		}
		if err := c.Do(ctx, "GET", "/api/v1/slos?"+v.Encode(), nil, &body); err != nil {
			return nil, err
		}
		out = append(out, body.SLOs...)
		if cursor = body.Next; cursor == "" || q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	slices.SortStableFunc(out, func(a, b engine.SLOView) int {
		return engine.CompareKeys(engine.SortBudget, engine.KeyOf(a, engine.SortBudget), engine.KeyOf(b, engine.SortBudget))
	})
	return out, nil
}
