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

// checkExact returns an *EventError when a batch's totals would take an
// SLO's running total, with the batches being stored, past
// MaxExactCount; the caller holds e.mu.
func checkExact(totals map[*sloState]totalAt) error {
	var over *EventError
	for st, t := range totals {
		held := st.all.events.Running().Total + st.inflight
		// Held is whole and at most MaxExactCount, so the difference is
		// exact; a sum t.total that passed it rounds to no less.
		if t.total <= MaxExactCount-held {
			continue
		}
		if over == nil || t.index < over.Index {
			over = &EventError{t.index, fmt.Sprintf("total: SLO %s has counted %.0f events and this batch adds %.0f; "+
				"Accord counts an SLO's events exactly only up to 2^53 - 1 (%d) and refuses what it cannot count exactly",
				st.def.ID(), held, t.total, int64(MaxExactCount))}
		}
	}
	if over != nil {
		return over
	}
	return nil
}
