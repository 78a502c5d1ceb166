package app

import (
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// connLimiter is a listener that keeps at most max connections open, so a
// client opening connections by the thousand cannot exhaust the process's
// file descriptors. At the bound it makes room by closing the connection
// that has been quiet longest (an idle keep-alive, or one that has not
// sent a byte yet); when every connection is busy it answers the new one
// 503 and closes it.
type connLimiter struct {
	net.Listener
	max int

	mu    sync.Mutex
	open  int
	quiet map[*limitedConn]time.Time // since when

	refused, evicted prometheus.Counter
}

func newConnLimiter(ln net.Listener, max int, reg prometheus.Registerer) *connLimiter {
	l := &connLimiter{Listener: ln, max: max, quiet: map[*limitedConn]time.Time{}}
	closed := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_http_connections_closed_total",
		Help: "Connections closed at the connection limit: quiet ones to make room (evicted), new ones when all were busy (refused)."},
		[]string{"reason"})
	l.refused, l.evicted = closed.WithLabelValues("refused"), closed.WithLabelValues("evicted")
	reg.MustRegister(closed, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_http_connections_open",
		Help: "HTTP connections open now; at most --max-connections."}, func() float64 {
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
			return nil, err
		}
		if l.admit() {
			return &limitedConn{Conn: c, l: l}, nil
		}
		l.refuse(c)
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
	var victim *limitedConn
	var since time.Time
	for c, t := range l.quiet {
		if victim == nil || t.Before(since) {
			victim, since = c, t
		}
	}
	if victim != nil {
		delete(l.quiet, victim)
	}
	l.mu.Unlock()
	if victim == nil {
		return false
	}
	l.evicted.Inc()
	victim.Close() // gives its place back
	l.mu.Lock()
	l.open++
	l.mu.Unlock()
	return true
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

// track follows the server's view of each connection (http.Server's
// ConnState): new and idle ones may be closed to make room, active ones
// not.
func (l *connLimiter) track(c net.Conn, state http.ConnState) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	lc, ok := c.(*limitedConn)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateNew, http.StateIdle:
		l.quiet[lc] = time.Now()
	default:
		delete(l.quiet, lc)
	}
}

// limitedConn gives its place back when closed.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.open--
		delete(c.l.quiet, c)
		c.l.mu.Unlock()
	})
	return err
}
