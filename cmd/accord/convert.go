package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/engine"
	"github.com/accord-slo/accord/internal/spec"
	"github.com/accord-slo/accord/internal/spec/diag"
)

func newConvertCmd() *cobra.Command {
	var to, owner string
	var exclude []string
	cmd := &cobra.Command{
		Use:   "convert --to accord|openslo PATH...",
		Short: "Rewrite SLO specs in Accord's format or as OpenSLO v1",
		Long: `Convert reads SLO specs in any format Accord reads and writes the same SLOs,
as multi-document YAML, to standard output: in Accord's own accord/v1 format
or as OpenSLO v1. Nothing is dropped: what the target format has no field for
is carried in accord.dev/ annotations, and error budget policies follow an
OpenSLO stream as accord/v1 Policy documents, so converting back gives the
same SLOs.

accord/v1 asks every SLO for an owning team. Sloth, Pyrra and OpenSLO files
often name none: --owner TEAM gives it to every service without one;
without it, convert names the SLOs that need one and writes nothing.

OpenSLO output names SLOs uniquely across services (SERVICE-NAME where two
services share a name) and writes every burn-rate alert, Accord's defaults
included, as an AlertPolicy with its AlertCondition and targets.

Specs with errors are not converted; the errors go to standard error.`,
		Example: `  accord convert --to accord --owner payments sloth/ > slos/payments.yaml
  accord convert --to openslo examples/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to != "accord" && to != "openslo" {
				return fmt.Errorf("--to %q: must be accord or openslo", to)
			}
			res, err := spec.LoadWith(spec.Options{Exclude: exclude}, args...)
			if err != nil {
				return err
			}
			writeDiagnostics(cmd.ErrOrStderr(), &res.Diags)
			if res.Diags.HasErrors() {
				return exitError{"spec has errors"}
			}
			cat := res.Catalog
			if owner != "" {
				if filled := spec.FillOwner(&cat, owner); len(filled) > 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "owner %s given to %s: %s\n", owner, count(len(filled), "service"), strings.Join(filled, ", "))
				}
			}
			if unowned := spec.Unowned(&cat); to == "accord" && len(unowned) > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "accord/v1 needs an owning team for every SLO; these have none: %s\n"+
					"add --owner TEAM, or the team to the source (a team label in OpenSLO, labels: {owner: TEAM} in Sloth, pyrra.dev/team in Pyrra)\n",
					strings.Join(unowned, ", "))
				return exitError{"SLOs without an owning team"}
			}
			out, err := spec.WriteWith(to, cat, spec.WriteOptions{Rules: engine.Rules})
			if err != nil {
				return fmt.Errorf("convert to %s: %w", to, err)
			}
			if err := checkConverted(cmd.ErrOrStderr(), to, out); err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "format to write: accord or openslo")
	cmd.Flags().StringVar(&owner, "owner", "", "owning team for every service that names none (accord/v1 requires one)")
	addExcludeFlag(cmd, &exclude)
	_ = cmd.MarkFlagRequired("to")
	_ = cmd.RegisterFlagCompletionFunc("to", cobra.FixedCompletions(spec.WriteFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// checkConverted reads the converted spec back and refuses to write one
// that would not validate, so a conversion never hands over a file that
// fails later.
func checkConverted(w io.Writer, to string, out []byte) error {
	back := spec.LoadBytes("converted", out)
	if !back.Diags.HasErrors() {
		return nil
	}
	fmt.Fprintf(w, "the %s output would not validate:\n", to)
	for _, d := range back.Diags.Items() {
		if d.Severity == diag.Error {
			fmt.Fprintf(w, "  %s: %s\n", d.Path, d.Message)
		}
	}
	return exitError{"converted spec does not validate"}
}
