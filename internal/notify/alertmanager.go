package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

var _ Channel = (*Alertmanager)(nil)

// Alertmanager posts alerts to Alertmanager's v2 API. Alertmanager forgets
// an alert not heard of within its resolve timeout, so firing alerts are
// also re-sent every ResendEvery (Resend), as Prometheus does; Alertmanager
// deduplicates them, so receivers are told once.
//
// Alertmanager judges startsAt and endsAt on its own clock, so they are
// leases on the wall clock (WallClock), not the engine's: an engine on a
// simulated or compressed clock still fires and resolves on time there.
type Alertmanager struct {
	URL    string
	Client *http.Client
	// WallClock is Alertmanager's idea of now; nil means time.Now.
	WallClock func() time.Time
	// ResendEvery is how often firing alerts are re-sent; their endsAt lies
	// four of these ahead.
	ResendEvery time.Duration
}

// amAlert is an alert as Alertmanager's v2 API takes it.
type amAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Name identifies the Alertmanager by its URL.
func (a *Alertmanager) Name() string { return "alertmanager:" + Redact(a.URL) }

func (a *Alertmanager) resendEvery() time.Duration {
	if a.ResendEvery <= 0 {
		return time.Minute
	}
	return a.ResendEvery
}

// Send posts firing alerts with an end a few resends ahead and resolved
// ones with the time they resolved.
func (a *Alertmanager) Send(ctx context.Context, notes []engine.Notification) error {
	alerts := make([]amAlert, 0, len(notes))
	for _, n := range notes {
		if n.Kind == engine.NotifyPolicy && n.Policy != nil {
			alerts = append(alerts, a.policyAlerts(n)...)
			continue
		}
		alerts = append(alerts, a.alert(n, n.Alert.State == engine.AlertResolved))
	}
	return a.post(ctx, alerts)
}

// policyAlerts turns a policy change into Alertmanager's terms: the old
// state's alert resolves and the new one fires, unless it is the policy's
// resting (healthy) state.
func (a *Alertmanager) policyAlerts(n engine.Notification) []amAlert {
	var out []amAlert
	old := n
	old.Labels = map[string]string{}
	for k, v := range n.Labels {
		old.Labels[k] = v
	}
	old.Labels["policy_state"] = n.Policy.From
	old.Alert.FiredAt, old.Alert.ResolvedAt = n.At, n.At
	out = append(out, a.alert(old, true))
	if !n.Policy.Healthy {
		n.Alert.FiredAt = n.At
		out = append(out, a.alert(n, false))
	}
	return out
}

// alert turns a notification into Alertmanager's form: a firing alert
// holds for four resends from now; a resolved one ends now at the latest.
func (a *Alertmanager) alert(n engine.Notification, resolved bool) amAlert {
	now := time.Now()
	if a.WallClock != nil {
		now = a.WallClock()
	}
	am := amAlert{Labels: n.Labels, Annotations: n.Annotations, StartsAt: n.Alert.FiredAt, GeneratorURL: n.URL}
	if am.StartsAt.After(now) {
		am.StartsAt = now
	}
	am.EndsAt = now.Add(4 * a.resendEvery())
	if resolved {
		am.EndsAt = now
		if n.Alert.ResolvedAt.Before(now) {
			am.EndsAt = n.Alert.ResolvedAt
		}
		if am.EndsAt.Before(am.StartsAt) {
			am.EndsAt = am.StartsAt
		}
	}
	return am
}

// Resend re-posts the firing alerts' current state.
func (a *Alertmanager) Resend(ctx context.Context, firing []engine.Notification) error {
	if len(firing) == 0 {
		return nil
	}
	alerts := make([]amAlert, 0, len(firing))
	for _, n := range firing {
		alerts = append(alerts, a.alert(n, false))
	}
	return a.post(ctx, alerts)
}

func (a *Alertmanager) post(ctx context.Context, alerts []amAlert) error {
	body, err := json.Marshal(alerts)
	if err != nil {
		return fmt.Errorf("encode alerts: %w", err)
	}
	client := a.Client
	if client == nil {
		client = defaultClient()
	}
	return postJSON(ctx, client, strings.TrimSuffix(a.URL, "/")+"/api/v2/alerts", body, nil)
}
