package engine

import "time"

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

// EvalLockWait is how long the engine's evaluations have waited for its
// lock, for a benchmark to tell waiting from working.
func EvalLockWait(e *Engine) time.Duration {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	return e.lockWait
}
