package main

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/client"
	"github.com/accord-slo/accord/internal/gate"
)

func newGateCmd() *cobra.Command {
	var c apiClient
	var service, change string
	var failOpen bool
	cmd := &cobra.Command{
		Use:   "gate --service NAME",
		Short: "Ask whether a service may release now (exit 0 allow, 1 deny)",
		Long: `Gate asks Accord whether a service may release now, under its SLOs' error
budget policies, and prints the answer and the reason. The exit status is 0
when releases are allowed and 1 when they are not, for CI/CD pipelines.

--change names the kind of change (e.g. reliability, security) that a freeze
may still let through. When Accord cannot be reached, or answers that it
cannot decide now (503: its database is unreachable or full), the gate
fails closed (exit 1) unless --fail-open is given.`,
		Example: `  accord gate --service checkout
  accord gate --service checkout --change reliability --server http://accord:8080`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			if service == "" {
				return fmt.Errorf("--service: missing")
			}
			q := url.Values{"service": {service}}
			if change != "" {
				q.Set("change", change)
			}
			var d gate.Decision
			err := c.do(cmd.Context(), "GET", "/api/v1/gate?"+q.Encode(), nil, &d)
			var unreachable *client.UnreachableError
			if errors.As(err, &unreachable) {
				if failOpen {
					fmt.Fprintf(cmd.OutOrStdout(), "allow: Accord cannot be reached and --fail-open is set (%v)\n", err)
					return nil
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deny: Accord cannot be reached; the gate fails closed (--fail-open to let releases through): %v\n", err)
				return exitError{"gate closed"}
			}
			var unavailable *client.UnavailableError
			if errors.As(err, &unavailable) {
				// Accord answered but cannot decide now: its database is
				// down or full. Not a defect to report, an outage to wait out.
				if failOpen {
					fmt.Fprintf(cmd.OutOrStdout(), "allow: Accord cannot decide now and --fail-open is set: %v\n", unavailable)
					return nil
				}
				fmt.Fprintf(cmd.OutOrStdout(), "deny: Accord cannot decide now; the gate fails closed (--fail-open to let releases through): %v\n", unavailable)
				return exitError{"gate closed"}
			}
			if err != nil {
				return err
			}
			verdict := "deny"
			if d.Allow {
				verdict = "allow"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", verdict, d.Reason)
			if !d.Allow {
				return exitError{"gate closed"}
			}
			return nil
		},
	}
	addClientFlags(cmd, &c)
	cmd.Flags().StringVar(&service, "service", "", "the service that wants to release")
	cmd.Flags().StringVar(&change, "change", "", "the kind of change, e.g. reliability or security")
	cmd.Flags().BoolVar(&failOpen, "fail-open", false, "allow releases when Accord cannot be reached or cannot decide now")
	return cmd
}
