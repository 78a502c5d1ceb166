package web

import "net/http"

// postTraces takes an OTLP/HTTP traces export (see internal/otlp).
func (s *Server) postTraces(w http.ResponseWriter, r *http.Request) {
	n := s.otlp.Traces(w, r)
	s.metrics.eventsIngested.Add(float64(n))
	noteWrite(r, "events", "", "exported spans (OTLP)") // folded: one entry counts an hour's exports
}

// postMetrics takes an OTLP/HTTP metrics export (see internal/otlp).
func (s *Server) postMetrics(w http.ResponseWriter, r *http.Request) {
	n := s.otlp.Metrics(w, r)
	s.metrics.eventsIngested.Add(float64(n))
	noteWrite(r, "events", "", "exported metric points (OTLP)")
}
