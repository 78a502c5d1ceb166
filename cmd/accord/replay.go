package main

import (
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/replay"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/sqlite"
)

func newReplayCmd() *cobra.Command {
	var opts replay.Options
	var from, to, dataDir, output, logLevel string
	var suggest bool
	var matches []string
	cmd := &cobra.Command{
		Use:   "replay PATH...",
		Short: "Evaluate SLOs over past data: what Accord would have alerted, and how that compares with your alerts",
		Long: `Replay evaluates SLO specs over the history Prometheus holds (and, with
--data-dir, the pushed events Accord's store keeps), minute by minute through
the same engine as serve. It reports per SLO the SLI per day and week, the
budget over time, every burn-rate alert Accord would have sent, policy states
and release freezes, and the periods users were hurt: while an SLO burned its
budget faster than it earns it, over the last hour and the last 5 minutes.

--alerts SELECTOR reads the alerts that fired from Prometheus' ALERTS series
(e.g. your CPU, memory and disk rules) and scores them beside Accord's pages:
precision (share fired while users were hurt), recall (share of hurt periods
alerted), detection delay and alerts per week. Each alert is scored against
the SLOs its labels name: its service label, else its team label, or the
label --match gives (--match service=app reads the service from app). An
alert whose labels name no SLO is listed as unmatched, not scored. --suggest replays every SLO
with other objectives too (--objectives) and says what each would have meant.

--from and --to take RFC 3339 times, dates (midnight UTC) or durations before
--to (for --from) or before now (for --to). See docs/replay.md.`,
		Example: `  accord replay slos/ --prometheus-url http://prometheus:9090 --from 30d
  accord replay slos/ --prometheus-url http://prometheus:9090 --from 2026-10-01 --to 2026-11-01 \
      --alerts '{severity="page"}' --suggest -o html > replay.html
  accord replay slos/ --prometheus-url http://prometheus:9090 --from 7d -o json | jq '.slos[].alerts'`,
		Args:    cobra.MinimumNArgs(1),
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(replay.Formats, output) {
				return fmt.Errorf("--output %q: want %s", output, strings.Join(replay.Formats, ", "))
			}
			log, err := newLogger(cmd.ErrOrStderr(), logLevel)
			if err != nil {
				return err
			}
			now := time.Now()
			if opts.To, err = replay.ParseTime(to, now); err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			if opts.From, err = replay.ParseTime(from, opts.To); err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			loaded, err := spec.Load(args...)
			if err != nil {
				return err
			}
			writeDiagnostics(cmd.ErrOrStderr(), &loaded.Diags)
			if loaded.Diags.HasErrors() {
				return exitError{"spec has errors"}
			}
			opts.Catalog, opts.Logger, opts.Now = loaded.Catalog, log, now
			opts.CompareAlerts = cmd.Flags().Changed("alerts")
			for _, s := range matches {
				m, err := replay.ParseMatch(s)
				if err != nil {
					return err
				}
				opts.Match = append(opts.Match, m)
			}
			if !suggest && !cmd.Flags().Changed("objectives") {
				opts.Objectives = nil
			}
			if dataDir != "" {
				// Read only, so a server may go on running on it.
				store, err := sqlite.OpenReader(dataDir)
				if err != nil {
					return fmt.Errorf("--data-dir: %w", err)
				}
				defer store.Close()
				opts.Store = store
			}
			// Replay allocates fast and keeps little: collecting garbage at
			// five times the live heap rather than twice saves about a
			// quarter of its CPU time (docs/benchmarks.md).
			debug.SetGCPercent(replay.GCPercent)
			res, err := replay.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			return replay.Write(cmd.OutOrStdout(), res, opts.Catalog, output)
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "30d", "start: RFC 3339 time, date, or duration before --to")
	f.StringVar(&to, "to", "now", "end: RFC 3339 time, date, duration before now, or now")
	f.StringVar(&opts.PrometheusURL, "prometheus-url", "", "Prometheus-compatible API for SLOs whose data source names no URL, and for ALERTS")
	f.StringVar(&dataDir, "data-dir", "", "Accord's data directory, for the history of SLOs measured by pushed events")
	f.StringVar(&opts.AlertSelector, "alerts", "", `score the alerts of Prometheus' ALERTS series this selector picks, e.g. '{severity="page"}' ('' for all)`)
	f.StringArrayVar(&matches, "match", nil, "with --alerts: the alert label naming an SLO's service or team, e.g. service=app (repeatable; service and team labels are tried after)")
	f.BoolVar(&suggest, "suggest", false, "also replay every SLO with the --objectives and compare")
	f.Float64SliceVar(&opts.Objectives, "objectives", replay.DefaultObjectives, "objectives (percent) --suggest compares; giving them implies --suggest")
	f.StringVarP(&output, "output", "o", "table", "output format: table, json or html")
	f.StringVar(&logLevel, "log-level", "warn", "debug, info, warn or error")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(replay.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
