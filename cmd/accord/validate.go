package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/slo"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/diag"
)

func newValidateCmd() *cobra.Command {
	var output string
	var exclude []string
	cmd := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check SLO specs and list every problem with file:line:col",
		Long: `Validate reads SLO specs — files, multi-document YAML, lists of objects, or
directories searched recursively for .yaml, .yml and .json — in any format
Accord reads (accord/v1; OpenSLO v1, v1alpha and v2alpha; Sloth; Pyrra) and
reports every problem at once. Files in a directory that hold no SLO spec
(Kubernetes manifests, dashboards) are skipped with a note; --exclude leaves
files and directories out by name or path.

The SLOs found go to standard output (when there are no errors); problems go
to standard error. The exit status is 1 when there is any error; warnings
and notes alone leave it 0.`,
		Example: `  accord validate examples/
  accord validate -o json slos/checkout.yaml
  accord validate --exclude setup --exclude '*-crd.yaml' deploy/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("--output %q: must be text or json", output)
			}
			res, err := spec.LoadWith(spec.Options{Exclude: exclude}, args...)
			if err != nil {
				return err
			}
			if output == "json" {
				if err := writeValidationJSON(cmd.OutOrStdout(), res); err != nil {
					return err
				}
			} else {
				writeDiagnostics(cmd.ErrOrStderr(), &res.Diags)
				if !res.Diags.HasErrors() {
					if err := writeSLOTable(cmd.OutOrStdout(), &res.Catalog); err != nil {
						return err
					}
				}
				writeSummary(cmd.ErrOrStderr(), res)
			}
			if res.Diags.HasErrors() {
				return exitError{"spec has errors"}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	addExcludeFlag(cmd, &exclude)
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func writeDiagnostics(w io.Writer, diags *diag.List) {
	for _, d := range diags.Items() {
		fmt.Fprintln(w, d.String())
	}
}

func writeSummary(w io.Writer, res *spec.Result) {
	skipped := ""
	if n := len(res.Skipped); n > 0 {
		skipped = fmt.Sprintf(" (%s skipped)", count(n, "file"))
	}
	journeys := 0
	for _, s := range res.Catalog.SLOs {
		if s.Journey() {
			journeys++
		}
	}
	slos := count(len(res.Catalog.SLOs), "SLO")
	if journeys > 0 {
		slos += fmt.Sprintf(" (%s)", count(journeys, "journey"))
	}
	fmt.Fprintf(w, "%s in %s from %s%s: %s, %s\n",
		slos, count(len(res.Catalog.Services), "service"), count(len(res.Files), "file"), skipped,
		count(res.Diags.Count(diag.Error), "error"), count(res.Diags.Count(diag.Warning), "warning"))
}

// excludeUsage is the help of --exclude.
const excludeUsage = "leave out files and directories matching this glob (by base name or path below the directory given); repeatable"

// addExcludeFlag adds --exclude, the patterns of files and directories a
// command leaves out of the directories it reads.
func addExcludeFlag(cmd *cobra.Command, exclude *[]string) {
	cmd.Flags().StringArrayVar(exclude, "exclude", nil, excludeUsage)
}

// count renders n with noun, plural unless n is 1: "1 error", "2 errors".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func writeSLOTable(w io.Writer, cat *slo.Catalog) error {
	if len(cat.SLOs) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tSLO\tOBJECTIVE\tWINDOW\tINDICATOR\tMEASURED BY\tTEAM")
	for _, s := range cat.Canonical().SLOs {
		source, kind := "prometheus", string(s.Indicator.Kind)
		switch {
		case s.Journey():
			source, kind = "journey: "+journeyText(s.Service, s.Composite.Components), "composite"
		case s.Indicator.Pushed():
			source = "events: " + s.Indicator.Stream
		case s.Indicator.NotMeasured() != "":
			source = "not measured: " + s.Indicator.NotMeasured()
		}
		team := cat.EffectiveOwners(s).Team
		if team == "" {
			team = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%g%%\t%s\t%s\t%s\t%s\n", s.Service, s.Name, s.Objective, s.Window, kind, source, team)
	}
	return tw.Flush()
}

// journeyText names a journey's components as people read them: those of
// its own service by name, the weight before any that is not 1, as in
// "scan + 2×payments/card".
func journeyText(service string, comps []slo.Component) string {
	if len(comps) == 0 {
		return "its components"
	}
	parts := make([]string, 0, len(comps))
	for _, c := range comps {
		name := strings.TrimPrefix(c.SLO, service+"/")
		if c.Weight != 1 {
			name = strconv.FormatFloat(c.Weight, 'g', -1, 64) + "×" + name
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, " + ")
}

// validationReport is validate's JSON output.
type validationReport struct {
	Valid bool     `json:"valid"`
	Files []string `json:"files"`
	// Skipped are files found in a directory that hold no SLO spec.
	Skipped     []string          `json:"skipped,omitempty"`
	Errors      int               `json:"errors"`
	Warnings    int               `json:"warnings"`
	Diagnostics []diag.Diagnostic `json:"diagnostics"`
	Catalog     slo.Catalog       `json:"catalog"`
}

func writeValidationJSON(w io.Writer, res *spec.Result) error {
	report := validationReport{
		Valid:       !res.Diags.HasErrors(),
		Files:       res.Files,
		Skipped:     res.Skipped,
		Errors:      res.Diags.Count(diag.Error),
		Warnings:    res.Diags.Count(diag.Warning),
		Diagnostics: res.Diags.Items(),
		Catalog:     res.Catalog,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}
