package auth

import "context"

// Via says how an identity was established.
type Via string

// The ways an identity is established.
const (
	// ViaToken is a bearer token: a named one or the bootstrap token.
	ViaToken Via = "token"
	// ViaProxy is the identity header a trusted reverse proxy set.
	ViaProxy Via = "proxy"
	// ViaCertificate is a TLS client certificate signed by the CA of
	// --tls-client-ca-file; it has the ingest role.
	ViaCertificate Via = "certificate"
)

// BootstrapName is the identity of the bootstrap admin token (--token, or
// the one generated into DATA_DIR/token). No named token may take it.
const BootstrapName = "bootstrap"

// Identity is who makes a request. The zero Identity is anonymous.
type Identity struct {
	// Name is the token's name or the person the proxy names.
	Name string `json:"name"`
	Role Role   `json:"role"`
	Via  Via    `json:"via"`
	// TokenID is the named token's id; 0 for the bootstrap token and
	// proxy identities.
	TokenID int64 `json:"-"`
}

// Anonymous reports whether nobody was identified.
func (i Identity) Anonymous() bool { return i.Via == "" }

type identityKey struct{}

// WithIdentity returns ctx carrying the identity.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity ctx carries; anonymous without one.
func IdentityFrom(ctx context.Context) Identity {
	id, _ := ctx.Value(identityKey{}).(Identity)
	return id
}
