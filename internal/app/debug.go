package app

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"
)

// MaxProfileSeconds bounds the seconds parameter of the profiling
// endpoint (CPU profile, trace, delta profiles): a longer one is refused
// with 400. net/http/pprof extends a request's write deadline by the
// seconds asked, so the parameter, not the write timeout, bounds how long
// a profile holds its connection.
const MaxProfileSeconds = 60

// The debug listener's timeouts: requests are small, writing a profile
// (after the seconds it samples) takes at most debugWriteTimeout, and an
// idle connection is closed soon.
const (
	debugReadTimeout  = 10 * time.Second
	debugWriteTimeout = 30 * time.Second
	debugIdleTimeout  = time.Minute
)

// listenDebug listens on the profiling endpoint's address. An address
// without a host (":6060", "6060") listens on loopback only, not on every
// interface: the endpoint has no authentication, and its profiles show
// the process's insides. A network address is allowed, with a warning.
func listenDebug(addr string, log *slog.Logger) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = "", addr // a bare port
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("--debug-addr %s: listen: %w", addr, err)
	}
	if listensBroadly(ln) {
		log.Warn("the profiling endpoint listens on a network address: it has no authentication, its profiles show the process's memory, "+
			"and a profile costs CPU; keep it on loopback and reach it through SSH or kubectl port-forward", "debug_addr", ln.Addr().String())
	}
	return ln, nil
}

// debugServer serves Go's profiles (net/http/pprof) under /debug/pprof/:
// the index, the named profiles (heap, goroutine, allocs, block, mutex,
// threadcreate), profile (CPU), trace and symbol. It leaves out cmdline:
// the command line may hold --token or a database password.
func debugServer(log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/cmdline", http.NotFound)
	return &http.Server{
		Handler:           boundSeconds(mux),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       debugReadTimeout,
		WriteTimeout:      debugWriteTimeout,
		IdleTimeout:       debugIdleTimeout,
		MaxHeaderBytes:    8 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// boundSeconds refuses a seconds parameter that is not a number from 0 to
// MaxProfileSeconds.
func boundSeconds(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.URL.Query().Get("seconds"); v != "" {
			if sec, err := strconv.ParseFloat(v, 64); err != nil || !(sec >= 0 && sec <= MaxProfileSeconds) {
				http.Error(w, fmt.Sprintf("seconds=%s: want a number of seconds from 0 to %d", v, MaxProfileSeconds), http.StatusBadRequest)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// DebugURL is the profiling endpoint's base URL; "" when it is off.
func (a *App) DebugURL() string {
	if a.debugLn == nil {
		return ""
	}
	return "http://" + a.debugLn.Addr().String() + "/debug/pprof/"
}
