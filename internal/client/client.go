// Package client talks to a running Accord over its public HTTP API, for
// the commands that ask or tell it something and for the demo.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Client sends requests to one Accord.
type Client struct {
	// Server is Accord's base URL, e.g. http://127.0.0.1:8080.
	Server string
	// Token is the bearer token sent with every request: writes need
	// one, and reads too when Accord runs with --read-auth.
	Token string
	// HTTP makes the requests; nil means a client with a 15s timeout.
	HTTP *http.Client
}

// UnreachableError is a server that did not answer at all, as opposed to
// one that answered with an error.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *UnreachableError) Unwrap() error { return e.Err }

// UnavailableError is an answer of 503: Accord runs but cannot answer for
// now (its database is unreachable or full, or it is starting).
type UnavailableError struct {
	// Message is the API's message.
	Message string
	// RetryAfter is how long Accord asked to wait, 0 when it did not say.
	RetryAfter time.Duration
}

func (e *UnavailableError) Error() string {
	msg := "Accord is unavailable for now: " + e.Message
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Do sends body (nil, or a value encoded as JSON) and decodes a 2xx answer
// into out (when not nil).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var data []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request to %s: %w", path, err)
		}
		data = b
	}
	return c.Send(ctx, method, path, "application/json", data, out)
}

// Send sends a body of the given content type, e.g. NDJSON events. Answers
// other than 2xx become errors carrying the API's message.
func (c *Client) Send(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	_, err := c.send(ctx, method, path, contentType, nil, body, out)
	return err
}

// send is Send with extra request headers; it returns the answer's status
// too (0 when there was none).
func (c *Client) send(ctx context.Context, method, path, contentType string, header http.Header, body []byte, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	url := strings.TrimSuffix(c.Server, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, fmt.Errorf("request to %q: %w", url, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if why := explainTLS(c.Server, err); why != "" {
			return 0, &UnreachableError{fmt.Errorf("TLS with Accord at %s failed: %s: %w", c.Server, why, err)}
		}
		return 0, &UnreachableError{fmt.Errorf("reach Accord at %s (is accord serve running?): %w", c.Server, err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("read answer of %s %s: %w", method, path, err)
	}
	if resp.StatusCode == http.StatusBadRequest && strings.TrimSpace(string(data)) == httpsOnly {
		return resp.StatusCode, &UnreachableError{fmt.Errorf("Accord at %s serves HTTPS only: use --server https://%s",
			c.Server, strings.TrimPrefix(strings.TrimSuffix(c.Server, "/"), "http://"))}
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		msg := resp.Status
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, &UnavailableError{Message: msg, RetryAfter: time.Duration(max(secs, 0)) * time.Second})
		}
		return resp.StatusCode, fmt.Errorf("%s %s: %s", method, path, msg)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("read answer of %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}
