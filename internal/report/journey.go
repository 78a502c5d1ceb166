package report

import (
	"context"
	"maps"
	"slices"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// WithJourneys returns src with the hourly events of the catalog's
// occurrences journeys, which are not stored, derived from their
// components' as the engine derives them: weighted sums, and what stands
// in for late components' missing minutes (src.JourneyStandIns). A time
// slice journey's slices are judged by the engine and stored, so they
// are read as any SLO's.
func WithJourneys(src Source, cat slo.Catalog) Source {
	leaves := engine.JourneyLeaves(cat)
	if len(leaves) == 0 {
		return src
	}
	return journeySource{Source: src, leaves: leaves, standIns: src.JourneyStandIns()}
}

type journeySource struct {
	Source
	leaves   map[string]map[string]float64
	standIns map[string]engine.StandIns
}

func (j journeySource) HourlyCounts(ctx context.Context, kind engine.Kind, from, to int64) (map[string]map[int64]engine.Counts, error) {
	h, err := j.Source.HourlyCounts(ctx, kind, from, to)
	if err != nil || kind != engine.KindEvents {
		return h, err
	}
	if h == nil {
		h = map[string]map[int64]engine.Counts{}
	}
	for id, leaves := range j.leaves {
		sum := map[int64]engine.Counts{}
		for _, leaf := range slices.Sorted(maps.Keys(leaves)) { // one order of sums on every replica
			w := leaves[leaf]
			for hour, c := range h[leaf] {
				s := sum[hour]
				sum[hour] = engine.Counts{Good: s.Good + w*c.Good, Total: s.Total + w*c.Total}
			}
		}
		if s, ok := j.standIns[id]; ok {
			for hour, c := range s.Hourly(from, to) {
				s := sum[hour]
				sum[hour] = engine.Counts{Good: s.Good + c.Good, Total: s.Total + c.Total}
			}
		}
		if len(sum) > 0 {
			h[id] = sum
		}
	}
	return h, nil
}
