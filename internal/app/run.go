package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/accord-slo/accord/internal/web"
)

// Start serves on the address New listened on — at first only health,
// readiness and metrics, answering 503 to the rest — then opens the store,
// restores state, campaigns for the leadership, evaluates and serves
// everything. Unless Manual it starts the loops: campaigning, evaluating
// (or, on a replica that does not lead, following), evaluating pushed
// events promptly (see prompt.go), and as the leader querying sources,
// pruning and delivering notifications. It returns once Accord is ready,
// or with the error that kept it from starting.
func (a *App) Start(ctx context.Context) error {
	ln := a.listener
	a.http = &http.Server{
		Handler:           web.SecurityHeaders(a),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       a.opts.ReadTimeout,
		WriteTimeout:      a.opts.WriteTimeout,
		IdleTimeout:       a.opts.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ConnState:         a.conns.track,
		ConnContext:       withConn,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	// The reserved slots answer one probe each, promptly or not at all.
	a.probes = &http.Server{
		Handler:           a.conns.probes(a),
		ReadHeaderTimeout: probeTimeout,
		ReadTimeout:       probeTimeout,
		WriteTimeout:      probeTimeout,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.probes.SetKeepAlivesEnabled(false)
	ctx, a.cancel = context.WithCancel(ctx)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := a.serve(a.http, ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("HTTP server stopped", "err", err)
		}
	}()
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := a.serve(a.probes, a.conns.reserve); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			a.log.Error("HTTP server of the reserved slots stopped", "err", err)
		}
	}()
	if a.debugLn != nil {
		a.debug = debugServer(a.log)
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			if err := a.debug.Serve(a.debugLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.log.Error("profiling endpoint stopped", "err", err)
			}
		}()
		a.log.Info("serving Go's profiles", "url", a.DebugURL())
	}
	// A reload may replace the catalog once the server answers.
	slos := len(a.Catalog.SLOs)
	if a.tls != nil {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.tls.watch(ctx, a.opts.TLSWatchInterval)
		}()
	}
	if a.plainWarning != "" {
		a.log.Warn(a.plainWarning, "addr", ln.Addr().String())
	}
	a.log.Info("restoring state", "addr", a.URL(), "slos", slos)
	if err := a.open(ctx); err != nil {
		return err
	}
	a.handler = a.Server
	if !a.opts.Manual {
		a.handler = a.freshReads(a.Server)
	}
	a.serving.Store(a.Server)
	if err := a.campaign(ctx); err != nil {
		a.log.Error("first campaign for the leadership failed", "err", err)
	}
	if err := a.cycle(ctx); err != nil {
		a.log.Error("first evaluation failed", "err", err)
	}
	a.Server.SetReady(true)
	a.log.Info("accord is serving", "addr", a.URL(), "slos", slos, "leader", a.leading.Load())
	if a.opts.Manual {
		return nil
	}
	a.loop(ctx, a.opts.LeaderLease/3, "campaign for the leadership", a.campaign)
	// Every SLO was evaluated just above: the loop's first evaluation is an
	// interval later, not a second one at once.
	a.loopAfter(ctx, a.opts.EvalInterval, "evaluate", a.cycle)
	if a.opts.Database != "" {
		a.loop(ctx, specWatchInterval, "follow the spec revision", a.followSpecs)
		a.loop(ctx, followInterval, "follow the leader's decisions", a.followLeader)
	}
	a.evaluateTouchedLoop(ctx)
	a.loopEveryMinuteAt(ctx, a.opts.SourceLag, "query sources", a.asLeader(a.queryAndShow))
	a.loop(ctx, time.Hour, "prune", a.asLeader(a.Engine.Prune))
	a.loop(ctx, time.Hour, "prune the audit trail", a.asLeader(a.Auth.Prune))
	a.loop(ctx, time.Minute, "write folded audit entries", a.Auth.Flush) // every replica folds its own
	a.loop(ctx, time.Minute, "resend firing alerts", a.asLeader(a.resend))
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.dispatch.Run(ctx, a.Engine.Changed, a.leaseHeld)
	}()
	return nil
}

// probeTimeout bounds reading a probe on a reserved slot and answering it.
const probeTimeout = 2 * time.Second

// serve serves srv on ln, over TLS when Accord has a certificate.
func (a *App) serve(srv *http.Server, ln net.Listener) error {
	if a.tls != nil {
		srv.TLSConfig = a.tls.config()
		return srv.ServeTLS(ln, "", "")
	}
	return srv.Serve(ln)
}

// asLeader runs fn only while this replica leads and its lease holds.
func (a *App) asLeader(fn func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		if !a.leaseHeld() {
			return nil
		}
		return fn(ctx)
	}
}

// ServeHTTP answers with the server once state is restored, and with the
// starting handler until then.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.serving.Load() != nil {
		a.handler.ServeHTTP(w, r)
		return
	}
	a.starting.ServeHTTP(w, r)
}

// loop runs fn now and every interval until ctx ends.
func (a *App) loop(ctx context.Context, every time.Duration, what string, fn func(context.Context) error) {
	a.loopFrom(ctx, true, every, what, fn)
}

// loopAfter is loop without the run at once: fn runs first an interval
// from now.
func (a *App) loopAfter(ctx context.Context, every time.Duration, what string, fn func(context.Context) error) {
	a.loopFrom(ctx, false, every, what, fn)
}

func (a *App) loopFrom(ctx context.Context, now bool, every time.Duration, what string, fn func(context.Context) error) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			if now {
				if err := runStep(ctx, max(every, time.Minute), fn); err != nil && ctx.Err() == nil {
					a.log.Warn(what+" failed", "err", err)
				}
			}
			now = true
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// runStep runs one step of a loop within limit, so a database or source
// that accepts a request and never answers holds the loop (and the locks
// its step takes) for a bounded time, not until Accord stops.
func runStep(ctx context.Context, limit time.Duration, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	return fn(ctx)
}

// loopEveryMinuteAt runs fn now and then at offset into every minute
// until ctx ends: the source asks for a minute when its lag after the
// minute's end has passed, not up to a minute later depending on the
// second the server started in.
func (a *App) loopEveryMinuteAt(ctx context.Context, offset time.Duration, what string, fn func(context.Context) error) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for {
			if err := runStep(ctx, time.Minute, fn); err != nil && ctx.Err() == nil {
				a.log.Warn(what+" failed", "err", err)
			}
			now := time.Now()
			t := time.NewTimer(nextMinuteAt(now, offset).Sub(now))
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
}

// nextMinuteAt is the first moment after now that lies offset into a
// minute.
func nextMinuteAt(now time.Time, offset time.Duration) time.Time {
	next := now.Truncate(time.Minute).Add(offset % time.Minute)
	for !next.After(now) {
		next = next.Add(time.Minute)
	}
	return next
}

// Addr is the address the server listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// URL is the server's base URL: https:// when it serves TLS.
func (a *App) URL() string {
	if a.tls != nil {
		return "https://" + a.Addr()
	}
	return "http://" + a.Addr()
}

// ReloadTLS reads the TLS certificate, its key and the client CA again
// (on SIGHUP); on an error the ones in use stay, and it is logged.
func (a *App) ReloadTLS() {
	if a.tls != nil {
		a.tls.reload("SIGHUP")
	}
}

// closeStepTimeout bounds each step of Close that waits on others: the
// requests in flight, the last audit write, handing the leadership on.
const closeStepTimeout = 5 * time.Second

// Close stops serving and the loops, hands the leadership on, then closes
// the store.
func (a *App) Close() error {
	var errs []error
	if a.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeStepTimeout)
		errs = append(errs, a.http.Shutdown(ctx), a.probes.Shutdown(ctx))
		cancel()
	} else {
		a.listener.Close() // never served
	}
	if a.debug != nil {
		// A profile under way ends with its connection: no need to wait.
		errs = append(errs, a.debug.Close())
	} else if a.debugLn != nil {
		a.debugLn.Close()
	}
	if a.cancel != nil {
		a.cancel()
	}
	a.wg.Wait()
	if a.Store == nil {
		return errors.Join(errs...) // it never opened
	}
	if a.Auth != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeStepTimeout)
		errs = append(errs, a.Auth.Flush(ctx)) // a database that does not answer must not hold the stop
		cancel()
	}
	if a.leading.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), closeStepTimeout)
		errs = append(errs, a.Store.Resign(ctx)) // another replica leads at once
		cancel()
		a.stepDown("shutting down")
	}
	errs = append(errs, a.Store.Close())
	return errors.Join(errs...)
}
