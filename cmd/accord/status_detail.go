package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/slo"
)

// detailGroups is how many groups the detail lists; the API has them all.
const detailGroups = 20

// writeSLODetail prints one SLO as kubectl describe would: its facts, its
// budget and burn rates, alerts, policy and worst groups; times are
// written as when writes them at now.
func writeSLODetail(w io.Writer, v engine.SLOView, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	title := v.ID
	if v.DisplayName != "" {
		title += " (" + v.DisplayName + ")"
	}
	fmt.Fprintf(tw, "SLO:\t%s\n", title)
	fmt.Fprintf(tw, "Team:\t%s\n", orDash(v.Owners.Team))
	fmt.Fprintf(tw, "Objective:\t%g%% over %s (%s)\n", v.Objective, v.Window, v.Budgeting)
	if v.Journey {
		comps := make([]slo.Component, len(v.Components))
		for i, c := range v.Components {
			comps[i] = slo.Component{SLO: c.SLO, Weight: c.Weight}
		}
		fmt.Fprintf(tw, "Journey:\tover %s\n", journeyText(v.Service, comps))
	}
	st := v.Status
	if st.SLI != nil {
		fmt.Fprintf(tw, "SLI:\t%.3f%% (%.0f good of %.0f)\n", *st.SLI*100, st.Counts.Good, st.Counts.Total)
		left := st.Budget.Text()
		if st.Budget.Remaining > 0 {
			left += "; " + slo.FormatDuration(time.Duration(st.Budget.RemainingTime).Round(time.Second)) + " of bad time"
		}
		fmt.Fprintf(tw, "Budget left:\t%s %.0f%%: %s\n", bar(st.Budget.RemainingFraction, 20), st.Budget.RemainingFraction*100, left)
	} else {
		fmt.Fprintf(tw, "SLI:\tno data\n")
	}
	if st.Exhaustion != nil {
		fmt.Fprintf(tw, "Exhausted:\tat %s if the last hour's burn goes on\n", when(*st.Exhaustion, now))
	}
	var burns []string
	for _, b := range st.BurnRates {
		rate := "-"
		if b.HasData {
			rate = fmt.Sprintf("%.1f×", b.Rate)
		}
		burns = append(burns, slo.FormatDuration(time.Duration(b.Window))+" "+rate)
	}
	fmt.Fprintf(tw, "Burn rates:\t%s\n", strings.Join(burns, "  "))
	fmt.Fprintf(tw, "State:\t%s\n", state(v, 0, now))
	if v.Policy.State != "" {
		since := ""
		if !v.Policy.Since.IsZero() {
			since = " since " + when(v.Policy.Since, now)
		}
		fmt.Fprintf(tw, "Policy:\t%s: %s%s\n", v.Policy.Name, v.Policy.State, since)
	}
	if v.RunbookURL != "" {
		fmt.Fprintf(tw, "Runbook:\t%s\n", v.RunbookURL)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(v.Alerts) > 0 {
		fmt.Fprintln(w, "\nAlerts:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  STATE\tSEVERITY\tWINDOWS\tGROUP\tSINCE\tBURN LONG/SHORT")
		for _, a := range v.Alerts {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%.1f× / %.1f×\n", a.State, a.Severity, a.Windows,
				orDash(engine.LabelText(engine.GroupLabels(a.Group))), when(a.Since, now), a.LongBurn, a.ShortBurn)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if err := writeComponents(w, v); err != nil {
		return err
	}
	if len(v.Groups) > 0 {
		fmt.Fprintf(w, "\nGroups (%d, least budget left first):\n", len(v.Groups))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  GROUP\tSLI\tBUDGET LEFT\tBURN 1H")
		for i, g := range v.Groups {
			if i == detailGroups {
				fmt.Fprintf(tw, "  … %d more (-o json lists them all)\n", len(v.Groups)-detailGroups)
				break
			}
			sli, budget, burn := statusCells(g.Status)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", engine.LabelText(g.Labels), sli, budget, burn)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// writeComponents lists a journey's components with the share of the
// journey's spent budget each caused, so the team to act is plain.
func writeComponents(w io.Writer, v engine.SLOView) error {
	if len(v.Components) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nComponents (share of the journey's spent budget):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SLO\tWEIGHT\tSLI\tGOOD/TOTAL\tSPENT")
	for _, c := range v.Components {
		sli := "no data"
		if c.SLI != nil {
			sli = fmt.Sprintf("%.3f%%", *c.SLI*100)
		}
		fmt.Fprintf(tw, "  %s\t%g\t%s\t%.0f/%.0f\t%.0f%%\n", c.SLO, c.Weight, sli, c.Good, c.Total, c.SpentShare*100)
	}
	return tw.Flush()
}
