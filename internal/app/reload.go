package app

import (
	"context"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Reload re-reads the specs and applies them without a restart (on SIGHUP
// and POST /api/v1/reload). Specs with errors are refused with an invalid
// error listing them all, and the running SLOs stay as they are. Otherwise
// added SLOs start, removed ones stop (their firing alerts resolve) and
// unchanged ones keep their counts and alert states; see engine.Reload.
// Every replica reloads on its own: each is sent SIGHUP (or the request)
// and reads the same specs; the leader resolves the alerts of removed
// SLOs.
func (a *App) Reload(ctx context.Context) (engine.ReloadResult, error) {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	start := time.Now()
	if err := a.reloadSecrets(ctx); err != nil {
		a.log.Error("reload: " + err.Error())
	}
	cat, err := loadCatalog(a.opts.SpecPaths, a.opts.SpecExclude, a.log)
	if err != nil {
		a.log.Error("reload refused; the running SLOs stay", "err", err)
		return engine.ReloadResult{}, &slo.Error{Code: slo.CodeInvalid, Message: "reload refused, the running SLOs stay: " + err.Error(), Err: err}
	}
	res, err := a.Engine.Reload(ctx, cat, a.leading.Load())
	if err != nil {
		a.log.Error("reload failed; the running SLOs stay", "err", err)
		return engine.ReloadResult{}, err
	}
	a.Catalog = cat
	// Added SLOs may lie in maintenance windows already recorded.
	if err := a.loadExclusions(ctx); err != nil {
		return res, err
	}
	src, err := a.newSource(ctx, cat, a.source())
	if err != nil {
		return res, err
	}
	a.setSource(src)
	if err := a.cycle(ctx); err != nil { // show the added SLOs at once
		a.log.Warn("evaluation after reload failed", "err", err)
	}
	a.log.Info("specs reloaded", "added", res.Added, "removed", res.Removed, "changed", res.Changed,
		"unchanged", res.Unchanged, "took", time.Since(start).Round(time.Millisecond))
	return res, nil
}
