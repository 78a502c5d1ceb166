package web

import "net/http"

// ContentSecurityPolicy is the policy of every answer: the UI loads its
// stylesheet from Accord and nothing else (no script at all, no inline
// style), submits its filter forms to Accord, and is never framed.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// SecurityHeaders sets the security headers on every answer, UI page and
// API alike, before next writes it: the CSP, no MIME sniffing, no
// framing, the referrer kept to Accord, and over TLS, HSTS.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
		h.Set("Referrer-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
