package main

import (
	"bufio"
	"fmt"
)

// spec writes n SLOs as Sloth prometheus/v1 documents, 100 per service:
// each a 30-day 99.9% availability SLO over http_requests_total{slo=…},
// with Sloth's page and ticket alerts.
func spec(w *bufio.Writer, n int) {
	for i := range n {
		if i%100 == 0 {
			fmt.Fprintf(w, "---\nversion: prometheus/v1\nservice: svc-%03d\nlabels: {owner: team-%03d}\nslos:\n", i/100, i/100)
		}
		fmt.Fprintf(w, `  - name: %[1]s
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{slo="%[1]s",code="500"}[{{.window}}]))
        total_query: sum(rate(http_requests_total{slo="%[1]s"}[{{.window}}]))
    alerting:
      name: SLOBurn
      page_alert: {labels: {severity: page}}
      ticket_alert: {labels: {severity: ticket}}
`, sloName(i))
	}
}
