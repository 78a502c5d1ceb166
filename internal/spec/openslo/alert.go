package openslo

import (
	"fmt"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec/decode"
)

// shortWindowRatio is the SRE Workbook's ratio of a burn-rate alert's long
// window to its short one (1h and 5m): OpenSLO names only the long one.
const shortWindowRatio = 12

// readAlertPolicies turns the SLO's alert policies, inline or referenced,
// into burn-rate alerts and notification targets.
func (l *Loader) readAlertPolicies(sp *decode.Map, s *slo.SLO) {
	for _, it := range sp.Seq("alertPolicies") {
		item := sp.Doc.Map(it.Node, it.Path)
		var spec *decode.Map
		switch {
		case item.Has("alertPolicyRef"):
			item.Known("kind")
			o := l.ref(kindAlertPolicy, item.String("alertPolicyRef"), item, "alertPolicyRef")
			item.Close()
			if o == nil {
				continue
			}
			spec = o.spec
		default:
			item.Known("kind")
			readMetaOptional(item.Map("metadata"))
			spec = item.Map("spec")
			if !item.Require("spec") {
				item.Close()
				continue
			}
			item.Close()
			defer spec.Close()
		}
		l.readAlertPolicy(spec, s)
	}
}

func (l *Loader) readAlertPolicy(spec *decode.Map, s *slo.SLO) {
	// Accord notifies on firing and on resolution, and marks missing data
	// stale: these switches ask for what it always does.
	spec.Known("description", "alertWhenNoData", "alertWhenResolved", "alertWhenBreaching")
	for _, it := range spec.Seq("conditions") {
		c := spec.Doc.Map(it.Node, it.Path)
		cond := l.inlineOrRef(c, "conditionRef", kindCondition)
		if cond.spec != nil {
			if br, ok := readCondition(cond.spec, cond.meta); ok {
				s.Origins.Set(fmt.Sprintf("alerting.burnRates[%d]", len(s.Alerting.BurnRates)), c.Self())
				s.Alerting.BurnRates = append(s.Alerting.BurnRates, br)
			}
		}
	}
	for _, it := range spec.Seq("notificationTargets") {
		t := spec.Doc.Map(it.Node, it.Path)
		target := l.inlineOrRef(t, "targetRef", kindTarget)
		if target.spec != nil {
			s.Alerting.Targets = append(s.Alerting.Targets, slo.NotificationTarget{
				Name: target.meta.name, Target: target.spec.RequiredString("target"), Description: target.spec.String("description"),
			})
		}
	}
}

// inlineOrRef reads a list item that is either an inline document or a
// reference to one by name.
func (l *Loader) inlineOrRef(m *decode.Map, refKey, kind string) object {
	defer m.Close()
	m.Known("kind")
	if m.Has(refKey) {
		o := l.ref(kind, m.String(refKey), m, refKey)
		if o == nil {
			return object{}
		}
		return *o
	}
	md := readMetaOptional(m.Map("metadata"))
	spec := m.Map("spec")
	if !m.Require("spec") {
		return object{}
	}
	return object{meta: md, spec: spec}
}

func readCondition(spec *decode.Map, md meta) (slo.BurnRateAlert, bool) {
	spec.Known("description")
	br := slo.BurnRateAlert{Name: md.name}
	sev := spec.String("severity")
	switch strings.ToLower(sev) {
	case "page", "critical", "high":
		br.Severity = slo.SeverityPage
	case "ticket", "warning", "medium", "low":
		br.Severity = slo.SeverityTicket
	default:
		spec.Errorf("severity", "severity %q must be page or ticket (critical, high, warning, medium and low are read as those)", sev)
	}
	c := spec.Map("condition")
	defer c.Close()
	if !spec.Require("condition") {
		return br, false
	}
	br.Factor, _ = c.Float("threshold")
	br.LongWindow, _ = c.Duration("lookbackWindow")
	br.For, _ = c.Duration("alertAfter")
	if kind := c.String("kind"); !strings.EqualFold(kind, "burnrate") {
		c.Errorf("kind", "condition kind %q: Accord alerts on burn rates (kind: burnrate)", kind)
		return br, false
	}
	if op := c.String("op"); op != "" && op != "gte" && op != "gt" {
		c.Errorf("op", "a burn-rate condition fires when the burn rate is at least the threshold (op: gte), not %q", op)
	}
	br.ShortWindow = br.LongWindow / shortWindowRatio
	if raw := md.annotations[annShortWindow]; raw != "" {
		if d, err := slo.ParseDuration(raw); err == nil {
			br.ShortWindow = d
		} else {
			md.m.Errorf("annotations", "annotation %s: %v", annShortWindow, err)
		}
	}
	br.ShortWindow = br.ShortWindow.Truncate(time.Second)
	return br, true
}
