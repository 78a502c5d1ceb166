package web

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"testing"
)

// TestAnAnswerThatCannotBeEncodedIsAWhole500 writes a NaN, which JSON
// cannot hold: the client gets a 500 with a JSON error, never a 200 with
// an empty or partial body, and the cause is kept for the log.
func TestAnAnswerThatCannotBeEncodedIsAWhole500(t *testing.T) {
	rec := httptest.NewRecorder()
	w := &statusRecorder{ResponseWriter: rec, code: 200}
	writeJSON(w, 200, map[string]any{"slos": []float64{0.5, math.NaN()}})
	var body apiError
	if rec.Code != 500 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error.Code != "internal" {
		t.Errorf("answer %d %q, want 500 with a JSON error", rec.Code, rec.Body.String())
	}
	if w.err == nil {
		t.Error("the encoding error is not kept for the log")
	}
	rec = httptest.NewRecorder()
	writeJSON(rec, 202, map[string]int{"accepted": 2})
	if rec.Code != 202 || rec.Body.String() != "{\n  \"accepted\": 2\n}\n" || rec.Header().Get("Content-Length") != "20" {
		t.Errorf("a whole answer: %d %q length %s", rec.Code, rec.Body.String(), rec.Header().Get("Content-Length"))
	}
}
