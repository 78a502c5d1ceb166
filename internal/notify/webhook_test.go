package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/notify"
)

// verify is what a receiver does (docs/alerting.md#signed-webhooks),
// written here from the documentation rather than with notify.Sign: the
// timestamp must be within tolerance of now, and the signature the
// HMAC-SHA256 of "TIMESTAMP.BODY" under the shared secret.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	ts, err := strconv.ParseInt(h.Get("X-Accord-Timestamp"), 10, 64)
	if err != nil {
		return errors.New("no timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("too old or from the future: a replay?")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(h.Get("X-Accord-Timestamp") + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(h.Get("X-Accord-Signature"))) {
		return errors.New("signature does not match")
	}
	return nil
}

// captured is a request a receiver got.
type captured struct {
	header http.Header
	body   []byte
}

// TestWebhookSignaturesVerify: with a secret, a receiver verifies the
// request it got; a changed body, another secret or the same request
// replayed later fail; without a secret nothing is signed.
func TestWebhookSignaturesVerify(t *testing.T) {
	var mu sync.Mutex
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, captured{r.Header.Clone(), b})
		mu.Unlock()
	}))
	defer srv.Close()
	sent := time.Date(2026, 11, 4, 9, 30, 0, 0, time.UTC)
	notes := []engine.Notification{{ID: 1, Kind: engine.NotifyAlert, At: sent, Labels: map[string]string{"slo": "checkout/payments"}}}

	hook := &notify.Webhook{URL: srv.URL, Secret: "s3cret-for-the-receiver", Now: func() time.Time { return sent }}
	if err := hook.Send(context.Background(), notes); err != nil {
		t.Fatal(err)
	}
	if err := (&notify.Webhook{URL: srv.URL}).Send(context.Background(), notes); err != nil {
		t.Fatal(err)
	}
	signed, unsigned := got[0], got[1]

	if err := verify("s3cret-for-the-receiver", signed.header, signed.body, sent.Add(30*time.Second)); err != nil {
		t.Errorf("the genuine request does not verify: %v (headers %v)", err, signed.header)
	}
	if ts := signed.header.Get("X-Accord-Timestamp"); ts != strconv.FormatInt(sent.Unix(), 10) {
		t.Errorf("timestamp %q, want the send time %d", ts, sent.Unix())
	}
	forged := []byte(strings.Replace(string(signed.body), "checkout/payments", "checkout/refunds", 1))
	if string(forged) == string(signed.body) {
		t.Fatal("the body does not name the SLO; the forgery changes nothing")
	}
	for _, c := range []struct {
		name, secret string
		body         []byte
		at           time.Time
	}{
		{"a changed body", "s3cret-for-the-receiver", forged, sent},
		{"another secret", "guessed", signed.body, sent},
		{"a replay an hour later", "s3cret-for-the-receiver", signed.body, sent.Add(time.Hour)},
	} {
		if err := verify(c.secret, signed.header, c.body, c.at); err == nil {
			t.Errorf("%s verifies", c.name)
		}
	}
	if unsigned.header.Get("X-Accord-Signature") != "" || unsigned.header.Get("X-Accord-Timestamp") != "" {
		t.Errorf("a webhook without a secret sent signature headers: %v", unsigned.header)
	}
}

// TestChannelNamesAndErrorsHideURLKeys: a Slack URL's key and a URL's
// query and password show neither in the channel name (a metric label
// and log field) nor in a delivery error.
func TestChannelNamesAndErrorsHideURLKeys(t *testing.T) {
	const key = "XbQ7rT2mZk9LwP4sVn8yHd3F"
	slack := &notify.Slack{URL: "http://127.0.0.1:1/services/T0ABCDEF1/B0GHIJKL2/" + key}
	hook := &notify.Webhook{URL: "http://user:pa55word@127.0.0.1:1/hook?token=" + key}
	for _, ch := range []notify.Channel{slack, hook} {
		err := ch.Send(context.Background(), []engine.Notification{{ID: 1}})
		if err == nil {
			t.Fatalf("%s: delivery to a closed port succeeded", ch.Name())
		}
		for _, secret := range []string{key, "pa55word"} {
			if strings.Contains(ch.Name(), secret) || strings.Contains(err.Error(), secret) {
				t.Errorf("name %q or error %q shows a secret", ch.Name(), err)
			}
		}
	}
	if slack.Name() != "slack:http://127.0.0.1:1/services/T0ABCDEF1/B0GHIJKL2/…" {
		t.Errorf("Slack channel name %q", slack.Name())
	}
}
