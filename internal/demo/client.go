package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// post sends body to the public API with the demo's token and decodes the
// answer into out.
func (d *Demo) post(ctx context.Context, path, contentType string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.app.URL()+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request to %s: %w", path, err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+d.app.Token())
	return d.do(req, out)
}

// postJSON posts v as JSON.
func (d *Demo) postJSON(ctx context.Context, path string, v, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode request to %s: %w", path, err)
	}
	return d.post(ctx, path, "application/json", b, out)
}

// get reads a public API endpoint into out.
func (d *Demo) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.app.URL()+path, nil)
	if err != nil {
		return fmt.Errorf("build request to %s: %w", path, err)
	}
	return d.do(req, out)
}

func (d *Demo) do(req *http.Request, out any) error {
	resp, err := d.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, bytes.TrimSpace(body))
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("read answer of %s %s: %w", req.Method, req.URL.Path, err)
		}
	}
	return nil
}
