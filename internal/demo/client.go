package demo

import (
	"context"
	"fmt"
	"net/url"

	"github.com/accord-slo/accord/internal/auth"
	"github.com/accord-slo/accord/internal/client"
)

// actors are FreshMart's people and pipelines, each with a token of its
// own, so the audit trail and the exceptions name who did what.
var actors = []struct {
	name string
	role auth.Role
}{
	{"tills", auth.RoleIngest},              // the stores' tills push events
	{"ci", auth.RoleOperator},               // the deploy pipeline annotates deploys
	{"pos-platform", auth.RoleOperator},     // the team on call
	{"head-of-store-it", auth.RoleOperator}, // the policy's exception approver
	{"maria.jensen", auth.RoleOperator},     // checkout's product owner
}

// createTokens makes each actor's token with the bootstrap token. A data
// directory kept from an earlier demo has tokens by these names, whose
// secrets are gone: they are revoked first.
func (d *Demo) createTokens(ctx context.Context) error {
	d.tokens = map[string]string{}
	admin := &client.Client{Server: d.app.URL(), Token: d.app.Token(), HTTP: d.http}
	var existing struct {
		Tokens []auth.Token `json:"tokens"`
	}
	if err := admin.Do(ctx, "GET", "/api/v1/tokens", nil, &existing); err != nil {
		return fmt.Errorf("list the demo's tokens: %w", err)
	}
	for _, t := range existing.Tokens {
		if t.RevokedAt.IsZero() {
			if err := admin.Do(ctx, "DELETE", "/api/v1/tokens/"+url.PathEscape(t.Name), nil, nil); err != nil {
				return fmt.Errorf("revoke the earlier demo's token %s: %w", t.Name, err)
			}
		}
	}
	for _, a := range actors {
		var out struct {
			Secret string `json:"secret"`
		}
		if err := admin.Do(ctx, "POST", "/api/v1/tokens", map[string]string{"name": a.name, "role": string(a.role)}, &out); err != nil {
			return fmt.Errorf("create the demo's token for %s: %w", a.name, err)
		}
		d.tokens[a.name] = out.Secret
	}
	return nil
}

// as is the public API as one of the actors.
func (d *Demo) as(actor string) *client.Client {
	return &client.Client{Server: d.app.URL(), Token: d.tokens[actor], HTTP: d.http}
}

// postJSON posts v as JSON as the actor.
func (d *Demo) postJSON(ctx context.Context, actor, path string, v, out any) error {
	return d.as(actor).Do(ctx, "POST", path, v, out)
}

// get reads a public API endpoint into out.
func (d *Demo) get(ctx context.Context, path string, out any) error {
	return d.as("pos-platform").Do(ctx, "GET", path, nil, out)
}
