// Package notify delivers alert notifications: to Alertmanager's v2 API and
// to generic JSON webhooks, in order, with retries, resuming after a
// restart where delivery stopped.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/store"
)

// Channel is a place notifications go.
type Channel interface {
	// Name identifies the channel across restarts, e.g. "webhook:https://…".
	Name() string
	// Send delivers notifications, oldest first. An error means none of
	// them may be counted as delivered; they will be sent again.
	Send(ctx context.Context, notes []engine.Notification) error
}

// Outbox is where notifications wait, with each channel's progress.
type Outbox interface {
	Notifications(ctx context.Context, afterID int64, slo string, limit int) ([]engine.Notification, error)
	Cursor(ctx context.Context, channel string) (int64, error)
	// ClaimNotifications claims notifications after..upto for a channel
	// before they are sent, under the leader's lease (store.ErrNotLeader
	// without it, store.ErrCursorMoved when another leader delivered on).
	ClaimNotifications(ctx context.Context, channel string, after, upto int64) error
	SetCursor(ctx context.Context, channel string, id int64) error
}

// Options configure a Dispatcher.
type Options struct {
	Outbox     Outbox
	Channels   []Channel
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// MaxBackoff caps the wait between retries of a failing channel.
	MaxBackoff time.Duration
	// Leads reports whether this replica's lease still holds; it is asked
	// again between claiming notifications and sending them, since the
	// process may have been paused in between. Nil means it always leads.
	Leads func() bool
}

// Dispatcher moves notifications from the outbox to every channel.
type Dispatcher struct {
	opts    Options
	log     *slog.Logger
	mu      sync.Mutex // one delivery or resumption at a time
	state   map[string]*channelState
	sent    *prometheus.CounterVec
	backlog *prometheus.GaugeVec
}

type channelState struct {
	cursor  int64
	failing int
	retryAt time.Time
}

// NewDispatcher returns a dispatcher and starts every channel's cursor, so
// that notifications saved from now on are owed to every channel.
func NewDispatcher(ctx context.Context, opts Options) (*Dispatcher, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 5 * time.Minute
	}
	d := &Dispatcher{opts: opts, log: opts.Logger, state: map[string]*channelState{},
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accord_notifications_total", Help: "Notification deliveries by channel and result.",
		}, []string{"channel", "result"}),
		backlog: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "accord_notifications_failing", Help: "1 while a channel's deliveries fail and are being retried.",
		}, []string{"channel"}),
	}
	if opts.Registerer != nil {
		if err := errors.Join(opts.Registerer.Register(d.sent), opts.Registerer.Register(d.backlog)); err != nil {
			return nil, fmt.Errorf("register notification metrics: %w", err)
		}
	}
	if err := d.Resume(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// Resume reads every channel's cursor again, as a replica that takes the
// leadership over must: the previous leader delivered on from where this
// one last knew.
func (d *Dispatcher) Resume(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ch := range d.opts.Channels {
		cur, err := d.opts.Outbox.Cursor(ctx, ch.Name())
		if err != nil {
			return err
		}
		d.state[ch.Name()] = &channelState{cursor: cur}
	}
	return nil
}

// Deliver sends every channel what it is owed, skipping channels that wait
// for a retry. It returns the channels' errors joined.
func (d *Dispatcher) Deliver(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for _, ch := range d.opts.Channels {
		st := d.state[ch.Name()]
		if time.Now().Before(st.retryAt) {
			continue
		}
		err := d.deliver(ctx, ch, st)
		if errors.Is(err, store.ErrNotLeader) {
			// Not the channel's fault: the next leader delivers.
			d.log.Info("notification delivery stopped: this replica's lease ran out", "channel", ch.Name())
			return err
		}
		if err != nil {
			st.failing++
			wait := min(time.Second<<min(st.failing, 20), d.opts.MaxBackoff)
			st.retryAt = time.Now().Add(wait)
			d.sent.WithLabelValues(ch.Name(), "error").Inc()
			d.backlog.WithLabelValues(ch.Name()).Set(1)
			d.log.Warn("notification delivery failed; will retry", "channel", ch.Name(), "retry_in", wait, "err", err)
			errs = append(errs, fmt.Errorf("deliver to %s: %w", ch.Name(), err))
			continue
		}
		if st.failing > 0 {
			d.log.Info("notification channel recovered", "channel", ch.Name())
		}
		st.failing, st.retryAt = 0, time.Time{}
		d.backlog.WithLabelValues(ch.Name()).Set(0)
	}
	return errors.Join(errs...)
}

func (d *Dispatcher) deliver(ctx context.Context, ch Channel, st *channelState) error {
	for {
		notes, err := d.opts.Outbox.Notifications(ctx, st.cursor, "", 100)
		if err != nil || len(notes) == 0 {
			return err
		}
		last := notes[len(notes)-1].ID
		err = d.opts.Outbox.ClaimNotifications(ctx, ch.Name(), st.cursor, last)
		if errors.Is(err, store.ErrCursorMoved) {
			// Another leader delivered on while this one did not lead.
			if st.cursor, err = d.opts.Outbox.Cursor(ctx, ch.Name()); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if d.opts.Leads != nil && !d.opts.Leads() {
			return fmt.Errorf("send notifications %d to %d: %w", st.cursor+1, last, store.ErrNotLeader)
		}
		if err := ch.Send(ctx, notes); err != nil {
			return err
		}
		d.sent.WithLabelValues(ch.Name(), "ok").Add(float64(len(notes)))
		if err := d.opts.Outbox.SetCursor(ctx, ch.Name(), last); err != nil {
			return err
		}
		st.cursor = last
	}
}

// Run delivers whenever the engine saves notifications, and retries
// failing channels, until ctx ends; only while active holds (the replica
// leads), since one replica delivers.
func (d *Dispatcher) Run(ctx context.Context, changed func() <-chan struct{}, active func() bool) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if active() {
			_ = d.Deliver(ctx) // failures are logged and retried
		}
		select {
		case <-ctx.Done():
			return
		case <-changed():
		case <-tick.C:
		}
	}
}

// postJSON posts a JSON body and treats any non-2xx answer as a failure.
// Errors name the URL as Redact shows it: the URL itself may be a secret.
func postJSON(ctx context.Context, client *http.Client, url string, body []byte, header http.Header) error {
	shown := Redact(url)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytesReader(body))
	if err != nil {
		return fmt.Errorf("build request to %s: %w", shown, unwrapURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post to %s: %w", shown, unwrapURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg := readSnippet(resp)
		return fmt.Errorf("post to %s: %s: %s", shown, resp.Status, msg)
	}
	return nil
}

// SetChannels replaces the channels, as when a reload reads a rotated
// Slack URL or webhook secret. A channel whose name stays keeps its place
// and retry state; a new one starts where its saved cursor is, or at the
// newest notification.
func (d *Dispatcher) SetChannels(ctx context.Context, chs []Channel) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	state := map[string]*channelState{}
	for _, ch := range chs {
		if st, ok := d.state[ch.Name()]; ok {
			state[ch.Name()] = st
			continue
		}
		cur, err := d.opts.Outbox.Cursor(ctx, ch.Name())
		if err != nil {
			return err
		}
		state[ch.Name()] = &channelState{cursor: cur}
	}
	d.opts.Channels, d.state = chs, state
	return nil
}
