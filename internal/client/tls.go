package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// NewHTTP returns the HTTP client the commands use: a 15s timeout, and
// servers verified with the system's roots or, with caFile, with the CAs
// in that PEM file only (as curl --cacert does).
func NewHTTP(caFile string) (*http.Client, error) {
	hc := &http.Client{Timeout: 15 * time.Second}
	if caFile == "" {
		return hc, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", caFile)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	hc.Transport = t
	return hc, nil
}

// explainTLS says in plain words why a connection to server failed when
// TLS is the reason, and what to do; "" otherwise.
func explainTLS(server string, err error) string {
	var unknown x509.UnknownAuthorityError
	var name x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return "the server's certificate is signed by an unknown authority; pass the CA certificate that signed it with --ca-file or ACCORD_CA_FILE"
	case errors.As(err, &name):
		return fmt.Sprintf("the server's certificate does not name the host you asked for (%s): it is for %s; use --server with one of those names",
			name.Host, certNames(name.Certificate))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return "the server's certificate has expired or is not valid yet (" + invalid.Error() + ")"
	case errors.As(err, &invalid):
		return "the server's certificate is not valid here: " + invalid.Error()
	case errors.As(err, &record) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "the server does not speak HTTPS at " + server + "; use an http:// --server (or give accord serve --tls-cert-file)"
	}
	return ""
}

// certNames lists the names a certificate is valid for.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return "no name"
	}
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName+" (common name only, which is not checked)")
	}
	if len(names) == 0 {
		return "no name"
	}
	return strings.Join(names, ", ")
}

// httpsOnly is the answer Go's HTTPS server gives a plain HTTP request.
const httpsOnly = "Client sent an HTTP request to an HTTPS server."
