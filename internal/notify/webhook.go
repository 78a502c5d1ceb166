package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/accord-slo/accord/internal/engine"
)

var _ Channel = (*Webhook)(nil)

// Webhook posts notifications as JSON to a URL:
// {"version": "1", "notifications": [...]}.
type Webhook struct {
	URL    string
	Header http.Header
	Client *http.Client
}

// WebhookMessage is the body a webhook receives.
type WebhookMessage struct {
	Version       string                `json:"version"`
	Notifications []engine.Notification `json:"notifications"`
}

// Name identifies the webhook by its URL.
func (w *Webhook) Name() string { return "webhook:" + w.URL }

// Send posts the notifications in one request.
func (w *Webhook) Send(ctx context.Context, notes []engine.Notification) error {
	body, err := json.Marshal(WebhookMessage{Version: "1", Notifications: notes})
	if err != nil {
		return fmt.Errorf("encode webhook message: %w", err)
	}
	client := w.Client
	if client == nil {
		client = defaultClient()
	}
	return postJSON(ctx, client, w.URL, body, w.Header)
}
