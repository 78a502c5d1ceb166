// Package auth says who makes a request and what they may do: named API
// tokens with roles (stored as hashes), the bootstrap admin token, a
// person's identity from a trusted reverse proxy, and the audit trail of
// every write. The web server asks it; the engine never does.
package auth

import (
	"fmt"
	"strings"
)

// Role is what an identity may do. Each role may do what the roles below
// it may: read < ingest < operator < admin.
type Role string

// The roles, least first.
const (
	// RoleRead may read the API and the UI when --read-auth asks for an
	// identity (dashboards, release-gate checks in pipelines).
	RoleRead Role = "read"
	// RoleIngest may also push events.
	RoleIngest Role = "ingest"
	// RoleOperator may also annotate and grant or revoke exceptions, and
	// read the audit trail.
	RoleOperator Role = "operator"
	// RoleAdmin may also manage tokens and do everything else that writes.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, least first.
func Roles() []Role { return []Role{RoleRead, RoleIngest, RoleOperator, RoleAdmin} }

// rank orders the roles; 0 is no role.
func (r Role) rank() int {
	switch r {
	case RoleRead:
		return 1
	case RoleIngest:
		return 2
	case RoleOperator:
		return 3
	case RoleAdmin:
		return 4
	}
	return 0
}

// Allows reports whether r may do what need asks for.
func (r Role) Allows(need Role) bool { return r.rank() > 0 && r.rank() >= need.rank() }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// ParseRole reads a role's name.
func ParseRole(s string) (Role, error) {
	if r := Role(s); r.Valid() {
		return r, nil
	}
	var names []string
	for _, r := range Roles() {
		names = append(names, string(r))
	}
	return "", fmt.Errorf("role %q: want %s", s, strings.Join(names, ", "))
}
