package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/store"
)

// Replicas on one database run one version of the specs. A reload on any
// replica publishes the digest of the catalog it loaded as the revision;
// every other replica sees it within specWatchInterval, reloads its own
// files and applies them when they arrive at the same digest. A replica
// whose files differ keeps running what it ran, says why on /readyz (503)
// and /metrics (accord_specs_agree 0) and in its log, takes no part in
// the leadership, and looks at its files again every interval, so fixing
// them is enough. A replica starting with files that differ from the
// revision is in the same state: a start does not publish (a replica
// restarted with stale files must not pull the others back), a reload
// does, so a reload on a replica makes its files the revision.

// specWatchInterval is how often a replica looks for a revision another
// replica published.
const specWatchInterval = 2 * time.Second

// specSync is what this replica knows of the spec revisions.
type specSync struct {
	digest   string             // of the catalog this replica runs
	seen     store.SpecRevision // the revision last agreed with or refused
	mismatch error              // why this replica's files disagree; nil when they agree
}

// catalogDigest identifies a catalog by its content, whatever the paths
// of the files it came from.
func catalogDigest(cat slo.Catalog) string {
	b, err := json.Marshal(cat)
	if err != nil {
		return "unencodable: " + err.Error() // agrees with no other replica
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

func (a *App) setSpecDigest(d string) {
	a.specsMu.Lock()
	a.specs.digest = d
	a.specsMu.Unlock()
}

// specMismatch returns why this replica's specs differ from the revision
// the others run; nil when they agree.
func (a *App) specMismatch() error {
	a.specsMu.Lock()
	defer a.specsMu.Unlock()
	return a.specs.mismatch
}

func (a *App) agree(rev store.SpecRevision) {
	a.specsMu.Lock()
	was := a.specs.mismatch
	a.specs.seen, a.specs.mismatch = rev, nil
	a.specsMu.Unlock()
	a.specsAgree.Set(1)
	a.specsRevision.Set(float64(rev.ID))
	if was != nil {
		a.log.Info("this replica's specs agree with the other replicas' again", "revision", rev.ID, "digest", rev.Digest)
	}
}

// disagree records that this replica's files (of digest have, or with
// errors) differ from revision rev.
func (a *App) disagree(rev store.SpecRevision, have string, loadErr error) {
	why := fmt.Errorf("this replica's spec files (digest %s) differ from revision %d (digest %s) that %s published at %s; it keeps its running SLOs, does not lead, and takes the revision once its files match it (or reload this replica to make its files the revision)",
		have, rev.ID, rev.Digest, rev.Origin, rev.At.UTC().Format(time.RFC3339))
	if loadErr != nil {
		why = fmt.Errorf("this replica's spec files have errors, so it cannot take revision %d that %s published at %s; it keeps its running SLOs and does not lead: %w",
			rev.ID, rev.Origin, rev.At.UTC().Format(time.RFC3339), loadErr)
	}
	// Step down before the mismatch shows, under leadMu: no campaign can
	// then take the lead back, and nobody sees differing specs lead.
	a.leadMu.Lock()
	defer a.leadMu.Unlock()
	if a.leading.Load() {
		a.stepDown("its specs differ from the other replicas'")
		ctx, cancel := context.WithTimeout(context.Background(), closeStepTimeout)
		defer cancel()
		if err := a.Store.Resign(ctx); err != nil {
			a.log.Warn("resign the leadership", "err", err)
		}
	}
	a.specsMu.Lock()
	repeat := a.specs.mismatch != nil && a.specs.seen.ID == rev.ID
	a.specs.seen, a.specs.mismatch = rev, why
	a.specsMu.Unlock()
	a.specsAgree.Set(0)
	a.specsRevision.Set(float64(rev.ID))
	if !repeat {
		a.log.Error("specs differ from the other replicas'", "err", why)
	}
}

// publishSpecs makes the running catalog the revision every replica
// runs, unless it is already; the caller holds reloadMu.
func (a *App) publishSpecs(ctx context.Context) error {
	latest, err := a.Store.LatestSpecs(ctx)
	if err != nil {
		return err
	}
	a.specsMu.Lock()
	digest := a.specs.digest
	a.specsMu.Unlock()
	if latest.ID != 0 && latest.Digest == digest {
		a.agree(latest)
		return nil
	}
	rev, err := a.Store.PublishSpecs(ctx, digest)
	if err != nil {
		return err
	}
	a.agree(rev)
	return nil
}

// joinSpecs compares this replica's catalog, at start, with the revision
// the others run; the first replica on a database publishes its own.
func (a *App) joinSpecs(ctx context.Context) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	a.setSpecDigest(catalogDigest(a.Catalog))
	latest, err := a.Store.LatestSpecs(ctx)
	if err != nil {
		return fmt.Errorf("read the spec revision the other replicas run: %w", err)
	}
	if latest.ID == 0 {
		return a.publishSpecs(ctx)
	}
	if latest.Digest == a.specs.digest {
		a.agree(latest)
		return nil
	}
	a.disagree(latest, a.specs.digest, nil)
	return nil
}

// followSpecs takes a revision another replica published: it reloads this
// replica's files and applies them if they arrive at the revision's
// digest, and otherwise reports the disagreement.
func (a *App) followSpecs(ctx context.Context) error {
	latest, err := a.Store.LatestSpecs(ctx)
	if err != nil {
		return err
	}
	a.specsMu.Lock()
	settled := latest.ID == 0 || (latest.ID == a.specs.seen.ID && a.specs.mismatch == nil)
	a.specsMu.Unlock()
	if settled {
		return nil
	}
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	a.specsMu.Lock()
	running := a.specs.digest
	a.specsMu.Unlock()
	if latest.Digest == running {
		a.agree(latest)
		return nil
	}
	// Looked at every interval while they differ: warnings once applied.
	cat, err := loadCatalog(a.opts.SpecPaths, a.opts.SpecExclude, slog.New(slog.DiscardHandler))
	if err != nil {
		a.disagree(latest, "", err)
		return nil
	}
	if d := catalogDigest(cat); d != latest.Digest {
		a.disagree(latest, d, nil)
		return nil
	}
	start := time.Now()
	res, err := a.applyCatalog(ctx, cat)
	if err != nil {
		return fmt.Errorf("take spec revision %d: %w", latest.ID, err)
	}
	a.agree(latest)
	a.log.Info("specs reloaded: another replica published a revision", "revision", latest.ID, "by", latest.Origin,
		"added", res.Added, "removed", res.Removed, "changed", res.Changed, "unchanged", res.Unchanged,
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}
