package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// A push whose answer is lost is sent again under the same key.
func TestPushEventsResendsUnderTheSameKeyWhenTheAnswerIsLost(t *testing.T) {
	var mu sync.Mutex
	var keys, bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		keys, bodies = append(keys, r.Header.Get("Idempotency-Key")), append(bodies, string(b))
		n := len(keys)
		mu.Unlock()
		if n == 1 { // stored, but the connection drops before the answer
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"accepted": 1, "repeat": true}`)
	}))
	defer srv.Close()
	c := &Client{Server: srv.URL, Token: "t"}
	got, err := c.PushEvents(context.Background(), "till-7/42", []byte(`{"stream": "s", "outcome": "good"}`+"\n"))
	if err != nil || !got.Repeat || got.Accepted != 1 {
		t.Fatalf("PushEvents = %+v, %v; want the second answer, a repeat of 1 event", got, err)
	}
	if len(keys) != 2 || keys[0] != "till-7/42" || keys[1] != keys[0] || bodies[1] != bodies[0] {
		t.Errorf("sent keys %q with bodies %q; want the same key and body twice", keys, bodies)
	}
}

// A refused batch is not sent again.
func TestPushEventsDoesNotResendARefusedBatch(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"error": {"code": "conflict", "message": "Idempotency-Key \"k\" was used for a different batch"}}`)
	}))
	defer srv.Close()
	_, err := (&Client{Server: srv.URL}).PushEvents(context.Background(), "k", []byte("{}\n"))
	if err == nil || calls != 1 {
		t.Fatalf("PushEvents after a 409: %v after %d calls; want the error after one call", err, calls)
	}
}
