package engine

import (
	"cmp"
	"slices"
)

// The orders List can page through.
const (
	// SortBudget puts the least budget left first (its worst group's, for
	// a grouped SLO), SLOs without data last, ties by ID.
	SortBudget = "budget"
	// SortID orders by ID; pages in it never skip or repeat an SLO.
	SortID = "id"
)

// ListQuery selects SLOs and a page of them.
type ListQuery struct {
	// Service and Team keep only the SLOs of that service or owning team.
	Service, Team string
	// Sort is SortBudget (default) or SortID.
	Sort string
	// After is the key of the last SLO of the previous page; nil for the
	// first page.
	After *ListKey
	// Limit is the most SLOs in the page; 0 means all.
	Limit int
	// Components fills in the components of the page's journeys, in the
	// same pass (a view of one SLO has them; a list leaves them out).
	Components bool
}

// ListKey is an SLO's place in a List order.
type ListKey struct {
	HasData   bool    `json:"d,omitempty"`
	Remaining float64 `json:"r,omitempty"`
	ID        string  `json:"id"`
}

// ListPage is one page of SLOs.
type ListPage struct {
	SLOs []SLOView
	// Total is how many SLOs match the query, on all pages.
	Total int
	// Next is the key to ask the next page after; nil on the last page.
	Next *ListKey
}

// KeyOf returns a view's place in a List order.
func KeyOf(v SLOView, sort string) ListKey {
	k := ListKey{ID: v.ID}
	if sort != SortID {
		k.HasData, k.Remaining = v.Worst.HasData(), v.Worst.Budget.RemainingFraction
	}
	return k
}

// CompareKeys orders keys as List does in the given sort.
func CompareKeys(sort string, a, b ListKey) int {
	if sort != SortID {
		if c := compareBudgets(a.HasData, b.HasData, a.Remaining, b.Remaining); c != 0 {
			return c
		}
	}
	return cmp.Compare(a.ID, b.ID)
}

// compareBudgets puts SLOs with data first, then the least budget left.
func compareBudgets(aHasData, bHasData bool, aRemaining, bRemaining float64) int {
	if aHasData != bHasData {
		if aHasData {
			return -1
		}
		return 1
	}
	return cmp.Compare(aRemaining, bRemaining)
}

// List returns a page of the SLOs the query selects, with their status at
// the last evaluation. Only the page's SLOs are built into views, so a
// page costs the same among 100 SLOs or 10,000.
//
// Budget order follows the budgets as they stand: an SLO whose budget
// moves between two pages may be shown twice or not at all. SortID pages
// are stable.
func (e *Engine) List(q ListQuery) ListPage {
	if q.Sort == "" {
		q.Sort = SortBudget
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	// Budget order sorts on cheap keys (an SLO's place in ID order stands in
	// for its ID); ID order is the index itself.
	type entry struct {
		hasData   bool
		remaining float64
		st        *sloState
	}
	all := make([]entry, 0, len(e.byID))
	for _, st := range e.byID {
		if q.Service != "" && st.def.Service != q.Service || q.Team != "" && st.owners.Team != q.Team {
			continue
		}
		x := entry{st: st}
		if q.Sort == SortBudget {
			w := st.worst()
			x.hasData, x.remaining = w.HasData(), w.Budget.RemainingFraction
		}
		all = append(all, x)
	}
	keyOf := func(x entry) ListKey { return ListKey{HasData: x.hasData, Remaining: x.remaining, ID: x.st.def.ID()} }
	if q.Sort == SortBudget {
		slices.SortFunc(all, func(a, b entry) int {
			if c := compareBudgets(a.hasData, b.hasData, a.remaining, b.remaining); c != 0 {
				return c
			}
			return cmp.Compare(a.st.rank, b.st.rank)
		})
	}
	page := ListPage{Total: len(all), SLOs: []SLOView{}}
	from := 0
	if q.After != nil {
		from, _ = slices.BinarySearchFunc(all, *q.After, func(x entry, k ListKey) int { return CompareKeys(q.Sort, keyOf(x), k) })
		if from < len(all) && all[from].st.def.ID() == q.After.ID {
			from++
		}
	}
	to := len(all)
	if q.Limit > 0 {
		to = min(from+q.Limit, len(all))
	}
	for _, x := range all[from:to] {
		v := e.view(x.st, false)
		if q.Components && x.st.journey != nil {
			v.Components = e.components(x.st)
		}
		page.SLOs = append(page.SLOs, v)
	}
	if to < len(all) && to > from {
		k := keyOf(all[to-1])
		page.Next = &k
	}
	return page
}

// index orders the SLOs by ID for List; the caller holds the lock or owns
// the engine alone.
func (e *Engine) index() {
	e.byID = make([]*sloState, 0, len(e.slos))
	for _, st := range e.slos {
		e.byID = append(e.byID, st)
	}
	slices.SortFunc(e.byID, func(a, b *sloState) int { return cmp.Compare(a.def.ID(), b.def.ID()) })
	for i, st := range e.byID {
		st.rank = i
	}
}

// worst is the status of the group with the least budget left, as
// worstStatus picks it (ties to the first group key), without sorting the
// groups; the caller holds the lock.
func (st *sloState) worst() Status {
	if len(st.def.GroupBy) == 0 || len(st.groups) == 0 {
		return st.all.status
	}
	var w *group
	for k, g := range st.groups {
		if w == nil || worst(g.status, w.status) || !worst(w.status, g.status) && k < w.key {
			w = g
		}
	}
	return w.status
}
