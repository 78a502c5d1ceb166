package prometheus

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/engine"
)

// sample is one result element of the fake: labels and value.
type sample struct {
	labels map[string]string
	value  float64
}

// request is a call the fake answered.
type request struct {
	path, query           string
	time, start, end, pts int64
}

// fakeProm serves the query API of a Prometheus whose answers come from
// Go functions of the evaluation time, one per exact PromQL expression.
type fakeProm struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	exprs    map[string]func(ts int64) []sample
	fail     bool
	requests []request
}

func newFakeProm(t *testing.T) *fakeProm {
	f := &fakeProm{t: t, exprs: map[string]func(int64) []sample{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// handle answers expr with fn(evaluation time in Unix seconds).
func (f *fakeProm) handle(expr string, fn func(ts int64) []sample) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.exprs[expr] = fn
}

func (f *fakeProm) setFail(fail bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

// take returns and forgets the requests answered so far.
func (f *fakeProm) take() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.requests
	f.requests = nil
	return r
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code int, typ, msg string) {
	writeJSON(w, code, map[string]string{"status": "error", "errorType": typ, "error": msg})
}

func formatValue(ts int64, v float64) []any {
	return []any{ts, strconv.FormatFloat(v, 'f', -1, 64)}
}

func (f *fakeProm) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	expr := q.Get("query")
	f.mu.Lock()
	fn, known := f.exprs[expr]
	fail := f.fail
	req := request{path: r.URL.Path, query: expr}
	defer func() {
		f.mu.Lock()
		f.requests = append(f.requests, req)
		f.mu.Unlock()
	}()
	f.mu.Unlock()
	if fail {
		apiError(w, http.StatusServiceUnavailable, "unavailable", "fake Prometheus is down")
		return
	}
	if !known {
		f.t.Errorf("fake Prometheus got unexpected query %q", expr)
		apiError(w, http.StatusBadRequest, "bad_data", "unknown query "+expr)
		return
	}
	switch r.URL.Path {
	case "/api/v1/query":
		ts, err := strconv.ParseInt(q.Get("time"), 10, 64)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_data", "bad time: "+err.Error())
			return
		}
		req.time = ts
		var result []any
		for _, s := range fn(ts) {
			result = append(result, map[string]any{"metric": s.labels, "value": formatValue(ts, s.value)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": result}})
	case "/api/v1/query_range":
		start, err1 := strconv.ParseInt(q.Get("start"), 10, 64)
		end, err2 := strconv.ParseInt(q.Get("end"), 10, 64)
		step, err3 := time.ParseDuration(q.Get("step"))
		if err1 != nil || err2 != nil || err3 != nil || step <= 0 || end < start {
			apiError(w, http.StatusBadRequest, "bad_data", "bad range "+r.URL.RawQuery)
			return
		}
		stepSec := int64(step / time.Second)
		req.start, req.end, req.pts = start, end, (end-start)/stepSec+1
		if req.pts > 11000 {
			apiError(w, http.StatusBadRequest, "bad_data", "exceeded maximum resolution of 11,000 points per timeseries")
			return
		}
		type matrixSeries struct {
			Metric map[string]string `json:"metric"`
			Values [][]any           `json:"values"`
		}
		var order []string
		bySeries := map[string]*matrixSeries{}
		for ts := start; ts <= end; ts += stepSec {
			for _, s := range fn(ts) {
				k := engine.GroupKey(s.labels)
				if bySeries[k] == nil {
					bySeries[k] = &matrixSeries{Metric: s.labels}
					order = append(order, k)
				}
				bySeries[k].Values = append(bySeries[k].Values, formatValue(ts, s.value))
			}
		}
		result := []any{}
		for _, k := range order {
			result = append(result, bySeries[k])
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": result}})
	default:
		http.NotFound(w, r)
	}
}

// countKey identifies a recorded count.
type countKey struct {
	slo, group string
	minute     int64
}

// recorder is a Recorder that adds counts up as the store does.
type recorder struct {
	mu     sync.Mutex
	counts map[countKey]engine.Counts
	states map[string]engine.SourceState
	fail   error
}

func newRecorder() *recorder {
	return &recorder{counts: map[countKey]engine.Counts{}, states: map[string]engine.SourceState{}}
}

func (r *recorder) Record(_ context.Context, counts []engine.Count) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	for _, c := range counts {
		if c.Kind != engine.KindEvents {
			return fmt.Errorf("count of kind %q", c.Kind)
		}
		k := countKey{c.SLO, c.Group, c.Minute}
		old := r.counts[k]
		r.counts[k] = engine.Counts{Good: old.Good + c.Good, Total: old.Total + c.Total}
	}
	return nil
}

func (r *recorder) SetSource(id string, s engine.SourceState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states[id] = s
}

func (r *recorder) state(id string) engine.SourceState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.states[id]
}

// of returns the counts recorded for an SLO.
func (r *recorder) of(id string) map[countKey]engine.Counts {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[countKey]engine.Counts{}
	for k, c := range r.counts {
		if k.slo == id {
			out[k] = c
		}
	}
	return out
}
