package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
)

// pushAnswer is a push's status and answer.
type pushAnswer struct {
	status   int
	Accepted int  `json:"accepted"`
	Repeat   bool `json:"repeat"`
	Error    struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// pushKeyed pushes an NDJSON body with an Idempotency-Key over HTTP.
func pushKeyed(t *testing.T, a *app.App, key, body string) pushAnswer {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL()+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer tok")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return pushAnswer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := pushAnswer{status: resp.StatusCode}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Errorf("answer %d is not JSON: %s", resp.StatusCode, b)
	}
	return out
}

// paymentsBody is n pre-counted minutes of 10 payments, 9 good.
func paymentsBody(start time.Time, n int) string {
	var b strings.Builder
	for m := 0; m < n; m++ {
		fmt.Fprintf(&b, `{"stream": "payments", "time": %q, "good": 9, "total": 10}`+"\n", start.Add(time.Duration(m)*time.Minute).Format(time.RFC3339))
	}
	return b.String()
}

func paymentsTotal(t *testing.T, a *app.App) float64 {
	t.Helper()
	if err := a.Step(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, _ := a.Engine.SLO("checkout/payments")
	return v.Status.Counts.Total
}

// TestIdempotencyKeyCountsABatchOnceAcrossReplicas runs two replicas on
// one PostgreSQL: a batch sent to one and again, under the same key, to
// the other is answered as a repeat and counted once by both; the same
// batch sent to both at once is counted once; a restarted replica still
// knows the key; the key with another body is refused.
func TestIdempotencyKeyCountsABatchOnceAcrossReplicas(t *testing.T) {
	url := pg.Database(t)
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(time.Hour))
	opts := app.Options{SpecPaths: []string{writeSpec(t, gateSpec)}, Database: url, Addr: "127.0.0.1:0", Token: "tok", Clock: clock, Manual: true}
	a, b := startApp(t, opts), startApp(t, opts)
	defer b.Close()

	body := paymentsBody(start, 30)
	if got := pushKeyed(t, a, "batch-1", body); got.status != 202 || got.Accepted != 30 || got.Repeat {
		t.Fatalf("first sending: %+v; want 202, 30 accepted, not a repeat", got)
	}
	// The client lost the answer and retries through the other replica.
	if got := pushKeyed(t, b, "batch-1", body); got.status != 202 || got.Accepted != 30 || !got.Repeat {
		t.Fatalf("second sending: %+v; want 202, 30 accepted, a repeat", got)
	}
	// Retries racing each other on both replicas count once too.
	second := paymentsBody(start.Add(30*time.Minute), 20)
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := pushKeyed(t, []*app.App{a, b}[i%2], "batch-2", second)
			if got.status != 202 || got.Accepted != 20 {
				t.Errorf("racing sending %d: %+v; want 202, 20 accepted", i, got)
			}
			mu.Lock()
			defer mu.Unlock()
			if !got.Repeat {
				fresh++
			}
		}()
	}
	wg.Wait()
	if fresh != 1 {
		t.Errorf("%d of 8 racing sendings were counted, want 1", fresh)
	}
	for name, r := range map[string]*app.App{"first": a, "second": b} {
		if got := paymentsTotal(t, r); got != 500 {
			t.Errorf("%s replica counts %v events, want 500 (30 and 20 minutes of 10, each once)", name, got)
		}
	}

	// Another body under a used key is a client's mistake.
	got := pushKeyed(t, b, "batch-1", paymentsBody(start, 3))
	if got.status != 409 || got.Error.Code != "conflict" || !strings.Contains(got.Error.Message, "different batch") {
		t.Errorf("a used key with another body: %+v; want 409 conflict saying the key was used for a different batch", got)
	}

	// A restarted replica knows the key.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = startApp(t, opts)
	defer a.Close()
	if got := pushKeyed(t, a, "batch-1", body); got.status != 202 || !got.Repeat {
		t.Errorf("sending after a restart: %+v; want 202, a repeat", got)
	}
	if got := paymentsTotal(t, a); got != 500 {
		t.Errorf("restarted replica counts %v events, want 500", got)
	}
}

// TestIdempotencyKeyHoldsAcrossARestartUntilItsRetention runs one SQLite
// replica: a batch resent after a restart is a repeat; past the receipts'
// retention the key is forgotten and the batch counts as new.
func TestIdempotencyKeyHoldsAcrossARestartUntilItsRetention(t *testing.T) {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := engine.NewManualClock(start.Add(time.Hour))
	opts := app.Options{SpecPaths: []string{writeSpec(t, gateSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0", Token: "tok", Clock: clock, Manual: true}
	a := startApp(t, opts)
	body := paymentsBody(start, 10)
	if got := pushKeyed(t, a, "tills-7/0001", body); got.status != 202 || got.Repeat {
		t.Fatalf("first sending: %+v; want 202, not a repeat", got)
	}
	if got := pushKeyed(t, a, "tills-7/0001", body); got.status != 202 || !got.Repeat || got.Accepted != 10 {
		t.Fatalf("second sending: %+v; want 202, 10 accepted, a repeat", got)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = startApp(t, opts)
	defer a.Close()
	if got := pushKeyed(t, a, "tills-7/0001", body); got.status != 202 || !got.Repeat {
		t.Fatalf("sending after a restart: %+v; want 202, a repeat", got)
	}
	if got := paymentsTotal(t, a); got != 100 {
		t.Fatalf("counted %v events after three sendings of one batch of 100, want 100", got)
	}

	// A day later than the receipt's retention, pruning forgets it.
	clock.Advance(engine.ReceiptRetention + time.Minute)
	if err := a.Engine.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := pushKeyed(t, a, "tills-7/0001", body); got.status != 202 || got.Repeat {
		t.Errorf("sending after the retention: %+v; want 202, counted as new", got)
	}
	for _, bad := range []string{"", strings.Repeat("k", engine.MaxIdempotencyKey+1)} {
		if got := pushKeyed(t, a, bad, body); got.status != 400 || !strings.Contains(got.Error.Message, "Idempotency-Key") {
			t.Errorf("key of %d bytes: %+v; want 400 naming Idempotency-Key", len(bad), got)
		}
	}
}
