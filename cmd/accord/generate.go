package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/rules"
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
	return cmd
}

func newGeneratePrometheusCmd() *cobra.Command {
	var format, dir string
	cmd := &cobra.Command{
		Use:   "prometheus PATH...",
		Short: "Write recording and alerting rules for every SLO measured by Prometheus",
		Long: `Prometheus writes, for every SLO measured by Prometheus, a rule group with its
error ratios over every window its alerts and budget need, its objective and
budget left, and its multi-window, multi-burn-rate alerts (labels team,
severity, slo, service, burn_window and the on-call route's labels;
annotations summary, description and runbook_url).

Only the 5-minute rates read raw series; longer windows are derived from them
(see docs/prometheus.md). SLOs measured by pushed events are left out with a
warning.

--format rules writes Prometheus rule files (for rule_files, Thanos Ruler or
mimirtool); --format prometheusrule writes PrometheusRule resources of the
Prometheus Operator. With -o DIR every service goes to DIR/SERVICE.rules.yaml;
without it, everything goes to standard output.`,
		Example: `  accord generate prometheus examples/ > slos.rules.yaml
  accord generate prometheus --format prometheusrule -o k8s/ examples/
  promtool check rules slos.rules.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != rules.FormatRules && format != rules.FormatPrometheusRule {
				return fmt.Errorf("--format %q: must be %s", format, strings.Join(rules.Formats, " or "))
			}
			res, err := generateRules(cmd, args)
			if err != nil {
				return err
			}
			if dir == "" {
				out, err := rules.EncodeAll(res.Files, format)
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(out)
				return err
			}
			for _, f := range res.Files {
				out, err := rules.EncodeFile(f, format)
				if err != nil {
					return err
				}
				if err := writeOutput(cmd.ErrOrStderr(), dir, rules.FileName(f.Service), out); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", rules.FormatRules, "output format: rules or prometheusrule")
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

// generateRules loads the specs at paths, refusing specs with errors, and
// generates their rules; diagnostics and warnings go to standard error.
func generateRules(cmd *cobra.Command, paths []string) (*rules.Result, error) {
	loaded, err := spec.Load(paths...)
	if err != nil {
		return nil, err
	}
	writeDiagnostics(cmd.ErrOrStderr(), &loaded.Diags)
	if loaded.Diags.HasErrors() {
		return nil, exitError{"spec has errors"}
	}
	res, err := rules.Generate(&loaded.Catalog)
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
