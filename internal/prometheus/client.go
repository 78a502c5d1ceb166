package prometheus

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// scalar marks a scalar result's one point.
	scalar bool
}

// point is one sample: Unix seconds and value.
type point struct {
	t int64
	v float64
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
	r, err := decodeResponse(body)
	if err != nil {
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("%s answered %s: %s", c.base+path, resp.Status, snippet(body))
		}
		return nil, fmt.Errorf("decode response of %s: %w", c.base+path, err)
	}
	if r.status != "success" {
		msg := r.errorText
		if r.errorType != "" {
			msg = r.errorType + ": " + msg
		}
		return nil, fmt.Errorf("%s answered %s: %s", c.base+path, resp.Status, msg)
	}
	ss, err := r.results()
	if err != nil {
		return nil, fmt.Errorf("decode result of %s: %w", c.base+path, err)
	}
	return ss, nil
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
