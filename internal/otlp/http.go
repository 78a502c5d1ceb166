package otlp

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
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
	case http.StatusRequestEntityTooLarge:
		return 8 // RESOURCE_EXHAUSTED
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return 14 // UNAVAILABLE
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
