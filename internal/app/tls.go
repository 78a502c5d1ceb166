package app

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTLSWatchInterval is how often the certificate files are looked at
// for a rotation (cert-manager and certbot replace them in place).
const DefaultTLSWatchInterval = 10 * time.Second

// tlsFiles serves the listener's certificate, and the CA that signs ingest
// clients' certificates, from files it reads again on SIGHUP and when they
// change. A rotation caught half-done (the certificate written, not yet its
// key) keeps the pair in use and is tried again.
type tlsFiles struct {
	cert, key, clientCA string
	log                 *slog.Logger

	mu   sync.Mutex // one load at a time
	read [3][]byte  // the files' bytes as last loaded
	cur  atomic.Pointer[tlsState]
}

type tlsState struct {
	cert     *tls.Certificate
	clientCA *x509.CertPool // nil without --tls-client-ca-file
}

// newTLSFiles loads the files, failing on any error: at start a bad
// certificate must stop the server, not leave it without one.
func newTLSFiles(cert, key, clientCA string, log *slog.Logger) (*tlsFiles, error) {
	switch {
	case cert == "" && key == "":
		if clientCA != "" {
			return nil, errors.New("--tls-client-ca-file needs --tls-cert-file and --tls-key-file: client certificates are asked for over TLS")
		}
		return nil, nil
	case cert == "":
		return nil, errors.New("--tls-key-file needs --tls-cert-file")
	case key == "":
		return nil, errors.New("--tls-cert-file needs --tls-key-file")
	}
	f := &tlsFiles{cert: cert, key: key, clientCA: clientCA, log: log}
	if _, err := f.load(); err != nil {
		return nil, err
	}
	return f, nil
}

// load reads the files and, when they changed, puts them in use. It
// reports whether they changed; on an error the pair in use stays.
func (f *tlsFiles) load() (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var read [3][]byte
	for i, p := range []string{f.cert, f.key, f.clientCA} {
		if p == "" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return false, fmt.Errorf("--%s: %w", [...]string{"tls-cert-file", "tls-key-file", "tls-client-ca-file"}[i], err)
		}
		read[i] = b
	}
	if f.cur.Load() != nil && bytes.Equal(read[0], f.read[0]) && bytes.Equal(read[1], f.read[1]) && bytes.Equal(read[2], f.read[2]) {
		return false, nil
	}
	cert, err := tls.X509KeyPair(read[0], read[1])
	if err != nil {
		// The error names neither file; the key's bytes never appear in it.
		return false, fmt.Errorf("TLS certificate %s with key %s: %w", f.cert, f.key, err)
	}
	st := &tlsState{cert: &cert}
	if f.clientCA != "" {
		st.clientCA = x509.NewCertPool()
		if !st.clientCA.AppendCertsFromPEM(read[2]) {
			return false, fmt.Errorf("--tls-client-ca-file %s: no PEM certificate in it", f.clientCA)
		}
	}
	f.read = read
	f.cur.Store(st)
	return true, nil
}

// reload loads the files again and logs what came of it.
func (f *tlsFiles) reload(why string) {
	changed, err := f.load()
	switch {
	case err != nil:
		f.log.Error("TLS certificate not reloaded; the one in use stays", "why", why, "err", err)
	case changed:
		f.log.Info("TLS certificate reloaded", "why", why, "cert", f.cert, "not_after", f.notAfter().Format(time.RFC3339))
	}
}

func (f *tlsFiles) notAfter() time.Time {
	if leaf := f.cur.Load().cert.Leaf; leaf != nil {
		return leaf.NotAfter
	}
	return time.Time{}
}

// watch reloads the files when they change, until ctx ends.
func (f *tlsFiles) watch(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			f.reload("the files changed")
		}
	}
}

// config is the listener's TLS configuration: TLS 1.2 or newer, the
// certificate in use at each handshake and, with a client CA, client
// certificates verified when given (ingest clients may present one
// instead of a token; everyone else keeps using tokens).
func (f *tlsFiles) config() *tls.Config {
	base := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
	base.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		st := f.cur.Load()
		c := base.Clone()
		c.GetConfigForClient = nil
		c.Certificates = []tls.Certificate{*st.cert}
		if st.clientCA != nil {
			c.ClientCAs = st.clientCA
			c.ClientAuth = tls.VerifyClientCertIfGiven
		}
		return c, nil
	}
	return base
}

// listensBroadly reports whether ln takes connections from beyond this
// machine: an unspecified or non-loopback address.
func listensBroadly(ln net.Listener) bool {
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return false
	}
	return !tcp.IP.IsLoopback()
}
