package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/demo"
)

func newDemoCmd() *cobra.Command {
	var opts demo.Options
	var hour time.Duration
	var logLevel string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run Accord on FreshMart, a simulated grocery chain, and tell its story",
		Long: `Demo starts Accord with embedded defaults and FreshMart, a simulated grocery
chain: twelve stores whose tills push card payments, scans, receipts and
price updates with lunch and evening peaks and quiet nights. The last week is
backfilled first. The story starts when you open the web UI: on a compressed
clock, a deploy breaks card payments in four stores, the on-call team is
paged, the customer's checkout journey (scan, pay, receipt) names card
payments as the cause of its spent budget, the budget runs out, the release
gate closes, an exception lets the fix through; then the clock fast-forwards through the week until the budget
recovers. Beside the SLO alerts runs the alert set of an operations team
without SLOs — CPU, memory and queue-fill thresholds — to compare.

--hour sets the pace: how long a simulated hour takes on the day of the
incident (default 10s, so the incident plays in about half a minute); the
week after passes a day in that time. The overview reloads itself while the
story plays.

Every event goes through Accord's public API. The terminal narrates; the web
UI shows it all. Data lives in a temporary directory unless --data-dir is set.`,
		Example: `  accord demo
  accord demo --hour 3s                        # the whole story in under a minute
  accord demo --addr 127.0.0.1:9090 --hour 30s # slower, on another port`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := newLogger(cmd.ErrOrStderr(), logLevel)
			if err != nil {
				return err
			}
			opts.Logger, opts.Out = log, cmd.OutOrStdout()
			if hour > 0 {
				opts.Speed = float64(time.Hour) / float64(hour)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			d, err := demo.New(ctx, opts)
			if err != nil {
				return err
			}
			defer d.Close()
			return d.Run(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "listen address")
	f.DurationVar(&hour, "hour", time.Duration(float64(time.Hour)/demo.DefaultSpeed), "how long a simulated hour of the incident day takes; the week after passes a day in that time")
	f.StringVar(&opts.DataDir, "data-dir", "", "keep the demo's database here (default: a temporary directory)")
	f.Uint64Var(&opts.Seed, "seed", 1, "seed of the simulated traffic")
	f.StringVar(&logLevel, "log-level", "warn", "debug, info, warn or error")
	return cmd
}
