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
		var md meta
		switch {
		case item.Has("alertPolicyRef"):
			item.Known("kind")
			o := l.ref(kindAlertPolicy, item.String("alertPolicyRef"), item, "alertPolicyRef")
			item.Close()
			if o == nil {
				continue
			}
			spec, md = o.spec, o.meta
		default:
			item.Known("kind", "apiVersion")
			md = readMetaOptional(item.Map("metadata"))
			spec = item.Map("spec")
			if !item.Require("spec") {
				item.Close()
				continue
			}
			item.Close()
			defer spec.Close()
		}
		l.readAlertPolicy(spec, s, md.annotations[annDefaultRules] == "true")
	}
}

// readAlertPolicy reads a policy's conditions as burn-rate alerts and its
// notification targets. Conditions of a policy Accord wrote for its
// default alerts are not the SLO's own: it keeps the defaults.
func (l *Loader) readAlertPolicy(spec *decode.Map, s *slo.SLO, defaults bool) {
	// Accord notifies on firing and on resolution, and marks missing data
	// stale: these switches ask for what it always does.
	spec.Known("description", "alertWhenNoData", "alertWhenResolved", "alertWhenBreaching")
	for _, it := range spec.Seq("conditions") {
		c := spec.Doc.Map(it.Node, it.Path)
		cond := l.inlineOrRef(c, "conditionRef", kindCondition)
		if cond.spec != nil {
			if br, ok := readCondition(cond.spec, cond.meta); ok && !defaults {
				s.Origins.Set(fmt.Sprintf("alerting.burnRates[%d]", len(s.Alerting.BurnRates)), c.Self())
				s.Alerting.BurnRates = append(s.Alerting.BurnRates, br)
			}
		}
	}
	for _, it := range spec.Seq("notificationTargets") {
		t := spec.Doc.Map(it.Node, it.Path)
		target := l.inlineOrRef(t, "targetRef", kindTarget)
		if target.spec == nil {
			continue
		}
		nt := slo.NotificationTarget{Name: target.meta.name, Target: target.spec.RequiredString("target"), Description: target.spec.String("description")}
		if n := target.meta.annotations[annName]; n != "" {
			nt.Name = n
		}
		if target.meta.annotations[annImplied] != "true" && !hasTarget(s.Alerting.Targets, nt.Name) {
			s.Alerting.Targets = append(s.Alerting.Targets, nt)
		}
	}
}

// hasTarget reports whether a target of that name is already kept: two
// policies of one SLO often notify the same target.
func hasTarget(targets []slo.NotificationTarget, name string) bool {
	for _, t := range targets {
		if name != "" && t.Name == name {
			return true
		}
	}
	return false
}

// inlineOrRef reads a list item that is either an inline document or a
// reference to one by name.
func (l *Loader) inlineOrRef(m *decode.Map, refKey, kind string) object {
	defer m.Close()
	m.Known("kind", "apiVersion")
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

// severities maps the severities OpenSLO files use onto Accord's two.
var severities = map[string]slo.Severity{
	"page": slo.SeverityPage, "critical": slo.SeverityPage, "high": slo.SeverityPage, "urgent": slo.SeverityPage,
	"sev1": slo.SeverityPage, "sev2": slo.SeverityPage, "p1": slo.SeverityPage, "p2": slo.SeverityPage,
	"ticket": slo.SeverityTicket, "warning": slo.SeverityTicket, "medium": slo.SeverityTicket, "low": slo.SeverityTicket,
	"info": slo.SeverityTicket, "sev3": slo.SeverityTicket, "sev4": slo.SeverityTicket, "p3": slo.SeverityTicket, "p4": slo.SeverityTicket,
}

// readCondition reads an alert condition as a burn-rate alert. OpenSLO's
// op compares the burn rate with the threshold: gte and gt fire when the
// budget burns at least that fast, which is what Accord's burn-rate alerts
// do; lte and lt would fire while it burns slowly, which no burn-rate
// alert expresses, so such a condition is reported and left out.
func readCondition(spec *decode.Map, md meta) (slo.BurnRateAlert, bool) {
	spec.Known("description")
	br := slo.BurnRateAlert{Name: md.name}
	if n, ok := md.annotations[annName]; ok {
		br.Name = n // the alert's name before a conversion made it unique
	}
	sev := spec.RequiredString("severity")
	if s, ok := severities[strings.ToLower(sev)]; ok {
		br.Severity = s
	} else if sev != "" {
		br.Severity = slo.SeverityPage
		spec.Warnf("severity", "severity %q read as page: Accord's severities are page and ticket (critical, high, sev1, sev2 page; warning, medium, low, sev3 open a ticket)", sev)
	}
	c := spec.Map("condition")
	defer c.Close()
	if !spec.Require("condition") {
		return br, false
	}
	factor, hasFactor := c.Float("threshold")
	br.Factor = factor
	br.LongWindow, _ = c.Duration("lookbackWindow")
	br.For, _ = c.Duration("alertAfter")
	if kind := c.String("kind"); kind != "" && !strings.EqualFold(kind, "burnrate") {
		c.Errorf("kind", "condition kind %q: Accord alerts on burn rates (kind: burnrate)", kind)
		c.Known(c.Keys()...) // the other fields belong to that kind: no follow-on errors
		return br, false
	}
	if !hasFactor && !c.Has("threshold") {
		c.Errorf("threshold", "required field is missing: the burn rate to alert at, such as 14.4")
	}
	if !c.Has("lookbackWindow") {
		c.Errorf("lookbackWindow", "required field is missing: the window the burn rate is measured over, such as 1h")
	}
	switch op := c.String("op"); op {
	case "gte", "gt":
	case "lte", "lt":
		c.Warnf("op", "op %s fires while the burn rate stays %s %g, when the budget is safe: Accord's burn-rate alerts fire when it burns at least that fast, so this condition is not an alert; write op: gte for that", op, map[string]string{"lte": "at most", "lt": "below"}[op], factor)
		return br, false
	case "":
		c.Warnf("op", "op is missing: read as gte, an alert when the burn rate is at least %g", factor)
	default:
		c.Errorf("op", "op %q must be gte, gt, lte or lt", op)
		return br, false
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
