package prometheus

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// response is a query API answer.
type response struct {
	status, errorType, errorText string
	resultType                   string
	result                       []series
	sawResult                    bool
	// resultErr is why the result could not be read; it matters only
	// when the status is success.
	resultErr error
}

// maxDepth bounds how deeply the values decodeResponse skips may nest, as
// encoding/json bounds it.
const maxDepth = 10_000

// decodeResponse reads a query API answer — {"status": …, "data":
// {"resultType": …, "result": …}, "errorType": …, "error": …} — in one pass
// over its bytes. encoding/json validated, skipped and decoded each answer
// several times over and each sample on its own, which was most of the
// time a replay or a backfill spent. Keys match case-insensitively and
// unknown keys are skipped, as encoding/json does.
func decodeResponse(b []byte) (response, error) {
	r := &jsonReader{b: b}
	var resp response
	err := r.object(func(key string) error {
		var err error
		switch {
		case strings.EqualFold(key, "status"):
			resp.status, err = r.str()
		case strings.EqualFold(key, "errorType"):
			resp.errorType, err = r.str()
		case strings.EqualFold(key, "error"):
			resp.errorText, err = r.str()
		case strings.EqualFold(key, "data"):
			err = r.object(func(key string) error {
				switch {
				case strings.EqualFold(key, "resultType"):
					var err error
					resp.resultType, err = r.str()
					return err
				case strings.EqualFold(key, "result"):
					start := r.i
					resp.sawResult = true
					if resp.result, resp.resultErr = r.result(); resp.resultErr != nil {
						r.i = start
						return r.skip()
					}
				default:
					return r.skip()
				}
				return nil
			})
		default:
			err = r.skip()
		}
		return err
	})
	if err != nil {
		return response{}, err
	}
	if r.ws(); r.i != len(r.b) {
		return response{}, r.errorf("data after the answer")
	}
	return resp, nil
}

// results returns the answer's series, or why there are none.
func (resp response) results() ([]series, error) {
	switch {
	case resp.resultType != "vector" && resp.resultType != "matrix" && resp.resultType != "scalar":
		return nil, fmt.Errorf("unexpected result type %q", resp.resultType)
	case !resp.sawResult:
		return nil, fmt.Errorf("answer has no result")
	case resp.resultErr != nil:
		return nil, resp.resultErr
	}
	scalar := len(resp.result) == 1 && resp.result[0].metric == nil && resp.result[0].scalar
	switch resp.resultType {
	case "vector", "matrix":
		if scalar {
			return nil, fmt.Errorf("%s result holds a scalar", resp.resultType)
		}
		if resp.result == nil {
			return []series{}, nil
		}
		return resp.result, nil
	case "scalar":
		if !scalar {
			return nil, fmt.Errorf("scalar result is not [time, \"value\"]")
		}
		resp.result[0].metric = map[string]string{}
	}
	return resp.result, nil
}

// jsonReader reads JSON text from b, starting at i.
type jsonReader struct {
	b     []byte
	i     int
	depth int
}

func (r *jsonReader) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", r.i, fmt.Sprintf(format, args...))
}

// ws skips white space.
func (r *jsonReader) ws() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\n' || r.b[r.i] == '\t' || r.b[r.i] == '\r') {
		r.i++
	}
}

// eat consumes c after white space, if it comes next.
func (r *jsonReader) eat(c byte) bool {
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// null consumes null after white space, if it comes next.
func (r *jsonReader) null() bool {
	r.ws()
	if strings.HasPrefix(string(r.b[r.i:min(r.i+4, len(r.b))]), "null") {
		r.i += 4
		return true
	}
	return false
}

// nest counts a level of nesting, failing beyond maxDepth.
func (r *jsonReader) nest() error {
	if r.depth++; r.depth > maxDepth {
		return r.errorf("nested more than %d deep", maxDepth)
	}
	return nil
}

// object reads an object (or null), calling fn for each key with the
// reader at its value; fn must consume the value.
func (r *jsonReader) object(fn func(key string) error) error {
	if r.null() {
		return nil
	}
	if !r.eat('{') {
		return r.errorf("want an object")
	}
	if err := r.nest(); err != nil {
		return err
	}
	defer func() { r.depth-- }()
	if r.eat('}') {
		return nil
	}
	for {
		r.ws()
		if r.i >= len(r.b) || r.b[r.i] != '"' {
			return r.errorf("want a key")
		}
		key, err := r.str()
		if err != nil {
			return err
		}
		if !r.eat(':') {
			return r.errorf("want : after key %q", key)
		}
		if err := fn(key); err != nil {
			return err
		}
		if r.eat(',') {
			continue
		}
		if r.eat('}') {
			return nil
		}
		return r.errorf("want , or }")
	}
}

// array reads an array (or null), calling fn for each element.
func (r *jsonReader) array(fn func() error) error {
	if r.null() {
		return nil
	}
	if !r.eat('[') {
		return r.errorf("want an array")
	}
	if err := r.nest(); err != nil {
		return err
	}
	defer func() { r.depth-- }()
	if r.eat(']') {
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		if r.eat(',') {
			continue
		}
		if r.eat(']') {
			return nil
		}
		return r.errorf("want , or ]")
	}
}

// str reads a string (or null, as "").
func (r *jsonReader) str() (string, error) {
	if r.null() {
		return "", nil
	}
	if !r.eat('"') {
		return "", r.errorf("want a string")
	}
	start := r.i
	for r.i < len(r.b) {
		switch c := r.b[r.i]; {
		case c == '"':
			r.i++
			return string(r.b[start : r.i-1]), nil
		case c == '\\':
			return r.escaped(start)
		case c < 0x20:
			return "", r.errorf("control character in a string")
		}
		r.i++
	}
	return "", r.errorf("unterminated string")
}

// escaped reads the rest of a string with escapes that starts at start
// (after its quote).
func (r *jsonReader) escaped(start int) (string, error) {
	for r.i < len(r.b) && r.b[r.i] != '"' {
		if r.b[r.i] == '\\' {
			r.i++
		}
		r.i++
	}
	if r.i >= len(r.b) {
		return "", r.errorf("unterminated string")
	}
	r.i++
	var s string
	if err := json.Unmarshal(r.b[start-1:r.i], &s); err != nil {
		return "", r.errorf("string: %v", err)
	}
	return s, nil
}

// number reads a number; null reads as 0.
func (r *jsonReader) number() (float64, error) {
	if r.null() {
		return 0, nil
	}
	start := r.i
	for r.i < len(r.b) && strings.IndexByte("+-0123456789.eE", r.b[r.i]) >= 0 {
		r.i++
	}
	f, err := strconv.ParseFloat(string(r.b[start:r.i]), 64)
	if err != nil || start == r.i {
		return 0, r.errorf("want a number")
	}
	return f, nil
}

// skip reads any value and drops it.
func (r *jsonReader) skip() error {
	r.ws()
	if r.i >= len(r.b) {
		return r.errorf("want a value")
	}
	switch c := r.b[r.i]; c {
	case '"':
		_, err := r.str()
		return err
	case '{':
		return r.object(func(string) error { return r.skip() })
	case '[':
		return r.array(r.skip)
	case 't', 'f', 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(string(r.b[r.i:min(r.i+len(lit), len(r.b))]), lit) {
				r.i += len(lit)
				return nil
			}
		}
		return r.errorf("want a value")
	}
	_, err := r.number()
	return err
}

// sample reads [time, "value"]: Unix seconds and a value that may be NaN
// or ±Inf.
func (r *jsonReader) sample() (point, error) {
	var p point
	if !r.eat('[') {
		return p, r.errorf("want a sample [time, \"value\"]")
	}
	t, err := r.number()
	if err != nil {
		return p, err
	}
	if !r.eat(',') {
		return p, r.errorf("want , in a sample")
	}
	r.ws()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		return p, r.errorf("want a sample's value as a string")
	}
	v, err := r.str()
	if err != nil {
		return p, err
	}
	if p.v, err = strconv.ParseFloat(v, 64); err != nil { // also reads NaN, +Inf and -Inf
		return p, r.errorf("sample value %q: %v", v, err)
	}
	if !r.eat(']') {
		return p, r.errorf("want ] after a sample")
	}
	p.t = int64(math.Round(t))
	return p, nil
}

// result reads a result: a scalar [time, "value"], or the series of a
// vector or matrix.
func (r *jsonReader) result() ([]series, error) {
	if r.null() {
		return nil, nil
	}
	if r.ws(); r.i < len(r.b) && r.b[r.i] == '[' {
		save := r.i
		r.i++
		r.ws()
		if r.i < len(r.b) && strings.IndexByte("{]n", r.b[r.i]) < 0 {
			r.i = save
			p, err := r.sample()
			return []series{{points: []point{p}, scalar: true}}, err
		}
		r.i = save
	}
	out := []series{}
	err := r.array(func() error {
		s, err := r.series()
		out = append(out, s)
		return err
	})
	return out, err
}

// series reads a vector element {"metric": …, "value": […]} or a matrix
// element {"metric": …, "values": [[…], …]}.
func (r *jsonReader) series() (series, error) {
	var s series
	var value *point
	err := r.object(func(key string) error {
		switch {
		case strings.EqualFold(key, "metric"):
			if r.null() {
				s.metric = nil
				return nil
			}
			if s.metric == nil {
				s.metric = map[string]string{}
			}
			return r.object(func(name string) error {
				v, err := r.str()
				s.metric[name] = v
				return err
			})
		case strings.EqualFold(key, "value"):
			if r.null() {
				value = nil
				return nil
			}
			p, err := r.sample()
			value = &p
			return err
		case strings.EqualFold(key, "values"):
			s.points = nil
			return r.array(func() error {
				p, err := r.sample()
				s.points = append(s.points, p)
				return err
			})
		}
		return r.skip()
	})
	if value != nil {
		s.points = append(s.points, *value)
	}
	return s, err
}
