package prometheus

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

const (
	badExpr       = `sum by (store) (increase(http_requests_total{job="api",code=~"5.."}[1m]))`
	totalExpr     = `sum by (store) (increase(http_requests_total{job="api"}[1m]))`
	badHourExpr   = `sum by (store) (increase(http_requests_total{job="api",code=~"5.."}[1h]))`
	totalHourExpr = `sum by (store) (increase(http_requests_total{job="api"}[1h]))`
)

// t0 is the test's start: 30 seconds into a minute.
var t0 = time.Date(2025, 3, 1, 12, 0, 30, 0, time.UTC)

// synthetic is the known traffic of http_requests_total per minute m and
// store: ok says whether Prometheus has data for it.
func synthetic(store string, m int64) (bad, total float64, ok bool) {
	switch {
	case m%97 == 0:
		return 0, 0, false // a gap: no data at all
	case store == "a":
		return float64(m % 5), float64(100 + m%7), true
	case m%97 == 1:
		return -3, 40, true // a counter reset makes increase negative
	case m%97 == 2:
		return 0, math.NaN(), true
	case m%97 == 3:
		return 0, 0, true // no traffic: nothing to count
	}
	return float64(m % 3 / 2), 40, true
}

// want is what should be recorded for a synthetic minute and store.
func want(store string, m int64) (engine.Counts, bool) {
	bad, total, ok := synthetic(store, m)
	if !ok || math.IsNaN(total) || total == 0 {
		return engine.Counts{}, false
	}
	return engine.Counts{Good: total - max(bad, 0), Total: total}, true
}

// serveSynthetic makes f answer the ratio SLO's queries from synthetic;
// a minute without errors has no bad series, as in Prometheus.
func serveSynthetic(f *fakeProm) {
	gen := func(useBad bool) func(ts int64) []sample {
		return func(ts int64) []sample {
			m := ts/60 - 1
			var out []sample
			for _, store := range []string{"a", "b"} {
				bad, total, ok := synthetic(store, m)
				v := total
				if useBad {
					v = bad
				}
				if ok && (!useBad || bad != 0) {
					out = append(out, sample{map[string]string{"store": store}, v})
				}
			}
			return out
		}
	}
	f.handle(badExpr, gen(true))
	f.handle(totalExpr, gen(false))
	// Per hour, Prometheus's increase is the hour's traffic: the minutes'
	// counts added up, resets and gaps left out.
	hourly := func(useBad bool) func(ts int64) []sample {
		return func(ts int64) []sample {
			var out []sample
			for _, store := range []string{"a", "b"} {
				sum, any := 0.0, false
				for m := ts/60 - 60; m < ts/60; m++ {
					bad, total, ok := synthetic(store, m)
					if !ok || math.IsNaN(total) {
						continue
					}
					any = true
					if useBad {
						sum += max(bad, 0)
					} else {
						sum += total
					}
				}
				if any && (!useBad || sum != 0) {
					out = append(out, sample{map[string]string{"store": store}, sum})
				}
			}
			return out
		}
	}
	f.handle(badHourExpr, hourly(true))
	f.handle(totalHourExpr, hourly(false))
}

func ratioSLO(name string, window time.Duration, ds string) slo.SLO {
	return slo.SLO{
		Service: "shop", Name: name, Objective: 99, Window: slo.Window{Rolling: window}, GroupBy: []string{"store"},
		Indicator: slo.Indicator{
			Kind: slo.KindRatio, DataSource: ds,
			Bad:   &slo.Query{Expr: `http_requests_total{job="api",code=~"5.."}`, Shape: slo.ShapeCounter},
			Total: &slo.Query{Expr: `http_requests_total{job="api"}`, Shape: slo.ShapeCounter},
		},
	}
}

// checkCounts asserts the SLO's recorded counts add up, hour by hour, to
// the synthetic ones of minutes first to last, and match them minute by
// minute over the last three days, which the source fetches per minute.
func checkCounts(t *testing.T, rec *recorder, id string, first, last int64) {
	t.Helper()
	got := rec.of(id)
	type hourKey struct {
		group string
		hour  int64
	}
	gotHours, wantHours := map[hourKey]engine.Counts{}, map[hourKey]engine.Counts{}
	for k, c := range got {
		if k.minute < first || k.minute > last {
			t.Fatalf("recorded minute %d outside %d..%d", k.minute, first, last)
		}
		hk := hourKey{k.group, k.minute - ((k.minute%60)+60)%60}
		gotHours[hk] = engine.Counts{Good: gotHours[hk].Good + c.Good, Total: gotHours[hk].Total + c.Total}
	}
	recent := last - int64(engine.MinuteResolution/time.Minute)
	for m := first; m <= last; m++ {
		for _, store := range []string{"a", "b"} {
			g := engine.GroupKey(map[string]string{"store": store})
			w, ok := want(store, m)
			if ok {
				hk := hourKey{g, m - ((m%60)+60)%60}
				wantHours[hk] = engine.Counts{Good: wantHours[hk].Good + w.Good, Total: wantHours[hk].Total + w.Total}
			}
			if m <= recent {
				continue
			}
			c, recorded := got[countKey{id, g, m}]
			switch {
			case ok != recorded:
				t.Fatalf("minute %d store %s: recorded %v (%v), want recorded %v", m, store, recorded, c, ok)
			case ok && c != w:
				t.Fatalf("minute %d store %s: got %+v, want %+v", m, store, c, w)
			}
		}
	}
	if len(gotHours) != len(wantHours) {
		t.Fatalf("counts in %d group-hours, want %d", len(gotHours), len(wantHours))
	}
	for k, w := range wantHours {
		if g := gotHours[k]; math.Abs(g.Good-w.Good) > 1e-9 || math.Abs(g.Total-w.Total) > 1e-9 {
			t.Fatalf("hour %d %s: got %+v, want %+v", k.hour, k.group, g, w)
		}
	}
}

func TestSyncBackfillsWindowInChunks(t *testing.T) {
	f := newFakeProm(t)
	serveSynthetic(f)
	rec := newRecorder()
	clock := engine.NewManualClock(t0)
	def := ratioSLO("checkout", 10*24*time.Hour, "")
	pushed := slo.SLO{Service: "shop", Name: "pushed", Indicator: slo.Indicator{Kind: slo.KindRatio, Stream: "s"}}
	src := New(Options{Engine: rec, Clock: clock, DefaultURL: f.srv.URL + "/"}, []slo.SLO{def, pushed})
	id := def.ID()

	if err := src.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	last := engine.UnixMinute(t0) - 1
	first := last - 10*24*60 + 1
	checkCounts(t, rec, id, first, last)
	if p, ok := src.Progress(id); !ok || p != last {
		t.Fatalf("Progress = %d, %v; want %d", p, ok, last)
	}
	if _, ok := src.Progress(pushed.ID()); ok {
		t.Fatal("a pushed SLO has progress")
	}
	if st := rec.state(id); st.Stale || st.Backfill != 1 || !st.LastSuccess.Equal(t0) {
		t.Fatalf("state = %+v", st)
	}
	// The 7 days before the last 3 come per hour, the rest per minute:
	// two range queries per role instead of 10 days of minutes.
	reqs := f.take()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 2 ranges × 2 queries: %+v", len(reqs), reqs)
	}
	hours, minutes := reqs[0], reqs[2]
	if hours.start != (first+60)*60 || hours.pts != 7*24 || minutes.start != hours.end+60 || minutes.end != (last+1)*60 {
		t.Fatalf("ranges %+v and %+v, want 168 hours from minute %d, then minutes to %d", hours, minutes, first, last)
	}
	for _, r := range reqs {
		if r.path != "/api/v1/query_range" || r.pts > maxPoints {
			t.Fatalf("request %+v, want a range of at most %d points", r, maxPoints)
		}
	}

	// A minute later one instant query per role catches up.
	clock.Advance(time.Minute)
	if err := src.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, rec, id, first, last+1)
	reqs = f.take()
	if len(reqs) != 2 || reqs[0].path != "/api/v1/query" || reqs[0].time != (last+2)*60 {
		t.Fatalf("catch-up requests %+v", reqs)
	}
	// Within the same minute there is nothing to do.
	clock.Advance(20 * time.Second)
	if err := src.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if reqs := f.take(); len(reqs) != 0 {
		t.Fatalf("requests without a new minute: %+v", reqs)
	}
}

func TestSyncFailureBacksOffAndCatchesUp(t *testing.T) {
	down, up := newFakeProm(t), newFakeProm(t)
	serveSynthetic(down)
	serveSynthetic(up)
	rec := newRecorder()
	clock := engine.NewManualClock(t0)
	flaky, steady := ratioSLO("flaky", time.Hour, "eu"), ratioSLO("steady", time.Hour, "us")
	src := New(Options{Engine: rec, Clock: clock, Sources: []slo.DataSource{
		{Name: "eu", URL: down.srv.URL}, {Name: "us", URL: up.srv.URL},
	}}, []slo.SLO{flaky, steady})
	ctx := context.Background()
	if err := src.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	last := engine.UnixMinute(t0) - 1
	down.take()
	down.setFail(true)

	clock.Advance(time.Minute)
	failedAt := clock.Now()
	err := src.Sync(ctx)
	if err == nil || !strings.Contains(err.Error(), flaky.ID()) || strings.Contains(err.Error(), steady.ID()) {
		t.Fatalf("Sync error = %v, want one naming only %s", err, flaky.ID())
	}
	st := rec.state(flaky.ID())
	if !st.Stale || !st.StaleSince.Equal(failedAt) || !strings.Contains(st.Error, "fake Prometheus is down") || !st.LastSuccess.Equal(t0) {
		t.Fatalf("state after failure = %+v", st)
	}
	if p, _ := src.Progress(flaky.ID()); p != last {
		t.Fatalf("progress moved to %d on failure", p)
	}
	checkCounts(t, rec, flaky.ID(), last-59, last)    // nothing new recorded
	checkCounts(t, rec, steady.ID(), last-59, last+1) // the other SLO went on

	// Retries come after 1m, 2m, 4m on the clock.
	for _, step := range []struct {
		advance time.Duration
		retry   bool
	}{{30 * time.Second, false}, {30 * time.Second, true}, {time.Minute, false}, {time.Minute, true}, {3 * time.Minute, false}} {
		down.take()
		clock.Advance(step.advance)
		err := src.Sync(ctx)
		if n := len(down.take()); (n > 0) != step.retry || (err != nil) != step.retry {
			t.Fatalf("at %s: %d requests, err %v; want retry %v", clock.Now().Sub(failedAt), n, err, step.retry)
		}
	}
	if st := rec.state(flaky.ID()); !st.Stale || !st.StaleSince.Equal(failedAt) {
		t.Fatalf("state while failing = %+v", st)
	}

	down.setFail(false)
	clock.Advance(time.Minute) // 4m after the third failure
	if err := src.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	now := engine.UnixMinute(clock.Now()) - 1
	checkCounts(t, rec, flaky.ID(), last-59, now)
	checkCounts(t, rec, steady.ID(), last-59, now)
	if st := rec.state(flaky.ID()); st.Stale || st.Error != "" || !st.LastSuccess.Equal(clock.Now()) || st.Backfill != 1 {
		t.Fatalf("state after recovery = %+v", st)
	}
	if reqs := down.take(); len(reqs) != 2 || reqs[0].path != "/api/v1/query_range" || reqs[0].start != (last+2)*60 || reqs[0].end != (now+1)*60 {
		t.Fatalf("catch-up requests %+v, want one range over the gap per query", reqs)
	}
}

func TestSetProgressResumes(t *testing.T) {
	f := newFakeProm(t)
	serveSynthetic(f)
	rec := newRecorder()
	def := ratioSLO("checkout", time.Hour, "")
	src := New(Options{Engine: rec, Clock: engine.NewManualClock(t0), DefaultURL: f.srv.URL}, []slo.SLO{def})
	last := engine.UnixMinute(t0) - 1
	src.SetProgress(def.ID(), last-5)
	if err := src.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, rec, def.ID(), last-4, last)
	if st := rec.state(def.ID()); st.Backfill != 1 {
		t.Fatalf("Backfill = %v after resuming", st.Backfill)
	}

	// Progress older than the window resumes at the window's start.
	rec2 := newRecorder()
	src2 := New(Options{Engine: rec2, Clock: engine.NewManualClock(t0), DefaultURL: f.srv.URL}, []slo.SLO{def})
	src2.SetProgress(def.ID(), last-1000)
	if err := src2.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, rec2, def.ID(), last-59, last)
}

func TestSyncReportsSetupAndRecordErrors(t *testing.T) {
	f := newFakeProm(t)
	serveSynthetic(f)
	rec := newRecorder()
	unknown := ratioSLO("unknown-source", time.Hour, "nowhere")
	noURL := ratioSLO("no-url", time.Hour, "")
	src := New(Options{Engine: rec, Clock: engine.NewManualClock(t0)}, []slo.SLO{unknown, noURL})
	err := src.Sync(context.Background())
	if err == nil || !strings.Contains(err.Error(), `data source "nowhere" is not defined`) || !strings.Contains(err.Error(), "no Prometheus URL") {
		t.Fatalf("Sync error = %v", err)
	}
	if st := rec.state(unknown.ID()); !st.Stale || st.Backfill != 0 {
		t.Fatalf("state = %+v", st)
	}

	rec.fail = context.DeadlineExceeded
	def := ratioSLO("checkout", time.Hour, "")
	src = New(Options{Engine: rec, Clock: engine.NewManualClock(t0), DefaultURL: f.srv.URL}, []slo.SLO{def})
	if err := src.Sync(context.Background()); err == nil || !strings.Contains(err.Error(), "record") {
		t.Fatalf("Sync error = %v, want a record failure", err)
	}
	if _, ok := src.Progress(def.ID()); ok {
		t.Fatal("progress after a failed record")
	}
}
