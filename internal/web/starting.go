package web

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: errorBody{Code: slo.CodeUnavailable,
			Message: "Accord is starting: it is restoring its state; retry shortly"}})
	})
	return mux
}
