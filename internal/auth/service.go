package auth

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accord-slo/accord/internal/slo"
)

// Clock tells the time (engine.Clock satisfies it).
type Clock interface{ Now() time.Time }

// Options configure the Service.
type Options struct {
	Store Store
	Clock Clock
	// Bootstrap is the bootstrap admin token's secret; "" for none. Only
	// its hash is kept.
	Bootstrap string
	// ProxyHeader names the header a trusted proxy puts a person's
	// identity in (e.g. X-Forwarded-Email); "" trusts no header.
	ProxyHeader string
	// TrustedProxies are the addresses (or networks) of the reverse
	// proxies whose identity and X-Forwarded-For headers count.
	TrustedProxies []netip.Prefix
	// ProxyRole is the role of people the proxy names (default read).
	ProxyRole Role
	// Retention is how long audit entries are kept (default 400 days, so
	// that a year's reviews can be compared).
	Retention time.Duration
	// MaxEntries bounds the audit trail (default 200,000 entries).
	MaxEntries int
	Logger     *slog.Logger
}

// Service identifies requests, manages tokens and keeps the audit trail.
type Service struct {
	opts      Options
	store     Store
	clock     Clock
	log       *slog.Logger
	bootstrap atomic.Pointer[[]byte] // SHA-256 of the bootstrap secret; nil for none

	mu      sync.Mutex
	touched map[int64]time.Time // when each token's last use was stored
	folds   map[string]*fold    // event pushes not yet written
	// retryAt is when folded entries are next due after a write of them
	// failed: until then requests do not each retry every fold.
	retryAt time.Time
}

// fold is a folded audit entry collecting requests in memory.
type fold struct {
	entry Entry
	since time.Time // first request since the last write
}

// touchEvery is how often a token's last use is written: at most once a
// minute, so that reads and pushes do not each cost a database write.
const touchEvery = time.Minute

// foldEvery is how long folded requests wait in memory before they are
// written; maxFolds bounds how many wait.
const (
	foldEvery = time.Minute
	maxFolds  = 1000
)

// New returns a Service; it checks the options.
func New(opts Options) (*Service, error) {
	if opts.Store == nil || opts.Clock == nil {
		return nil, fmt.Errorf("auth: a store and a clock are required")
	}
	if opts.ProxyRole == "" {
		opts.ProxyRole = RoleRead
	}
	if err := opts.Check(); err != nil {
		return nil, err
	}
	if opts.Retention <= 0 {
		opts.Retention = 400 * 24 * time.Hour
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = 200_000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{opts: opts, store: opts.Store, clock: opts.Clock, log: opts.Logger,
		touched: map[int64]time.Time{}, folds: map[string]*fold{}}
	s.SetBootstrap(opts.Bootstrap)
	return s, nil
}

// SetBootstrap replaces the bootstrap admin token's secret ("" for none),
// as when its file is read again on reload; the old one stops working.
func (s *Service) SetBootstrap(secret string) {
	if secret == "" {
		s.bootstrap.Store(nil)
		return
	}
	h := []byte(HashSecret(secret))
	s.bootstrap.Store(&h)
}

// Check reports the mistakes in opts that need no store, so a server can
// refuse them before it opens one: an unknown proxy role, an identity
// header without the proxy that sets it.
func (opts Options) Check() error {
	if opts.ProxyRole != "" && !opts.ProxyRole.Valid() {
		_, err := ParseRole(string(opts.ProxyRole))
		return fmt.Errorf("proxy role: %w", err)
	}
	if opts.ProxyHeader != "" && len(opts.TrustedProxies) == 0 {
		return fmt.Errorf("identity header %s: name the proxy that sets it (trusted proxy addresses); otherwise anyone could send it", opts.ProxyHeader)
	}
	return nil
}

// ProxyHeader is the identity header the Service trusts; "" for none.
func (s *Service) ProxyHeader() string { return s.opts.ProxyHeader }

// Credentials are what a request presents.
type Credentials struct {
	// Bearer is the bearer token, "" without one.
	Bearer string
	// Remote is the peer's address, host:port or host.
	Remote string
	// ProxyUser is the identity header's value, "" without one.
	ProxyUser string
	// ForwardedFor is the X-Forwarded-For header.
	ForwardedFor string
	// ClientCert is the common name of the TLS client certificate the
	// listener verified against --tls-client-ca-file; "" without one.
	ClientCert string
}

// Origin is where a request came from, as the audit trail records it.
type Origin struct {
	Remote string
	// ForwardedFor is set only when the peer is a trusted proxy.
	ForwardedFor string
}

// maxProxyName bounds the name a proxy's identity header gives, in bytes:
// longer than a token's, since an e-mail address or a DN may stand there.
// maxForwardedFor bounds the X-Forwarded-For the audit trail keeps.
const (
	maxProxyName    = 256
	maxForwardedFor = 256
)

// Identify says who presents c, and from where. A valid bearer token
// wins; else a trusted proxy's identity header; else the request is
// anonymous. A bearer token that is not valid, without a trusted proxy's
// identity, is an slo.CodeUnauthorized error.
func (s *Service) Identify(ctx context.Context, c Credentials) (Identity, Origin, error) {
	remote := peerAddr(c.Remote)
	trusted := s.trusted(remote)
	o := Origin{Remote: c.Remote}
	if remote.IsValid() {
		o.Remote = remote.String()
	}
	if trusted {
		o.ForwardedFor = clip(c.ForwardedFor, maxForwardedFor)
	}
	var tokenErr error
	if c.Bearer != "" {
		id, err := s.identifyToken(ctx, c.Bearer)
		if err == nil {
			return id, o, nil
		}
		tokenErr = err
	}
	if c.ClientCert != "" && !strings.ContainsFunc(c.ClientCert, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		// A client certificate signed by the ingest CA may push events,
		// nothing more: it stands for a pipeline, not a person.
		return Identity{Name: "cert:" + clip(c.ClientCert, maxProxyName), Role: RoleIngest, Via: ViaCertificate}, o, nil
	}
	if trusted && s.opts.ProxyHeader != "" && c.ProxyUser != "" {
		name := strings.TrimSpace(c.ProxyUser)
		if len(name) > maxProxyName || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return Identity{}, o, slo.Errorf(slo.CodeUnauthorized, "identity header %s: not a name", s.opts.ProxyHeader)
		}
		if name != "" {
			return Identity{Name: name, Role: s.opts.ProxyRole, Via: ViaProxy}, o, nil
		}
	}
	return Identity{}, o, tokenErr
}

func (s *Service) identifyToken(ctx context.Context, secret string) (Identity, error) {
	hash := HashSecret(secret)
	if b := s.bootstrap.Load(); b != nil && subtle.ConstantTimeCompare([]byte(hash), *b) == 1 {
		return Identity{Name: BootstrapName, Role: RoleAdmin, Via: ViaToken}, nil
	}
	// The lookup is by hash: timing reveals nothing of a secret.
	t, err := s.store.TokenByHash(ctx, hash)
	if slo.ErrorCode(err) == slo.CodeNotFound {
		return Identity{}, slo.Errorf(slo.CodeUnauthorized, "unknown or revoked bearer token")
	}
	if err != nil {
		return Identity{}, fmt.Errorf("look up token: %w", err)
	}
	now := s.clock.Now()
	if !t.Active(now) {
		return Identity{}, slo.Errorf(slo.CodeUnauthorized, "token %s expired at %s", t.Name, t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	s.touch(ctx, t, now)
	return Identity{Name: t.Name, Role: t.Role, Via: ViaToken, TokenID: t.ID}, nil
}

// touch stores a token's last use, at most once a minute per token.
func (s *Service) touch(ctx context.Context, t Token, now time.Time) {
	s.mu.Lock()
	last, ok := s.touched[t.ID]
	if !ok {
		last = t.LastUsed
	}
	due := now.Sub(last) >= touchEvery || now.Before(last)
	if due {
		s.touched[t.ID] = now
	}
	s.mu.Unlock()
	if !due {
		return
	}
	if err := s.store.TouchToken(ctx, t.ID, now); err != nil {
		s.log.Warn("record a token's last use", "token", t.Name, "err", err)
	}
}

func (s *Service) trusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr reads host:port or host; the zero Addr if neither parses.
func peerAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	return netip.Addr{}
}

// ParseProxies reads proxy addresses: IPs (10.0.0.5, ::1) or networks
// (10.0.0.0/8).
func ParseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, raw := range list {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if p, err := netip.ParsePrefix(raw); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(raw)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an IP address or a network such as 10.0.0.0/8", raw)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
