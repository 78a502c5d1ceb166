package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "accord",
		Short: "Service level objectives and error budgets, shared by product, development and operations",
		Long: `Accord keeps service level objectives as code, measures them, and turns their
error budgets into decisions everyone can see.

It reads its own accord/v1 format and the formats teams already have:
OpenSLO (v1, v1alpha and v2alpha), Sloth and Pyrra.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newValidateCmd(), newConvertCmd(), newServeCmd(), newDemoCmd(), newStatusCmd(), newGateCmd(), newExceptionCmd(), newAnnotateCmd(), newTokenCmd(), newAuditCmd(), newReportCmd(), newReplayCmd(), newGenerateCmd(), newVersionCmd())
	return root
}
