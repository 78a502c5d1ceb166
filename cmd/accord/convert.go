package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/spec"
)

func newConvertCmd() *cobra.Command {
	var to string
	cmd := &cobra.Command{
		Use:   "convert --to accord|openslo PATH...",
		Short: "Rewrite SLO specs in Accord's format or as OpenSLO v1",
		Long: `Convert reads SLO specs in any format Accord reads and writes the same SLOs,
as multi-document YAML, to standard output: in Accord's own accord/v1 format
or as OpenSLO v1. Nothing is dropped: what the target format has no field for
is carried in accord.dev/ annotations, and error budget policies follow an
OpenSLO stream as accord/v1 Policy documents, so converting back gives the
same SLOs.

Specs with errors are not converted; the errors go to standard error.`,
		Example: `  accord convert --to accord sloth/ > slos/checkout.yaml
  accord convert --to openslo examples/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to != "accord" && to != "openslo" {
				return fmt.Errorf("--to %q: must be accord or openslo", to)
			}
			res, err := spec.Load(args...)
			if err != nil {
				return err
			}
			writeDiagnostics(cmd.ErrOrStderr(), &res.Diags)
			if res.Diags.HasErrors() {
				return exitError{"spec has errors"}
			}
			out, err := spec.Write(to, res.Catalog)
			if err != nil {
				return fmt.Errorf("convert to %s: %w", to, err)
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "format to write: accord or openslo")
	_ = cmd.MarkFlagRequired("to")
	_ = cmd.RegisterFlagCompletionFunc("to", cobra.FixedCompletions(spec.WriteFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
