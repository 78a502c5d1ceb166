package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// lineError is a bad event with where the request body has it: the line
// it starts on and, in a JSON array, its element (from 1).
type lineError struct {
	at  position
	err error
}

func (e *lineError) Error() string { return fmt.Sprintf("%s: %v", e.at, e.err) }
func (e *lineError) Unwrap() error { return e.err }

// position is where an event starts in a request body.
type position struct {
	line int
	// element is the event's place in a JSON array, from 1; 0 in NDJSON,
	// where the line says it all.
	element int
}

func (p position) String() string {
	if p.element > 0 {
		return fmt.Sprintf("line %d, element %d", p.line, p.element)
	}
	return fmt.Sprintf("line %d", p.line)
}

// badEvent is the error answer for an event at p.
func badEvent(p position, err error) error {
	return &slo.Error{Code: slo.CodeInvalid, Message: fmt.Sprintf("%s: %v", p, err), Err: &lineError{at: p, err: err}}
}

// postEvents takes a JSON array or NDJSON of events. The batch is stored
// whole or not at all; 202 means it is durable.
func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes), r.ContentLength)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeError(w, r, &slo.Error{Code: slo.CodeInvalid, Err: mbe,
				Message: fmt.Sprintf("request body over %d bytes; send smaller batches", mbe.Limit)})
			return
		}
		// A body that stops arriving is answered 408 (see writeError).
		s.writeError(w, r, &slo.Error{Code: slo.CodeInvalid, Message: fmt.Sprintf("read request body: %v", err), Err: err})
		return
	}
	key, keyed, err := idempotencyKey(r.Header)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, at, err := decodeEvents(body, s.opts.MaxBatch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	accepted, repeat := len(events), false
	if keyed {
		sum := sha256.Sum256(body)
		var first engine.Receipt
		first, repeat, err = s.engine.IngestOnce(r.Context(), events, engine.Receipt{Key: key, Digest: hex.EncodeToString(sum[:])})
		if repeat {
			accepted = first.Accepted
		}
	} else {
		err = s.engine.Ingest(r.Context(), events)
	}
	if err != nil {
		// The engine counts events; the request's lines are ours to name.
		var ee *engine.EventError
		if errors.As(err, &ee) {
			err = badEvent(at[ee.Index], errors.New(ee.Message))
		}
		s.writeError(w, r, err)
		return
	}
	if repeat {
		s.metrics.batchesRepeated.Inc()
		noteWrite(r, "events", "", "pushed events again (a repeat, not counted)")
	} else {
		s.metrics.eventsIngested.Add(float64(len(events)))
		noteWrite(r, "events", "", "pushed events") // folded: one entry counts an hour's pushes
	}
	writeJSON(w, http.StatusAccepted, ingestAnswer{Accepted: accepted, Repeat: repeat})
}

// ingestAnswer is the answer to a push: how many events the batch held,
// and whether it was a batch sent again under an Idempotency-Key already
// stored, so counted with its first sending and not again.
type ingestAnswer struct {
	Accepted int  `json:"accepted"`
	Repeat   bool `json:"repeat"`
}

// idempotencyKey returns the request's Idempotency-Key, if it has one.
func idempotencyKey(h http.Header) (string, bool, error) {
	values := h.Values("Idempotency-Key")
	switch {
	case len(values) == 0:
		return "", false, nil
	case len(values) > 1:
		return "", false, invalid("Idempotency-Key: give one key, not %d", len(values))
	}
	key := values[0]
	switch {
	case key == "":
		return "", false, invalid("Idempotency-Key: empty; send a key of 1 to %d bytes, e.g. a UUID, or no header", engine.MaxIdempotencyKey)
	case len(key) > engine.MaxIdempotencyKey:
		return "", false, invalid("Idempotency-Key: %d bytes, over %d", len(key), engine.MaxIdempotencyKey)
	case !utf8.ValidString(key):
		return "", false, invalid("Idempotency-Key: not valid UTF-8")
	}
	return key, true, nil
}

// readBody reads a body whose declared length is size (-1 unknown) into
// one buffer of that size: io.ReadAll's doubling held up to twice a large
// body's bytes, and copied it as often.
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, size+1) // +1: EOF is seen without growing
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) { // more than declared: the server refuses that, but stay correct
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// decodeEvents reads a JSON array or NDJSON body, returning where each
// event starts. Its cost is linear in the body.
func decodeEvents(body []byte, maxBatch int) ([]engine.Event, []position, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, nil, invalid("no events: send a JSON array or one JSON object per line")
	}
	if !utf8.Valid(body) {
		// JSON decoding would turn the bad bytes into U+FFFD silently.
		lines := lineCounter{body: body}
		return nil, nil, badEvent(position{line: lines.at(invalidUTF8At(body))}, errors.New("not valid UTF-8"))
	}
	var events []engine.Event
	var at []position
	lines := lineCounter{body: body}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	array := trimmed[0] == '['
	if array {
		if _, err := dec.Token(); err != nil {
			return nil, nil, invalid("read event array: %v", err)
		}
	}
	for {
		if array && !dec.More() {
			break
		}
		start := dec.InputOffset()
		var ev engine.Event
		err := dec.Decode(&ev)
		if !array && errors.Is(err, io.EOF) {
			break
		}
		p := position{line: lines.at(start)}
		if array {
			p.element = len(events) + 1
		}
		if err != nil {
			return nil, nil, badEvent(p, err)
		}
		if len(events) == maxBatch {
			return nil, nil, invalid("more than %d events in one request; send smaller batches", maxBatch)
		}
		events = append(events, ev)
		at = append(at, p)
	}
	if array {
		if _, err := dec.Token(); err != nil {
			return nil, nil, invalid("read end of event array: %v", err)
		}
		if dec.More() {
			return nil, nil, invalid("data after the event array")
		}
	}
	if len(events) == 0 {
		return nil, nil, invalid("no events in the request")
	}
	return events, at, nil
}

// lineCounter names the lines of offsets that only grow, counting each
// newline once.
type lineCounter struct {
	body   []byte
	offset int // newlines before offset are counted
	line   int // lines before offset, less one
}

// at returns the line of the first non-space byte at or after offset,
// which is no smaller than the last offset asked.
func (c *lineCounter) at(offset int64) int {
	i := max(int(offset), c.offset)
	for i < len(c.body) && (c.body[i] == ' ' || c.body[i] == '\t' || c.body[i] == '\r' || c.body[i] == '\n' || c.body[i] == ',') {
		i++
	}
	i = min(i, len(c.body))
	c.line += bytes.Count(c.body[c.offset:i], []byte("\n"))
	c.offset = i
	return c.line + 1
}

// invalidUTF8At returns the offset of the first byte that is not UTF-8.
func invalidUTF8At(b []byte) int64 {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return int64(i)
		}
		i += n
	}
	return int64(len(b))
}
