package app_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/testenv"
)

// httpsClient trusts ca only, and presents cert when given, whichever CAs
// the server asks for.
func httpsClient(ca *testenv.CA, cert ...tls.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	cfg := &tls.Config{RootCAs: pool}
	if len(cert) > 0 {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert[0], nil }
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
}

// send sends a request and returns the status and body; err when the
// request could not be made at all (a refused handshake).
func send(hc *http.Client, method, url, token, body string) (int, string, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// servedCert returns the common name of the certificate a new TLS
// connection to addr is shown.
func servedCert(t *testing.T, addr string) string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS handshake with %s: %v", addr, err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName
}

// TestTLSServesHTTPSOnly: with a certificate Accord answers over HTTPS,
// health and an authenticated API read alike, refuses plain HTTP on the
// same port and TLS older than 1.2, and its URL says https.
func TestTLSServesHTTPSOnly(t *testing.T) {
	ca := testenv.NewCA(t, "test CA")
	srv := ca.Server(t, "accord")
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, authSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		Manual: true, TLSCertFile: srv.CertFile, TLSKeyFile: srv.KeyFile})
	defer a.Close()
	if !strings.HasPrefix(a.URL(), "https://") {
		t.Fatalf("URL %s, want https://", a.URL())
	}
	hc := httpsClient(ca)
	if code, body, err := send(hc, "GET", a.URL()+"/healthz", "", ""); err != nil || code != 200 {
		t.Fatalf("GET /healthz over HTTPS: %d %s %v", code, body, err)
	}
	if code, body, err := send(hc, "GET", a.URL()+"/api/v1/slos", a.Token(), ""); err != nil || code != 200 || !strings.Contains(body, "payments") {
		t.Fatalf("authenticated GET /api/v1/slos over HTTPS: %d %s %v", code, body, err)
	}
	plain := "http://" + a.Addr()
	if code, body, err := send(http.DefaultClient, "GET", plain+"/healthz", "", ""); err == nil && code < 400 {
		t.Fatalf("plain HTTP to the HTTPS port answered %d %s, want refused", code, body)
	}
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}}}
	if _, _, err := send(old, "GET", a.URL()+"/healthz", "", ""); err == nil {
		t.Fatal("a TLS 1.1 client was served, want TLS 1.2 or newer only")
	}
	if _, _, err := send(httpsClient(testenv.NewCA(t, "other CA")), "GET", a.URL()+"/healthz", "", ""); err == nil {
		t.Fatal("a client trusting another CA accepted the server's certificate")
	}
}

// TestTLSCertificateRotates: the certificate is read again on SIGHUP
// (ReloadTLS) and when its files change; a rotation caught half-done (a
// new certificate beside the old key) keeps the pair in use.
func TestTLSCertificateRotates(t *testing.T) {
	ca := testenv.NewCA(t, "test CA")
	first, second, third := ca.Server(t, "first"), ca.Server(t, "second"), ca.Server(t, "third")
	dir := t.TempDir()
	certFile, keyFile := dir+"/tls.crt", dir+"/tls.key"
	put := func(i testenv.Issued) {
		t.Helper()
		for _, f := range [][2]string{{i.CertFile, certFile}, {i.KeyFile, keyFile}} {
			b, err := os.ReadFile(f[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f[1], b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(first)
	logs := newSyncBuffer()
	// An hour between looks at the files: only SIGHUP reloads in the
	// first part.
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, authSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		Manual: true, TLSCertFile: certFile, TLSKeyFile: keyFile, TLSWatchInterval: time.Hour,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	defer a.Close()
	if cn := servedCert(t, a.Addr()); cn != "first" {
		t.Fatalf("serves %q, want first", cn)
	}
	put(second)
	a.ReloadTLS()
	if cn := servedCert(t, a.Addr()); cn != "second" {
		t.Fatalf("after SIGHUP serves %q, want second", cn)
	}
	// Half a rotation: the third certificate with the second's key.
	b, err := os.ReadFile(third.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	a.ReloadTLS()
	if cn := servedCert(t, a.Addr()); cn != "second" {
		t.Fatalf("after a half-done rotation serves %q, want second still", cn)
	}
	if !strings.Contains(logs.String(), "TLS certificate not reloaded") {
		t.Fatalf("the refused rotation is not logged:\n%s", logs)
	}

	// Watching the files: a rotation is picked up without a signal.
	put(first)
	b2 := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, authSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		TLSCertFile: certFile, TLSKeyFile: keyFile, TLSWatchInterval: 20 * time.Millisecond})
	defer b2.Close()
	if cn := servedCert(t, b2.Addr()); cn != "first" {
		t.Fatalf("serves %q, want first", cn)
	}
	put(third)
	testenv.WaitFor(t, 10*time.Second, "the rotated certificate to be served", func() bool { return servedCert(t, b2.Addr()) == "third" })
}

// TestTLSClientCertificatesPushEvents: with --tls-client-ca-file a client
// certificate that CA signed may push events without a token, and does
// nothing more; a certificate of another CA is refused at the handshake;
// callers without a certificate still use tokens.
func TestTLSClientCertificatesPushEvents(t *testing.T) {
	ca := testenv.NewCA(t, "server CA")
	clients := testenv.NewCA(t, "ingest CA")
	srv := ca.Server(t, "accord")
	a := startApp(t, app.Options{SpecPaths: []string{writeSpec(t, authSpec)}, DataDir: t.TempDir(), Addr: "127.0.0.1:0",
		Manual: true, TLSCertFile: srv.CertFile, TLSKeyFile: srv.KeyFile, TLSClientCAFile: clients.File})
	defer a.Close()
	event := `{"stream": "payments", "time": "` + time.Now().UTC().Format(time.RFC3339) + `", "good": 1, "total": 1}` + "\n"

	pipeline := httpsClient(ca, clients.Client(t, "checkout-pipeline").TLS(t))
	if code, body, err := send(pipeline, "POST", a.URL()+"/api/v1/events", "", event); err != nil || code/100 != 2 {
		t.Fatalf("push with a client certificate: %d %s %v", code, body, err)
	}
	if code, body, err := send(pipeline, "GET", a.URL()+"/api/v1/tokens", "", ""); err != nil || code != http.StatusForbidden {
		t.Fatalf("a client certificate listed tokens: %d %s %v, want 403", code, body, err)
	}

	// The push is in the audit trail under the certificate's name (reading
	// the trail writes the folded pushes).
	code, body, err := send(httpsClient(ca), "GET", a.URL()+"/api/v1/audit?who=cert:checkout-pipeline", a.Token(), "")
	var trail struct {
		Entries []struct{ Who, Via, Role, Route string }
	}
	if err != nil || code != 200 || json.Unmarshal([]byte(body), &trail) != nil {
		t.Fatalf("GET /api/v1/audit: %d %s %v", code, body, err)
	}
	var pushed bool
	for _, e := range trail.Entries {
		pushed = pushed || (e.Via == "certificate" && e.Role == "ingest" && e.Route == "POST /api/v1/events")
	}
	if !pushed {
		t.Errorf("the audit trail has no push by cert:checkout-pipeline via certificate: %s", body)
	}

	stranger := httpsClient(ca, testenv.NewCA(t, "stranger CA").Client(t, "mallory").TLS(t))
	if code, _, err := send(stranger, "POST", a.URL()+"/api/v1/events", "", event); err == nil {
		t.Fatalf("a certificate of another CA was let in: %d", code)
	}
	anonymous := httpsClient(ca)
	if code, body, err := send(anonymous, "POST", a.URL()+"/api/v1/events", "", event); err != nil || code != http.StatusUnauthorized {
		t.Fatalf("push without certificate or token: %d %s %v, want 401", code, body, err)
	}
	if code, body, err := send(anonymous, "POST", a.URL()+"/api/v1/events", a.Token(), event); err != nil || code/100 != 2 {
		t.Fatalf("push with a token and no certificate: %d %s %v", code, body, err)
	}
}

// TestPlainHTTPOnANetworkAddressWarns: listening beyond loopback without
// TLS and without a trusted proxy is said at start in the log and on
// /readyz, which stays ready; on loopback, with TLS or behind a named
// proxy nothing is said.
func TestPlainHTTPOnANetworkAddressWarns(t *testing.T) {
	ca := testenv.NewCA(t, "test CA")
	srv := ca.Server(t, "accord")
	for _, c := range []struct {
		name string
		opts app.Options
		warn bool
	}{
		{"all addresses, plain", app.Options{Addr: "0.0.0.0:0"}, true},
		{"loopback, plain", app.Options{Addr: "127.0.0.1:0"}, false},
		{"all addresses, TLS", app.Options{Addr: "0.0.0.0:0", TLSCertFile: srv.CertFile, TLSKeyFile: srv.KeyFile}, false},
		{"all addresses, behind a proxy", app.Options{Addr: "0.0.0.0:0", TrustedProxies: []string{"10.0.0.5"}}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			logs := newSyncBuffer()
			opts := c.opts
			opts.SpecPaths, opts.DataDir, opts.Manual = []string{writeSpec(t, authSpec)}, t.TempDir(), true
			opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
			a := startApp(t, opts)
			defer a.Close()
			_, port, _ := net.SplitHostPort(a.Addr())
			url := strings.TrimSuffix(a.URL(), a.Addr()) + "127.0.0.1:" + port
			code, body, err := send(httpsClient(ca), "GET", url+"/readyz", "", "")
			if err != nil || code != 200 {
				t.Fatalf("GET /readyz: %d %s %v", code, body, err)
			}
			var ready struct{ Status, Warning string }
			if err := json.Unmarshal([]byte(body), &ready); err != nil {
				t.Fatal(err)
			}
			logged := strings.Contains(logs.String(), "level=WARN msg=\"serving plain HTTP on a network address")
			if !c.warn {
				if logged || ready.Warning != "" {
					t.Fatalf("warned without reason: /readyz %s; log:\n%s", body, logs)
				}
				return
			}
			if !logged {
				t.Errorf("no warning in the log:\n%s", logs)
			}
			if !strings.Contains(ready.Warning, "plain HTTP") || !strings.Contains(ready.Warning, "--tls-cert-file") || ready.Status != "ready" {
				t.Errorf("/readyz says %s, want ready with a warning naming --tls-cert-file", body)
			}
		})
	}
}
