package main

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/client"
	"github.com/accord-slo/accord/internal/engine"
)

func newStatusCmd() *cobra.Command {
	var c apiClient
	var q client.SLOQuery
	var output string
	cmd := &cobra.Command{
		Use:   "status [SERVICE/NAME]",
		Short: "Show every SLO's budget and burn rate, journeys then worst first, or one SLO in detail",
		Long: `Status asks a running Accord for its SLOs and prints a table: the SLI against
the objective, the error budget left as a bar, the burn rate over the last hour,
and what needs attention (firing alerts, stale data, no data, the policy state).
Journeys come first, as in the web UI's overview; within journeys and within
the other SLOs, least budget left first.
A grouped SLO shows its worst group, e.g. checkout/payments {store=berlin-042}.

With an SLO as argument it shows that SLO in detail: every burn rate, its
alerts, its policy state and its groups. -o json and -o yaml print what the
API answers, for scripts. Any number of SLOs is read page by page.`,
		Example: `  accord status
  accord status --team pos-platform
  accord status --service checkout -o json
  accord status --limit 10
  accord status checkout/payments
  accord status --server http://accord.internal:8080`,
		Args:    cobra.MaximumNArgs(1),
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if q.Limit < 0 {
				return fmt.Errorf("--limit %d: must be 0 (all) or more", q.Limit)
			}
			w := cmd.OutOrStdout()
			if len(args) == 1 {
				service, name, ok := strings.Cut(args[0], "/")
				if !ok || service == "" || name == "" || strings.Contains(name, "/") {
					return fmt.Errorf("%q: name an SLO as SERVICE/NAME, e.g. checkout/payments", args[0])
				}
				var v engine.SLOView
				if err := c.do(cmd.Context(), "GET", "/api/v1/slos/"+url.PathEscape(service)+"/"+url.PathEscape(name), nil, &v); err != nil {
					return err
				}
				if output != "table" {
					return writeStructured(w, output, v)
				}
				return writeSLODetail(w, v, time.Now())
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			slos, err := cl.SLOs(cmd.Context(), q)
			if err != nil {
				return err
			}
			if len(slos) == 0 {
				// Say so, rather than print a bare header or "slos": null.
				slos = []engine.SLOView{}
				fmt.Fprintf(cmd.ErrOrStderr(), "no SLO matched%s\n", filters(q))
			}
			if output != "table" {
				return writeStructured(w, output, map[string]any{"slos": slos})
			}
			if len(slos) == 0 {
				return nil
			}
			return writeStatus(w, slos, time.Now())
		},
	}
	addClientFlags(cmd, &c)
	cmd.Flags().StringVar(&q.Service, "service", "", "only this service's SLOs")
	cmd.Flags().StringVar(&q.Team, "team", "", "only the SLOs this team owns")
	cmd.Flags().IntVar(&q.Limit, "limit", 0, "only the N SLOs with the least budget left (0: all)")
	addOutputFlag(cmd, &output)
	return cmd
}

// filters names a query's filters for a message: " --team nosuch".
func filters(q client.SLOQuery) string {
	var out string
	if q.Service != "" {
		out += " --service " + q.Service
	}
	if q.Team != "" {
		out += " --team " + q.Team
	}
	return out
}

// writeStatus prints the SLO table journeys first, as the overview does,
// each part in the order the server gives: least budget left first.
func writeStatus(w io.Writer, slos []engine.SLOView, now time.Time) error {
	slos = slices.Clone(slos)
	slices.SortStableFunc(slos, func(a, b engine.SLOView) int {
		switch {
		case a.Journey && !b.Journey:
			return -1
		case b.Journey && !a.Journey:
			return 1
		}
		return 0
	})
	clipAt := 60 // several rows: keep the table readable
	if len(slos) == 1 {
		clipAt = 0
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SLO\tTEAM\tSLI\tOBJECTIVE\tBUDGET LEFT\tBURN 1H\tSTATE")
	for _, v := range slos {
		sli, budget, burn := statusCells(v.Worst) // a grouped SLO is as good as its worst group
		if v.Source.Stale {                       // the last numbers are not current: no bar that looks fine
			sli, budget = "stale", "stale"
		}
		id := v.ID
		if len(v.WorstGroup) > 0 {
			id += " {" + engine.LabelText(v.WorstGroup) + "}"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%g%%\t%s\t%s\t%s\n", id, orDash(v.Owners.Team), sli, v.Objective, budget, burn, state(v, clipAt, now))
	}
	return tw.Flush()
}

// statusCells are a status's SLI, budget left (as a bar) and burn rate
// over the last hour, as the tables show them.
func statusCells(st engine.Status) (sli, budget, burn string) {
	sli, budget, burn = "-", "no data", "-"
	if st.SLI != nil {
		sli = fmt.Sprintf("%.3f%%", *st.SLI*100)
	}
	if rate, ok := st.Burn(time.Hour); ok {
		burn = fmt.Sprintf("%.1f×", rate)
	}
	if st.HasData() {
		budget = fmt.Sprintf("%s %4.0f%%", bar(st.Budget.RemainingFraction, 20), st.Budget.RemainingFraction*100)
	}
	return sli, budget, burn
}

// bar draws a fraction as a bar of width cells; overspent budgets show an
// empty bar.
func bar(f float64, width int) string {
	n := int(f*float64(width) + 0.5)
	n = max(0, min(n, width))
	return "[" + strings.Repeat("█", n) + strings.Repeat("·", width-n) + "]"
}

// state says what needs attention; a stale source's error is clipped to
// clipAt runes, or given whole when clipAt is 0.
func state(v engine.SLOView, clipAt int, now time.Time) string {
	var parts []string
	// Firing alerts by severity and windows; a grouped SLO's groups add up.
	type kind struct{ severity, windows string }
	firing := map[kind]int{}
	var kinds []kind
	for _, a := range v.Alerts {
		if a.State == engine.AlertFiring {
			k := kind{string(a.Severity), a.Windows}
			if firing[k] == 0 {
				kinds = append(kinds, k)
			}
			firing[k]++
		}
	}
	for _, k := range kinds {
		p := fmt.Sprintf("%s firing (%s)", k.severity, k.windows)
		if n := firing[k]; n > 1 {
			p = fmt.Sprintf("%s firing ×%d (%s)", k.severity, n, k.windows)
		}
		parts = append(parts, p)
	}
	if v.Source.NotMeasured != "" {
		parts = append(parts, "not measured: "+v.Source.NotMeasured)
	}
	if v.Stream == "" && !v.Source.Stale && v.Source.NotMeasured == "" && v.Source.Backfill < 1 {
		parts = append(parts, fmt.Sprintf("loading history: %.0f%% of the window", v.Source.Backfill*100))
	}
	if v.Source.Stale {
		parts = append(parts, "stale since "+when(v.Source.StaleSince, now)+": "+clip(v.Source.Error, clipAt))
	}
	switch {
	case !v.Worst.HasData():
		parts = append(parts, "no data")
	case v.Worst.Budget.RemainingFraction <= 0:
		parts = append(parts, "budget exhausted")
	case !v.Worst.Met:
		parts = append(parts, "objective missed")
	}
	switch {
	case v.Policy.Resting && v.Worst.HasData() && !engine.Evident(v.Worst, v.Policy.MinEvents):
		parts = append(parts, fmt.Sprintf("policy: too few events (%.0f of %.0f)", v.Worst.Counts.Total, v.Policy.MinEvents))
	case v.Policy.State != "" && v.Policy.State != "healthy":
		parts = append(parts, "policy: "+v.Policy.State)
	}
	if len(parts) == 0 {
		return "ok"
	}
	return strings.Join(parts, "; ")
}

// clip shortens s to n runes (n 0: not at all); the API has the whole text.
func clip(s string, n int) string {
	r := []rune(s)
	if n == 0 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
