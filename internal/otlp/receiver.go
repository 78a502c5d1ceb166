package otlp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// Options configure a Receiver.
type Options struct {
	// MaxBodyBytes bounds a request's body, compressed and decompressed.
	MaxBodyBytes int64
	// MaxBatch bounds the spans or metric points in one request.
	MaxBatch int
	// RememberSpans is how many span ids (per generation of two) are kept
	// to count a resent span once; 0 means 1<<18.
	RememberSpans int
	Logger        *slog.Logger
}

// Receiver answers OTLP/HTTP exports: POST /v1/traces and /v1/metrics.
type Receiver struct {
	engine *engine.Engine
	opts   Options
	log    *slog.Logger
	spans  *seen
	points *points

	mu        sync.Mutex
	router    *Router
	routerFor *slo.SLO // the first SLO of the catalog the router is for
	routerLen int
}

// New returns a receiver feeding the engine.
func New(e *engine.Engine, opts Options) *Receiver {
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 16 << 20
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = 100_000
	}
	if opts.RememberSpans == 0 {
		opts.RememberSpans = 1 << 18
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Receiver{engine: e, opts: opts, log: opts.Logger, spans: newSeen(opts.RememberSpans),
		points: newPoints(opts.RememberSpans)}
}

// Router returns the router of the engine's current catalog, built once
// per catalog: a reload replaces the catalog's SLO list.
func (rc *Receiver) Router() *Router {
	cat := rc.engine.Catalog()
	var first *slo.SLO
	if len(cat.SLOs) > 0 {
		first = &cat.SLOs[0]
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.router == nil || first != rc.routerFor || len(cat.SLOs) != rc.routerLen {
		rc.router, rc.routerFor, rc.routerLen = NewRouter(cat), first, len(cat.SLOs)
	}
	return rc.router
}

// Traces answers POST /v1/traces. It returns how many spans were counted.
func (rc *Receiver) Traces(w http.ResponseWriter, r *http.Request) int {
	body, enc, ok := rc.readBody(w, r)
	if !ok {
		return 0
	}
	req := ptraceotlp.NewExportRequest()
	if err := decode(req, enc, body); err != nil {
		writeStatus(w, enc, http.StatusBadRequest, fmt.Sprintf("decode OTLP traces (%s): %v", enc, decodeProblem(enc, err)))
		return 0
	}
	td := req.Traces()
	if n := td.SpanCount(); n > rc.opts.MaxBatch {
		writeStatus(w, enc, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%d spans in one request, more than %d; lower the exporter's batch size", n, rc.opts.MaxBatch))
		return 0
	}
	b := rc.Router().Spans(td, rc.engine.Clock().Now())
	counted, err := rc.countOnce(r.Context(), b, rc.spans)
	if err != nil {
		rc.unavailable(w, enc, err)
		return 0
	}
	resp := ptraceotlp.NewExportResponse()
	if len(b.rejected) > 0 {
		resp.PartialSuccess().SetRejectedSpans(int64(len(b.rejected)))
		resp.PartialSuccess().SetErrorMessage(summarize(b.rejected, "span"))
	}
	out, err := encode(resp, enc)
	writeBody(w, enc, http.StatusOK, out, err)
	return counted
}

// Metrics answers POST /v1/metrics. It returns how many points were
// counted.
func (rc *Receiver) Metrics(w http.ResponseWriter, r *http.Request) int {
	body, enc, ok := rc.readBody(w, r)
	if !ok {
		return 0
	}
	req := pmetricotlp.NewExportRequest()
	if err := decode(req, enc, body); err != nil {
		writeStatus(w, enc, http.StatusBadRequest, fmt.Sprintf("decode OTLP metrics (%s): %v", enc, decodeProblem(enc, err)))
		return 0
	}
	md := req.Metrics()
	if n := md.DataPointCount(); n > rc.opts.MaxBatch {
		writeStatus(w, enc, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("%d metric points in one request, more than %d; lower the exporter's batch size", n, rc.opts.MaxBatch))
		return 0
	}
	router := rc.Router()
	p := rc.points
	p.mu.Lock()
	now := rc.engine.Clock().Now()
	b := router.Metrics(md, now, p.base, p.seed)
	counted, err := rc.countOnce(r.Context(), b.batch, p.deltas)
	if err == nil {
		p.keep(b.pending, now)
	}
	p.mu.Unlock()
	if err != nil {
		rc.unavailable(w, enc, err)
		return 0
	}
	resp := pmetricotlp.NewExportResponse()
	if len(b.rejected) > 0 {
		resp.PartialSuccess().SetRejectedDataPoints(int64(len(b.rejected)))
		resp.PartialSuccess().SetErrorMessage(summarize(b.rejected, "point"))
	}
	out, err := encode(resp, enc)
	writeBody(w, enc, http.StatusOK, out, err)
	return counted
}

// countOnce counts the batch's items not counted before: each item's key
// is reserved first and given back if the item is refused or the batch
// fails. It returns how many items were counted.
func (rc *Receiver) countOnce(ctx context.Context, b *batch, s *seen) (int, error) {
	fresh := s.reserve(b.keys, func(i int) bool {
		_, rejected := b.rejected[i]
		return rejected || b.keys[i] == (SpanKey{})
	})
	var events []engine.Event
	var items []int
	for i, ev := range b.events {
		it := b.item[i]
		if _, rejected := b.rejected[it]; rejected || (!fresh[it] && b.keys[it] != (SpanKey{})) {
			continue // refused before counting, or counted before
		}
		events = append(events, ev)
		items = append(items, it)
	}
	err := rc.ingest(ctx, b, events, items)
	var giveBack []SpanKey
	for i, k := range b.keys {
		if !fresh[i] {
			continue
		}
		if _, rejected := b.rejected[i]; rejected || err != nil {
			giveBack = append(giveBack, k)
		}
	}
	s.release(giveBack)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range b.keys {
		if _, rejected := b.rejected[i]; !rejected && (fresh[i] || b.keys[i] == (SpanKey{})) {
			n++
		}
	}
	return n, nil
}

// maxRefusals bounds the retries of one batch without a refused item;
// past it the rest of the batch is refused too.
const maxRefusals = 64

// ingest counts events, refusing (in b) the items of the events the
// engine refuses and counting the rest. An error is a batch not counted
// at all, for the exporter to retry.
func (rc *Receiver) ingest(ctx context.Context, b *batch, events []engine.Event, items []int) error {
	for refused := 0; len(events) > 0; refused++ {
		err := rc.engine.Ingest(ctx, events)
		if err == nil {
			return nil
		}
		var ee *engine.EventError
		if !errors.As(err, &ee) || ee.Index < 0 || ee.Index >= len(events) {
			return err
		}
		bad := items[ee.Index]
		b.reject(bad, ee.Message)
		if refused == maxRefusals {
			for _, it := range items {
				b.reject(it, fmt.Sprintf("refused with the %d items before it refused in the same request", maxRefusals))
			}
			return nil
		}
		// An item counts whole or not at all: drop all its events.
		kept := 0
		for i := range events {
			if items[i] != bad {
				events[kept], items[kept] = events[i], items[i]
				kept++
			}
		}
		events, items = events[:kept], items[:kept]
	}
	return nil
}

// unavailable answers a batch the engine could not store: the exporter
// retries it later.
func (rc *Receiver) unavailable(w http.ResponseWriter, enc encoding, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		rc.log.Info("OTLP export cancelled before it was stored", "err", err)
	} else {
		rc.log.Warn("OTLP export not stored", "err", err)
	}
	w.Header().Set("Retry-After", fmt.Sprint(RetryAfter))
	writeStatus(w, enc, http.StatusServiceUnavailable, "not stored, retry later: "+messageOf(err))
}

// RetryAfter is the wait, in seconds, asked of an exporter answered 429
// or 503.
const RetryAfter = 10

func messageOf(err error) string {
	var se *slo.Error
	if errors.As(err, &se) && se.Message != "" {
		return se.Message
	}
	return err.Error()
}

// summarize says why items were refused: each distinct reason with its
// count, the commonest first, at most three.
func summarize(rejected map[int]string, noun string) string {
	count := map[string]int{}
	for _, why := range rejected {
		count[why]++
	}
	reasons := make([]string, 0, len(count))
	for why := range count {
		reasons = append(reasons, why)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if count[reasons[i]] != count[reasons[j]] {
			return count[reasons[i]] > count[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	more := ""
	if len(reasons) > 3 {
		more = fmt.Sprintf("; and %d other reasons", len(reasons)-3)
		reasons = reasons[:3]
	}
	parts := make([]string, len(reasons))
	for i, why := range reasons {
		parts[i] = fmt.Sprintf("%d %s: %s", count[why], plural(noun, count[why]), why)
	}
	return fmt.Sprintf("%d %s refused: %s%s", len(rejected), plural(noun, len(rejected)), strings.Join(parts, "; "), more)
}

func plural(noun string, n int) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// decodeProblem is a decoding error as a client should read it.
func decodeProblem(enc encoding, err error) error {
	if enc == encJSON {
		return jsonProblem(err)
	}
	return err
}

// message is an OTLP export request or response as pdata gives it: both
// encodings the endpoints speak.
type message interface {
	UnmarshalJSON([]byte) error
	UnmarshalProto([]byte) error
	MarshalJSON() ([]byte, error)
	MarshalProto() ([]byte, error)
}

// decode reads body into m in the request's encoding.
func decode(m message, enc encoding, body []byte) error {
	if enc == encJSON {
		return m.UnmarshalJSON(body)
	}
	return m.UnmarshalProto(body)
}

// encode writes m in the request's encoding.
func encode(m message, enc encoding) ([]byte, error) {
	if enc == encJSON {
		return m.MarshalJSON()
	}
	return m.MarshalProto()
}
