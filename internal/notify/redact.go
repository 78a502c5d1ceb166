package notify

import (
	"errors"
	"net/url"
	"strings"
)

// Redact shows a URL without what may be its secret: no user or password,
// no query, and for Slack-compatible incoming webhooks (whose last path
// segment is the key) not the last segment. It is what logs, errors,
// metrics and channel names show.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(a URL that does not parse)"
	}
	shown := u.Scheme + "://" + u.Host
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 && looksLikeKey(path[i+1:]) {
		path = path[:i+1] + "…"
	}
	shown += path
	if u.RawQuery != "" {
		shown += "?…"
	}
	return shown
}

// looksLikeKey reports whether a path segment is long and random enough
// to be a key (Slack's 24 characters, Mattermost's 26).
func looksLikeKey(seg string) bool {
	if len(seg) < 16 {
		return false
	}
	var digits, letters int
	for _, r := range seg {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			letters++
		}
	}
	return digits > 0 && letters > 0
}

// unwrapURL drops the *url.Error around err, which repeats the whole URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
