package prometheus

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

var decodeCases = []struct {
	name, body string
	want       []series // nil with err
	err        string
}{
	{"matrix", `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"store":"s1"},"values":[[1700000000,"42"],[1700000060.4,"NaN"],[1700000120,"+Inf"]]},{"metric":{},"values":[[1700000000,"-1.5e3"]]}]}}`,
		[]series{{metric: map[string]string{"store": "s1"}, points: []point{{1700000000, 42}, {1700000060, math.NaN()}, {1700000120, math.Inf(1)}}},
			{metric: map[string]string{}, points: []point{{1700000000, -1500}}}}, ""},
	{"vector with white space, unknown keys and escapes", "{ \"status\" : \"success\", \"warnings\": [\"x\", {\"a\": [1, true, null]}],\n \"data\": {\"result\": [ {\"metric\": {\"job\": \"a\\\"b\\u00e9\"}, \"value\": [ 1700000000.5 , \"7\" ] } ], \"resultType\": \"vector\"} }",
		[]series{{metric: map[string]string{"job": "a\"bé"}, points: []point{{1700000001, 7}}}}, ""},
	{"scalar", `{"status":"success","data":{"resultType":"scalar","result":[120,"3"]}}`,
		[]series{{metric: map[string]string{}, points: []point{{120, 3}}}}, ""},
	{"empty matrix", `{"status":"success","data":{"resultType":"matrix","result":[]}}`, []series{}, ""},
	{"keys in any case", `{"Status":"success","DATA":{"ResultType":"vector","Result":[{"Metric":{"a":"b"},"Value":[1,"2"]}]}}`,
		[]series{{metric: map[string]string{"a": "b"}, points: []point{{1, 2}}}}, ""},
	{"API error", `{"status":"error","errorType":"bad_data","error":"parse error"}`, nil, "bad_data: parse error"},
	{"value not a string", `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,2]]}]}}`, nil, "string"},
	{"unknown result type", `{"status":"success","data":{"resultType":"string","result":[1,"x"]}}`, nil, "unexpected result type"},
	{"no result", `{"status":"success","data":{"resultType":"vector"}}`, nil, "no result"},
	{"truncated", `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"]`, nil, "want"},
	{"trailing data", `{"status":"success","data":{"resultType":"vector","result":[]}} x`, nil, "after the answer"},
	{"too deep", `{"status":"success","x":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`, nil, "nested"},
}

func TestDecodeResponse(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decode(tc.body)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameSeries(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// decode decodes a body as client.get does.
func decode(body string) ([]series, error) {
	r, err := decodeResponse([]byte(body))
	if err != nil {
		return nil, err
	}
	if r.status != "success" {
		return nil, fmt.Errorf("%s: %s", r.errorType, r.errorText)
	}
	return r.results()
}

// FuzzDecodeResponse checks the one-pass decoder against encoding/json:
// whatever encoding/json reads as an answer, decodeResponse reads the
// same, and it never panics.
func FuzzDecodeResponse(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add(tc.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := decode(body)
		want, refErr := referenceDecode(body)
		if refErr != nil || !utf8.ValidString(body) {
			return // encoding/json replaces invalid UTF-8; Prometheus writes none
		}
		if err != nil {
			t.Fatalf("encoding/json reads %q as %+v, decodeResponse fails: %v", body, want, err)
		}
		if !sameSeries(got, want) {
			t.Fatalf("%q: got %+v, encoding/json reads %+v", body, got, want)
		}
	})
}

func sameSeries(a, b []series) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i].metric == nil) != (b[i].metric == nil) || len(a[i].metric) != len(b[i].metric) || len(a[i].points) != len(b[i].points) {
			return false
		}
		for k, v := range a[i].metric {
			if w, ok := b[i].metric[k]; !ok || w != v {
				return false
			}
		}
		for j, p := range a[i].points {
			q := b[i].points[j]
			if p.t != q.t || p.v != q.v && !(math.IsNaN(p.v) && math.IsNaN(q.v)) {
				return false
			}
		}
	}
	return true
}

// referenceDecode decodes an answer with encoding/json, as the client did
// before decodeResponse.
func referenceDecode(body string) ([]series, error) {
	var r struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s", r.ErrorType, r.Error)
	}
	switch r.Data.ResultType {
	case "vector", "matrix":
		var rs []struct {
			Metric map[string]string `json:"metric"`
			Value  *refPoint         `json:"value"`
			Values []refPoint        `json:"values"`
		}
		if err := json.Unmarshal(r.Data.Result, &rs); err != nil {
			return nil, err
		}
		out := []series{}
		for _, x := range rs {
			s := series{metric: x.Metric}
			for _, p := range x.Values {
				s.points = append(s.points, point(p))
			}
			if x.Value != nil {
				s.points = append(s.points, point(*x.Value))
			}
			out = append(out, s)
		}
		return out, nil
	case "scalar":
		var p refPoint
		if err := json.Unmarshal(r.Data.Result, &p); err != nil {
			return nil, err
		}
		return []series{{metric: map[string]string{}, points: []point{point(p)}}}, nil
	}
	return nil, fmt.Errorf("unexpected result type %q", r.Data.ResultType)
}

// refPoint is a sample decoded by encoding/json.
type refPoint struct {
	t int64
	v float64
}

func (p *refPoint) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != 2 {
		return fmt.Errorf("sample %s: want [time, value]", b)
	}
	var ts float64
	if err := json.Unmarshal(raw[0], &ts); err != nil {
		return err
	}
	var vs string
	if err := json.Unmarshal(raw[1], &vs); err != nil {
		return err
	}
	v, err := strconv.ParseFloat(vs, 64)
	if err != nil {
		return err
	}
	p.t, p.v = int64(math.Round(ts)), v
	return nil
}
