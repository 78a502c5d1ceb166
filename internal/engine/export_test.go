package engine

// CheckpointsOf returns the running totals an SLO's series holds at its
// checkpoints, minutes then hours, so a test can count how many an
// evaluation wrote.
func CheckpointsOf(e *Engine, id string) []Counts {
	e.mu.RLock()
	defer e.mu.RUnlock()
	sr := e.slos[id].all.events
	out := make([]Counts, 0, sr.minutes.len()+sr.hours.len())
	for i := range sr.minutes.len() {
		out = append(out, sr.minutes.get(i))
	}
	for i := range sr.hours.len() {
		out = append(out, sr.hours.get(i))
	}
	return out
}
