package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// apiClient talks to a running Accord for the commands that ask or tell
// it something.
type apiClient struct {
	server string
	token  string
}

// addClientFlags adds --server and --token to a command.
func addClientFlags(cmd *cobra.Command, c *apiClient) {
	cmd.Flags().StringVar(&c.server, "server", "http://127.0.0.1:8080", "Accord's URL")
	cmd.Flags().StringVar(&c.token, "token", "", "bearer token for writes (default: the one in ./accord-data/token)")
}

func (c *apiClient) bearer() string {
	if c.token != "" {
		return c.token
	}
	if b, err := os.ReadFile("accord-data/token"); err == nil {
		return strings.TrimSpace(string(b))
	}
	return ""
}

// apiError is the error body the API answers with.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends a request and decodes a 2xx answer into out; other answers
// become errors with the API's message.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	url := strings.TrimSuffix(c.server, "/") + path
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return fmt.Errorf("--server %q: %w", c.server, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if method != http.MethodGet {
		req.Header.Set("Authorization", "Bearer "+c.bearer())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &unreachableError{fmt.Errorf("reach Accord at %s (is accord serve running? --server sets its URL): %w", c.server, err)}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode/100 != 2 {
		var e apiError
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			return fmt.Errorf("%s %s: %s", method, path, e.Error.Message)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("read answer of %s %s: %w", method, path, err)
		}
	}
	return nil
}

// unreachableError is a server that did not answer at all.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }
