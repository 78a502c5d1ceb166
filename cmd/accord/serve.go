package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/app"
	"github.com/accord-slo/accord/internal/engine"
)

func newServeCmd() *cobra.Command {
	opts := app.Options{}
	var logLevel string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Measure every SLO continuously, alert on burn rates and serve the API",
		Long: `Serve loads SLO specs, measures them from pushed events and Prometheus-compatible
backends, evaluates error budgets and burn rates, sends burn-rate alerts to
Alertmanager and webhooks, and serves the JSON API (docs/api.md) and /metrics.

State lives in an SQLite database under --data-dir. Pushing events needs a
bearer token: --token, or the one generated into DATA_DIR/token on first start.
Every flag can also be set as ACCORD_<FLAG> (e.g. ACCORD_DATA_DIR).

SIGHUP (or POST /api/v1/reload) re-reads the specs without a restart: specs
with errors are logged and refused, and the running SLOs stay.`,
		Example: `  accord serve --config examples/ --data-dir /var/lib/accord
  accord serve --config slos/ --prometheus-url http://prometheus:9090 \
      --alertmanager-url http://alertmanager:9093`,
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
			if opts.Token == "" {
				log.Info("write requests need the bearer token in " + app.TokenPath(opts.DataDir))
			}
			for {
				select {
				case <-hup:
					log.Info("SIGHUP: reloading the specs")
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
	f.StringVar(&opts.DataDir, "data-dir", "accord-data", "directory for the database and the generated token")
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "listen address")
	f.StringVar(&opts.Token, "token", "", "bearer token for write requests (default: generated into DATA_DIR/token)")
	f.StringVar(&opts.ExternalURL, "external-url", "", "URL people reach Accord at, for links in alerts (default http://ADDR)")
	f.StringVar(&opts.PrometheusURL, "prometheus-url", "", "Prometheus-compatible API for SLOs whose data source names no URL")
	f.StringSliceVar(&opts.AlertmanagerURLs, "alertmanager-url", nil, "Alertmanager to send burn-rate alerts to (repeatable)")
	f.StringSliceVar(&opts.WebhookURLs, "webhook-url", nil, "URL to post alert and policy notifications to as JSON (repeatable)")
	f.StringSliceVar(&opts.SlackURLs, "slack-url", nil, "Slack-compatible incoming webhook for alert and policy notifications (repeatable)")
	f.DurationVar(&opts.EvalInterval, "eval-interval", 15*time.Second, "how often SLOs are evaluated")
	f.DurationVar(&opts.SourceLag, "source-lag", 30*time.Second, "how long after a minute ends Prometheus is asked for it")
	f.Int64Var(&opts.MaxBodyBytes, "max-body-bytes", 16<<20, "largest ingest request body, in bytes")
	f.IntVar(&opts.MaxBatch, "max-batch", 100_000, "most events in one ingest request")
	f.IntVar(&opts.MaxGroups, "max-groups", engine.DefaultMaxGroups, "most groups (label sets, e.g. stores) one grouped SLO counts; events starting more are refused")
	f.IntVar(&opts.MaxConnections, "max-connections", app.DefaultMaxConnections, "most HTTP connections open at once; idle ones are closed to make room")
	f.DurationVar(&opts.ReadTimeout, "read-timeout", app.DefaultReadTimeout, "longest time to read a request, body included")
	f.DurationVar(&opts.WriteTimeout, "write-timeout", app.DefaultWriteTimeout, "longest time to write an answer")
	f.DurationVar(&opts.IdleTimeout, "idle-timeout", app.DefaultIdleTimeout, "how long an idle keep-alive connection stays open")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
}

func newLogger(w interface{ Write([]byte) (int, error) }, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
