package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// sample is one series of an instant query's result.
type sample struct {
	labels map[string]string
	value  float64
	at     float64 // the query's evaluation time, unix seconds
}

// query runs an instant PromQL query against the Prometheus at base.
func query(base, q string) ([]sample, error) {
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.PostForm(base+"/api/v1/query", url.Values{"query": {q}})
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", base, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string
		Error  string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("query %s %q: decode: %w", base, q, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %s %q: %s", base, q, body.Error)
	}
	out := make([]sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("query %s %q: value %q: %w", base, q, s, err)
		}
		at, _ := r.Value[0].(float64)
		out = append(out, sample{labels: r.Metric, value: v, at: at})
	}
	return out, nil
}
