package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/accord-slo/accord/internal/web"
)

// TestStartingShowsAPageToBrowsers checks that while Accord starts, a
// browser opening the UI gets a page that says so and reloads itself,
// while API clients still get a JSON 503; both with Retry-After.
func TestStartingShowsAPageToBrowsers(t *testing.T) {
	h := web.Starting(prometheus.NewRegistry())
	get := func(path, accept string) *http.Response {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result()
	}
	page := get("/", "text/html,application/xhtml+xml,*/*;q=0.8")
	body, _ := io.ReadAll(page.Body)
	if page.StatusCode != http.StatusServiceUnavailable || page.Header.Get("Retry-After") == "" ||
		!strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), "Accord is starting") || !strings.Contains(string(body), `http-equiv="refresh"`) {
		t.Errorf("a browser gets %d %v:\n%s", page.StatusCode, page.Header, body)
	}
	api := get("/api/v1/slos", "text/html,*/*")
	var e struct{ Error struct{ Code string } }
	if err := json.NewDecoder(api.Body).Decode(&e); err != nil || api.StatusCode != http.StatusServiceUnavailable || e.Error.Code == "" {
		t.Errorf("an API client gets %d, %v, code %q", api.StatusCode, err, e.Error.Code)
	}
	// An OTLP exporter gets OTLP's google.rpc.Status, in its encoding.
	r := httptest.NewRequest(http.MethodPost, "/v1/metrics", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var st status.Status
	if err := protojson.Unmarshal(rec.Body.Bytes(), &st); err != nil || rec.Code != http.StatusServiceUnavailable ||
		rec.Header().Get("Retry-After") == "" || rec.Header().Get("Content-Type") != "application/json" || st.GetCode() != 14 {
		t.Errorf("an OTLP exporter gets %d %v %s (%v), want 503 with Retry-After and an UNAVAILABLE status", rec.Code, rec.Header(), rec.Body, err)
	}
}
