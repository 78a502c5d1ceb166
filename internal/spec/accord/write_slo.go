package accord

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/accord-slo/accord/internal/slo"
)

// sloBody adds an SLO's fields after its name to m.
func (w *writer) sloBody(m mapping, s slo.SLO) {
	m.set("objective", w.number(s.Objective))
	m.set("window", w.window(s.Window))
	m.set("budgeting", w.budgeting(s.Budgeting))
	if s.Journey() {
		m.set("composite", w.composite(s))
	} else {
		m.set("indicator", w.indicator(s.Indicator))
	}
	m.set("groupBy", stringList(s.GroupBy))
	m.set("alerting", w.alerting(s.Alerting))
	m.set("policy", text(s.Policy))
	m.set("owners", ownersNode(s.Owners))
	m.set("runbook", text(s.RunbookURL))
}

func (w *writer) window(win slo.Window) *yaml.Node {
	if !win.IsCalendar() {
		if win.TimeZone != "" {
			w.fail("a rolling window has no time zone (%s)", win.TimeZone)
		}
		if n := w.duration("window", win.Rolling); n != nil {
			return n
		}
		return text("0s")
	}
	if win.Rolling != 0 {
		w.fail("window is both rolling (%s) and calendar (%s)", slo.FormatDuration(win.Rolling), win.Calendar)
	}
	m := newMapping().flow()
	m.set("calendar", text(string(win.Calendar)))
	m.set("timeZone", text(win.TimeZone))
	m.set("startTime", text(win.StartTime))
	return m.node
}

func (w *writer) budgeting(b slo.Budgeting) *yaml.Node {
	switch {
	case b.Method == slo.Occurrences && b.SliceLength == 0 && b.SliceTarget == 0:
		return nil
	case b.Method == slo.Occurrences:
		w.fail("occurrences budgeting has no time slices")
	case b.Method == slo.RatioTimeslices && b.SliceTarget != 0:
		w.fail("ratio-timeslices budgeting has no slice target (%g)", b.SliceTarget)
	}
	if b.SliceLength == 0 && b.SliceTarget == 0 {
		return text(string(b.Method))
	}
	m := newMapping().flow()
	m.set("method", text(string(b.Method)))
	m.set("sliceLength", w.duration("slice length", b.SliceLength))
	if b.SliceTarget != 0 {
		m.set("sliceTarget", w.number(b.SliceTarget))
	}
	return m.node
}

// indicatorFields are the query roles each indicator kind may carry.
var indicatorFields = map[slo.IndicatorKind][]string{
	slo.KindRatio:   {"good", "bad", "total", "errorRatio"},
	slo.KindLatency: {"histogram"},
	slo.KindBoolean: {"gauge"},
}

func (w *writer) indicator(ind slo.Indicator) *yaml.Node {
	roles, ok := indicatorFields[ind.Kind]
	if !ok {
		w.fail("indicator kind %q must be ratio, latency or boolean", ind.Kind)
		return nil
	}
	if ind.External != nil {
		return w.external(ind)
	}
	queries := ind.Queries()
	if ind.Threshold != 0 && ind.Kind != slo.KindLatency {
		w.fail("a %s indicator has no threshold", ind.Kind)
	}
	if ind.GoodWhen != nil && ind.Kind != slo.KindBoolean {
		w.fail("a %s indicator has no goodWhen", ind.Kind)
	}
	body := newMapping()
	body.set("threshold", w.duration("threshold", ind.Threshold))
	for _, role := range roles {
		if q := queries[role]; q != nil {
			body.set(role, w.query(role, *q))
			delete(queries, role)
		}
	}
	for role := range queries {
		w.fail("a %s indicator has no %s query", ind.Kind, role)
	}
	if c := ind.GoodWhen; c != nil {
		cmp := newMapping().flow()
		cmp.set("op", text(string(c.Op)))
		cmp.set("value", w.number(c.Value))
		body.set("goodWhen", cmp.node)
	}
	body.set("stream", text(ind.Stream))
	body.set("otlp", w.otlp(ind.OTLP))
	m := newMapping()
	m.set("dataSource", text(ind.DataSource))
	m.set(string(ind.Kind), body.node)
	return m.node
}

func (w *writer) query(role string, q slo.Query) *yaml.Node {
	for _, sh := range queryShapes {
		if sh.shape == q.Shape {
			m := newMapping()
			if !strings.Contains(q.Expr, "\n") {
				m = m.flow()
			}
			m.set(sh.key, promql(q.Expr))
			return m.node
		}
	}
	w.fail("%s query shape %q must be counter, template or instant", role, q.Shape)
	return nil
}

func (w *writer) alerting(a slo.Alerting) *yaml.Node {
	m := newMapping()
	m.set("name", text(a.Name))
	m.set("labels", stringMap(a.Labels))
	m.set("annotations", stringMap(a.Annotations))
	m.set("page", alertLevel(a.Page))
	m.set("ticket", alertLevel(a.Ticket))
	var rates, targets []*yaml.Node
	for i, br := range a.BurnRates {
		r := newMapping()
		r.set("name", text(br.Name))
		r.set("severity", text(string(br.Severity)))
		r.set("factor", w.number(br.Factor))
		r.set("longWindow", w.duration(fmt.Sprintf("burnRates[%d].longWindow", i), br.LongWindow))
		r.set("shortWindow", w.duration(fmt.Sprintf("burnRates[%d].shortWindow", i), br.ShortWindow))
		r.set("for", w.duration(fmt.Sprintf("burnRates[%d].for", i), br.For))
		rates = append(rates, r.node)
	}
	for _, t := range a.Targets {
		n := newMapping()
		n.set("name", text(t.Name))
		n.set("target", text(t.Target))
		n.set("description", text(t.Description))
		targets = append(targets, n.node)
	}
	m.set("burnRates", list(rates))
	m.set("targets", list(targets))
	return m.orNil()
}

// alertLevel is left out when enabled and plain, "disabled" when only
// switched off, and a mapping otherwise.
func alertLevel(l slo.AlertLevel) *yaml.Node {
	if len(l.Labels) == 0 && len(l.Annotations) == 0 {
		if l.Disabled {
			return text("disabled")
		}
		return nil
	}
	m := newMapping()
	if l.Disabled {
		m.set("enabled", boolean(false))
	}
	m.set("labels", stringMap(l.Labels))
	m.set("annotations", stringMap(l.Annotations))
	return m.node
}

// composite writes a journey's components, each of the journey's own
// service by its bare name, as people write them.
func (w *writer) composite(s slo.SLO) *yaml.Node {
	c := s.Composite
	if s.Indicator.Kind != "" || s.Indicator.Stream != "" || s.Indicator.External != nil {
		w.fail("a journey is measured by its components and has no indicator of its own (%s)", s.Indicator.Kind)
	}
	if c.WhenDelayed != "" && c.MaxDelay == 0 || c.WhenDelayed == "" && c.MaxDelay != 0 {
		w.fail("maxDelay (%s) and whenDelayed (%q) go together", slo.FormatDuration(c.MaxDelay), c.WhenDelayed)
	}
	var items []*yaml.Node
	for _, comp := range c.Components {
		name := comp.SLO
		if service, bare, ok := strings.Cut(name, "/"); ok && service == s.Service {
			name = bare
		}
		item := newMapping().flow()
		item.set("slo", text(name))
		item.set("weight", w.number(comp.Weight))
		items = append(items, item.node)
	}
	m := newMapping()
	m.set("components", list(items))
	m.set("maxDelay", w.duration("maxDelay", c.MaxDelay))
	m.set("whenDelayed", text(string(c.WhenDelayed)))
	return m.node
}
