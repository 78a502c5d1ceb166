package app

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// connLimiter is a listener that keeps at most max connections open, so a
// client opening connections by the thousand cannot exhaust the process's
// file descriptors. At the bound it makes room by closing, in turn, the
// keep-alive connection idle longest, the busy connection longest busy
// whose client never showed a token, and the connection whose request
// has waited longest to be read, if over freshGrace (a client that
// connects and sends nothing): clients who showed a token are the last to lose their
// place, and a request the server has not read yet (a health check on a
// loaded server) goes after those who were served. When every connection is busy with a known client,
// the new one goes to one of a few reserved slots, which answer /healthz
// and /readyz and 503 to the rest; past those it is answered 503 at once.
type connLimiter struct {
	net.Listener
	max int

	mu    sync.Mutex
	open  int
	quiet map[*limitedConn]time.Time // idle keep-alives, since when
	// fresh are the connections whose first request is not read yet,
	// since when.
	fresh map[*limitedConn]time.Time
	// busy are the active connections whose client showed no token yet,
	// since when they are busy.
	busy map[*limitedConn]time.Time

	// reserve hands connections past the limit to the probes' server;
	// reserved counts the slots free.
	reserve  *reserveListener
	reserved chan struct{}

	refused, evicted, evictedUnknown, reservedTotal prometheus.Counter
}

// freshGrace is how long a connection whose request is not read yet
// keeps its place: a loaded server reads late, and a health check that
// waits this long has failed anyway. Younger ones are not closed; the
// new connection goes to a reserved slot instead.
const freshGrace = 2 * time.Second

// reservedSlots is how many connections past the limit may be open at
// once to answer health and readiness probes.
const reservedSlots = 8

func newConnLimiter(ln net.Listener, max int, reg prometheus.Registerer) *connLimiter {
	l := &connLimiter{Listener: ln, max: max, quiet: map[*limitedConn]time.Time{}, fresh: map[*limitedConn]time.Time{}, busy: map[*limitedConn]time.Time{},
		reserve: newReserveListener(ln.Addr()), reserved: make(chan struct{}, reservedSlots)}
	closed := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_http_connections_closed_total",
		Help: "Connections closed at the connection limit: idle ones or ones that sent no request to make room (evicted), busy ones of clients without a token to make room (unauthenticated), new ones when all were busy and the reserved slots taken (refused)."},
		[]string{"reason"})
	l.refused, l.evicted, l.evictedUnknown = closed.WithLabelValues("refused"), closed.WithLabelValues("evicted"), closed.WithLabelValues("unauthenticated")
	l.reservedTotal = prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_http_reserved_connections_total",
		Help: "Connections past --max-connections served on a reserved slot: /healthz and /readyz answered, anything else 503."})
	reg.MustRegister(closed, l.reservedTotal, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_http_connections_open",
		Help: "HTTP connections open now; at most --max-connections, and the reserved slots besides."}, func() float64 {
		l.mu.Lock()
		defer l.mu.Unlock()
		return float64(l.open)
	}))
	return l
}

// Accept returns the next connection there is room for.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			l.reserve.Close()
			return nil, err
		}
		if l.admit() {
			return &limitedConn{Conn: c, l: l}, nil
		}
		select {
		case l.reserved <- struct{}{}:
			l.reservedTotal.Inc()
			if !l.reserve.hand(&reservedConn{Conn: c, free: l.reserved}) {
				l.refuse(c)
			}
		default:
			l.refuse(c)
		}
	}
}

// admit counts a new connection if there is room or room can be made.
func (l *connLimiter) admit() bool {
	l.mu.Lock()
	if l.open < l.max {
		l.open++
		l.mu.Unlock()
		return true
	}
	victim, reason := oldest(l.quiet), l.evicted
	if victim == nil {
		victim, reason = oldest(l.busy), l.evictedUnknown
	}
	if victim == nil {
		if c := oldest(l.fresh); c != nil && time.Since(l.fresh[c]) >= freshGrace {
			victim, reason = c, l.evicted
		}
	}
	if victim != nil {
		l.forget(victim)
	}
	l.mu.Unlock()
	if victim == nil {
		return false
	}
	reason.Inc()
	victim.Close() // gives its place back
	l.mu.Lock()
	l.open++
	l.mu.Unlock()
	return true
}

// oldest is the connection in the set the longest.
func oldest(set map[*limitedConn]time.Time) *limitedConn {
	var victim *limitedConn
	var since time.Time
	for c, t := range set {
		if victim == nil || t.Before(since) {
			victim, since = c, t
		}
	}
	return victim
}

// refusal is the body of the answer to a connection there is no room for.
const refusal = `{"error": {"code": "unavailable", "message": "too many connections, every one busy; retry shortly"}}` + "\n"

// refuse answers 503 without reading the request, and closes. The answer
// fits any socket's send buffer, so the write does not wait on the client.
func (l *connLimiter) refuse(c net.Conn) {
	l.refused.Inc()
	_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
	_, _ = c.Write([]byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n" +
		"Connection: close\r\nContent-Length: " + strconv.Itoa(len(refusal)) + "\r\n\r\n" + refusal))
	_ = c.Close()
}

// probes answers on the reserved slots: health and readiness as the
// server would, and 503 to the rest.
func (l *connLimiter) probes(serve http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && (r.URL.Path == "/healthz" || r.URL.Path == "/readyz") {
			serve.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Length", strconv.Itoa(len(refusal)))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(refusal))
	})
}

// track follows the server's view of each connection (http.Server's
// ConnState): idle and new ones may be closed to make room, active ones
// only while their client has shown no token.
func (l *connLimiter) track(c net.Conn, state http.ConnState) {
	lc := limitedOf(c)
	if lc == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forget(lc)
	switch {
	case state == http.StateNew:
		l.fresh[lc] = time.Now()
	case state == http.StateIdle:
		l.quiet[lc] = time.Now()
	case state == http.StateActive && !lc.known.Load():
		l.busy[lc] = time.Now()
	}
}

// forget takes c out of the sets it may be closed from; under mu.
func (l *connLimiter) forget(c *limitedConn) {
	delete(l.quiet, c)
	delete(l.fresh, c)
	delete(l.busy, c)
}

// known marks the connection of a request whose caller showed a valid
// token (or a trusted proxy's identity): it keeps its place at the limit.
func (l *connLimiter) known(r *http.Request) {
	c, _ := r.Context().Value(connKey{}).(net.Conn)
	lc := limitedOf(c)
	if lc == nil || lc.known.Swap(true) {
		return
	}
	l.mu.Lock()
	delete(l.busy, lc)
	l.mu.Unlock()
}

// connKey keys a request's connection in its context (see ConnContext).
type connKey struct{}

func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// limitedOf is the limiter's connection under c, or nil.
func limitedOf(c net.Conn) *limitedConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	lc, _ := c.(*limitedConn)
	return lc
}

// limitedConn gives its place back when closed.
type limitedConn struct {
	net.Conn
	l     *connLimiter
	once  sync.Once
	known atomic.Bool // a request on it showed a valid token
}

// Close gives the place back first: a client that saw the connection
// close finds it free.
func (c *limitedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		c.l.forget(c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// reservedConn frees its reserved slot when closed.
type reservedConn struct {
	net.Conn
	free chan struct{}
	once sync.Once
}

func (c *reservedConn) Close() error {
	c.once.Do(func() { <-c.free })
	return c.Conn.Close()
}

// reserveListener is the listener of the probes' server: the connections
// the limiter hands it.
type reserveListener struct {
	addr   net.Addr
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newReserveListener(addr net.Addr) *reserveListener {
	return &reserveListener{addr: addr, conns: make(chan net.Conn), closed: make(chan struct{})}
}

// hand gives c to the probes' server, unless it is closed or not serving.
func (r *reserveListener) hand(c net.Conn) bool {
	t := time.NewTimer(100 * time.Millisecond) // it accepts at once while serving
	defer t.Stop()
	select {
	case r.conns <- c:
		return true
	case <-r.closed:
	case <-t.C:
	}
	return false
}

func (r *reserveListener) Accept() (net.Conn, error) {
	select {
	case c := <-r.conns:
		return c, nil
	case <-r.closed:
		return nil, net.ErrClosed
	}
}

func (r *reserveListener) Close() error {
	r.once.Do(func() { close(r.closed) })
	return nil
}

func (r *reserveListener) Addr() net.Addr { return r.addr }
