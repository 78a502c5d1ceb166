// Package demo plays FreshMart, a simulated grocery chain, through Accord:
// its stores' tills push payments, scans, receipts and price updates with a
// daily curve, on a compressed clock; a bad deploy breaks card payments in
// some stores, pages the on-call team, shows on the customer's checkout
// journey with card payments named as the cause, spends the budget, closes the
// release gate, an exception lets the fix through, and the budget recovers.
// Every event and annotation goes through Accord's public HTTP API.
package demo

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/web"
)

//go:embed freshmart.yaml
var freshmartSpec []byte

// Options configure a demo.
type Options struct {
	// Addr is where Accord listens (default 127.0.0.1:8080).
	Addr string
	// Speed is simulated seconds per real second through the day of the
	// incident (default 360: an hour every 10 s); once the incident is over
	// the week after it runs fastForward times faster.
	Speed float64
	// Start is when the story starts in simulated time (default: today
	// 09:00 UTC); the week before it is backfilled first.
	Start time.Time
	// DataDir keeps Accord's database (default: a temporary directory).
	DataDir string
	// Out receives the narration.
	Out    io.Writer
	Logger *slog.Logger
	// Seed makes the traffic repeatable.
	Seed uint64
}

// backfill is how much history is pushed before the story starts: all of
// the SLOs' 7-day windows.
const backfill = 7*24*time.Hour - time.Hour

// evalEvery is how often, in simulated time, Accord evaluates.
const evalEvery = 5 * time.Minute

// DefaultSpeed plays an hour of FreshMart every 10 s: the incident, from
// the bad deploy to the fix, takes about half a minute to watch.
const DefaultSpeed = 360

// Demo is a running FreshMart.
type Demo struct {
	opts   Options
	app    *app.App
	clock  *engine.ManualClock
	rng    *rand.Rand
	http   *http.Client
	tmpDir string
	tokens map[string]string // each actor's token secret
	// printers export the receipts over OTLP; the tills push the rest.
	printers *receiptPrinters
	// run names this run in the tills' Idempotency-Keys, so a data
	// directory kept from an earlier run never sees a key again.
	run string

	now   time.Time // the simulated time pushed so far
	story *story

	// viewed is closed when someone first looks at the story.
	viewed     chan struct{}
	viewedOnce sync.Once
	// over is closed when Run has stopped the clock at the story's end.
	over chan struct{}
}

// New starts Accord with FreshMart's SLOs and backfills the week before
// the story.
func New(ctx context.Context, opts Options) (*Demo, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:8080"
	}
	if opts.Speed <= 0 {
		opts.Speed = DefaultSpeed
	}
	if opts.Start.IsZero() {
		y, m, day := time.Now().UTC().Date()
		opts.Start = time.Date(y, m, day, 9, 0, 0, 0, time.UTC)
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Demo{opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 42)), http: &http.Client{Timeout: 30 * time.Second},
		viewed: make(chan struct{}), over: make(chan struct{}), run: strconv.FormatInt(time.Now().UnixNano(), 36)}
	if opts.DataDir == "" {
		dir, err := os.MkdirTemp("", "accord-demo-")
		if err != nil {
			return nil, fmt.Errorf("create demo directory: %w", err)
		}
		d.tmpDir, opts.DataDir = dir, dir
	}
	spec := filepath.Join(opts.DataDir, "freshmart.yaml")
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", opts.DataDir, err)
	}
	if err := os.WriteFile(spec, freshmartSpec, 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", spec, err)
	}
	d.now = opts.Start.Add(-backfill).Truncate(time.Minute)
	d.clock = engine.NewManualClock(d.now)
	d.story = newStory(opts.Start)
	a, err := app.New(ctx, app.Options{SpecPaths: []string{spec}, DataDir: filepath.Join(opts.DataDir, "data"), Addr: opts.Addr,
		Clock: d.clock, Logger: opts.Logger, Manual: true, Story: d})
	if err != nil {
		d.Close()
		return nil, err
	}
	d.app = a
	if err := a.Start(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.createTokens(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if d.printers, err = newReceiptPrinters(ctx, a.URL(), d.tokens["tills"]); err != nil {
		d.Close()
		return nil, err
	}
	fmt.Fprintf(opts.Out, "Accord is running the FreshMart demo at %s\n", a.URL())
	fmt.Fprintf(opts.Out, "Backfilling the last 7 days of %d stores' tills (their receipt printers export over OTLP)…\n", len(stores))
	if err := d.Advance(ctx, opts.Start); err != nil {
		d.Close()
		return nil, err
	}
	fmt.Fprintf(opts.Out, "Ready. Open %s/ in a browser: the story starts when you do, %s at %s.\n\n",
		a.URL(), opts.Start.Format("Monday"), opts.Start.Format("15:04"))
	return d, nil
}

// URL is where Accord serves the demo.
func (d *Demo) URL() string { return d.app.URL() }

// Now is the demo's simulated time.
func (d *Demo) Now() time.Time { return d.clock.Now() }

// Close stops Accord and removes a temporary data directory.
func (d *Demo) Close() error {
	var err error
	if d.printers != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = d.printers.close(ctx) // nothing left to send: flushes are synchronous
		cancel()
	}
	if d.app != nil {
		err = d.app.Close()
	}
	if d.tmpDir != "" {
		os.RemoveAll(d.tmpDir)
	}
	return err
}

// Viewed is closed once someone has looked at the story: the overview
// or /api/v1/demo.
func (d *Demo) Viewed() <-chan struct{} { return d.viewed }

// Run waits until someone looks at the story, then plays it in real time
// at the demo's pace until ctx ends.
func (d *Demo) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-d.viewed:
	}
	fmt.Fprintf(d.opts.Out, "[%s] You are watching: %s.\n", d.now.Format("Mon Jan 2 15:04"), d.paceText(d.now))
	realStart, simStart := time.Now(), d.now
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if d.story.has(MilestoneRecovered) {
			// The story is told: the clock stops, so the incident stays
			// in the charts, and Accord serves on until ctx ends.
			fmt.Fprintf(d.opts.Out, "[%s] The story is over: the budget has recovered, and the clock stops here so the incident stays in view (%s%s). Accord keeps serving; press Ctrl-C to stop.\n",
				d.now.Format("Mon Jan 2 15:04"), d.URL(), incidentChart)
			close(d.over)
			<-ctx.Done()
			return nil
		}
		target := d.played(simStart, time.Since(realStart))
		if err := d.Advance(ctx, target); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// incidentChart is the payments SLO over twice its 7-day window: the
// incident, which has just left the window, and the recovery.
const incidentChart = "/slos/checkout/payments?range=14d"

// Over is closed once Run has played the story to its end and stopped
// the clock.
func (d *Demo) Over() <-chan struct{} { return d.over }

// Advance plays the chain up to simulated time until: it pushes each
// minute's events through the ingest API, performs the story's actions,
// evaluates every five simulated minutes and narrates what the API shows.
func (d *Demo) Advance(ctx context.Context, until time.Time) error {
	var batch []byte
	target := until.Truncate(time.Minute)
	for d.now.Before(target) {
		t := d.now
		live := !t.Before(d.opts.Start) // the story plays; before it, the backfill
		if t.Equal(d.opts.Start.Add(fastForwardAt)) {
			fmt.Fprintf(d.opts.Out, "[%s] The incident is over: %s.\n", t.Format("Mon Jan 2 15:04"), d.paceText(t))
		}
		if live {
			if err := d.story.act(ctx, d, t); err != nil {
				return err
			}
		}
		batch = ndjson(batch, t, d.printers.add(t, minute(d.rng, t, d.story.failing(t))))
		d.now = t.Add(time.Minute)
		evalDue := live && d.now.Sub(d.opts.Start)%evalEvery == 0
		if evalDue || len(batch) > 2<<20 || !d.now.Before(target) {
			d.clock.Set(d.now.Add(-time.Second))
			// Each batch has a key of its own, its run and last minute: a
			// resend after a lost answer counts once.
			key := fmt.Sprintf("freshmart-%s-%d", d.run, engine.UnixMinute(d.now))
			if err := d.printers.flush(ctx); err != nil {
				return err
			}
			if _, err := d.as("tills").PushEvents(ctx, key, batch); err != nil {
				return err
			}
			batch = batch[:0]
			if !d.now.Before(d.opts.Start) {
				if err := d.app.Step(ctx); err != nil {
					d.opts.Logger.Warn("evaluation step failed", "err", err)
				}
				if err := d.story.observe(ctx, d); err != nil {
					return err
				}
			}
		}
	}
	return nil // the last minute always flushes the batch
}

// Story is what the overview shows of the demo. The first call starts the
// story (see Run).
func (d *Demo) Story() web.StoryView {
	d.viewedOnce.Do(func() { close(d.viewed) })
	v := d.story.view()
	if !d.story.has(MilestoneRecovered) {
		v.Now = "Playing: " + d.paceText(d.clock.Now()) + ". This page reloads every " + strconv.Itoa(storyRefresh) + " seconds."
		v.Refresh = storyRefresh
		return v
	}
	v.Now = "The story is over: the budget has recovered, and the demo's clock has stopped so the incident stays in view."
	v.Link = &web.StoryLink{Text: "Card payments over 14 days: the incident and the recovery", Href: incidentChart}
	return v
}
