package spec_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/accord"
)

const otlpGood = `apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: web}
  slos:
    - name: requests
      objective: 99
      window: 7d
      groupBy: [route]
      indicator:
        ratio:
          stream: shop-strict
          otlp:
            spans: {service: shop, kinds: [server], badStatusCode: 400, errorStatus: false, labels: {route: http.route}}
    - name: errors
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: shop-requests
          otlp:
            metric: {name: http.server.request.duration, bad: {http.response.status_code: '5..'}}
    - name: fast
      objective: 95
      window: 7d
      indicator:
        latency:
          threshold: 250ms
          stream: shop-latency
          otlp:
            metric: {name: http.server.request.duration, unit: s, buckets: [0.1, 0.25, 0.5], scale: 3}
`

func TestOTLPSourcesLoadAndWriteBack(t *testing.T) {
	res := spec.LoadBytes("shop.yaml", []byte(otlpGood))
	if res.Diags.HasErrors() {
		t.Fatalf("errors: %v", res.Diags.Items())
	}
	sp := res.Catalog.SLOs[0].Indicator.OTLP.Spans
	if sp == nil || sp.Service != "shop" || sp.EffectiveBadStatusCode() != 400 || sp.EffectiveErrorStatus() ||
		!slices.Equal(sp.EffectiveKinds(), []string{"server"}) || sp.Labels["route"] != "http.route" {
		t.Errorf("spans source %+v", sp)
	}
	m := res.Catalog.SLOs[2].Indicator.OTLP.Metric
	if m == nil || m.Name != "http.server.request.duration" || !slices.Equal(m.Buckets, []float64{0.1, 0.25, 0.5}) || m.Scale == nil || *m.Scale != 3 {
		t.Errorf("metric source %+v", m)
	}
	out, err := accord.Write(res.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	again := spec.LoadBytes("again.yaml", out)
	if again.Diags.HasErrors() {
		t.Fatalf("written spec does not load: %v\n%s", again.Diags.Items(), out)
	}
	for i := range res.Catalog.SLOs {
		a, b := res.Catalog.SLOs[i].Indicator.OTLP, again.Catalog.SLOs[i].Indicator.OTLP
		if !equalJSON(t, a, b) {
			t.Errorf("SLO %d: OTLP %+v written and read back as %+v", i, a, b)
		}
	}
}

func TestOTLPSourceErrorsArePositionedAndAllReported(t *testing.T) {
	bad := `apiVersion: accord/v1
kind: Service
metadata: {name: shop}
spec:
  owners: {team: web}
  slos:
    - name: a
      objective: 95
      window: 7d
      indicator:
        latency:
          threshold: 300ms
          stream: lat
          otlp:
            metric: {name: d, unit: s, buckets: [0.1, 0.25, 0.5, 1], scale: 3}
    - name: b
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: lat
          otlp:
            metric: {name: d, unit: s, buckets: [0.1, 0.25, 0.5, 1], scale: 3}
    - name: c
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: c
          otlp:
            spans: {kinds: [server, serve], badStatusCode: 700, labels: {store: store.id}}
    - name: d
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: c
          otlp:
            spans: {kinds: [server]}
    - name: e
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: e
          otlp:
            metric: {name: requests, bad: {code: '5..'}, good: {code: '2..'}}
    - name: f
      objective: 99
      window: 7d
      indicator:
        ratio:
          stream: f
          otlp: {spans: {}, metric: {name: requests}}
`
	res := spec.LoadBytes("shop.yaml", []byte(bad))
	var got []string
	for _, d := range res.Diags.Items() {
		got = append(got, d.String())
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"shop.yaml:15:49: spec.slos[0].indicator.latency.otlp.metric.buckets: threshold 300ms falls between the bucket bounds 250ms and 500ms; Accord counts whole buckets and does not round",
		"shop.yaml:15:77: spec.slos[0].indicator.latency.otlp.metric.scale: threshold 300ms falls between the bucket bounds 297.301779ms and 324.209889ms at scale 3",
		"shop.yaml:21:19: spec.slos[1].indicator.ratio.stream: stream lat is fed by metric d, counted for SLO shop/a (latency, threshold 300ms)",
		"shop.yaml:23:13: spec.slos[1].indicator.ratio.otlp: a ratio from a metric needs bad (or good)",
		`shop.yaml:31:60: spec.slos[2].indicator.ratio.otlp.spans.badStatusCode: must be an HTTP status code from 100 to 599`,
		`span kind "serve" must be one of server, consumer, client, producer, internal`,
		"labels.store: the SLO does not group by store",
		"shop.yaml:39:13: spec.slos[3].indicator.ratio.otlp: stream c: these OTLP settings differ from SLO shop/c's (shop.yaml:31:13)",
		"spec.slos[4].indicator.ratio.otlp.metric.good: give bad or good points, not both",
		"shop.yaml:54:37: spec.slos[5].indicator.ratio.otlp.metric: give spans or metric, not both",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing error %q in:\n%s", want, text)
		}
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

const opensloOTel = `apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-errors}
spec:
  service: shop
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives: [{target: 0.999}]
  indicator:
    metadata: {name: checkout-errors}
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource: {type: OpenTelemetry, spec: {service: shop, metric: http.server.requests, attributes: {http.response.status_code: '5..'}}}
        total:
          metricSource: {type: OpenTelemetry, spec: {service: shop, metric: http.server.requests}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout-spans}
spec:
  service: shop
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives: [{target: 0.99}]
  indicator:
    metadata: {name: checkout-spans}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource: {type: otel, spec: {service: shop}}
        total:
          metricSource: {type: otel, spec: {service: shop}}
`

func TestOpenSLOOpenTelemetrySourcesMapToOTLPStreams(t *testing.T) {
	res := spec.LoadBytes("openslo.yaml", []byte(opensloOTel))
	if res.Diags.HasErrors() {
		t.Fatalf("errors: %v", res.Diags.Items())
	}
	byName := map[string]int{}
	for i, s := range res.Catalog.SLOs {
		byName[s.Name] = i
	}
	errs := res.Catalog.SLOs[byName["checkout-errors"]].Indicator
	if errs.Stream != "shop/checkout-errors" || errs.OTLP == nil || errs.OTLP.Metric == nil || errs.OTLP.Metric.Service != "shop" || errs.OTLP.Metric.Name != "http.server.requests" ||
		errs.OTLP.Metric.Bad["http.response.status_code"] != "5.." || errs.NotMeasured() != "" {
		t.Errorf("metric source read as %+v (OTLP %+v)", errs, errs.OTLP)
	}
	spans := res.Catalog.SLOs[byName["checkout-spans"]].Indicator
	if spans.Stream != "shop" || spans.OTLP == nil || spans.OTLP.Spans == nil || spans.NotMeasured() != "" {
		t.Errorf("span source read as %+v", spans)
	}
	// Written as OpenSLO and read back, the settings stay.
	out, err := spec.Write("openslo", res.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	again := spec.LoadBytes("again.yaml", out)
	if again.Diags.HasErrors() {
		t.Fatalf("written OpenSLO does not load: %v\n%s", again.Diags.Items(), out)
	}
	for i := range res.Catalog.SLOs {
		if a, b := res.Catalog.SLOs[i].Indicator, again.Catalog.SLOs[i].Indicator; a.Stream != b.Stream || !equalJSON(t, a.OTLP, b.OTLP) {
			t.Errorf("SLO %d: %+v written and read back as %+v", i, a.OTLP, b.OTLP)
		}
	}
}
