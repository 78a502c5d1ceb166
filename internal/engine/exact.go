package engine

import "fmt"

// MaxExactCount is the most events an SLO counts exactly, 2^53 - 1.
// Counts are float64s, which hold every whole number up to 2^53 and no
// further: past it adding one event changes nothing. A batch that would
// take an SLO's running total (every event it has counted since the
// process started) beyond it is refused, so every event accepted moves the
// numbers. Below it, sums of whole numbers are exact.
const MaxExactCount = 1<<53 - 1

// totalAt is the events a batch counts for one SLO, with the index of the
// first event counting for it.
type totalAt struct {
	total float64
	index int
}

// addJourneyTotals adds to a batch's totals those of the occurrences
// journeys its SLOs count in: their components' totals, weighted. A
// journey's running total is its components' weighted sums, which pass
// 2^53 before theirs with weights above 1; the batch is refused naming
// the journey rather than counted inexactly there. The caller holds e.mu
// (shared).
func (e *Engine) addJourneyTotals(totals map[*sloState]totalAt) {
	if e.feeds == nil {
		return
	}
	var journeys map[*sloState]totalAt
	for st, t := range totals {
		for _, f := range e.feeds[st.def.ID()] {
			j, ok := e.slos[f.journey]
			if !ok || f.weight <= 0 || j.timeslices() {
				continue
			}
			if journeys == nil {
				journeys = map[*sloState]totalAt{}
			}
			jt, seen := journeys[j]
			if !seen || t.index < jt.index {
				jt.index = t.index
			}
			jt.total += f.weight * t.total
			journeys[j] = jt
		}
	}
	for j, t := range journeys {
		totals[j] = t
	}
}

// checkExact returns an *EventError when a batch's totals would take an
// SLO's or a journey's running total, with the batches being stored, past
// MaxExactCount; the caller holds e.mu.
func checkExact(totals map[*sloState]totalAt) error {
	var over *EventError
	for st, t := range totals {
		held := st.all.events.Running().Total + st.inflight
		// An SLO's held is whole and at most MaxExactCount, so the
		// difference is exact; a sum t.total that passed it rounds to no
		// less. A journey's weighted sums need not be whole; the bound is
		// the same.
		if t.total <= MaxExactCount-held {
			continue
		}
		if over != nil && (t.index > over.Index || t.index == over.Index && st.journey != nil) {
			continue // the first event over, and at it an SLO before a journey
		}
		msg := fmt.Sprintf("total: SLO %s has counted %.0f events and this batch adds %.0f; "+
			"Accord counts an SLO's events exactly only up to 2^53 - 1 (%d) and refuses what it cannot count exactly",
			st.def.ID(), held, t.total, int64(MaxExactCount))
		if st.journey != nil {
			msg = fmt.Sprintf("total: journey %s has counted %.0f of its components' events, weighted, and this batch adds %.0f; "+
				"Accord counts a journey's events exactly only up to 2^53 - 1 (%d) and refuses what it cannot count exactly",
				st.def.ID(), held, t.total, int64(MaxExactCount))
		}
		over = &EventError{t.index, msg}
	}
	if over != nil {
		return over
	}
	return nil
}
