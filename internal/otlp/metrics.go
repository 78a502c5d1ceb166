package otlp

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"
	"regexp"
	"sort"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// metricKey picks the points of one metric of one service.
type metricKey struct {
	selector
	name string
}

// attrMatch is an attribute whose value must match a regular expression.
type attrMatch struct {
	attr string
	re   *regexp.Regexp
}

// metricFeed is one stream fed by a metric's points.
type metricFeed struct {
	*stream
	kind      slo.IndicatorKind
	bad, good []attrMatch
	unit      string
	// threshold is a latency SLO's threshold in unit.
	threshold float64
}

func newMetricFeed(st *stream, m slo.OTLPMetric, ind slo.Indicator) *metricFeed {
	f := &metricFeed{stream: st, kind: ind.Kind, unit: m.EffectiveUnit()}
	f.bad, f.good = matchers(m.Bad), matchers(m.Good)
	unit := time.Second
	if f.unit == "ms" {
		unit = time.Millisecond
	}
	f.threshold = float64(ind.Threshold) / float64(unit)
	return f
}

// matchers compiles attribute matchers, anchored as PromQL's are.
// Validation refused any that does not compile.
func matchers(m map[string]string) []attrMatch {
	var out []attrMatch
	for _, k := range sortedKeys(m) {
		if re, err := regexp.Compile("^(?:" + m[k] + ")$"); err == nil {
			out = append(out, attrMatch{k, re})
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// matches reports whether every matcher holds; a missing attribute is
// the empty string.
func matches(ms []attrMatch, attrs pcommon.Map) bool {
	for _, m := range ms {
		v := ""
		if a, ok := attrs.Get(m.attr); ok {
			v = a.AsString()
		}
		if !m.re.MatchString(v) {
			return false
		}
	}
	return true
}

// reading is one point's counts for one feed: since its start when
// cumulative, of its own interval when delta.
type reading struct {
	start, at   pcommon.Timestamp
	good, total float64
}

// pointSeries identifies a cumulative series for one stream.
type pointSeries struct {
	hash   uint64
	stream string
}

// metricBatch is a metrics request's events and the baselines of the
// cumulative series they move, kept once the batch is stored.
type metricBatch struct {
	*batch
	pending map[pointSeries]reading
}

// Metrics turns the points of the metrics SLOs read into pre-counted
// events: a delta point counts as it is, a cumulative one by its
// difference from the series' last point (the first point, and the
// first after a reset or a new start time, is a baseline). Metrics no SLO
// reads are skipped. base returns a series' last stored reading.
func (r *Router) Metrics(md pmetric.Metrics, now time.Time, base func(pointSeries) (reading, bool), seed maphash.Seed) *metricBatch {
	b := &metricBatch{batch: &batch{}, pending: map[pointSeries]reading{}}
	if len(r.metrics) == 0 {
		return b
	}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		res := rm.Resource().Attributes()
		var sels []selector
		for _, a := range r.metricAttrs {
			if v, ok := res.Get(a); ok {
				sels = append(sels, selector{a, v.AsString()})
			}
		}
		if len(sels) == 0 {
			continue
		}
		resHash := hashAttrs(seed, 0, res)
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				for _, sel := range sels {
					for _, f := range r.metrics[metricKey{sel, m.Name()}] {
						p := pointReader{b: b, f: f, m: m, res: res, now: now, base: base, seed: seed,
							hash: hashString(seed, resHash, m.Name())}
						p.read()
					}
				}
			}
		}
	}
	return b
}

// pointReader reads one metric's points for one feed.
type pointReader struct {
	b    *metricBatch
	f    *metricFeed
	m    pmetric.Metric
	res  pcommon.Map
	now  time.Time
	base func(pointSeries) (reading, bool)
	seed maphash.Seed
	hash uint64 // the resource's and the metric name's
}

// point is what every kind of data point has.
type point interface {
	Attributes() pcommon.Map
	StartTimestamp() pcommon.Timestamp
	Timestamp() pcommon.Timestamp
	Flags() pmetric.DataPointFlags
}

func (p *pointReader) read() {
	m, f := p.m, p.f
	switch m.Type() {
	case pmetric.MetricTypeSum:
		s := m.Sum()
		for _, pt := range s.DataPoints().All() {
			switch {
			case !s.IsMonotonic():
				p.refuse(pt, "metric %s is a sum that may go down; a ratio counts a monotonic sum (a counter)", m.Name())
			case f.kind == slo.KindLatency:
				p.refuse(pt, "metric %s is a sum; a latency SLO reads a histogram", m.Name())
			default:
				v := pt.DoubleValue()
				if pt.ValueType() == pmetric.NumberDataPointValueTypeInt {
					v = float64(pt.IntValue())
				}
				p.count(pt, s.AggregationTemporality(), p.ratio(pt.Attributes(), v), v)
			}
		}
	case pmetric.MetricTypeHistogram:
		h := m.Histogram()
		for _, pt := range h.DataPoints().All() {
			total := float64(pt.Count())
			if f.kind != slo.KindLatency {
				p.count(pt, h.AggregationTemporality(), p.ratio(pt.Attributes(), total), total)
			} else if good, why := p.explicitGood(pt); why != "" {
				p.refuse(pt, "%s", why)
			} else {
				p.count(pt, h.AggregationTemporality(), good, total)
			}
		}
	case pmetric.MetricTypeExponentialHistogram:
		h := m.ExponentialHistogram()
		for _, pt := range h.DataPoints().All() {
			total := float64(pt.Count())
			if f.kind != slo.KindLatency {
				p.count(pt, h.AggregationTemporality(), p.ratio(pt.Attributes(), total), total)
			} else if good, why := p.exponentialGood(pt); why != "" {
				p.refuse(pt, "%s", why)
			} else {
				p.count(pt, h.AggregationTemporality(), good, total)
			}
		}
	case pmetric.MetricTypeGauge:
		for _, pt := range m.Gauge().DataPoints().All() {
			p.refuse(pt, "metric %s is a gauge; SLOs count monotonic sums and histograms", m.Name())
		}
	case pmetric.MetricTypeSummary:
		for _, pt := range m.Summary().DataPoints().All() {
			p.refuse(pt, "metric %s is a summary; SLOs count monotonic sums and histograms", m.Name())
		}
	}
}

// ratio returns a ratio point's good count of total.
func (p *pointReader) ratio(attrs pcommon.Map, total float64) float64 {
	switch {
	case len(p.f.bad) > 0 && matches(p.f.bad, attrs):
		return 0
	case len(p.f.good) > 0 && !matches(p.f.good, attrs):
		return 0
	}
	return total
}

// refuse refuses a point as one item.
func (p *pointReader) refuse(pt point, format string, args ...any) {
	item := len(p.b.keys)
	p.b.keys = append(p.b.keys, SpanKey{})
	p.b.reject(item, fmt.Sprintf(format, args...))
}

// count counts a point: good of total events since its start
// (cumulative) or in its interval (delta).
func (p *pointReader) count(pt point, temp pmetric.AggregationTemporality, good, total float64) {
	item := len(p.b.keys)
	series := pointSeries{hashAttrs(p.seed, p.hash, pt.Attributes()), p.f.name}
	var key SpanKey
	if temp == pmetric.AggregationTemporalityDelta {
		// A delta point resent is the same series, start and time.
		binary.LittleEndian.PutUint64(key[0:], series.hash)
		binary.LittleEndian.PutUint64(key[8:], uint64(pt.StartTimestamp()))
		binary.LittleEndian.PutUint64(key[16:], uint64(pt.Timestamp()))
	}
	p.b.keys = append(p.b.keys, key)
	if pt.Flags().NoRecordedValue() {
		return // a series that stopped: nothing to count
	}
	at := pt.Timestamp()
	t := at.AsTime()
	switch {
	case at == 0:
		p.b.reject(item, "a point without a time")
		return
	case t.After(p.now.Add(engine.MaxFutureSkew)):
		p.b.reject(item, fmt.Sprintf("point at %s, in the future", t.Format(time.RFC3339)))
		return
	case p.now.Sub(t) > p.f.retention:
		p.b.reject(item, fmt.Sprintf("point at %s, older than stream %s's SLO windows", t.Format(time.RFC3339), p.f.name))
		return
	case math.IsNaN(total) || math.IsInf(total, 0) || total < 0:
		p.b.reject(item, fmt.Sprintf("metric %s: a count of %g", p.m.Name(), total))
		return
	}
	now := reading{start: pt.StartTimestamp(), at: at, good: good, total: total}
	switch temp {
	case pmetric.AggregationTemporalityDelta:
	case pmetric.AggregationTemporalityCumulative:
		prev, ok := p.b.pending[series]
		if !ok {
			prev, ok = p.base(series)
		}
		switch {
		case ok && at <= prev.at:
			return // sent before: counted once
		case !ok, now.start != prev.start && now.start != 0, total < prev.total, good < prev.good:
			p.b.pending[series] = now // a new series or a reset: a baseline
			return
		}
		p.b.pending[series] = now
		good, total = good-prev.good, total-prev.total
	default:
		p.b.reject(item, fmt.Sprintf("metric %s has no aggregation temporality", p.m.Name()))
		return
	}
	if total == 0 {
		return
	}
	ev := engine.Event{Stream: p.f.name, Time: t, Good: &good, Total: &total}
	if len(p.f.labels) > 0 {
		ev.Labels = labelsOf(p.f.labels, pt.Attributes(), p.res)
	}
	p.b.events = append(p.b.events, ev)
	p.b.item = append(p.b.item, item)
}

// explicitGood counts an explicit-bucket point's events up to the
// threshold, which must be one of its bounds.
func (p *pointReader) explicitGood(pt pmetric.HistogramDataPoint) (float64, string) {
	if why := p.unitProblem(); why != "" {
		return 0, why
	}
	bounds, counts := pt.ExplicitBounds(), pt.BucketCounts()
	if counts.Len() == 0 {
		return 0, fmt.Sprintf("metric %s: a point without buckets", p.m.Name())
	}
	if counts.Len() != bounds.Len()+1 {
		return 0, fmt.Sprintf("metric %s: %d bucket counts for %d bounds, want one more count than bounds", p.m.Name(), counts.Len(), bounds.Len())
	}
	lo, hi, ok := slo.ExplicitBound(bounds.AsRaw(), p.f.threshold)
	if !ok {
		return 0, fmt.Sprintf("metric %s: the threshold falls %s; Accord counts whole buckets and does not round", p.m.Name(), p.between(lo, hi))
	}
	good := 0.0
	for i := 0; i < bounds.Len() && bounds.At(i) <= lo; i++ {
		good += float64(counts.At(i))
	}
	return good, ""
}

// exponentialGood counts an exponential point's events up to the
// threshold, which must be a bound at the point's scale.
func (p *pointReader) exponentialGood(pt pmetric.ExponentialHistogramDataPoint) (float64, string) {
	if why := p.unitProblem(); why != "" {
		return 0, why
	}
	scale := int(pt.Scale())
	lo, hi, ok := slo.ExponentialBound(scale, p.f.threshold)
	if !ok {
		return 0, fmt.Sprintf("metric %s: the threshold falls %s at scale %d; Accord counts whole buckets and does not round", p.m.Name(), p.between(lo, hi), scale)
	}
	// Bucket i holds (2^(i/2^scale), 2^((i+1)/2^scale)]: the good ones end
	// at or below the threshold, 2^(j/2^scale).
	j := int64(math.Round(math.Log2(p.f.threshold) * math.Ldexp(1, scale)))
	good := float64(pt.ZeroCount())
	for _, c := range pt.Negative().BucketCounts().All() {
		good += float64(c) // below zero: faster than any threshold
	}
	pos := pt.Positive()
	for i, c := range pos.BucketCounts().All() {
		if int64(pos.Offset())+int64(i)+1 <= j {
			good += float64(c)
		}
	}
	return good, ""
}

// unitProblem says why a histogram's unit is not the SLO's; "" when it is
// (or says none).
func (p *pointReader) unitProblem() string {
	if u := p.m.Unit(); u != "" && u != p.f.unit {
		return fmt.Sprintf("metric %s is in %q; the SLO reads it in %q (otlp.metric.unit)", p.m.Name(), u, p.f.unit)
	}
	return ""
}

func (p *pointReader) between(lo, hi float64) string {
	unit := time.Second
	if p.f.unit == "ms" {
		unit = time.Millisecond
	}
	switch {
	case lo < 0 && hi < 0:
		return "where the point has no bound"
	case lo < 0:
		return "below the lowest bucket bound, " + slo.FormatBound(hi, unit)
	case hi < 0:
		return "above the highest bucket bound, " + slo.FormatBound(lo, unit)
	}
	return fmt.Sprintf("between the bucket bounds %s and %s", slo.FormatBound(lo, unit), slo.FormatBound(hi, unit))
}

// hashAttrs hashes attributes in key order onto h.
func hashAttrs(seed maphash.Seed, h uint64, attrs pcommon.Map) uint64 {
	keys := make([]string, 0, attrs.Len())
	for k := range attrs.All() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var mh maphash.Hash
	mh.SetSeed(seed)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], h)
	mh.Write(b[:])
	for _, k := range keys {
		v, _ := attrs.Get(k)
		mh.WriteString(k)
		mh.WriteByte(0)
		mh.WriteString(v.AsString())
		mh.WriteByte(0)
	}
	return mh.Sum64()
}

func hashString(seed maphash.Seed, h uint64, s string) uint64 {
	var mh maphash.Hash
	mh.SetSeed(seed)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], h)
	mh.Write(b[:])
	mh.WriteString(s)
	return mh.Sum64()
}
