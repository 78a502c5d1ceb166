package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/rules"
	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
)

func newGenerateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "generate prometheus|grafana PATH...",
		Short: "Write Prometheus rules or a Grafana dashboard for SLOs",
		Long: `Generate turns SLO specs into what Prometheus-compatible backends run and show:
recording and alerting rules (generate prometheus) and a Grafana dashboard
over the recorded series (generate grafana). The alerts are the burn-rate
alerts Accord itself evaluates, with the same labels.

Specs with errors are not generated from; the errors go to standard error.`,
		Example: `  accord generate prometheus examples/ > slos.rules.yaml
  accord generate prometheus --format prometheusrule -o k8s/ examples/
  accord generate grafana -o dashboards/ examples/`,
	}
	cmd.AddCommand(newGeneratePrometheusCmd(), newGenerateGrafanaCmd())
	cmd.PersistentFlags().StringArray("exclude", nil, excludeUsage)
	return cmd
}

func newGeneratePrometheusCmd() *cobra.Command {
	var format, dir, naming string
	var noData time.Duration
	cmd := &cobra.Command{
		Use:   "prometheus PATH...",
		Short: "Write recording and alerting rules for every SLO measured by Prometheus",
		Long: `Prometheus writes, for every SLO measured by Prometheus, a rule group with its
error ratios over every window its alerts and budget need, its objective and
budget left, and its multi-window, multi-burn-rate alerts (labels team,
severity, slo, service, burn_window and the on-call route's labels;
annotations summary, description and runbook_url).

Only the last minute's events are read from raw series; every window adds
them up, or adds up 5-minute and hourly tiles of them (see
docs/prometheus.md). SLOs measured by pushed events are left out with a
warning. A journey (composite:) adds up its components' recorded minutes,
weighted; a journey with a component measured by pushed events is left out
with a warning naming it.

--naming sloth records, besides, the series Sloth records (slo:sli_error:
ratio_rate5m … 30d, slo:period_error_budget_remaining:ratio, sloth_slo_info,
…) labelled sloth_id, sloth_service and sloth_slo, so that Sloth's
dashboards and alert routes keep working after a migration. --no-data 10m
adds to every SLO an alert (SLONoData, a ticket) that fires when its series
have been missing for that long.

--format rules writes Prometheus rule files (for rule_files, Thanos Ruler or
mimirtool); --format prometheusrule writes PrometheusRule resources of the
Prometheus Operator. With -o DIR every service goes to DIR/SERVICE.rules.yaml;
without it, everything goes to standard output.`,
		Example: `  accord generate prometheus examples/ > slos.rules.yaml
  accord generate prometheus --format prometheusrule -o k8s/ examples/
  accord generate prometheus --naming sloth --no-data 15m sloth-specs/ > slos.rules.yaml
  promtool check rules slos.rules.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != rules.FormatRules && format != rules.FormatPrometheusRule {
				return fmt.Errorf("--format %q: must be %s", format, strings.Join(rules.Formats, " or "))
			}
			if naming != string(rules.NamingAccord) && naming != string(rules.NamingSloth) {
				return fmt.Errorf("--naming %q: must be %s", naming, strings.Join(rules.Namings, " or "))
			}
			cat, err := loadForGenerate(cmd, args)
			if err != nil {
				return err
			}
			opts := rules.Options{Naming: rules.Naming(naming), NoData: noData}
			var warnings []string
			if dir == "" {
				w := bufio.NewWriterSize(cmd.OutOrStdout(), 1<<16)
				warnings, err = rules.Write(w, cat, opts, format)
				if err == nil {
					err = w.Flush()
				}
			} else {
				warnings, err = writeRuleFiles(cmd.ErrOrStderr(), dir, cat, opts, format)
			}
			for _, w := range warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", rules.FormatRules, "output format: rules or prometheusrule")
	cmd.Flags().StringVar(&naming, "naming", string(rules.NamingAccord), "series names and labels: accord, or sloth to record Sloth's as well")
	cmd.Flags().DurationVar(&noData, "no-data", 0, "add an alert per SLO that fires when its series have been missing this long (0: none)")
	_ = cmd.RegisterFlagCompletionFunc("naming", cobra.FixedCompletions(rules.Namings, cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().StringVarP(&dir, "output-dir", "o", "", "write one file per service into this directory instead of standard output")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(rules.Formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("output-dir")
	return cmd
}

func newGenerateGrafanaCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "grafana PATH...",
		Short: "Write a Grafana dashboard over the series the Prometheus rules record",
		Long: `Grafana writes one Grafana dashboard (JSON, for import or provisioning) over the
series that "accord generate prometheus" records: the SLI against the
objective, the error budget left, the burn rate over every window and the
firing alerts, with a variable to pick the service and one to pick the SLO.

With -o DIR it goes to DIR/` + rules.DashboardFileName + `; without it, to standard output.`,
		Example: `  accord generate grafana examples/ > accord-slos.json
  accord generate grafana -o /var/lib/grafana/dashboards/ examples/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := generateRules(cmd, args)
			if err != nil {
				return err
			}
			out, err := rules.Dashboard(res)
			if err != nil {
				return err
			}
			if dir == "" {
				_, err = cmd.OutOrStdout().Write(out)
				return err
			}
			return writeOutput(cmd.ErrOrStderr(), dir, rules.DashboardFileName, out)
		},
	}
	cmd.Flags().StringVarP(&dir, "output-dir", "o", "", "write the dashboard into this directory instead of standard output")
	_ = cmd.MarkFlagDirname("output-dir")
	return cmd
}

// loadForGenerate loads the specs at paths but those --exclude names,
// refusing specs with errors; diagnostics go to standard error.
func loadForGenerate(cmd *cobra.Command, paths []string) (*slo.Catalog, error) {
	exclude, err := cmd.Flags().GetStringArray("exclude")
	if err != nil {
		return nil, err
	}
	loaded, err := spec.LoadWith(spec.Options{Exclude: exclude}, paths...)
	if err != nil {
		return nil, err
	}
	writeDiagnostics(cmd.ErrOrStderr(), &loaded.Diags)
	if loaded.Diags.HasErrors() {
		return nil, exitError{"spec has errors"}
	}
	return &loaded.Catalog, nil
}

// writeRuleFiles writes every service's rules into dir/SERVICE.rules.yaml,
// one service at a time, and says so on stderr.
func writeRuleFiles(stderr io.Writer, dir string, cat *slo.Catalog, opts rules.Options, format string) ([]string, error) {
	var buf bytes.Buffer
	service := ""
	flush := func() error {
		if service == "" {
			return nil
		}
		return writeOutput(stderr, dir, rules.FileName(service), buf.Bytes())
	}
	warnings, err := rules.Each(cat, opts, func(svc string, g rules.Group) error {
		if svc != service {
			if err := flush(); err != nil {
				return err
			}
			buf.Reset()
			service = svc
			if err := rules.EncodeStart(&buf, format, svc, true); err != nil {
				return err
			}
		}
		return rules.EncodeGroup(&buf, format, g)
	})
	if err != nil {
		return warnings, err
	}
	return warnings, flush()
}

// generateRules loads the specs at paths, refusing specs with errors, and
// generates their rules; diagnostics and warnings go to standard error.
func generateRules(cmd *cobra.Command, paths []string) (*rules.Result, error) {
	cat, err := loadForGenerate(cmd, paths)
	if err != nil {
		return nil, err
	}
	res, err := rules.Generate(cat, rules.Options{})
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	return res, nil
}

// writeOutput writes one generated file into dir, creating dir, and says
// so on stderr.
func writeOutput(stderr io.Writer, dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintln(stderr, "wrote", path)
	return nil
}
