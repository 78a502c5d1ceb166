package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/web"
)

func newServeCmd() *cobra.Command {
	opts := app.Options{AuditRetention: 400 * 24 * time.Hour}
	var logLevel, memLimit string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Measure every SLO continuously, alert on burn rates and serve the API",
		Long: `Serve loads SLO specs, measures them from pushed events and Prometheus-compatible
backends, evaluates error budgets and burn rates, sends burn-rate alerts to
Alertmanager and webhooks, and serves the JSON API (docs/api.md) and /metrics.

State lives in an SQLite database under --data-dir, or with --database in
PostgreSQL, where several replicas share it: each accepts events and serves
the API, and one at a time (the leader) alerts and delivers notifications
(docs/deploy.md). Writes need a bearer token with a role (accord token
create); the bootstrap admin token is --token, or the one generated into
DATA_DIR/token on first start (with --database, --token is required). Behind a
reverse proxy that signs people in (oauth2-proxy and the like), --auth-header
and --trusted-proxy take the person's identity from the proxy; --read-auth
makes reads need an identity too. Every write is kept in the audit trail.
Every flag can also be set as ACCORD_<FLAG> (e.g. ACCORD_DATA_DIR).

With --tls-cert-file and --tls-key-file Accord serves HTTPS only (TLS 1.2 or
newer). On a network address without TLS and without --trusted-proxy it warns
at start and on /readyz: tokens would cross the network in clear.

SIGHUP (or POST /api/v1/reload) re-reads the specs without a restart: specs
with errors are logged and refused, and the running SLOs stay. SIGHUP re-reads
the TLS certificate too; a changed certificate file is picked up on its own.`,
		Example: `  accord serve --config examples/ --data-dir /var/lib/accord
  accord serve --config slos/ --prometheus-url http://prometheus:9090 \
      --alertmanager-url http://alertmanager:9093
  ACCORD_DATABASE='postgres://accord@db:5432/accord?passfile=/etc/accord/pgpass' \
      accord serve --config slos/ --token-file /etc/accord/token
  accord serve --config slos/ --addr 0.0.0.0:8443 \
      --tls-cert-file /etc/accord/tls.crt --tls-key-file /etc/accord/tls.key
  accord serve --config slos/ --read-auth \
      --auth-header X-Forwarded-Email --trusted-proxy 10.0.0.5`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			return bindEnv(cmd)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := newLogger(cmd.ErrOrStderr(), logLevel)
			if err != nil {
				return err
			}
			opts.Logger = log
			if err := setMemoryLimit(memLimit, log); err != nil {
				return err
			}
			if !cmd.Flags().Changed("config") && len(opts.SpecPaths) == 1 {
				if _, err := os.Stat(opts.SpecPaths[0]); err != nil {
					return fmt.Errorf("no SLO specs in ./%s: point --config at files or directories (try --config examples/)", opts.SpecPaths[0])
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			// Caught from the start: SIGHUP's default would end the process.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			a, err := app.New(ctx, opts)
			if err != nil {
				return err
			}
			if err := a.Start(ctx); err != nil {
				a.Close()
				return err
			}
			if opts.Token == "" && opts.TokenFile == "" && opts.Database == "" {
				log.Info("the bootstrap admin token is in " + app.TokenPath(opts.DataDir) + "; give people and pipelines their own: accord token create NAME --role ROLE")
			}
			for {
				select {
				case <-hup:
					log.Info("SIGHUP: reloading the specs and the TLS certificate")
					a.ReloadTLS()
					_, _ = a.Reload(ctx) // it logs what it did or why not
				case <-ctx.Done():
					log.Info("shutting down")
					return a.Close()
				}
			}
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.SpecPaths, "config", []string{"slos"}, "SLO spec files or directories")
	f.StringArrayVar(&opts.SpecExclude, "exclude", nil, "leave out spec files and directories matching this glob (by base name or path below the directory given); repeatable")
	f.StringVar(&opts.DataDir, "data-dir", "accord-data", "directory for the SQLite database and the generated token")
	f.StringVar(&opts.Database, "database", "", "PostgreSQL URL (postgres://USER@HOST:5432/DB?passfile=/etc/accord/pgpass, or PGPASSFILE) for several replicas; default SQLite in --data-dir")
	f.DurationVar(&opts.LeaderLease, "leader-lease", 15*time.Second, "with --database: how long a leader's lease lasts unrenewed, and so how soon another replica leads after it dies")
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "listen address")
	f.StringVar(&opts.DebugAddr, "debug-addr", "", "serve Go's profiles (/debug/pprof/) on this address of their own, e.g. 127.0.0.1:6060 (a bare :PORT listens on loopback); off by default")
	f.StringVar(&opts.TLSCertFile, "tls-cert-file", "", "PEM certificate (chain) to serve HTTPS with; re-read on SIGHUP and when it changes")
	f.StringVar(&opts.TLSKeyFile, "tls-key-file", "", "PEM private key of --tls-cert-file")
	f.StringVar(&opts.TLSClientCAFile, "tls-client-ca-file", "", "PEM CA whose client certificates may push events (ingest role) without a token")
	f.StringVar(&opts.Token, "token", "", "bootstrap admin token (default: --token-file, else generated into DATA_DIR/token); ps shows it: prefer --token-file")
	f.StringVar(&opts.TokenFile, "token-file", "", "file holding the bootstrap admin token (instead of --token, which ps shows); re-read on reload")
	f.StringVar(&opts.AuthHeader, "auth-header", "", "header a trusted proxy puts the signed-in person in, e.g. X-Forwarded-Email (needs --trusted-proxy)")
	f.StringSliceVar(&opts.TrustedProxies, "trusted-proxy", nil, "reverse proxy address or network whose --auth-header and X-Forwarded-For count (repeatable)")
	f.StringVar(&opts.ProxyRole, "proxy-role", "read", "role of the people --auth-header names: read, ingest, operator or admin")
	f.BoolVar(&opts.ReadAuth, "read-auth", false, "API reads and the UI need an identity too (a token, or the proxy's header)")
	f.Var(durationFlag{&opts.AuditRetention}, "audit-retention", "how long the audit trail keeps entries, e.g. 400d")
	f.IntVar(&opts.AuditMaxEntries, "audit-max-entries", 200_000, "most entries the audit trail keeps; the oldest go first")
	f.StringVar(&opts.ExternalURL, "external-url", "", "URL people reach Accord at, for links in alerts (default http://ADDR)")
	f.StringVar(&opts.PrometheusURL, "prometheus-url", "", "Prometheus-compatible API for SLOs whose data source names no URL")
	f.StringSliceVar(&opts.AlertmanagerURLs, "alertmanager-url", nil, "Alertmanager to send burn-rate alerts to (repeatable)")
	f.StringSliceVar(&opts.WebhookURLs, "webhook-url", nil, "URL to post alert and policy notifications to as JSON (repeatable)")
	f.StringArrayVar(&opts.WebhookSecrets, "webhook-secret", nil, "sign webhook requests (HMAC-SHA256, docs/alerting.md): SECRET for every --webhook-url, or URL=SECRET for one (repeatable); prefer --webhook-secret-file")
	f.StringVar(&opts.WebhookSecretFile, "webhook-secret-file", "", "file of webhook secrets, one a line as for --webhook-secret; re-read on reload")
	f.StringSliceVar(&opts.SlackURLs, "slack-url", nil, "Slack-compatible incoming webhook for alert and policy notifications (repeatable); its URL is a secret: prefer --slack-url-file")
	f.StringVar(&opts.SlackURLFile, "slack-url-file", "", "file of Slack-compatible incoming webhook URLs, one a line; re-read on reload")
	f.DurationVar(&opts.EvalInterval, "eval-interval", 15*time.Second, "how often every SLO is evaluated (the SLOs a push counts for are evaluated at once)")
	f.DurationVar(&opts.SourceLag, "source-lag", 30*time.Second, "how long after a minute ends Prometheus is asked for it")
	f.Int64Var(&opts.MaxBodyBytes, "max-body-bytes", 16<<20, "largest ingest request body, in bytes")
	f.IntVar(&opts.MaxBatch, "max-batch", 100_000, "most events in one ingest request")
	f.IntVar(&opts.MaxGroups, "max-groups", engine.DefaultMaxGroups, "most groups (label sets, e.g. stores) one grouped SLO counts; events starting more are refused")
	f.IntVar(&opts.MaxConnections, "max-connections", app.DefaultMaxConnections, "most HTTP connections open at once; idle ones, then busy ones of clients without a token, are closed to make room")
	f.DurationVar(&opts.ReadTimeout, "read-timeout", app.DefaultReadTimeout, "longest time to read a request, body included")
	f.DurationVar(&opts.WriteTimeout, "write-timeout", app.DefaultWriteTimeout, "longest time to write an answer")
	f.DurationVar(&opts.IdleTimeout, "idle-timeout", app.DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	f.StringVar(&memLimit, "memory-limit", "", "soft limit of the Go heap, e.g. 2GiB (default: 80% of the container's cgroup limit, or GOMEMLIMIT); the garbage collector works harder near it")
	f.Int64Var(&opts.MaxInflightBytes, "max-inflight-bytes", web.DefaultMaxInflightBytes, "most bytes of request bodies read at once; a body past it is answered 503 before it is read")
	f.Int64Var(&opts.MaxAnswerBytes, "max-answer-bytes", web.DefaultMaxAnswerBytes, "most bytes of large answers being written at once; a large answer past it is answered 503")
	f.Int64Var(&opts.MinReadRate, "min-read-rate", web.DefaultMinReadRate, "slowest a request body may arrive, in bytes per second: each 16 KiB within 16 KiB ÷ this")
	f.Int64Var(&opts.MinWriteRate, "min-write-rate", web.DefaultMinWriteRate, "slowest a client may read an answer, in bytes per second: each 16 KiB within 16 KiB ÷ this")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
}

// setMemoryLimit sets the runtime's soft memory limit from --memory-limit
// or the cgroup, and collects garbage at 1.5 times the live heap unless
// GOGC says otherwise, so resident memory follows what the engine holds.
func setMemoryLimit(flag string, log *slog.Logger) error {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(app.ServeGCPercent)
	}
	var limit int64
	if flag != "" {
		n, err := app.ParseBytes(flag)
		if err != nil {
			return fmt.Errorf("--memory-limit: %w", err)
		}
		limit = n
	} else if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		return nil // the runtime has read it
	}
	n, from := app.MemoryLimit(limit, "/sys/fs/cgroup")
	if n > 0 {
		debug.SetMemoryLimit(n)
		log.Info("soft memory limit", "bytes", n, "from", from)
	}
	return nil
}

func newLogger(w interface{ Write([]byte) (int, error) }, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// durationFlag is a duration flag that takes days and weeks too (400d,
// 2w), as SLO windows do.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return slo.FormatDuration(*f.d)
}

func (f durationFlag) Set(s string) error {
	d, err := slo.ParseDuration(s)
	if err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("%q: want a positive duration", s)
	}
	*f.d = d
	return nil
}

func (durationFlag) Type() string { return "duration" }
