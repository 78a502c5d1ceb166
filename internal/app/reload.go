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
// On a shared database the reload is published (specsync.go): every
// other replica reloads its own files within specWatchInterval and must
// arrive at the same catalog. The leader resolves the alerts of removed
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
	res, err := a.applyCatalog(ctx, cat)
	if err != nil {
		return res, err
	}
	if a.opts.Database != "" {
		if err := a.publishSpecs(ctx); err != nil {
			// Applied here; the others learn of it at the next reload.
			a.log.Error("the reload could not be published to the other replicas", "err", err)
			return res, err
		}
	}
	a.log.Info("specs reloaded", "added", res.Added, "removed", res.Removed, "changed", res.Changed,
		"unchanged", res.Unchanged, "took", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// applyCatalog runs cat in place of the running catalog; the caller holds
// reloadMu.
func (a *App) applyCatalog(ctx context.Context, cat slo.Catalog) (engine.ReloadResult, error) {
	res, err := a.Engine.Reload(ctx, cat, a.leading.Load())
	if err != nil {
		a.log.Error("reload failed; the running SLOs stay", "err", err)
		return engine.ReloadResult{}, err
	}
	a.Catalog = cat
	a.setSpecDigest(catalogDigest(cat))
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
	return res, nil
}
