package main

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/slo"
)

func newExceptionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exception",
		Short: "Grant, list and revoke exceptions that let releases through a freeze",
	}
	cmd.AddCommand(newExceptionGrantCmd(), newExceptionListCmd(), newExceptionRevokeCmd())
	return cmd
}

func newExceptionGrantCmd() *cobra.Command {
	var c apiClient
	var service, until, reason string
	cmd := &cobra.Command{
		Use:   "grant --service NAME --until TIME --reason TEXT",
		Short: "Let a service's releases through its freeze until a time",
		Long: `Grant lets a service's releases through an error budget freeze, and says why,
until a time (RFC 3339) or for a duration (e.g. 4h). The gate, the UI and
reports show it; it expires by itself.

The approver is whoever the token belongs to (an operator token). When the
policy names exceptionApprovers, the token's name must be one of them: each
approver grants with their own token.`,
		Example: `  ACCORD_TOKEN=$(cat ~/.accord-token) accord exception grant --service checkout --until 4h \
      --reason "Black Friday price fix; rollback tested"`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error { return errors.Join(bindEnv(cmd), checkNoBy(cmd)) },
		RunE: func(cmd *cobra.Command, args []string) error {
			var e slo.Exception
			body := map[string]string{"service": service, "until": until, "reason": reason}
			if err := c.do(cmd.Context(), "POST", "/api/v1/exceptions", body, &e); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exception %d: releases of %s go through until %s, granted by %s: %s\n",
				e.ID, e.Service, when(e.Until, time.Now()), e.GrantedBy, e.Reason)
			return nil
		},
	}
	addClientFlags(cmd, &c)
	cmd.Flags().StringVar(&service, "service", "", "the service whose releases may go through")
	cmd.Flags().StringVar(&until, "until", "", "when the exception ends: RFC 3339 or a duration such as 4h")
	cmd.Flags().StringVar(&reason, "reason", "", "why releases must go through")
	refuseBy(cmd)
	return cmd
}

func newExceptionListCmd() *cobra.Command {
	var c apiClient
	var service string
	var activeOnly bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List exceptions",
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{}
			if service != "" {
				q.Set("service", service)
			}
			if activeOnly {
				q.Set("active", "true")
			}
			var out struct {
				Exceptions []slo.Exception `json:"exceptions"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/exceptions?"+q.Encode(), nil, &out); err != nil {
				return err
			}
			now := time.Now()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSERVICE\tBY\tFROM\tUNTIL\tREVOKED\tREASON")
			for _, e := range out.Exceptions {
				revoked := "-"
				if !e.RevokedAt.IsZero() {
					revoked = when(e.RevokedAt, now) + " by " + e.RevokedBy
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Service, e.GrantedBy,
					when(e.From, now), when(e.Until, now), revoked, e.Reason)
			}
			return tw.Flush()
		},
	}
	addClientFlags(cmd, &c)
	cmd.Flags().StringVar(&service, "service", "", "only this service's exceptions")
	cmd.Flags().BoolVar(&activeOnly, "active", false, "only exceptions that hold now")
	return cmd
}

func newExceptionRevokeCmd() *cobra.Command {
	var c apiClient
	cmd := &cobra.Command{
		Use:     "revoke ID",
		Short:   "End an exception now",
		Args:    cobra.ExactArgs(1),
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("exception id %q is not a number", args[0])
			}
			var e slo.Exception
			if err := c.do(cmd.Context(), "DELETE", "/api/v1/exceptions/"+args[0], nil, &e); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "exception %d for %s revoked by %s\n", id, e.Service, e.RevokedBy)
			return nil
		},
	}
	addClientFlags(cmd, &c)
	return cmd
}
