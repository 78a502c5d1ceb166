package sloth

import (
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readAlerting maps Sloth's alerting block. Sloth always alerts with the
// SRE Workbook's multi-window, multi-burn-rate rules, so BurnRates stays
// empty and Accord's defaults apply. The alerts' labels and annotations,
// such as severity: pageteam, are kept as written.
func readAlerting(parent *decode.Map, k keys, s *slo.SLO) {
	m := parent.Map("alerting")
	defer m.Close()
	s.Alerting.Name = m.String("name")
	s.Alerting.Labels = m.StringMap("labels")
	s.Alerting.Annotations = m.StringMap("annotations")
	s.Alerting.Page = readLevel(m.Map(k.in(m, "page_alert", "pageAlert")))
	s.Alerting.Ticket = readLevel(m.Map(k.in(m, "ticket_alert", "ticketAlert")))
	if s.Alerting.Name == "" && (!s.Alerting.Page.Disabled || !s.Alerting.Ticket.Disabled) && parent.Present() {
		// as in Sloth: the alerts are named after it
		if m.Present() {
			m.Errorf("name", "required field is missing: the name of the SLO's alerts, such as MyServiceHighErrorRate (or disable both page_alert and ticket_alert)")
		} else {
			parent.Errorf("alerting", "required field is missing: give alerting: {name: ALERT_NAME}, as Sloth names the SLO's alerts after it")
		}
	}
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
