package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/accord-slo/accord/internal/slo"
)

func newAnnotateCmd() *cobra.Command {
	var c apiClient
	var a slo.Annotation
	var start, end string
	cmd := &cobra.Command{
		Use:   "annotate deploy|incident|maintenance|postmortem --service NAME",
		Short: "Record a deploy, an incident, a maintenance window or a postmortem",
		Long: `Annotate records what happened on a service's timeline, so charts and reports
show which deploy or incident sits next to a burn. A maintenance window with
--exclude is taken out of the error budget of every SLO it covers. A
postmortem (--incident and --link) clears the postmortem an incident owes.
Who recorded it is the token's name (an operator token).`,
		Example: `  accord annotate deploy --service checkout --version 2026.11.3
  accord annotate incident --service checkout --incident INC-4711 --link https://… --start 2026-11-25T09:00:00Z --end 2026-11-25T10:10:00Z
  accord annotate maintenance --service store-sync --start 2026-11-26T02:00:00Z --end 2026-11-26T03:00:00Z --exclude
  accord annotate postmortem --service checkout --incident INC-4711 --link https://wiki/postmortems/4711`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"deploy", "incident", "maintenance", "postmortem"},
		PreRunE:   func(cmd *cobra.Command, args []string) error { return errors.Join(bindEnv(cmd), checkNoBy(cmd)) },
		RunE: func(cmd *cobra.Command, args []string) error {
			a.Kind = slo.AnnotationKind(args[0])
			var err error
			if a.Start, err = optionalTime("--start", start); err != nil {
				return err
			}
			if a.End, err = optionalTime("--end", end); err != nil {
				return err
			}
			var stored slo.Annotation
			if err := c.do(cmd.Context(), "POST", "/api/v1/annotations", a, &stored); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "annotation %d: %s on %s at %s\n", stored.ID, stored.Title(), stored.Service, when(stored.Start, time.Now()))
			return nil
		},
	}
	addClientFlags(cmd, &c)
	f := cmd.Flags()
	f.StringVar(&a.Service, "service", "", "the service")
	f.StringVar(&a.SLO, "slo", "", "only this SLO of the service")
	f.StringVar(&start, "start", "", "when it started (RFC 3339; default now)")
	f.StringVar(&end, "end", "", "when it ended (RFC 3339)")
	f.StringVar(&a.Version, "version", "", "the version deployed")
	f.StringVar(&a.Incident, "incident", "", "the incident's id")
	f.StringVar(&a.Link, "link", "", "a link to the incident or postmortem")
	f.StringVar(&a.Text, "text", "", "a few words about it")
	f.BoolVar(&a.ExcludeFromBudget, "exclude", false, "take a maintenance window out of the error budget")
	refuseBy(cmd)
	return cmd
}

func optionalTime(flag, raw string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want RFC 3339, e.g. 2026-11-25T09:00:00Z", flag, raw)
	}
	return t, nil
}
