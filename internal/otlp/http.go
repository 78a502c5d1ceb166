package otlp

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// encoding is an OTLP/HTTP body's encoding; answers use the request's.
type encoding string

const (
	encProto encoding = "application/x-protobuf"
	encJSON  encoding = "application/json"
)

// readBody reads a request's body, decompressed, and its encoding; it
// answers the request itself when it returns false.
func (rc *Receiver) readBody(w http.ResponseWriter, r *http.Request) ([]byte, encoding, bool) {
	enc := encProto
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case string(encProto):
	case string(encJSON):
		enc = encJSON
	default:
		writeStatus(w, enc, http.StatusUnsupportedMediaType,
			fmt.Sprintf("Content-Type %q: send application/x-protobuf or application/json", r.Header.Get("Content-Type")))
		return nil, enc, false
	}
	limit := rc.opts.MaxBodyBytes
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeStatus(w, enc, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body over %d bytes; lower the exporter's batch size", limit))
			return nil, enc, false
		}
		if timedOut(err) {
			// Refused for the network's pace, not the batch's content:
			// an exporter retries a 503, and its batch is not lost.
			w.Header().Set("Retry-After", strconv.Itoa(SlowRetryAfter))
			w.Header().Set("Connection", "close") // the rest of the body is not read
			writeStatus(w, enc, http.StatusServiceUnavailable,
				"the request body did not arrive in time (slower than the server's minimum read rate); retry, or lower the exporter's batch size")
			return nil, enc, false
		}
		writeStatus(w, enc, http.StatusBadRequest, fmt.Sprintf("read request body: %v", err))
		return nil, enc, false
	}
	switch ce := r.Header.Get("Content-Encoding"); ce {
	case "", "identity":
		return raw, enc, true
	case "gzip":
		body, err := gunzip(raw, limit)
		if errors.Is(err, errTooLarge) {
			writeStatus(w, enc, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body over %d bytes once decompressed; lower the exporter's batch size", limit))
			return nil, enc, false
		}
		if err != nil {
			writeStatus(w, enc, http.StatusBadRequest, fmt.Sprintf("decompress gzip body: %v", err))
			return nil, enc, false
		}
		return body, enc, true
	default:
		writeStatus(w, enc, http.StatusUnsupportedMediaType,
			fmt.Sprintf("Content-Encoding %q: send gzip or no encoding", ce))
		return nil, enc, false
	}
}

var errTooLarge = errors.New("body too large")

// SlowRetryAfter is the wait, in seconds, asked of an exporter whose body
// arrived too slowly: the network, not Accord, held it up.
const SlowRetryAfter = 1

// timedOut reports whether err is a read that ran past its deadline.
func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Route reports whether path is one of OTLP/HTTP's, whose answers of
// 4xx and 5xx are google.rpc.Status messages.
func Route(path string) bool { return path == "/v1/traces" || path == "/v1/metrics" }

// WriteError answers an OTLP/HTTP request refused outside the receiver
// (its token, the server's limits, start-up) as OTLP asks: a
// google.rpc.Status in the request's encoding, with the HTTP status code.
// Headers the status needs, such as Retry-After, are the caller's.
func WriteError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	enc := encProto // OTLP/HTTP's default, and what an unknown type gets
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == string(encJSON) {
		enc = encJSON
	}
	writeStatus(w, enc, code, msg)
}

// gunzip decompresses at most limit bytes: a small body may expand to a
// large one.
func gunzip(raw []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	body, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, errTooLarge
	}
	return body, nil
}

// writeStatus answers an error as OTLP asks: a google.rpc.Status in the
// request's encoding.
func writeStatus(w http.ResponseWriter, enc encoding, code int, msg string) {
	st := &status.Status{Code: grpcCode(code), Message: msg}
	var out []byte
	var err error
	if enc == encJSON {
		out, err = protojson.Marshal(st)
	} else {
		out, err = proto.Marshal(st)
	}
	writeBody(w, enc, code, out, err)
}

// grpcCode is the gRPC code that goes with an HTTP status.
func grpcCode(code int) int32 {
	switch code {
	case http.StatusBadRequest, http.StatusUnsupportedMediaType:
		return 3 // INVALID_ARGUMENT
	case http.StatusUnauthorized:
		return 16 // UNAUTHENTICATED
	case http.StatusForbidden:
		return 7 // PERMISSION_DENIED
	case http.StatusNotFound:
		return 5 // NOT_FOUND
	case http.StatusRequestEntityTooLarge:
		return 8 // RESOURCE_EXHAUSTED
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return 14 // UNAVAILABLE
	case http.StatusInternalServerError:
		return 13 // INTERNAL
	}
	return 2 // UNKNOWN
}

// writeBody writes a whole answer, encoded before its status is.
func writeBody(w http.ResponseWriter, enc encoding, code int, body []byte, err error) {
	if err != nil {
		code, body = http.StatusInternalServerError, []byte("encode answer: "+err.Error())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", string(enc))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
