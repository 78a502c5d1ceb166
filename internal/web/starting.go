package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/accord-slo/accord/internal/otlp"
	"github.com/accord-slo/accord/internal/slo"
)

// Starting answers while Accord restores its state, before the server is
// built: /healthz says the process lives, /readyz that it is not ready,
// /metrics shows the process, and everything else is 503 with
// Retry-After, so load balancers and clients wait rather than fail.
func Starting(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfter))
		if wantsPage(r) && !otlp.Route(r.URL.Path) {
			// A person opening the UI (the demo, say) gets a page that
			// says so and reloads itself, not an API error.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, startingPage)
			return
		}
		writeRefusal(w, r, http.StatusServiceUnavailable, errorBody{Code: slo.CodeUnavailable,
			Message: "Accord is starting: it is restoring its state; retry shortly"})
	})
	return mux
}

// wantsPage reports whether r is a browser asking for a UI page.
func wantsPage(r *http.Request) bool {
	return r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// startingPage is the page shown while Accord starts; it reloads itself.
const startingPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="2"><title>Accord is starting</title></head>
<body><h1>Accord is starting</h1><p>It is restoring its state. This page reloads itself every 2 seconds until Accord is ready.</p></body></html>
`
