package demo

import (
	"context"

	"github.com/accord-slo/accord/internal/client"
)

// api is the demo's client of Accord's public API, with its token.
func (d *Demo) api() *client.Client {
	return &client.Client{Server: d.app.URL(), Token: d.app.Token(), HTTP: d.http}
}

// post sends a raw body (NDJSON events) to the public API.
func (d *Demo) post(ctx context.Context, path, contentType string, body []byte, out any) error {
	return d.api().Send(ctx, "POST", path, contentType, body, out)
}

// postJSON posts v as JSON.
func (d *Demo) postJSON(ctx context.Context, path string, v, out any) error {
	return d.api().Do(ctx, "POST", path, v, out)
}

// get reads a public API endpoint into out.
func (d *Demo) get(ctx context.Context, path string, out any) error {
	return d.api().Do(ctx, "GET", path, nil, out)
}
