package main

import (
	"fmt"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/auth"
)

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke named API tokens (admin)",
		Long: `Each person and pipeline gets its own named token with a role:

  read      reads the API and the UI (needed only under serve --read-auth)
  ingest    also pushes events
  operator  also annotates, grants and revokes exceptions, reads the audit trail
  admin     also manages tokens, and every other write

A token's name is who it is: the audit trail records it for every write, and
an exception's approver is the name of the token that granted it. These
commands ask the running Accord (--server) with an admin token: the
bootstrap one in ./accord-data/token, --token, or ACCORD_TOKEN.`,
	}
	cmd.AddCommand(newTokenCreateCmd(), newTokenListCmd(), newTokenRevokeCmd())
	return cmd
}

func newTokenCreateCmd() *cobra.Command {
	var c apiClient
	var role, expires string
	cmd := &cobra.Command{
		Use:   "create NAME --role read|ingest|operator|admin",
		Short: "Create a token; its secret is printed once",
		Long: `Create makes a named token and prints its secret on standard output, once:
Accord keeps only a hash of it. What to do with it goes to standard error, so
that TOKEN=$(accord token create …) captures the secret alone.`,
		Example: `  accord token create tills --role ingest
  accord token create head-of-store-it --role operator --expires 90d
  TOKEN=$(accord token create ci-checkout --role operator)`,
		Args:    cobra.ExactArgs(1),
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := auth.ParseRole(role); err != nil {
				return fmt.Errorf("--role: %w", err)
			}
			var out struct {
				auth.Token
				Secret string `json:"secret"`
			}
			body := map[string]string{"name": args[0], "role": role, "expires": expires}
			if err := c.do(cmd.Context(), "POST", "/api/v1/tokens", body, &out); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), out.Secret)
			until := "it does not expire"
			if !out.ExpiresAt.IsZero() {
				until = "it expires " + when(out.ExpiresAt, time.Now())
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s (%s) created; %s. Its secret, above, is shown only now: hand it over as a secret "+
				"(the client sends it as Authorization: Bearer …, or ACCORD_TOKEN for the CLI).\n", out.Name, out.Role, until)
			return nil
		},
	}
	addClientFlags(cmd, &c)
	cmd.Flags().StringVar(&role, "role", "", "read, ingest, operator or admin")
	cmd.Flags().StringVar(&expires, "expires", "", "when the token stops working: RFC 3339 or a duration such as 90d (default never)")
	return cmd
}

func newTokenListCmd() *cobra.Command {
	var c apiClient
	var all bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List tokens (never their secrets)",
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			var out struct {
				Tokens []auth.Token `json:"tokens"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/tokens", nil, &out); err != nil {
				return err
			}
			now := time.Now()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tBY\tLAST USED\tEXPIRES\tREVOKED")
			for _, t := range out.Tokens {
				if !t.RevokedAt.IsZero() && !all {
					continue
				}
				revoked := "-"
				if !t.RevokedAt.IsZero() {
					revoked = when(t.RevokedAt, now) + " by " + t.RevokedBy
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Role, when(t.CreatedAt, now), t.CreatedBy, when(t.LastUsed, now), when(t.ExpiresAt, now), revoked)
			}
			return tw.Flush()
		},
	}
	addClientFlags(cmd, &c)
	cmd.Flags().BoolVar(&all, "all", false, "revoked tokens too")
	return cmd
}

func newTokenRevokeCmd() *cobra.Command {
	var c apiClient
	cmd := &cobra.Command{
		Use:     "revoke NAME",
		Short:   "Revoke a token: it stops working at once",
		Args:    cobra.ExactArgs(1),
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			var t auth.Token
			if err := c.do(cmd.Context(), "DELETE", "/api/v1/tokens/"+url.PathEscape(args[0]), nil, &t); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "token %s (%s) revoked\n", t.Name, t.Role)
			return nil
		},
	}
	addClientFlags(cmd, &c)
	return cmd
}
