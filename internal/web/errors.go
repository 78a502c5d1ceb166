package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/accord-slo/accord/internal/slo"
)

// apiError is the body of every error answer.
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    slo.Code `json:"code"`
	Message string   `json:"message"`
	// Line is the line of the first bad event in an ingest request.
	Line int `json:"line,omitempty"`
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
	}
	return http.StatusInternalServerError
}

// writeError answers err as JSON with the status its code maps to.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The client went away (or the server is stopping) before the
		// request finished: nothing failed here that an operator must fix.
		s.log.Info("request cancelled", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: errorBody{Code: slo.CodeInternal,
			Message: "the request was cancelled before it finished; it may not have been stored"}})
		return
	}
	code := slo.ErrorCode(err)
	body := errorBody{Code: code, Message: err.Error()}
	var se *slo.Error
	if errors.As(err, &se) && se.Message != "" {
		body.Message = se.Message // the cause is for logs, not users
	}
	var le *lineError
	if errors.As(err, &le) {
		body.Line = le.line
	}
	status := statusOf(code)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		status = http.StatusRequestEntityTooLarge
	}
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		body.Message = "internal error; the server log has the details"
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="accord"`)
	}
	noteRefusal(r, body.Message)
	writeJSON(w, status, apiError{Error: body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func invalid(format string, args ...any) error { return slo.Errorf(slo.CodeInvalid, format, args...) }
