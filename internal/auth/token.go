package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// Token is a named API token. Its secret is never stored: only Hash is.
type Token struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Hash is the hex SHA-256 of the secret.
	Hash      string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	CreatedBy string    `json:"createdBy"`
	// ExpiresAt is zero for a token that does not expire.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// LastUsed is when the token last identified a request, to the
	// minute; zero if never.
	LastUsed  time.Time `json:"lastUsed,omitzero"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	RevokedBy string    `json:"revokedBy,omitempty"`
}

// Active reports whether the token identifies requests at t.
func (t Token) Active(at time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || at.Before(t.ExpiresAt))
}

// secretPrefix marks Accord's tokens, so that people and secret scanners
// recognise one in a log or a commit.
const secretPrefix = "accord_"

// newSecret returns a token secret: 256 random bits.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate token secret: %w", err)
	}
	return secretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashSecret is what the store keeps of a secret: its SHA-256, in hex.
//
// A fast hash is enough. Slow password hashes (bcrypt, argon2) stretch
// secrets people choose, which are guessable; a token's secret is 256
// random bits, so no guess reaches it, stretched or not, while a fast hash
// lets each request find its token by an index lookup.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// maxName bounds a token's name, in bytes (a proxy identity has
// maxProxyName).
const maxName = 64

// checkName says what is wrong with a token's name, if anything: 1 to 64
// letters, digits and . _ - @ +, starting with a letter or digit, so it can
// stand in a policy's exceptionApprovers and in a URL path.
func checkName(name string) error {
	if name == "" || len(name) > maxName {
		return fmt.Errorf("token name %q: want 1 to %d characters", name, maxName)
	}
	for i, c := range name {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || (c != '.' && c != '_' && c != '-' && c != '@' && c != '+')) {
			return fmt.Errorf("token name %q: use letters, digits and . _ - @ +, starting with a letter or digit", name)
		}
	}
	if name == BootstrapName {
		return fmt.Errorf("token name %q is the bootstrap token's; choose another", name)
	}
	return nil
}
