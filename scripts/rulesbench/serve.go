package main

import (
	"bufio"
	"fmt"
	"net/http"
	"time"
)

// serve exposes the n SLOs' counters at addr/metrics, valued at the time
// of each scrape, so that they continue the backfilled history.
func serve(n int, addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(rw http.ResponseWriter, _ *http.Request) {
		t := float64(time.Now().UnixNano()) / 1e9
		b := bufio.NewWriter(rw)
		fmt.Fprintln(b, "# TYPE http_requests_total counter")
		for i := range n {
			good, bad := counts(i, t)
			fmt.Fprintf(b, "http_requests_total{slo=%q,code=\"200\"} %s\n", sloName(i), float(good))
			fmt.Fprintf(b, "http_requests_total{slo=%q,code=\"500\"} %s\n", sloName(i), float(bad))
		}
		b.Flush()
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	return srv.ListenAndServe()
}
