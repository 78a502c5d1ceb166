package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/report"
	"github.com/accord-slo/accord/internal/slo"
)

// reportSource is what reports read: the history, the audit trail, and
// the engine's stand-ins for late journey components.
type reportSource struct {
	History
	auth   *auth.Service
	engine *engine.Engine
}

// JourneyStandIns reads what stands in for late components in journeys.
func (rs reportSource) JourneyStandIns() map[string]engine.StandIns {
	return rs.engine.JourneyStandIns()
}

// Audit reads the audit trail.
func (rs reportSource) Audit(ctx context.Context, q auth.Query) ([]auth.Entry, error) {
	return rs.auth.Audit(ctx, q)
}

func (s *Server) reportSource() reportSource {
	return reportSource{History: s.history, auth: s.auth, engine: s.engine}
}

func (s *Server) buildReport(r *http.Request) (*report.Report, error) {
	now := s.engine.Clock().Now()
	period, err := report.ParsePeriod(r.URL.Query().Get("period"), now)
	if err != nil {
		return nil, invalid("%v", err)
	}
	return report.Build(r.Context(), s.reportSource(), s.engine.Catalog(), period, now)
}

// getReport answers ?period=last-week|this-week|last-month|FROM..TO with the report
// as JSON.
func (s *Server) getReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.buildReport(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

type reportPage struct {
	page
	Period  string
	Periods []string
	Body    template.HTML
	Error   string
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	p := reportPage{page: s.page(r, "Reports", "reports"), Period: r.URL.Query().Get("period"),
		Periods: []string{"this-week", "last-week", "last-month"}}
	if p.Period == "" {
		p.Period = "last-week"
	}
	rep, err := s.buildReport(r)
	switch {
	case err != nil && slo.ErrorCode(err) != slo.CodeInvalid:
		s.pageError(w, r, "reports", err) // a report without its data is not one
		return
	case err != nil:
		p.Error = err.Error()
	default:
		var buf bytes.Buffer
		if err := report.HTMLBody(&buf, rep); err != nil {
			s.log.Error("render report", "err", err)
			p.Error = "the report could not be rendered; the server log has the details"
		}
		p.Body = template.HTML(buf.String()) // rendered by html/template
	}
	s.render(w, r, "reports", p)
}
