package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/report"
)

func newReportCmd() *cobra.Command {
	var c apiClient
	var period, format string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write an SLO review of a period as Markdown, HTML or JSON",
		Long: `Report asks a running Accord for an SLO review of a period: per team and
service, the SLOs met or missed (a grouped SLO by its worst group, as the
policy judges it, with all groups beside it), the budget spent, the time in
each policy state, the biggest burns with the deploys and incidents around
them, policy changes and exceptions, postmortems due, the trend against the
period before, and what has no owner or runbook.

--period is last-week (Monday to Monday, UTC), this-week (Monday to now,
against the same days of last week), last-month, or FROM..TO with dates
(2026-11-01..2026-11-15).`,
		Example: `  accord report --period last-week > review.md
  accord report --period last-month --format html > review.html
  accord report --period 2026-11-01..2026-11-15 --format json`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.Formats, format) {
				return fmt.Errorf("--format %q: want %s", format, strings.Join(report.Formats, ", "))
			}
			var r report.Report
			if err := c.do(cmd.Context(), "GET", "/api/v1/report?"+url.Values{"period": {period}}.Encode(), nil, &r); err != nil {
				return err
			}
			return report.Write(cmd.OutOrStdout(), &r, format)
		},
	}
	addClientFlags(cmd, &c)
	cmd.Flags().StringVar(&period, "period", "last-week", "last-week, this-week, last-month or FROM..TO")
	cmd.Flags().StringVar(&format, "format", "md", "md, html or json")
	return cmd
}
