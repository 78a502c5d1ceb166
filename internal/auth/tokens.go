package auth

import (
	"context"
	"strings"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// CreateToken makes a token named name with role, expiring at expires
// (zero: never), and returns it with its secret, which is not kept
// anywhere: the caller shows it once.
func (s *Service) CreateToken(ctx context.Context, name string, role Role, expires time.Time, by Identity) (Token, string, error) {
	var problems []string
	if err := checkName(name); err != nil {
		problems = append(problems, "name: "+err.Error())
	}
	if _, err := ParseRole(string(role)); err != nil {
		problems = append(problems, "role: "+err.Error())
	}
	now := s.clock.Now()
	if !expires.IsZero() && !expires.After(now) {
		problems = append(problems, "expires: "+expires.UTC().Format(time.RFC3339)+" is not in the future")
	}
	if len(problems) > 0 {
		return Token{}, "", slo.Errorf(slo.CodeInvalid, "%s", strings.Join(problems, "; "))
	}
	secret, err := newSecret()
	if err != nil {
		return Token{}, "", err
	}
	t, err := s.store.CreateToken(ctx, Token{Name: name, Role: role, Hash: HashSecret(secret), CreatedAt: now, CreatedBy: by.Name, ExpiresAt: expires})
	if err != nil {
		return Token{}, "", err
	}
	s.log.Info("token created", "token", t.Name, "role", t.Role, "by", by.Name)
	return t, secret, nil
}

// RevokeToken revokes the token named name now; it stops identifying
// requests at once.
func (s *Service) RevokeToken(ctx context.Context, name string, by Identity) (Token, error) {
	t, err := s.store.RevokeToken(ctx, name, s.clock.Now(), by.Name)
	if err != nil {
		return t, err
	}
	s.log.Info("token revoked", "token", t.Name, "by", by.Name)
	return t, nil
}

// Tokens returns every token, revoked ones too, oldest first.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) { return s.store.Tokens(ctx) }
