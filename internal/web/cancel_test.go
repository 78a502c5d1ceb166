package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCancelledRequestIsNoError: an ingest whose client went away (or a
// server stopping under SIGTERM) is logged as information, not an error.
func TestCancelledRequestIsNoError(t *testing.T) {
	var log bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&log, nil))}
	rec := httptest.NewRecorder()
	s.writeError(rec, httptest.NewRequest(http.MethodPost, "/api/v1/events", nil), fmt.Errorf("store 1 counts: %w", context.Canceled))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	if got := log.String(); strings.Contains(got, "level=ERROR") || !strings.Contains(got, `msg="request cancelled"`) {
		t.Errorf("logged %q, want an INFO line", got)
	}
	log.Reset()
	s.writeError(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/api/v1/events", nil), fmt.Errorf("store 1 counts: disk full"))
	if !strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("a real failure logged %q, want an ERROR line", log.String())
	}
}
