package sloth

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readAlerting maps Sloth's alerting block. Sloth always alerts with the
// SRE Workbook's multi-window, multi-burn-rate rules, so BurnRates stays
// empty and Accord's defaults apply.
func readAlerting(m *decode.Map, k keys, s *slo.SLO) {
	defer m.Close()
	s.Alerting.Name = m.String("name")
	s.Alerting.Labels = m.StringMap("labels")
	s.Alerting.Annotations = m.StringMap("annotations")
	s.Alerting.Page = readLevel(m.Map(k.of("page_alert", "pageAlert")))
	s.Alerting.Ticket = readLevel(m.Map(k.of("ticket_alert", "ticketAlert")))
	for _, key := range []string{"runbook", "runbook_url"} {
		if url := s.Alerting.Annotations[key]; url != "" && s.RunbookURL == "" {
			s.RunbookURL = url
			s.Origins.Set("runbook", m.Map("annotations").Origin(key))
		}
	}
}

func readLevel(m *decode.Map) slo.AlertLevel {
	defer m.Close()
	disabled, _ := m.Bool("disable")
	return slo.AlertLevel{Disabled: disabled, Labels: m.StringMap("labels"), Annotations: m.StringMap("annotations")}
}
