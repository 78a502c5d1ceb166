package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-slo/accord/internal/testenv"
)

// TestServeOverTLSWithSecretsFromFiles runs accord serve with a
// certificate and every secret in a file: the CLI reaches it with
// --ca-file and says plainly what fails without it (unknown authority),
// under a name the certificate lacks (name mismatch) and over plain HTTP;
// SIGHUP re-reads the certificate; and the log shows none of the secrets.
func TestServeOverTLSWithSecretsFromFiles(t *testing.T) {
	bin := buildAccord(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(killSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	ca := testenv.NewCA(t, "Accord test CA")
	cert := ca.Server(t, "accord", "127.0.0.1") // not localhost
	const (
		token         = "tok-9f3c1e7a5b2d4f60"
		slackKey      = "QmV0dGVyU2xhY2tLZXkxMjM0"
		webhookSecret = "whs-7d2a9c4e1f8b3a6d"
	)
	files := map[string]string{
		"token":          token + "\n",
		"slack-urls":     "http://127.0.0.1:1/services/T0ABCDEF1/B0GHIJKL2/" + slackKey + "\n",
		"webhook-secret": webhookSecret + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	addr := testenv.FreeAddr(t)
	p := testenv.Start(t, dir, bin, "serve", "--config", "slos.yaml", "--data-dir", "data", "--addr", addr, "--log-level", "debug",
		"--tls-cert-file", cert.CertFile, "--tls-key-file", cert.KeyFile,
		"--token-file", "token", "--slack-url-file", "slack-urls",
		"--webhook-url", "http://127.0.0.1:1/hook", "--webhook-secret-file", "webhook-secret")
	defer p.Stop()
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	testenv.WaitFor(t, 30*time.Second, "accord serve to answer over HTTPS", func() bool {
		resp, err := hc.Get("https://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	server := "https://" + addr
	out, _, err := run(t, "status", "--server", server, "--ca-file", ca.File, "--token-file", filepath.Join(dir, "token"))
	if err != nil || !strings.Contains(out, "receipts") {
		t.Fatalf("status --ca-file: %v\n%s", err, out)
	}
	_, port, _ := net.SplitHostPort(addr)
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"no --ca-file", []string{"--server", server}, []string{"unknown authority", "--ca-file"}},
		{"a name the certificate lacks", []string{"--server", "https://localhost:" + port, "--ca-file", ca.File},
			[]string{"does not name the host", "localhost", "127.0.0.1"}},
		{"plain HTTP", []string{"--server", "http://" + addr}, []string{"serves HTTPS only", "https://" + addr}},
	} {
		_, _, err := run(t, append([]string{"status"}, c.args...)...)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want it to say %q", c.name, err, w)
			}
		}
	}

	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 10*time.Second, "the reload after SIGHUP", func() bool { return strings.Contains(p.Output(), "specs reloaded") })
	log := p.Output()
	for name, secret := range map[string]string{"the token": token, "the Slack URL's key": slackKey, "the webhook secret": webhookSecret} {
		if strings.Contains(log, secret) {
			t.Errorf("the log shows %s:\n%s", name, log)
		}
	}
	if !strings.Contains(log, "https://"+addr) {
		t.Errorf("the log does not say it serves https://%s:\n%s", addr, log)
	}
}

// TestServeDoesNotShowTheDatabasePassword: when PostgreSQL cannot be
// reached, what accord serve prints names the host and user, never the
// password, whether it is in the URL or in a passfile.
func TestServeDoesNotShowTheDatabasePassword(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slos.yaml"), []byte(killSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	const inURL, inFile = "Pw-in-the-url-5c1d", "Pw-in-the-file-9e2b"
	passfile := filepath.Join(dir, "pgpass")
	if err := os.WriteFile(passfile, []byte("127.0.0.1:1:accord:accord:"+inFile+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{
		"postgres://accord:" + inURL + "@127.0.0.1:1/accord?connect_timeout=2",
		"postgres://accord@127.0.0.1:1/accord?connect_timeout=2&passfile=" + passfile,
	} {
		stdout, stderr, err := run(t, "serve", "--config", filepath.Join(dir, "slos.yaml"), "--database", url, "--token", "t0ken", "--addr", "127.0.0.1:0")
		if err == nil {
			t.Fatalf("serve with an unreachable database started")
		}
		all := stdout + stderr + err.Error()
		if !strings.Contains(all, "127.0.0.1:1") {
			t.Errorf("the failure does not name the database host: %s", all)
		}
		for _, pw := range []string{inURL, inFile} {
			if strings.Contains(all, pw) {
				t.Errorf("serve shows the database password:\n%s", all)
			}
		}
	}
}
