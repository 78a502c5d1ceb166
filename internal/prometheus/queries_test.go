package prometheus

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

func TestPlanQueries(t *testing.T) {
	q := func(expr string, shape slo.QueryShape) *slo.Query { return &slo.Query{Expr: expr, Shape: shape} }
	tests := []struct {
		name    string
		ind     slo.Indicator
		groupBy []string
		want    []string
		wantErr string
	}{
		{"counter good/total", slo.Indicator{Kind: slo.KindRatio, Good: q("ok_total", slo.ShapeCounter), Total: q("all_total", slo.ShapeCounter)},
			[]string{"store", "region"}, []string{"good sum by (store, region) (increase(ok_total[1m]))", "total sum by (store, region) (increase(all_total[1m]))"}, ""},
		{"template", slo.Indicator{Kind: slo.KindRatio, Bad: q(`sum(increase(err_total[{{.window}}]))`, slo.ShapeTemplate), Total: q(`sum(increase(all_total[{{.window}}]))`, slo.ShapeTemplate)},
			nil, []string{"bad sum(sum(increase(err_total[1m])))", "total sum(sum(increase(all_total[1m])))"}, ""},
		{"instant rate", slo.Indicator{Kind: slo.KindRatio, Good: q("job:ok:rate5m", slo.ShapeInstant), Total: q("job:all:rate5m", slo.ShapeInstant)},
			[]string{"job"}, []string{"good sum by (job) (job:ok:rate5m) * 60", "total sum by (job) (job:all:rate5m) * 60"}, ""},
		{"error ratio", slo.Indicator{Kind: slo.KindRatio, ErrorRatio: q(`job:errors:ratio_rate{{.window}}`, slo.ShapeTemplate)},
			nil, []string{"errorRatio avg(job:errors:ratio_rate1m)"}, ""},
		{"histogram", slo.Indicator{Kind: slo.KindLatency, Histogram: q(`lat_bucket{job="api"}`, slo.ShapeCounter), Threshold: 250 * time.Millisecond},
			[]string{"store"}, []string{`histogram sum by (store, le) (increase(lat_bucket{job="api"}[1m]))`}, ""},
		{"gauge", slo.Indicator{Kind: slo.KindBoolean, Gauge: q(`up{job="pos"}`, slo.ShapeInstant)},
			[]string{"instance"}, []string{`gauge avg by (instance) (up{job="pos"})`}, ""},
		{"counter gauge", slo.Indicator{Kind: slo.KindBoolean, Gauge: q(`up`, slo.ShapeCounter)}, nil, nil, "gauge query"},
		{"unknown shape", slo.Indicator{Kind: slo.KindRatio, Good: q("a", "weird"), Total: q("b", slo.ShapeCounter)}, nil, nil, `unknown shape "weird"`},
		{"ratio without total", slo.Indicator{Kind: slo.KindRatio, Good: q("a", slo.ShapeCounter)}, nil, nil, "needs good or bad with total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newPlan(slo.SLO{Service: "s", Name: "n", Indicator: tt.ind, GroupBy: tt.groupBy})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range p.roles {
				got = append(got, r.name+" "+r.expr)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("queries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// syncOnce runs one Sync of def against f over a one-hour window.
func syncOnce(t *testing.T, f *fakeProm, def slo.SLO) (*recorder, error) {
	t.Helper()
	rec := newRecorder()
	src := New(Options{Engine: rec, Clock: engine.NewManualClock(t0), DefaultURL: f.srv.URL}, []slo.SLO{def})
	return rec, src.Sync(context.Background())
}

func TestLatencyPicksThresholdBucket(t *testing.T) {
	f := newFakeProm(t)
	f.handle(`sum by (le) (increase(http_request_duration_seconds_bucket{job="api"}[1m]))`, func(ts int64) []sample {
		var out []sample
		for _, b := range []struct {
			le string
			v  float64
		}{{"0.1", 50}, {"0.30", 90}, {"1", 98}, {"+Inf", 100}} {
			out = append(out, sample{map[string]string{"le": b.le}, b.v})
		}
		return out
	})
	def := slo.SLO{Service: "shop", Name: "latency", Window: slo.Window{Rolling: time.Hour}, Indicator: slo.Indicator{
		Kind: slo.KindLatency, Threshold: 300 * time.Millisecond,
		Histogram: &slo.Query{Expr: `http_request_duration_seconds_bucket{job="api"}`, Shape: slo.ShapeCounter},
	}}
	rec, err := syncOnce(t, f, def)
	if err != nil {
		t.Fatal(err)
	}
	got := rec.of(def.ID())
	if len(got) != 60 {
		t.Fatalf("%d counts, want 60", len(got))
	}
	for k, c := range got {
		if k.group != "{}" || c != (engine.Counts{Good: 90, Total: 100}) {
			t.Fatalf("%+v: %+v, want 90 of 100 in group {}", k, c)
		}
	}

	def.Indicator.Threshold = 250 * time.Millisecond
	rec, err = syncOnce(t, f, def)
	if err == nil || !strings.Contains(err.Error(), `no bucket le="0.25"`) || !strings.Contains(err.Error(), `"+Inf", "0.1", "0.30", "1"`) {
		t.Fatalf("Sync error = %v, want one naming the buckets", err)
	}
	if st := rec.state(def.ID()); !st.Stale || len(rec.of(def.ID())) != 0 {
		t.Fatalf("state %+v with %d counts after a missing bucket", st, len(rec.of(def.ID())))
	}
}

func TestTemplateGaugeAndErrorRatio(t *testing.T) {
	f := newFakeProm(t)
	minuteOf := func(ts int64) int64 { return ts/60 - 1 }
	// Template: good is every request not a 5xx; the query sees 1m windows.
	f.handle(`sum(sum(rate(http_requests_total{code!~"5.."}[1m])) * 60)`, func(ts int64) []sample {
		return []sample{{map[string]string{}, 30}}
	})
	f.handle(`sum(sum(rate(http_requests_total[1m])) * 60)`, func(ts int64) []sample {
		return []sample{{map[string]string{}, 40}}
	})
	// Gauge: instance i is up unless the minute is divisible by i+2.
	f.handle(`avg by (instance) (up{job="pos"})`, func(ts int64) []sample {
		var out []sample
		for i, inst := range []string{"a", "b"} {
			v := 1.0
			if minuteOf(ts)%int64(i+2) == 0 {
				v = 0
			}
			out = append(out, sample{map[string]string{"instance": inst, "extra": "dropped"}, v})
		}
		return out
	})
	f.handle(`avg(job:errors:ratio_rate1m)`, func(ts int64) []sample {
		return []sample{{map[string]string{}, 0.25}}
	})

	tmpl := slo.SLO{Service: "s", Name: "tmpl", Window: slo.Window{Rolling: time.Hour}, Indicator: slo.Indicator{Kind: slo.KindRatio,
		Good:  &slo.Query{Expr: `sum(rate(http_requests_total{code!~"5.."}[{{.window}}])) * 60`, Shape: slo.ShapeTemplate},
		Total: &slo.Query{Expr: `sum(rate(http_requests_total[{{.window}}])) * 60`, Shape: slo.ShapeTemplate}}}
	rec, err := syncOnce(t, f, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range rec.of(tmpl.ID()) {
		if c != (engine.Counts{Good: 30, Total: 40}) {
			t.Fatalf("%+v: %+v", k, c)
		}
	}

	gauge := slo.SLO{Service: "s", Name: "up", Window: slo.Window{Rolling: time.Hour}, GroupBy: []string{"instance"},
		Indicator: slo.Indicator{Kind: slo.KindBoolean, Gauge: &slo.Query{Expr: `up{job="pos"}`, Shape: slo.ShapeInstant}}}
	rec, err = syncOnce(t, f, gauge)
	if err != nil {
		t.Fatal(err)
	}
	got := rec.of(gauge.ID())
	if len(got) != 120 {
		t.Fatalf("%d gauge counts, want 60 minutes × 2 instances", len(got))
	}
	for k, c := range got {
		div := int64(2)
		if k.group == `{"instance":"b"}` {
			div = 3
		}
		good := 1.0
		if k.minute%div == 0 {
			good = 0
		}
		if c != (engine.Counts{Good: good, Total: 1}) {
			t.Fatalf("%+v: %+v, want good %v", k, c, good)
		}
	}

	ratio := slo.SLO{Service: "s", Name: "ratio", Window: slo.Window{Rolling: time.Hour},
		Indicator: slo.Indicator{Kind: slo.KindRatio, ErrorRatio: &slo.Query{Expr: `job:errors:ratio_rate{{.window}}`, Shape: slo.ShapeTemplate}}}
	rec, err = syncOnce(t, f, ratio)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.of(ratio.ID()); len(got) != 60 {
		t.Fatalf("%d error ratio counts, want 60", len(got))
	}
	for k, c := range rec.of(ratio.ID()) {
		if c != (engine.Counts{Good: 0.75, Total: 1}) {
			t.Fatalf("%+v: %+v", k, c)
		}
	}
}

func TestClientErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("query") {
		case "html":
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
		case "api":
			apiError(w, http.StatusUnprocessableEntity, "execution", "query timed out")
		case "scalar":
			w.Write([]byte(`{"status":"success","data":{"resultType":"scalar","result":[120,"NaN"]}}`))
		}
	}))
	defer srv.Close()
	c := newClient(http.DefaultClient, srv.URL)
	ctx := context.Background()
	if _, err := c.query(ctx, "html", 60); err == nil || !strings.Contains(err.Error(), "502") || !strings.Contains(err.Error(), "bad gateway") {
		t.Errorf("html error = %v", err)
	}
	if _, err := c.query(ctx, "api", 60); err == nil || !strings.Contains(err.Error(), "execution: query timed out") {
		t.Errorf("api error = %v", err)
	}
	ss, err := c.query(ctx, "scalar", 60)
	if err != nil || len(ss) != 1 || len(ss[0].points) != 1 || ss[0].points[0].t != 120 {
		t.Fatalf("scalar = %+v, %v", ss, err)
	}
	p := &plan{kind: slo.KindBoolean, goodWhen: slo.DefaultGoodWhen()}
	if counts, _ := p.counts("x", map[string][]series{"gauge": ss}, 0, 10); len(counts) != 0 {
		t.Errorf("NaN sample counted: %+v", counts)
	}
}
