package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/postgres"
	"github.com/accord-slo/accord/internal/sqlite"
	"github.com/accord-slo/accord/internal/store"
)

// openStore opens PostgreSQL when Options.Database names it, else SQLite in
// the data directory. On failure the store is a nil interface, not a nil
// pointer in one, so Close can tell that none opened.
func openStore(ctx context.Context, opts Options, reg prometheus.Registerer) (store.Store, error) {
	if opts.Database == "" {
		s, err := sqlite.OpenWith(opts.DataDir, sqlite.Options{Logger: opts.Logger, Registerer: reg})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	if !strings.HasPrefix(opts.Database, "postgres://") && !strings.HasPrefix(opts.Database, "postgresql://") {
		return nil, fmt.Errorf("--database: want a PostgreSQL URL, postgres://USER:PASSWORD@HOST:5432/DB; without it Accord keeps SQLite in --data-dir")
	}
	s, err := postgres.Open(ctx, opts.Database)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Leading reports whether this replica leads.
func (a *App) Leading() bool { return a.leading.Load() }

// leaseHeld reports whether this replica leads and its lease has not run
// out by its own clock. A process paused past its lease (SIGSTOP, a long
// pause, a frozen VM) still believes it leads when it resumes; this is
// what keeps it from acting on that before it campaigns again.
func (a *App) leaseHeld() bool {
	until := a.leaseUntil.Load()
	return a.leading.Load() && until != nil && time.Now().Before(*until)
}

// leaseMargin is the part of the lease this replica gives up at its end:
// the database counts the lease from when it received the campaign, a
// little after the replica sent it, and the two clocks' rates may differ.
func leaseMargin(lease time.Duration) time.Duration { return lease / 10 }

// dropLapsedLease steps down when the lease ran out before it was
// renewed, so winning it again is a new takeover that reloads what other
// replicas did meanwhile.
func (a *App) dropLapsedLease() {
	if a.leading.Load() && !a.leaseHeld() {
		a.stepDown("its lease ran out before it was renewed (the process was paused or the database was slow)")
	}
}

// campaign takes or renews the leadership. A replica that cannot renew
// steps down before its lease can have run out, so two replicas never
// both believe they lead for long (and the store refuses a former
// leader's writes in any case).
func (a *App) campaign(ctx context.Context) error {
	a.leadMu.Lock()
	defer a.leadMu.Unlock()
	a.dropLapsedLease()
	if a.specMismatch() != nil {
		return nil // a replica whose specs differ must not decide for the others
	}
	start := time.Now()
	ok, err := a.Store.Campaign(ctx, a.opts.LeaderLease)
	if err != nil {
		if a.leading.Load() && time.Since(a.renewedAt) > a.opts.LeaderLease*2/3 {
			a.stepDown("the lease could not be renewed")
		}
		return err
	}
	if !ok {
		if a.leading.Load() {
			a.stepDown("another replica holds the lease")
		}
		return nil
	}
	a.renewedAt = start
	until := start.Add(a.opts.LeaderLease - leaseMargin(a.opts.LeaderLease))
	a.leaseUntil.Store(&until)
	if a.leading.Load() {
		return nil
	}
	return a.takeOver(ctx)
}

// takeOver makes this replica the leader: it catches up with what the
// other replicas wrote, takes the alert and policy states and the
// channels' cursors as the last leader left them, and goes on querying
// sources from the last minute stored.
func (a *App) takeOver(ctx context.Context) error {
	a.cycleMu.Lock()
	defer a.cycleMu.Unlock()
	if err := a.pull(ctx); err != nil {
		return fmt.Errorf("take the leadership over: %w", err)
	}
	if err := a.Engine.Follow(ctx, true); err != nil {
		return fmt.Errorf("take the leadership over: %w", err)
	}
	if err := a.dispatch.Resume(ctx); err != nil {
		return fmt.Errorf("take the leadership over: %w", err)
	}
	last, err := a.Store.LastMinutes(ctx)
	if err != nil {
		return fmt.Errorf("take the leadership over: %w", err)
	}
	src := a.source()
	for id, m := range last {
		src.SetProgress(id, m)
	}
	a.sourcesMu.Lock()
	a.savedSources = nil // save every source's state once as this leader sees it
	a.sourcesMu.Unlock()
	a.leading.Store(true)
	a.leader.Set(1)
	a.log.Info("this replica leads: it evaluates alerts and policy states and delivers notifications")
	return nil
}

func (a *App) stepDown(why string) {
	if a.leading.Swap(false) {
		a.leader.Set(0)
		a.statesChanged.Store(true) // states it stepped but could not save are undone
		a.log.Warn("this replica no longer leads", "why", why)
	}
}

// cycle brings the engine up to date: it counts what other replicas
// wrote, then evaluates as the leader or follows the leader's states.
func (a *App) cycle(ctx context.Context) error {
	a.cycleMu.Lock()
	defer a.cycleMu.Unlock()
	start := time.Now()
	a.dropLapsedLease()
	err := a.pull(ctx)
	if err == nil {
		if a.leaseHeld() {
			err = a.Engine.Evaluate(ctx)
			if errors.Is(err, store.ErrNotLeader) {
				a.stepDown("the store refused a leader's write")
			}
		} else {
			reload := a.statesChanged.Swap(false)
			if err = a.Engine.Follow(ctx, reload); err != nil && reload {
				a.statesChanged.Store(true)
			}
		}
	}
	a.evals.Observe(time.Since(start).Seconds())
	if err != nil {
		a.evalErrs.Inc()
	}
	return err
}

// pull counts what other replicas wrote since the last pull and notes
// what else changed; the caller holds cycleMu.
func (a *App) pull(ctx context.Context) error {
	ch, err := a.Store.PullChanges(ctx)
	if errors.Is(err, store.ErrChangesLost) {
		a.log.Warn("this replica fell behind the change feed; loading every count again")
		if err := a.Engine.Restore(ctx); err != nil {
			return err
		}
		a.statesChanged.Store(true)
		return a.loadExclusions(ctx)
	}
	if err != nil {
		return err
	}
	a.Engine.Apply(ch.Counts)
	if ch.States {
		if a.leading.Load() {
			a.statesChanged.Store(true) // another leader's: taken whole if this one steps down
		} else if err := a.Engine.TakeStates(ctx, ch.Alerts, ch.Policies); err != nil {
			return err
		}
	}
	if ch.Sources {
		if err := a.loadSources(ctx); err != nil {
			return err
		}
	}
	if ch.Annotations {
		return a.loadExclusions(ctx)
	}
	return nil
}

// querySources has the leader query Prometheus, then saves the source
// states that changed for the followers to show. It returns the failed
// queries apart from a failure to save.
func (a *App) querySources(ctx context.Context) (queryErr, err error) {
	queryErr = a.source().Sync(ctx)
	return queryErr, a.saveSources(ctx)
}

// queryAndShow queries the sources and then evaluates, to show at once
// what they answered. With no SLO queried (pushed events only) it leaves
// the evaluation out: pushes are evaluated as they come and every SLO at
// the evaluation interval, so one more full evaluation a minute beside
// them showed nothing new.
func (a *App) queryAndShow(ctx context.Context) error {
	_, err := a.querySources(ctx) // the source logs each SLO's failure itself
	if a.source().Queried() == 0 {
		return err
	}
	return errors.Join(err, a.cycle(ctx))
}

// saveSources saves the source states that changed since this leader last
// saved them; when the source answered last is left out of the
// comparison, or every minute would be a change.
func (a *App) saveSources(ctx context.Context) error {
	a.sourcesMu.Lock()
	defer a.sourcesMu.Unlock()
	changed := map[string]engine.SourceState{}
	cur := a.Engine.Sources()
	for id, st := range cur {
		old, ok := a.savedSources[id]
		if !ok || old.Stale != st.Stale || !old.StaleSince.Equal(st.StaleSince) || old.Error != st.Error || old.Backfill != st.Backfill {
			changed[id] = st
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if err := a.Store.SaveSourceStates(ctx, changed); err != nil {
		return err
	}
	a.savedSources = cur
	return nil
}

// followInterval is how often a replica that does not lead pulls what the
// others wrote: the leader's alert and policy decisions show on it (its
// gate among them) within about this long of the leader saving them.
const followInterval = 500 * time.Millisecond

// followLeader pulls, on a replica that does not lead, what the others
// wrote: counts, and the alert and policy states the leader saved.
func (a *App) followLeader(ctx context.Context) error {
	if a.leading.Load() {
		return nil
	}
	a.cycleMu.Lock()
	defer a.cycleMu.Unlock()
	return a.pull(ctx)
}

// loadSources shows the source states the leader saved.
func (a *App) loadSources(ctx context.Context) error {
	states, err := a.Store.LoadSourceStates(ctx)
	if err != nil {
		return err
	}
	for id, st := range states {
		a.Engine.SetSource(id, st)
	}
	return nil
}

// loadExclusions tells the engine every maintenance window excluded from
// budgets.
func (a *App) loadExclusions(ctx context.Context) error {
	annotations, err := a.Store.Annotations(ctx, "", time.Time{}, time.Unix(1<<40, 0))
	if err != nil {
		return err
	}
	a.Engine.SetExclusions(annotations)
	return nil
}
