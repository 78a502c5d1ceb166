package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

var _ Channel = (*Webhook)(nil)

// The headers of a signed webhook request (docs/alerting.md#signed-webhooks).
const (
	// TimestampHeader is when the request was signed, in Unix seconds.
	TimestampHeader = "X-Accord-Timestamp"
	// SignatureHeader is "sha256=" and the hex HMAC-SHA256, keyed with the
	// secret, of the timestamp, a dot and the body.
	SignatureHeader = "X-Accord-Signature"
)

// Webhook posts notifications as JSON to a URL:
// {"version": "1", "notifications": [...]}.
type Webhook struct {
	URL    string
	Header http.Header
	Client *http.Client
	// Secret, when set, signs every request: TimestampHeader and
	// SignatureHeader let the receiver reject forgeries and replays.
	Secret string
	// Now is the clock signatures are dated by; nil means time.Now.
	Now func() time.Time
}

// WebhookMessage is the body a webhook receives.
type WebhookMessage struct {
	Version       string                `json:"version"`
	Notifications []engine.Notification `json:"notifications"`
}

// Name identifies the webhook by its URL as Redact shows it.
func (w *Webhook) Name() string { return "webhook:" + Redact(w.URL) }

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
	header := w.Header
	if w.Secret != "" {
		now := time.Now
		if w.Now != nil {
			now = w.Now
		}
		header = header.Clone()
		if header == nil {
			header = http.Header{}
		}
		ts := strconv.FormatInt(now().Unix(), 10)
		header.Set(TimestampHeader, ts)
		header.Set(SignatureHeader, Sign(w.Secret, ts, body))
	}
	return postJSON(ctx, client, w.URL, body, header)
}

// Sign returns the SignatureHeader value for a body sent at timestamp ts
// (Unix seconds, as in TimestampHeader).
func Sign(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
