package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/auth"
)

// auditPage is one page of GET /api/v1/audit.
type auditPage struct {
	Entries []auth.Entry `json:"entries"`
	Next    string       `json:"next,omitempty"`
}

func newAuditCmd() *cobra.Command {
	var c apiClient
	var since, actor, action, service, output string
	var limit int
	var before int64
	var all bool
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit trail: who changed what, newest first (operator)",
		Long: `Audit shows the audit trail a running Accord keeps: every write a known caller
made, let through or refused, newest first — when, who, with which role, the
route, the object, the status and what it did or why it was refused.

--since takes a duration back from now (24h, 7d) or a time (RFC 3339); --actor
keeps one identity's entries (a token's name, or the person a proxy names);
--action keeps the entries whose route contains the text (exceptions, tokens,
"DELETE /api/v1/tokens"). Entries come a page at a time, as the API pages them
(--limit, at most 1000): when there are more, the command that shows the next
page is printed on standard error; --all reads every page.`,
		Example: `  accord audit --since 24h
  accord audit --actor head-of-store-it --action exceptions
  accord audit --since 2026-11-01T00:00:00Z --all -o json`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, args []string) error { return bindEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("--output %q: must be table or json", output)
			}
			if limit < 1 || limit > auth.MaxLimit {
				return fmt.Errorf("--limit %d: want 1 to %d", limit, auth.MaxLimit)
			}
			now := time.Now()
			q := url.Values{"limit": {strconv.Itoa(limit)}}
			if since != "" {
				from, err := sinceTime(since, now)
				if err != nil {
					return err
				}
				q.Set("from", from.UTC().Format(time.RFC3339))
			}
			for k, v := range map[string]string{"who": actor, "action": action, "service": service} {
				if v != "" {
					q.Set(k, v)
				}
			}
			if before > 0 {
				q.Set("before", strconv.FormatInt(before, 10))
			}
			var entries []auth.Entry
			path := "/api/v1/audit?" + q.Encode()
			var next string
			for path != "" {
				var page auditPage
				if err := c.do(cmd.Context(), "GET", path, nil, &page); err != nil {
					return err
				}
				entries = append(entries, page.Entries...)
				next, path = page.Next, ""
				if all {
					path = page.Next
				}
			}
			if entries == nil {
				entries = []auth.Entry{}
			}
			if output == "json" {
				if err := writeStructured(cmd.OutOrStdout(), "json", auditPage{Entries: entries, Next: next}); err != nil {
					return err
				}
			} else if err := writeAuditTable(cmd, entries, now); err != nil {
				return err
			}
			if next != "" && !all {
				u, _ := url.Parse(next)
				fmt.Fprintf(cmd.ErrOrStderr(), "more entries: add --before %s (or --all)\n", u.Query().Get("before"))
			}
			return nil
		},
	}
	addClientFlags(cmd, &c)
	cmd.Flags().StringVar(&since, "since", "", "entries since a duration ago (24h, 7d) or a time (RFC 3339)")
	cmd.Flags().StringVar(&actor, "actor", "", "only this identity's entries (a token's name or a person)")
	cmd.Flags().StringVar(&action, "action", "", "only entries whose route contains this text, e.g. exceptions or \"DELETE /api/v1/tokens\"")
	cmd.Flags().StringVar(&service, "service", "", "only entries concerning this service")
	cmd.Flags().IntVar(&limit, "limit", auth.DefaultLimit, "entries per page")
	cmd.Flags().Int64Var(&before, "before", 0, "the page of entries older than this id")
	cmd.Flags().BoolVar(&all, "all", false, "read every page")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func writeAuditTable(cmd *cobra.Command, entries []auth.Entry, now time.Time) error {
	if len(entries) == 0 {
		fmt.Fprintln(cmd.OutOrStdout(), "no audit entries match")
		return nil
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAT\tWHO\tROLE\tROUTE\tSTATUS\tCOUNT\tSUMMARY")
	for _, e := range entries {
		summary := strings.ReplaceAll(e.Summary, "\n", " ")
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", e.ID, when(e.At, now), e.Who, e.Role,
			e.Route, e.Status, e.Count, summary)
	}
	return tw.Flush()
}

// sinceTime reads --since: a duration back from now (with d for days) or
// an RFC 3339 time.
func sinceTime(raw string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(raw)
	if days, ok := strings.CutSuffix(raw, "d"); ok && err != nil {
		var n int
		if n, err = strconv.Atoi(days); err == nil {
			d = time.Duration(n) * 24 * time.Hour
		}
	}
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("--since %q: want a duration back from now (24h, 7d) or an RFC 3339 time", raw)
	}
	return now.Add(-d), nil
}
