package accord

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// readAlerting reads how an SLO alerts on its burn rate.
func readAlerting(body *decode.Map, s *slo.SLO) {
	a := body.Map("alerting")
	defer a.Close()
	s.Alerting = slo.Alerting{
		Name:        a.String("name"),
		Labels:      labels(a, "labels"),
		Annotations: labels(a, "annotations"),
		Page:        readAlertLevel(a, "page"),
		Ticket:      readAlertLevel(a, "ticket"),
	}
	for i, b := range a.Maps("burnRates") {
		s.Alerting.BurnRates = append(s.Alerting.BurnRates, readBurnRate(b))
		s.Origins.Set(fmt.Sprintf("alerting.burnRates[%d]", i), b.Self())
	}
	for _, t := range a.Maps("targets") {
		s.Alerting.Targets = append(s.Alerting.Targets, slo.NotificationTarget{
			Name:        t.RequiredString("name"),
			Target:      t.RequiredString("target"),
			Description: t.String("description"),
		})
		t.Close()
	}
}

// readAlertLevel reads page: or ticket: — enabled, disabled, or a mapping
// {enabled, labels, annotations}.
func readAlertLevel(a *decode.Map, key string) slo.AlertLevel {
	v := a.Value(key)
	switch {
	case isNull(v):
		return slo.AlertLevel{}
	case v.Kind == yaml.ScalarNode:
		switch strings.ToLower(v.Value) {
		case "enabled", "true":
			return slo.AlertLevel{}
		case "disabled", "false":
			return slo.AlertLevel{Disabled: true}
		}
		a.Errorf(key, "must be enabled, disabled or a mapping {enabled, labels, annotations}, not %q", v.Value)
		return slo.AlertLevel{}
	}
	m := a.Map(key)
	defer m.Close()
	enabled, given := m.Bool("enabled")
	return slo.AlertLevel{
		Disabled:    given && !enabled,
		Labels:      labels(m, "labels"),
		Annotations: labels(m, "annotations"),
	}
}

// readBurnRate reads one multi-window burn-rate alert.
func readBurnRate(b *decode.Map) slo.BurnRateAlert {
	defer b.Close()
	b.Require("severity", "factor", "longWindow", "shortWindow")
	br := slo.BurnRateAlert{
		Name:     b.String("name"),
		Severity: slo.Severity(b.String("severity")),
	}
	br.Factor, _ = b.Float("factor")
	br.LongWindow, _ = duration(b, "longWindow")
	br.ShortWindow, _ = duration(b, "shortWindow")
	br.For, _ = duration(b, "for")
	return br
}
