package prometheus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxResponse bounds how much of one API response is read.
const maxResponse = 512 << 20

// client queries one Prometheus-compatible HTTP API (Prometheus, Thanos,
// Mimir, VictoriaMetrics) at its base URL, which may carry a path prefix.
type client struct {
	http *http.Client
	base string
}

func newClient(hc *http.Client, base string) *client {
	return &client{http: hc, base: strings.TrimRight(base, "/")}
}

// series is one result series: its labels and its samples, oldest first.
type series struct {
	metric map[string]string
	points []point
}

// point is one sample: Unix seconds and value.
type point struct {
	t int64
	v float64
}

// UnmarshalJSON reads a sample as the API writes it: [1700000000.123, "42"].
func (p *point) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("sample %s: %w", b, err)
	}
	if len(raw) != 2 {
		return fmt.Errorf("sample %s: want [time, value]", b)
	}
	var ts float64
	if err := json.Unmarshal(raw[0], &ts); err != nil {
		return fmt.Errorf("sample time %s: %w", raw[0], err)
	}
	var vs string
	if err := json.Unmarshal(raw[1], &vs); err != nil {
		return fmt.Errorf("sample value %s: %w", raw[1], err)
	}
	v, err := strconv.ParseFloat(vs, 64) // also reads NaN, +Inf and -Inf
	if err != nil {
		return fmt.Errorf("sample value %q: %w", vs, err)
	}
	p.t, p.v = int64(math.Round(ts)), v
	return nil
}

// apiResponse is the envelope of every query API answer.
type apiResponse struct {
	Status string `json:"status"`
	Data   struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
}

// rawSeries is a vector element (Value) or a matrix element (Values).
type rawSeries struct {
	Metric map[string]string `json:"metric"`
	Value  *point            `json:"value"`
	Values samples           `json:"values"`
}

// samples are a matrix series' samples as the API writes them:
// [[1700000000.123, "42"], ...].
type samples []point

// UnmarshalJSON reads the samples in one pass rather than decoding each
// one through encoding/json: a backfill or a replay reads millions, and
// that decoding was most of its time. The document is already known to be
// valid JSON here; a shape other than [[time, "value"], ...] is an error.
func (s *samples) UnmarshalJSON(b []byte) error {
	r := sampleReader{b: b}
	if !r.skip('[') {
		return fmt.Errorf("samples: want an array, got %s", snippet(b))
	}
	out := make([]point, 0, bytes.Count(b, []byte{'['})-1)
	for !r.skip(']') {
		if len(out) > 0 && !r.skip(',') {
			return fmt.Errorf("sample %d: want , or ] at byte %d", len(out)+1, r.i)
		}
		var p point
		ts, ok1 := r.field('[', ',')
		v, ok2 := r.str()
		if !ok1 || !ok2 || !r.skip(']') {
			return fmt.Errorf("sample %d: want [time, \"value\"] at byte %d", len(out)+1, r.i)
		}
		t, err := strconv.ParseFloat(ts, 64)
		if err != nil {
			return fmt.Errorf("sample %d time %q: %w", len(out)+1, ts, err)
		}
		if p.v, err = strconv.ParseFloat(v, 64); err != nil { // also reads NaN, +Inf and -Inf
			return fmt.Errorf("sample %d value %q: %w", len(out)+1, v, err)
		}
		p.t = int64(math.Round(t))
		out = append(out, p)
	}
	*s = out
	return nil
}

// sampleReader scans a samples array.
type sampleReader struct {
	b []byte
	i int
}

// skip consumes white space and then c, if c comes next.
func (r *sampleReader) skip(c byte) bool {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\n' || r.b[r.i] == '\t' || r.b[r.i] == '\r') {
		r.i++
	}
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// field consumes open, then the text up to end, and end.
func (r *sampleReader) field(open, end byte) (string, bool) {
	if !r.skip(open) {
		return "", false
	}
	j := bytes.IndexByte(r.b[r.i:], end)
	if j < 0 {
		return "", false
	}
	s := strings.TrimSpace(string(r.b[r.i : r.i+j]))
	r.i += j + 1
	return s, true
}

// str consumes a string without escapes.
func (r *sampleReader) str() (string, bool) {
	if !r.skip('"') {
		return "", false
	}
	j := bytes.IndexByte(r.b[r.i:], '"')
	if j < 0 || bytes.IndexByte(r.b[r.i:r.i+j], '\\') >= 0 {
		return "", false
	}
	s := string(r.b[r.i : r.i+j])
	r.i += j + 1
	return s, true
}

// minutes evaluates expr once per minute from minute first to last: each
// point is stamped at the end of its minute, (m+1)*60 seconds. A single
// minute is an instant query; more are a range query with a 60s step.
func (c *client) minutes(ctx context.Context, expr string, first, last int64) ([]series, error) {
	if first == last {
		return c.query(ctx, expr, (first+1)*60)
	}
	return c.queryRange(ctx, expr, (first+1)*60, (last+1)*60, 60)
}

// points evaluates expr once per step of res from the step starting at
// minute first to the one starting at minute last; each point is stamped
// at the end of its step.
func (c *client) points(ctx context.Context, expr string, first, last int64, res resolution) ([]series, error) {
	if res == byMinute {
		return c.minutes(ctx, expr, first, last)
	}
	return c.queryRange(ctx, expr, (first+res.minutes)*60, (last+res.minutes)*60, res.minutes*60)
}

// query runs an instant query at Unix second t.
func (c *client) query(ctx context.Context, expr string, t int64) ([]series, error) {
	params := url.Values{"query": {expr}, "time": {strconv.FormatInt(t, 10)}}
	return c.get(ctx, "/api/v1/query", params)
}

// queryRange runs a range query from Unix second start to end, both
// included, every step seconds.
func (c *client) queryRange(ctx context.Context, expr string, start, end, step int64) ([]series, error) {
	params := url.Values{
		"query": {expr},
		"start": {strconv.FormatInt(start, 10)},
		"end":   {strconv.FormatInt(end, 10)},
		"step":  {strconv.FormatInt(step, 10) + "s"},
	}
	return c.get(ctx, "/api/v1/query_range", params)
}

// get calls an API endpoint and decodes its result.
func (c *client) get(ctx context.Context, path string, params url.Values) ([]series, error) {
	u := c.base + path + "?" + params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", c.base+path, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", c.base+path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("read response of %s: %w", c.base+path, err)
	}
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("%s answered %s: %s", c.base+path, resp.Status, snippet(body))
		}
		return nil, fmt.Errorf("decode response of %s: %w", c.base+path, err)
	}
	if r.Status != "success" {
		msg := r.Error
		if r.ErrorType != "" {
			msg = r.ErrorType + ": " + msg
		}
		return nil, fmt.Errorf("%s answered %s: %s", c.base+path, resp.Status, msg)
	}
	ss, err := decodeResult(r.Data.ResultType, r.Data.Result)
	if err != nil {
		return nil, fmt.Errorf("decode result of %s: %w", c.base+path, err)
	}
	return ss, nil
}

// decodeResult turns a vector, matrix or scalar result into series.
func decodeResult(resultType string, raw json.RawMessage) ([]series, error) {
	switch resultType {
	case "vector", "matrix":
		var rs []rawSeries
		if err := json.Unmarshal(raw, &rs); err != nil {
			return nil, fmt.Errorf("%s result: %w", resultType, err)
		}
		out := make([]series, 0, len(rs))
		for _, r := range rs {
			s := series{metric: r.Metric, points: r.Values}
			if r.Value != nil {
				s.points = append(s.points, *r.Value)
			}
			out = append(out, s)
		}
		return out, nil
	case "scalar":
		var p point
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("scalar result: %w", err)
		}
		return []series{{metric: map[string]string{}, points: []point{p}}}, nil
	}
	return nil, fmt.Errorf("unexpected result type %q", resultType)
}

// snippet is the start of a response body, for error messages.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// defaultHTTPClient is used when Options.HTTPClient is nil.
func defaultHTTPClient() *http.Client { return &http.Client{Timeout: 30 * time.Second} }

// errNoURL says an SLO has nowhere to send its queries.
var errNoURL = errors.New("no Prometheus URL: give the data source a url or set a default")
