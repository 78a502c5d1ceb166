package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/store"
)

// Pushed events are evaluated promptly rather than at the next full
// evaluation: a loop evaluates the SLOs ingests touched as soon as they
// are counted, and every read first evaluates what is still pending, so
// `accord status` right after a push shows it. The ingest request itself
// only marks the SLOs it counted.

// promptGap is the least time between two prompt evaluations; under a
// steady stream of pushes they also take at most a tenth of the time.
// Reads stay exact either way: each evaluates what is still pending.
const promptGap = 100 * time.Millisecond

// evaluateTouchedLoop evaluates touched SLOs whenever the engine signals
// some; pushes during an evaluation or the gap after it coalesce into the
// next.
func (a *App) evaluateTouchedLoop(ctx context.Context) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-a.Engine.Touched():
			}
			start := time.Now()
			if err := a.evaluateTouched(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("evaluate pushed events failed", "err", err)
			}
			gap := time.NewTimer(max(promptGap, 9*time.Since(start)))
			select {
			case <-ctx.Done():
				gap.Stop()
				return
			case <-gap.C:
			}
		}
	}()
}

// evaluateTouched evaluates the touched SLOs on the leader, and brings
// them up to date without stepping alerts on a replica that follows.
func (a *App) evaluateTouched(ctx context.Context) error {
	a.cycleMu.Lock()
	defer a.cycleMu.Unlock()
	var n int
	var err error
	a.dropLapsedLease()
	if a.leaseHeld() {
		n, err = a.Engine.EvaluateTouched(ctx)
		if errors.Is(err, store.ErrNotLeader) {
			a.stepDown("the store refused a leader's write")
		}
	} else {
		n, err = a.Engine.FollowTouched(ctx)
	}
	if n > 0 {
		a.promptEvals.Inc()
	}
	if err != nil {
		a.evalErrs.Inc()
	}
	return err
}

// freshReads has every read see the events acknowledged before it.
// Health probes and static files never wait for an evaluation.
func (a *App) freshReads(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		probe := r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || strings.HasPrefix(r.URL.Path, "/static/")
		if read && !probe && a.Engine.Pending() {
			// The evaluation's results are kept even if the reader leaves.
			if err := a.evaluateTouched(context.WithoutCancel(r.Context())); err != nil {
				a.log.Warn("evaluate pushed events before a read failed", "path", r.URL.Path, "err", err)
			}
		}
		next.ServeHTTP(w, r)
	})
}
