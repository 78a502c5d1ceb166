package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accord-slo/accord/internal/otlp"
	"github.com/accord-slo/accord/internal/slo"
)

// The defaults of the limits that keep clients from holding the server's
// memory (see docs/api.md#limits).
const (
	DefaultMaxInflightBytes = 64 << 20
	DefaultMaxAnswerBytes   = 64 << 20
	DefaultMinReadRate      = 4 << 10 // bytes per second
	DefaultMinWriteRate     = 4 << 10 // bytes per second
	// DefaultInflightWait bounds how long a body waits for room in the
	// in-flight budget before it is refused: longer than a trickling body
	// may hold its room (paceChunk at the default minimum read rate).
	DefaultInflightWait = 10 * time.Second
)

const (
	// paceChunk is the unit of progress a body or an answer must make
	// within paceChunk ÷ the minimum rate.
	paceChunk = 16 << 10
	// largeAnswer is the size from which an answer needs room in the
	// answer budget; smaller ones (health, errors) never wait for it.
	largeAnswer = 64 << 10
	// renderWait bounds how long a request waits for its turn to render.
	renderWait = 10 * time.Second
	// overloadRetryAfter is the Retry-After of a refusal at these limits,
	// in seconds: they free up as answers go out and bodies come in.
	overloadRetryAfter = 1
)

// DefaultRendering is how many answers are rendered at once, two per
// processor Go may run on; more wait for their turn, up to renderWait.
// Rendering is CPU work: more at once would not finish sooner, and would
// make a health check wait behind them for the processor.
func DefaultRendering() int { return 2 * runtime.GOMAXPROCS(0) }

// overload bounds what clients can make the server hold: request bodies
// being read, rendered answers waiting for a slow reader, answers being
// rendered; and it cuts off clients that stop making progress.
type overload struct {
	bodies, answers  *byteBudget
	render           chan struct{}
	minRead          int64 // bytes per second
	minWrite         int64 // bytes per second
	maxBody          int64
	bodyWait         time.Duration
	readTotal        time.Duration // the server's read and write timeouts
	writeTotal       time.Duration
	refusedBody      prometheus.Counter
	refusedAnswer    prometheus.Counter
	refusedRender    prometheus.Counter
	slowRead         prometheus.Counter
	slowWrite        prometheus.Counter
	renderingAnswers prometheus.GaugeFunc
}

func newOverload(opts Options, reg prometheus.Registerer) *overload {
	o := &overload{bodies: &byteBudget{max: opts.MaxInflightBytes}, answers: &byteBudget{max: opts.MaxAnswerBytes},
		render: make(chan struct{}, opts.Rendering), minRead: opts.MinReadRate, minWrite: opts.MinWriteRate,
		maxBody: opts.MaxBodyBytes, bodyWait: opts.InflightWait, readTotal: opts.ReadTimeout, writeTotal: opts.WriteTimeout}
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_http_overload_refused_total",
		Help: "Requests answered 503 at a memory limit: inflight_bytes (request bodies), answer_bytes (answers waiting for slow readers), rendering (answers rendered at once)."},
		[]string{"limit"})
	o.refusedBody, o.refusedAnswer, o.refusedRender = refused.WithLabelValues("inflight_bytes"), refused.WithLabelValues("answer_bytes"), refused.WithLabelValues("rendering")
	slow := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_http_slow_clients_total",
		Help: "Requests cut off for moving less than 16 KiB within 16 KiB ÷ the minimum rate: read (a body, --min-read-rate), write (an answer, --min-write-rate)."},
		[]string{"direction"})
	o.slowRead, o.slowWrite = slow.WithLabelValues("read"), slow.WithLabelValues("write")
	reg.MustRegister(refused, slow,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_http_inflight_body_bytes",
			Help: "Bytes of request bodies being read (as declared, or --max-body-bytes when not); at most --max-inflight-bytes."}, o.bodies.inUse),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_http_bodies_waiting",
			Help: "Request bodies waiting for room in --max-inflight-bytes, in turn."}, o.bodies.waitingNow),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_http_inflight_answer_bytes",
			Help: "Bytes of rendered answers being written to clients; at most --max-answer-bytes."}, o.answers.inUse),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_http_rendering",
			Help: "Answers being rendered now; at most " + strconv.Itoa(cap(o.render)) + "."}, func() float64 { return float64(len(o.render)) }))
	return o
}

// byteBudget is a count of bytes that may be held at once. One claim may
// exceed it when nothing else is held, so no single answer is refused for
// ever. Claims that wait are granted in turn, so a large body is not
// starved by small ones that keep coming.
type byteBudget struct {
	mu        sync.Mutex
	max, used int64
	waiting   []*budgetClaim
}

type budgetClaim struct {
	n       int64
	granted chan struct{}
}

func (b *byteBudget) fits(n int64) bool { return b.used == 0 || b.used+n <= b.max }

// take claims n bytes if they fit now.
func (b *byteBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.waiting) > 0 || !b.fits(n) {
		return false
	}
	b.used += n
	return true
}

// wait claims n bytes, waiting for its turn up to timeout or until ctx
// ends; false means it gave up.
func (b *byteBudget) wait(ctx context.Context, n int64, timeout time.Duration) bool {
	b.mu.Lock()
	if len(b.waiting) == 0 && b.fits(n) {
		b.used += n
		b.mu.Unlock()
		return true
	}
	c := &budgetClaim{n: n, granted: make(chan struct{})}
	b.waiting = append(b.waiting, c)
	b.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-c.granted:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-c.granted: // granted as it gave up
		return true
	default:
	}
	for i, w := range b.waiting {
		if w == c {
			b.waiting = append(b.waiting[:i], b.waiting[i+1:]...)
			break
		}
	}
	b.grant() // the claims behind it may fit
	return false
}

func (b *byteBudget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.grant()
	b.mu.Unlock()
}

// grant gives the waiting claims their bytes in turn while they fit.
func (b *byteBudget) grant() {
	for len(b.waiting) > 0 && b.fits(b.waiting[0].n) {
		c := b.waiting[0]
		b.waiting = b.waiting[1:]
		b.used += c.n
		close(c.granted)
	}
}

func (b *byteBudget) waitingNow() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return float64(len(b.waiting))
}

func (b *byteBudget) inUse() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return float64(b.used)
}

// refuseOverloaded answers 503 with a short Retry-After and closes the
// connection, so that a body not read is not read later either. An OTLP
// exporter gets 429, which OTLP/HTTP gives a server shedding load, with
// a google.rpc.Status.
func refuseOverloaded(w http.ResponseWriter, r *http.Request, msg string) {
	h := w.Header()
	for _, k := range []string{"Content-Disposition", "Content-Encoding", "Cache-Control"} {
		h.Del(k)
	}
	h.Set("Retry-After", strconv.Itoa(overloadRetryAfter))
	h.Set("Connection", "close")
	if otlp.Route(r.URL.Path) {
		otlp.WriteError(w, r, http.StatusTooManyRequests, msg)
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, apiError{Error: errorBody{Code: slo.CodeUnavailable, Message: msg}})
}

// probe reports whether a request is a health or readiness check: those
// are small and must answer whatever the load.
func probe(r *http.Request) bool { return r.URL.Path == "/healthz" || r.URL.Path == "/readyz" }

// paceAnswers gives each request an answer writer that cuts off slow
// readers and keeps large answers within the answer budget, and renders
// at most cap(render) answers at once.
func (o *overload) paceAnswers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pw := &pacedWriter{ResponseWriter: w, o: o, r: r, rc: http.NewResponseController(w), end: time.Now().Add(o.writeTotal)}
		if isRead(r.Method) && !probe(r) { // a write's answer is small; its body has its own budget
			if !o.turn(r) {
				o.refusedRender.Inc()
				refuseOverloaded(w, r, "too many answers are being prepared; retry shortly")
				return
			}
			pw.release = func() { <-o.render }
		}
		defer pw.finish()
		next.ServeHTTP(pw, r)
	})
}

// turn waits for a turn to render, up to renderWait.
func (o *overload) turn(r *http.Request) bool {
	select {
	case o.render <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(renderWait)
	defer t.Stop()
	select {
	case o.render <- struct{}{}:
		return true
	case <-t.C:
	case <-r.Context().Done():
	}
	return false
}

// errAnswerRefused is what a handler's write returns when its answer was
// replaced by a 503 at the answer budget.
var errAnswerRefused = errors.New("answer refused: the answer budget is in use by slow readers")

// pacedWriter holds back the status until the answer's first bytes, so a
// large answer the budget has no room for becomes a 503; and it writes in
// chunks, each with a deadline set by the minimum write rate.
type pacedWriter struct {
	http.ResponseWriter
	o       *overload
	r       *http.Request
	rc      *http.ResponseController
	end     time.Time // the write timeout
	code    int       // the status held back; 0 for none yet
	sent    bool      // the status is written
	refused bool
	release func() // ends the turn to render; nil when done
}

func (p *pacedWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

func (p *pacedWriter) WriteHeader(code int) {
	if code < 200 { // informational: not the answer's status
		p.ResponseWriter.WriteHeader(code)
		return
	}
	if p.code == 0 {
		p.code = code
	}
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	p.rendered()
	if p.refused {
		return 0, errAnswerRefused
	}
	if !p.sent && len(b) >= largeAnswer {
		n := int64(len(b))
		if !p.o.answers.take(n) {
			p.refused, p.sent = true, true
			p.o.refusedAnswer.Inc()
			refuseOverloaded(p.ResponseWriter, p.r, "too many large answers are waiting for their clients to read them; retry shortly")
			return 0, errAnswerRefused
		}
		defer p.o.answers.give(n) // the handler keeps b no longer than this call
	}
	p.sendHeader()
	var written int
	for written < len(b) {
		chunk := b[written:min(len(b), written+paceChunk)]
		deadline, paced := paceDeadline(time.Now(), p.o.minWrite, p.end)
		_ = p.rc.SetWriteDeadline(deadline)
		n, err := p.ResponseWriter.Write(chunk)
		written += n
		if err != nil {
			if paced && timedOut(err) {
				p.o.slowWrite.Inc()
			}
			return written, err
		}
	}
	return written, nil
}

// Flush sends what was written so far.
func (p *pacedWriter) Flush() {
	p.sendHeader()
	_ = p.rc.Flush()
}

func (p *pacedWriter) sendHeader() {
	if p.sent {
		return
	}
	p.sent = true
	if p.code != 0 {
		p.ResponseWriter.WriteHeader(p.code)
	}
}

// rendered ends the turn to render: the answer is ready.
func (p *pacedWriter) rendered() {
	if p.release != nil {
		p.release()
		p.release = nil
	}
}

// finish sends a status with no body, and ends the turn to render.
func (p *pacedWriter) finish() {
	p.rendered()
	p.sendHeader()
}

// paceDeadline is when the next chunk must have moved: paceChunk at the
// minimum rate from now, but never past end (the whole request's
// timeout). paced says the rate, not end, set it.
func paceDeadline(now time.Time, rate int64, end time.Time) (deadline time.Time, paced bool) {
	d := now.Add(time.Duration(float64(paceChunk) / float64(rate) * float64(time.Second)))
	if d.Before(end) {
		return d, true
	}
	return end, false
}

// budgetBodies keeps the bodies being read within the in-flight budget,
// refusing with 503 before reading one there is no room for within
// bodyWait, and cuts
// off bodies that arrive slower than the minimum read rate.
func (o *overload) budgetBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > o.maxBody {
			w.Header().Set("Connection", "close")
			writeRefusal(w, r, http.StatusRequestEntityTooLarge, errorBody{Code: slo.CodeInvalid,
				Message: "request body over " + strconv.FormatInt(o.maxBody, 10) + " bytes; send smaller batches"})
			return
		}
		n := r.ContentLength
		if n < 0 { // chunked: it may be as large as allowed
			n = o.maxBody
		}
		if !o.bodies.wait(r.Context(), n, o.bodyWait) {
			o.refusedBody.Inc()
			refuseOverloaded(w, r, "too many request bodies are being received at once; retry shortly")
			return
		}
		defer o.bodies.give(n)
		r.Body = &pacedBody{ReadCloser: r.Body, o: o, rc: http.NewResponseController(w), end: time.Now().Add(o.readTotal)}
		next.ServeHTTP(w, r)
	})
}

// pacedBody is a request body that must bring paceChunk bytes within
// paceChunk ÷ the minimum read rate, again and again: a client trickling
// its body is cut off in seconds, not at the read timeout.
type pacedBody struct {
	io.ReadCloser
	o     *overload
	rc    *http.ResponseController
	end   time.Time // the read timeout
	since time.Time // when the chunk being read began
	got   int       // bytes of that chunk so far
}

func (b *pacedBody) Read(p []byte) (int, error) {
	now := time.Now()
	if b.since.IsZero() || b.got >= paceChunk {
		b.since, b.got = now, 0
	}
	deadline, paced := paceDeadline(b.since, b.o.minRead, b.end)
	_ = b.rc.SetReadDeadline(deadline)
	n, err := b.ReadCloser.Read(p)
	b.got += n
	if err != nil && paced && timedOut(err) {
		b.o.slowRead.Inc()
	}
	return n, err
}
