package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/accord-slo/accord/internal/otlp"
	"github.com/accord-slo/accord/internal/slo"
)

// RetryAfter is how long a client should wait before retrying an answer
// of 503 (starting, or the disk full), in seconds.
const RetryAfter = 10

// apiError is the body of every error answer.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    slo.Code `json:"code"`
	Message string   `json:"message"`
	// Line is the line of the first bad event in an ingest request, and
	// Element its place in a JSON array (from 1).
	Line    int `json:"line,omitempty"`
	Element int `json:"element,omitempty"`
}

func statusOf(code slo.Code) int {
	switch code {
	case slo.CodeInvalid:
		return http.StatusBadRequest
	case slo.CodeNotFound:
		return http.StatusNotFound
	case slo.CodeConflict:
		return http.StatusConflict
	case slo.CodeUnauthorized:
		return http.StatusUnauthorized
	case slo.CodeForbidden:
		return http.StatusForbidden
	case slo.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers err as JSON with the status its code maps to.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := s.failure(w, r, err)
	writeRefusal(w, r, status, body)
}

// writeRefusal writes a refusal in the form its route's clients read: a
// google.rpc.Status on OTLP's routes, JSON elsewhere.
func writeRefusal(w http.ResponseWriter, r *http.Request, status int, body errorBody) {
	if otlp.Route(r.URL.Path) {
		otlp.WriteError(w, r, status, body.Message)
		return
	}
	writeJSON(w, status, apiError{Error: body})
}

// failure works out how to answer a request that failed with err: the
// status, and the body people and clients read. It logs the failure and
// sets the headers the status needs (Retry-After on a 503), for the
// caller to write the answer in its own form.
func (s *Server) failure(w http.ResponseWriter, r *http.Request, err error) (int, errorBody) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The client went away (or the server is stopping) before the
		// request finished: nothing failed here that an operator must fix.
		s.log.Info("request cancelled", "method", r.Method, "path", r.URL.Path, "err", err)
		return http.StatusServiceUnavailable, errorBody{Code: slo.CodeInternal,
			Message: "the request was cancelled before it finished; it may not have been stored"}
	}
	code := slo.ErrorCode(err)
	body := errorBody{Code: code, Message: err.Error()}
	var se *slo.Error
	if errors.As(err, &se) && se.Message != "" {
		body.Message = se.Message // the cause is for logs, not users
	}
	var le *lineError
	if errors.As(err, &le) {
		body.Line, body.Element = le.at.line, le.at.element
	}
	status := statusOf(code)
	if status == http.StatusInternalServerError {
		if down := s.databaseDown(r); down != nil {
			err, status, body.Code, body.Message = fmt.Errorf("%w (the database: %v)", err, down), http.StatusServiceUnavailable,
				slo.CodeUnavailable, databaseDownMessage
		}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		status = http.StatusRequestEntityTooLarge
	}
	if timedOut(err) {
		status, body.Code = http.StatusRequestTimeout, slo.CodeInvalid
		body.Message = "the request body did not arrive in time; send it faster or in smaller batches"
	}
	switch status {
	case http.StatusInternalServerError:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		body.Message = "internal error; the server log has the details"
	case http.StatusServiceUnavailable:
		s.log.Warn("request refused for now", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfter))
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="accord"`)
	}
	noteRefusal(r, body.Message)
	return status, body
}

// databaseDownMessage answers a request that failed while the database
// does not answer.
const databaseDownMessage = "the database is unavailable (unreachable, full or failing over); nothing of this request was stored, retry later"

// pingTimeout bounds the check, after a request failed, that the database
// still answers.
const pingTimeout = 2 * time.Second

// databaseDown returns why the database does not answer or cannot be
// written, nil when it does: a request that failed for that reason is an
// outage to wait out (503), not a defect (500), whatever the error it met
// looked like.
func (s *Server) databaseDown(r *http.Request) error {
	if s.history == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), pingTimeout)
	defer cancel()
	return s.history.Ping(ctx)
}

// timedOut reports whether err is a read that ran past the server's
// timeout.
func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// writeJSON answers v as JSON with status. It encodes v whole before it
// writes the status, so a value that cannot be encoded (a NaN, say) is a
// 500 with an error body, never a 200 with half an answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		if rec, ok := w.(*statusRecorder); ok {
			rec.err = err // logged by the instrumentation, which has the logger
		}
		status = http.StatusInternalServerError
		body, _ = json.Marshal(apiError{Error: errorBody{Code: slo.CodeInternal,
			Message: "the answer could not be encoded; the server log has the details"}})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func invalid(format string, args ...any) error { return slo.Errorf(slo.CodeInvalid, format, args...) }
