package demo

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
)

// receiptMetric is what the stores' receipt printers count.
const receiptMetric = "freshmart.receipts.printed"

// receiptPrinters are the stores' receipt printers: they export how many
// receipts printed and failed each minute as OpenTelemetry metrics,
// through the OpenTelemetry SDK's OTLP/HTTP exporter, to Accord's
// /v1/metrics. The points carry the simulated minute they count, so the
// demo builds them itself rather than through a meter, whose clock is
// the real one.
type receiptPrinters struct {
	exp    *otlpmetrichttp.Exporter
	res    *resource.Resource
	points []metricdata.DataPoint[int64]
}

func newReceiptPrinters(ctx context.Context, url, token string) (*receiptPrinters, error) {
	exp, err := otlpmetrichttp.New(ctx,
		otlpmetrichttp.WithEndpointURL(url+"/v1/metrics"),
		otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression),
		otlpmetrichttp.WithHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		return nil, fmt.Errorf("create the receipt printers' OTLP exporter: %w", err)
	}
	return &receiptPrinters{exp: exp, res: resource.NewSchemaless(attribute.String("service.name", "receipt-printers"))}, nil
}

// add takes the receipts among one minute's counts: per store, the
// receipts printed and those that failed in the minute at t (delta
// points). It returns the other counts.
func (p *receiptPrinters) add(t time.Time, cs []counts) []counts {
	rest := cs[:0:0]
	for _, c := range cs {
		if c.stream != "receipts" {
			rest = append(rest, c)
			continue
		}
		for _, o := range []struct {
			outcome string
			n       float64
		}{{"printed", c.good}, {"failed", c.total - c.good}} {
			if o.n == 0 {
				continue
			}
			p.points = append(p.points, metricdata.DataPoint[int64]{
				Attributes: attribute.NewSet(attribute.String("store", c.store), attribute.String("outcome", o.outcome)),
				StartTime:  t, Time: t.Add(time.Minute - time.Second), Value: int64(o.n)})
		}
	}
	return rest
}

// flush exports the points added since the last flush.
func (p *receiptPrinters) flush(ctx context.Context) error {
	if len(p.points) == 0 {
		return nil
	}
	rm := &metricdata.ResourceMetrics{Resource: p.res, ScopeMetrics: []metricdata.ScopeMetrics{{
		Scope: instrumentation.Scope{Name: "freshmart.receipt-printer"},
		Metrics: []metricdata.Metrics{{Name: receiptMetric, Unit: "{receipt}", Data: metricdata.Sum[int64]{
			Temporality: metricdata.DeltaTemporality, IsMonotonic: true, DataPoints: p.points}}},
	}}}
	if err := p.exp.Export(ctx, rm); err != nil {
		return fmt.Errorf("export the receipt printers' metrics: %w", err)
	}
	p.points = p.points[:0]
	return nil
}

func (p *receiptPrinters) close(ctx context.Context) error { return p.exp.Shutdown(ctx) }
