package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/web"
)

// BenchmarkGate times one gate answer through the handler for a service
// of 10 SLOs among 10,000, with a few exceptions on record.
func BenchmarkGate(b *testing.B) {
	var sb strings.Builder
	for s := 0; s < 1000; s++ {
		if s > 0 {
			sb.WriteString("---\n")
		}
		fmt.Fprintf(&sb, "apiVersion: accord/v1\nkind: Service\nmetadata: {name: svc-%d}\nspec:\n  owners: {team: t%d}\n  slos:\n", s, s%20)
		for i := 0; i < 10; i++ {
			fmt.Fprintf(&sb, "    - {name: slo-%d, objective: 99.9, window: 30d, indicator: {ratio: {stream: s%d-%d}}}\n", i, s, i)
		}
	}
	e, store, _ := mustEngine(b, sb.String(), time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC))
	if err := e.Evaluate(context.Background()); err != nil {
		b.Fatal(err)
	}
	h := web.New(e, store, web.Options{Auth: mustAuth(b, store, e.Clock())})
	for i := 0; i < 20; i++ {
		req := httptest.NewRequest("POST", "/api/v1/exceptions", strings.NewReader(
			fmt.Sprintf(`{"service": "svc-%d", "until": "4h", "reason": "r"}`, i)))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("grant an exception: %d %s", rec.Code, rec.Body)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/gate?service=svc-500", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("gate: %d %s", rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/answer")
}
