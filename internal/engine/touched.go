package engine

import (
	"context"
	"sort"
)

// touched are the SLOs counted since their last evaluation, so pushed
// events can be evaluated at once rather than at the next full
// evaluation. Its fields are guarded by Engine.mu.
type touched struct {
	ids map[string]struct{}
	// counted numbers the counts recorded; evaluated is the number of
	// the last one a finished evaluation covered.
	counted, evaluated uint64
	// signal holds one wake-up at most: ingests during an evaluation
	// coalesce into the next one.
	signal chan struct{}
}

func newTouched() touched {
	return touched{ids: map[string]struct{}{}, signal: make(chan struct{}, 1)}
}

// add marks an SLO counted; the caller holds e.mu.
func (t *touched) add(id string) {
	t.ids[id] = struct{}{}
	t.counted++
}

// take returns the marked SLOs, sorted, and the number of the last count
// they include, and clears the marks; the caller holds e.mu.
func (t *touched) take() ([]string, uint64) {
	if len(t.ids) == 0 {
		return nil, t.counted
	}
	out := make([]string, 0, len(t.ids))
	for id := range t.ids {
		out = append(out, id)
	}
	clear(t.ids)
	sort.Strings(out)
	return out, t.counted
}

// takeTouched takes the touched SLOs as touched.take does, under e.mu.
func (e *Engine) takeTouched() ([]string, uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.touch.take()
}

// untouchAll clears the marks of every SLO, for an evaluation of all of
// them, and returns the number of the last count it covers.
func (e *Engine) untouchAll() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.touch.ids)
	return e.touch.counted
}

// touchedDone records that an evaluation covered the counts up to upTo.
func (e *Engine) touchedDone(upTo uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.touch.evaluated = max(e.touch.evaluated, upTo)
}

// wake signals that SLOs were counted, without blocking.
func (t *touched) wake() {
	select {
	case t.signal <- struct{}{}:
	default:
	}
}

// Touched receives once SLOs have been counted since their last
// evaluation: pushed events or a source's measurements. Several counts
// before the receive give one signal.
func (e *Engine) Touched() <-chan struct{} { return e.touch.signal }

// Pending reports whether counts wait for an evaluation: counted since
// their SLO's last evaluation, or in one still running. After
// EvaluateTouched returns, counts recorded before it was called are not
// pending.
func (e *Engine) Pending() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.touch.counted > e.touch.evaluated
}

// EvaluateTouched evaluates the SLOs counted since their last evaluation,
// as Evaluate does for all of them, and returns how many it evaluated.
func (e *Engine) EvaluateTouched(ctx context.Context) (int, error) {
	e.evalMu.Lock()
	defer e.evalMu.Unlock()
	ids, upTo := e.takeTouched()
	defer e.touchedDone(upTo)
	if len(ids) == 0 {
		return 0, nil
	}
	return len(ids), e.evaluate(ctx, ids)
}
