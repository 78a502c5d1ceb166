package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// lineError is a bad event with the line of the request body it starts on.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *lineError) Unwrap() error { return e.err }

// postEvents takes a JSON array or NDJSON of events. The batch is stored
// whole or not at all; 202 means it is durable.
func (s *Server) postEvents(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeError(w, r, &slo.Error{Code: slo.CodeInvalid, Err: mbe,
				Message: fmt.Sprintf("request body over %d bytes; send smaller batches", mbe.Limit)})
			return
		}
		s.writeError(w, r, invalid("read request body: %v", err))
		return
	}
	events, lines, err := decodeEvents(body, s.opts.MaxBatch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.engine.Ingest(r.Context(), events); err != nil {
		// The engine counts events; the request's lines are ours to name.
		var ee *engine.EventError
		if errors.As(err, &ee) {
			err = &slo.Error{Code: slo.CodeInvalid, Message: fmt.Sprintf("line %d: %s", lines[ee.Index], ee.Message),
				Err: &lineError{line: lines[ee.Index], err: ee}}
		}
		s.writeError(w, r, err)
		return
	}
	s.metrics.eventsIngested.Add(float64(len(events)))
	noteWrite(r, "events", "", "pushed events") // folded: one entry counts an hour's pushes
	writeJSON(w, http.StatusAccepted, map[string]int{"accepted": len(events)})
}

// decodeEvents reads a JSON array or NDJSON body, returning each event's
// starting line.
func decodeEvents(body []byte, maxBatch int) ([]engine.Event, []int, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, nil, invalid("no events: send a JSON array or one JSON object per line")
	}
	var events []engine.Event
	var lines []int
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
		line := lineAt(body, start)
		if err != nil {
			return nil, nil, &slo.Error{Code: slo.CodeInvalid, Message: fmt.Sprintf("line %d: %v", line, err),
				Err: &lineError{line: line, err: err}}
		}
		if len(events) == maxBatch {
			return nil, nil, invalid("more than %d events in one request; send smaller batches", maxBatch)
		}
		events = append(events, ev)
		lines = append(lines, line)
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
	return events, lines, nil
}

// lineAt returns the line of the first non-space byte at or after offset.
func lineAt(body []byte, offset int64) int {
	i := int(offset)
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n' || body[i] == ',') {
		i++
	}
	return bytes.Count(body[:min(i, len(body))], []byte("\n")) + 1
}
