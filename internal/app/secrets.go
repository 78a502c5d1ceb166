package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/accord-slo/accord/internal/notify"
)

// secrets are the values Options gives as flags or in files, read at start
// and again on every reload, so that a rotated file takes effect without
// a restart.
type secrets struct {
	token     string   // "" means the one in DataDir/token
	slackURLs []string // the flag's and the file's
	// webhookSecret signs each webhook URL's requests: by URL, "" for
	// the one every webhook without its own uses.
	webhookSecret map[string]string
}

// readSecrets reads the secret files of opts. Errors name the flag and the
// file, never a secret.
func readSecrets(opts Options) (secrets, error) {
	s := secrets{token: opts.Token, slackURLs: slices.Clone(opts.SlackURLs), webhookSecret: map[string]string{}}
	if opts.TokenFile != "" {
		if opts.Token != "" {
			return s, fmt.Errorf("--token and --token-file: give one")
		}
		lines, err := secretLines("--token-file", opts.TokenFile)
		if err != nil {
			return s, err
		}
		if len(lines) != 1 {
			return s, fmt.Errorf("--token-file %s: want the token alone on one line, found %d lines", opts.TokenFile, len(lines))
		}
		s.token = lines[0]
	}
	if opts.SlackURLFile != "" {
		lines, err := secretLines("--slack-url-file", opts.SlackURLFile)
		if err != nil {
			return s, err
		}
		for i, l := range lines {
			if !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") {
				return s, fmt.Errorf("--slack-url-file %s: entry %d is not an http(s) URL", opts.SlackURLFile, i+1)
			}
		}
		s.slackURLs = append(s.slackURLs, lines...)
	}
	entries := slices.Clone(opts.WebhookSecrets)
	if opts.WebhookSecretFile != "" {
		lines, err := secretLines("--webhook-secret-file", opts.WebhookSecretFile)
		if err != nil {
			return s, err
		}
		entries = append(entries, lines...)
	}
	for i, e := range entries {
		url, secret := "", e
		if strings.HasPrefix(e, "https://") || strings.HasPrefix(e, "http://") {
			cut := strings.LastIndexByte(e, '=')
			if cut < 0 {
				return s, fmt.Errorf("webhook secret %d: a URL without =SECRET after it (%s)", i+1, notify.Redact(e))
			}
			url, secret = e[:cut], e[cut+1:]
			if !slices.Contains(opts.WebhookURLs, url) {
				return s, fmt.Errorf("webhook secret %d is for %s, which is no --webhook-url", i+1, notify.Redact(url))
			}
		}
		if secret == "" {
			return s, fmt.Errorf("webhook secret %d is empty", i+1)
		}
		if _, dup := s.webhookSecret[url]; dup {
			if url == "" {
				return s, fmt.Errorf("webhook secret %d: a second secret for every webhook; give one, or URL=SECRET for each", i+1)
			}
			return s, fmt.Errorf("webhook secret %d: a second secret for %s", i+1, notify.Redact(url))
		}
		s.webhookSecret[url] = secret
	}
	return s, nil
}

// secretLines reads a secret file: its non-empty lines, trimmed, without
// comment lines (#).
func secretLines(flag, path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s %s: no entry in the file", flag, path)
	}
	return lines, nil
}

// channels are the notification channels the options and secrets name.
// Slack channels whose redacted URLs coincide get a number each, so that
// every channel keeps its own cursor.
// Alertmanagers are a.ams, made once in build.
func (a *App) channels(s secrets) []notify.Channel {
	var chs []notify.Channel
	for _, am := range a.ams {
		chs = append(chs, am)
	}
	for _, u := range a.opts.WebhookURLs {
		secret, ok := s.webhookSecret[u]
		if !ok {
			secret = s.webhookSecret[""]
		}
		chs = append(chs, &notify.Webhook{URL: u, Secret: secret, Now: a.opts.Clock.Now})
	}
	seen := map[string]int{}
	for _, u := range s.slackURLs {
		sl := &notify.Slack{URL: u}
		if n := seen[sl.Name()]; n > 0 {
			sl.ID = fmt.Sprintf("%s#%d", notify.Redact(u), n+1)
		}
		seen[sl.Name()]++
		chs = append(chs, sl)
	}
	return chs
}

// reloadSecrets reads the secret files again and applies what changed: the
// bootstrap token, Slack URLs, webhook secrets. On an error the secrets in
// use stay.
func (a *App) reloadSecrets(ctx context.Context) error {
	if a.dispatch == nil || a.Auth == nil {
		return nil // not open yet: New read them
	}
	s, err := readSecrets(a.opts)
	if err != nil {
		return fmt.Errorf("secrets not reloaded, the ones in use stay: %w", err)
	}
	if s.token != "" && s.token != a.Token() {
		a.Auth.SetBootstrap(s.token)
		a.token.Store(&s.token)
		a.log.Info("bootstrap admin token replaced from --token-file")
	}
	if err := a.dispatch.SetChannels(ctx, a.channels(s)); err != nil {
		return fmt.Errorf("secrets not reloaded: %w", err)
	}
	return nil
}
